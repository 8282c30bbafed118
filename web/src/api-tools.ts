/**
 * The MCP (spec §3.10) and skills (§3.11) routes, as the dashboard panels use them. The
 * versioned paths answer refusals with `{"detail"}` (an ApiError); a few PocketPaw answers are a
 * 200 with `{"error"}`, which become ApiErrors here too so the panels handle one kind of failure.
 */
import { ApiError, json, jsonBody } from './api';

import type {
  McpConnectResult, McpServerStatus, McpToolInfo, McpTransport, PresetInstallResult, PresetListing, SkillInstallResult, SkillPreview, SkillSummary,
} from '@protocol';

export type { McpTransport, PresetInstallResult, SkillInstallResult, SkillPreview, SkillSummary } from '@protocol';
export type McpTool = McpToolInfo;
export type McpStatus = McpServerStatus;
export type McpTestResult = McpConnectResult;
export type McpPreset = PresetListing;

/** The body of `add` and `test`: a server config as the form builds it. */
export interface McpServerInput {
  name: string;
  transport: McpTransport;
  command: string;
  args: string[];
  url: string;
  env: Record<string, string>;
  enabled?: boolean;
}

/** One search hit of skills.sh, as far as the dashboard reads it. */
export interface SkillHit {
  id?: string;
  skillId?: string;
  name: string;
  description?: string;
  source?: string;
  topSource?: string;
  installs?: number;
}

const V = '/api/v1';

/** PocketPaw's "200 with an error": a refusal all the same. */
function okOrThrow<T>(body: T): T {
  const err = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (typeof err === 'string' && err) throw new ApiError(400, err);
  return body;
}

const post = async <T>(path: string, body: unknown): Promise<T> => okOrThrow(await json<T>(`${V}${path}`, { method: 'POST', ...jsonBody(body) }));

export const mcpApi = {
  status: (): Promise<Record<string, McpStatus>> => json(`${V}/mcp/status`),
  add: (server: McpServerInput): Promise<unknown> => post('/mcp/add', { enabled: true, ...server }),
  remove: (name: string): Promise<unknown> => post('/mcp/remove', { name }),
  /** `enabled` says which way (ours): a server that is on but failing can be switched off. */
  toggle: (name: string, enabled?: boolean): Promise<{ enabled: boolean; connected?: boolean }> =>
    post('/mcp/toggle', enabled === undefined ? { name } : { name, enabled }),
  /** Starts the server once to list its tools, then stops it; a failure is `connected: false` with the error. */
  test: (server: McpServerInput): Promise<McpTestResult> => json(`${V}/mcp/test`, { method: 'POST', ...jsonBody(server) }),
  presets: (): Promise<McpPreset[]> => json(`${V}/mcp/presets`),
  installPreset: (presetId: string, env: Record<string, string>, extraArgs?: string[]): Promise<PresetInstallResult> =>
    post('/mcp/presets/install', { preset_id: presetId, env, ...(extraArgs?.length ? { extra_args: extraArgs } : {}) }),
};

export const skillsApi = {
  list: (): Promise<SkillSummary[]> => json(`${V}/skills`),
  remove: (name: string): Promise<unknown> => post('/skills/remove', { name }),
  /** What installing `source` would copy, without copying it. */
  preview: (source: string): Promise<Extract<SkillInstallResult, { status: 'preview' }>> => post('/skills/install', { source, dry_run: true }),
  install: (source: string): Promise<Extract<SkillInstallResult, { status: 'ok' }>> => post('/skills/install', { source }),
  search: async (q: string, signal?: AbortSignal): Promise<{ skills: SkillHit[]; error?: string }> => {
    const res = await json<{ skills?: SkillHit[]; error?: string }>(`${V}/skills/search?q=${encodeURIComponent(q)}&limit=20`, { signal });
    return { skills: Array.isArray(res.skills) ? res.skills : [], error: res.error };
  },
};

const OWNER_REPO = /^[\w.-]+\/[\w.-]+$/;

/** The source to install a search hit from: `owner/repo/skill` (skills.sh: `source` is `owner/repo`). */
export function hitSource(hit: SkillHit): string {
  const skill = hit.skillId || hit.name;
  const repo = [hit.source, hit.topSource].find((s) => s && OWNER_REPO.test(s));
  if (repo) return `${repo}/${skill}`;
  if (hit.id && /^[\w.-]+\/[\w.-]+\/[\w.-]+$/.test(hit.id)) return hit.id;
  return hit.source || hit.id || skill;
}
