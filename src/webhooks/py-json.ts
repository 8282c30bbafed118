/**
 * Python's `json.dumps(value)` with its defaults (`", "` and `": "` separators, `ensure_ascii`):
 * the text PocketPaw hands the agent when a webhook body has no `content` (spec §3.12), so an
 * imported or a new conversation reads the same. Numbers keep JavaScript's spelling (a JSON body
 * cannot tell `1.0` from `1` here).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : Number.isNaN(value) ? 'NaN' : '-Infinity';
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  }
  return pythonString(String(value));
}

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** Everything outside printable ASCII as `\uXXXX` (UTF-16 units, as Python writes surrogate pairs). */
function pythonString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/[\\"]|[^ -~]/g, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
