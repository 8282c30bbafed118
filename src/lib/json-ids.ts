/**
 * JSON.parse, except that integers too large for a double (PocketPaw writes Discord's 64-bit
 * snowflake ids as bare numbers) become strings with every digit kept, instead of silently
 * turning into a neighbouring id. Only number tokens outside strings are touched.
 */
export function parseJsonKeepingIds(text: string): unknown {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + (c === '-' ? 1 : 0);
      while (j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
      const isInteger = !/[.eE]/.test(text[j] ?? '');
      const digits = text.slice(i, j);
      if (isInteger && !Number.isSafeInteger(Number(digits))) {
        out += `${text.slice(last, i)}"${digits}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(last));
}
