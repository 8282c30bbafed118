/**
 * Where and why a JSON text is malformed, in the words of Python's `json` module, so a typed
 * `/api/v1` route can answer a malformed body as FastAPI does:
 * `{"type":"json_invalid","loc":["body",<pos>],"msg":"JSON decode error","input":{},"ctx":{"error":<msg>}}`.
 * Only called after `JSON.parse` failed; `pos` counts code points, as Python does.
 */
export interface JsonDecodeError {
  pos: number;
  msg: string;
}

class Stop extends Error {
  constructor(readonly at: number, readonly msg: string) {
    super(msg);
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

export function locateJsonError(text: string): JsonDecodeError {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const ws = (i: number) => {
    while (i < s.length && WS.has(s[i]!)) i++;
    return i;
  };

  const string = (begin: number): number => {
    // `begin` is just after the opening quote.
    let i = begin;
    for (;;) {
      if (i >= s.length) throw new Stop(begin - 1, 'Unterminated string starting at');
      const c = s[i]!;
      if (c === '"') return i + 1;
      if (c === '\\') {
        const e = s[i + 1];
        if (e === undefined) throw new Stop(begin - 1, 'Unterminated string starting at');
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) throw new Stop(i + 1, 'Invalid \\uXXXX escape');
          i += 6;
          continue;
        }
        if (!ESCAPES.has(e)) throw new Stop(i, 'Invalid \\escape');
        i += 2;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw new Stop(i, 'Invalid control character at');
      i++;
    }
  };

  /** Parses a value at `i`; returns the index after it, or null when no value starts there. */
  const value = (i: number): number | null => {
    const c = s[i];
    if (c === undefined) return null;
    if (c === '"') return string(i + 1);
    if (c === '{') return object(i + 1);
    if (c === '[') return array(i + 1);
    for (const word of ['null', 'true', 'false']) {
      if (s.startsWith(word, i)) return i + word.length;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(s);
    return m ? i + m[0].length : null;
  };

  const required = (i: number): number => {
    const end = value(i);
    if (end === null) throw new Stop(i, 'Expecting value');
    return end;
  };

  const object = (start: number): number => {
    let i = ws(start);
    if (s[i] === '}') return i + 1;
    for (;;) {
      if (s[i] !== '"') throw new Stop(i, 'Expecting property name enclosed in double quotes');
      i = ws(string(i + 1));
      if (s[i] !== ':') throw new Stop(i, "Expecting ':' delimiter");
      i = ws(required(ws(i + 1)));
      if (s[i] === '}') return i + 1;
      if (s[i] !== ',') throw new Stop(i, "Expecting ',' delimiter");
      i = ws(i + 1);
    }
  };

  const array = (start: number): number => {
    let i = ws(start);
    if (s[i] === ']') return i + 1;
    for (;;) {
      i = ws(required(i));
      if (s[i] === ']') return i + 1;
      if (s[i] !== ',') throw new Stop(i, "Expecting ',' delimiter");
      i = ws(i + 1);
    }
  };

  const codePoints = (i: number) => [...s.slice(0, i)].length;
  try {
    const end = ws(required(ws(0)));
    if (end !== s.length) return { pos: codePoints(end), msg: 'Extra data' };
    // JSON.parse refused what this scanner accepts (nothing known): no better position to give.
    return { pos: 0, msg: 'Expecting value' };
  } catch (err) {
    if (err instanceof Stop) return { pos: codePoints(err.at), msg: err.msg };
    // Nesting too deep for this scanner: Python gives up too (RecursionError), just differently.
    return { pos: 0, msg: 'Expecting value' };
  }
}
