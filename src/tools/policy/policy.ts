import type { Settings } from '../../config/settings.js';
import type { ToolDefinition, ToolGroup } from '../types.js';

export type ToolProfile = Settings['tool_profile'];

/**
 * PocketPaw's static groups (tools/policy.py), so `group:fs` in a PocketPaw config also names
 * tools by name. A registered tool is also in the group its definition declares.
 */
export const STATIC_GROUPS: Record<string, readonly string[]> = {
  fs: ['read_file', 'write_file', 'edit_file', 'list_dir'],
  shell: ['shell'],
  memory: ['remember', 'recall', 'forget'],
  search: ['web_search', 'url_extract'],
  web: ['web_search', 'url_extract'],
  sessions: ['new_session', 'list_sessions', 'switch_session', 'clear_session', 'rename_session', 'delete_session'],
  system: ['current_time'],
};

/** Groups each profile allows; `full` allows everything. Allow lists add to these, deny lists remove. */
export const PROFILE_GROUPS: Record<Exclude<ToolProfile, 'full'>, readonly ToolGroup[]> = {
  minimal: ['memory', 'sessions', 'system'],
  coding: ['memory', 'sessions', 'system', 'fs', 'shell'],
};

export type PolicyVerdict = { allowed: true } | { allowed: false; reason: string };

function names(list: readonly string[]): string[] {
  return list.map((s) => s.trim()).filter(Boolean);
}

/** Every group a tool is in: its own, then the extra ones (`mcp:<server>`). */
export function groupsOf(def: Pick<ToolDefinition, 'group' | 'extraGroups'>): string[] {
  return [def.group, ...(def.extraGroups ?? [])];
}

/** Whether `entry` (a tool name or `group:<name>`) covers the tool. */
function covers(entry: string, name: string, groups: readonly string[]): boolean {
  if (entry === name) return true;
  if (!entry.startsWith('group:')) return false;
  const g = entry.slice('group:'.length);
  return groups.includes(g) || (STATIC_GROUPS[g]?.includes(name) ?? false);
}

/** Whether any entry of a list of tool names and `group:<name>`s (allow, deny, plan mode) covers the tool. */
export function listCovers(list: readonly string[], name: string, groups: readonly string[]): boolean {
  return names(list).some((e) => covers(e, name, groups));
}

/**
 * The tool policy (spec: profiles, `tools_allow`, `tools_deny`): deny wins, then the profile
 * or the allow list. Unlike PocketPaw, an allow list never narrows the `full` profile: it only
 * adds to a profile (`tools_deny` is the way to take tools away).
 */
export function evaluatePolicy(settings: Pick<Settings, 'tool_profile' | 'tools_allow' | 'tools_deny'>, name: string, groups: readonly string[] = []): PolicyVerdict {
  const deny = names(settings.tools_deny).find((e) => covers(e, name, groups));
  if (deny) return { allowed: false, reason: `denied by tools_deny (${deny})` };
  if (settings.tool_profile === 'full') return { allowed: true };
  const profileGroups = PROFILE_GROUPS[settings.tool_profile] ?? [];
  if (profileGroups.some((g) => covers(`group:${g}`, name, groups))) return { allowed: true };
  if (listCovers(settings.tools_allow, name, groups)) return { allowed: true };
  return { allowed: false, reason: `not in the "${settings.tool_profile}" tool profile or tools_allow` };
}

export function allowedTools(settings: Pick<Settings, 'tool_profile' | 'tools_allow' | 'tools_deny'>, defs: ToolDefinition[]): ToolDefinition[] {
  return defs.filter((d) => evaluatePolicy(settings, d.name, groupsOf(d)).allowed);
}

const STRICTNESS: readonly ToolProfile[] = ['minimal', 'coding', 'full'];

/**
 * The settings a turn started by someone other than the owner runs with: the stricter of the
 * owner's profile and `guest`, and none of the owner's `tools_allow` additions (they widen the
 * owner's own profile; `tools_deny` still applies). Without `guest`, the owner's settings as they are.
 */
export function withToolProfile<S extends Pick<Settings, 'tool_profile' | 'tools_allow'>>(settings: S, guest: ToolProfile | undefined): S {
  if (guest === undefined) return settings;
  const strictest = STRICTNESS[Math.min(STRICTNESS.indexOf(settings.tool_profile), STRICTNESS.indexOf(guest))]!;
  return { ...settings, tool_profile: strictest, tools_allow: [] };
}
