export const VALID_SCOPES = ['chat', 'sessions', 'settings:read', 'settings:write', 'channels', 'memory', 'admin'] as const;
export type Scope = (typeof VALID_SCOPES)[number];

/** `admin` satisfies any requirement (spec §2.3). */
export function hasScope(granted: readonly string[], required: readonly string[]): boolean {
  if (required.length === 0 || granted.includes('admin')) return true;
  return required.some((s) => granted.includes(s));
}

/** Python's repr of a set of strings, which PocketPaw puts in its "Invalid scopes" message. */
export function pythonSetRepr(values: string[]): string {
  return `{${values.map((v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}}`;
}
