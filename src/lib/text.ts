/**
 * PocketPaw truncates with Python string slicing, which counts code points. Slicing a JS string
 * counts UTF-16 units and would cut an emoji in half, so count code points here.
 */
export function firstCodePoints(text: string, n: number): string {
  if (text.length <= n) return text;
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count === n) break;
    out += ch;
    count++;
  }
  return out;
}

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
