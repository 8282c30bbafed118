/**
 * The MCP (spec §3.10) and skills (§3.11) routes, as the dashboard panels use them. The
 * versioned paths answer refusals with `{"detail"}` (an ApiError); a few PocketPaw answers are a
 * 200 with `{"error"}`, which become ApiErrors here too so the panels handle one kind of failure.
 */
import { ApiError, json, jsonBody } from './api';

export type McpTransport = 'stdio' | 'http' | 'streamable-http';

export interface McpTool {
  name: string;
  description: string;
}

/** `GET /api/v1/mcp/status`, per server. `tools` when the server lists them (ours). */
export interface McpStatus {
  connected: boolean;
  tool_count: number;
  error: string;
  transport: McpTransport;
  enabled: boolean;
  connecting?: boolean;
  registry_ref?: string;
  tools?: McpTool[];
}

export interface McpServerInput {
  name: string;
  transport: McpTransport;
  command: string;
  args: string[];
  url: string;
  env: Record<string, string>;
  enabled?: boolean;
}

export interface McpTestResult {
  connected: boolean;
  error?: string;
  tools: McpTool[];
}

export interface PresetKey {
  key: string;
  label: string;
  required: boolean;
  placeholder: string;
  secret: boolean;
}

export interface McpPreset {
  id: string;
  name: string;
  description: string;
  icon: string;
  category: string;
  package: string;
  transport: McpTransport;
  url: string;
  docs_url: string;
  needs_args: boolean;
  oauth: boolean;
  installed: boolean;
  env_keys: PresetKey[];
  /** Ours: where the server comes from; `npm` and `pypi` download a package on first start. */
  source?: 'npm' | 'pypi' | 'remote' | 'local';
  /** Ours: what installing it needs from this machine, in words; "" when nothing special. */
  note?: string;
}

export interface PresetInstallResult {
  status: string;
  connected: boolean;
  tools: McpTool[];
  error?: string;
  /** Ours, like the preset's: what the server needs to start. */
  note?: string;
  source?: McpPreset['source'];
}

export interface SkillSummary {
  name: string;
  description: string;
  argument_hint: string;
}

/** One skill an install would copy (the preview step), or did. */
export interface SkillPreview {
  name: string;
  description: string;
  dir?: string;
  files?: string[];
  /** All its files; `files` may list only the first of them. */
  file_count?: number;
  argument_hint?: string;
  replaces?: boolean;
}

export interface SkillInstallResult {
  status: string;
  installed?: string[];
  skills?: SkillPreview[];
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
  preview: (source: string): Promise<SkillInstallResult> => post('/skills/install', { source, dry_run: true }),
  install: (source: string): Promise<SkillInstallResult> => post('/skills/install', { source }),
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
