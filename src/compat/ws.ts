/** A frame field as a string, or `fallback` when it is not one. */
export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}
