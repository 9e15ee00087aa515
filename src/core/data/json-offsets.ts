/**
 * Where things are in a JSON text, without building values: the offset at which each element of an
 * array starts (the records of a JSON file, so that a row can name the line an editor shows), and
 * the span of one member's value inside an object (to rewrite a label in place). The text is
 * assumed to be valid JSON (JSON.parse has accepted it); the scanner only skips.
 */

const WS = new Set([' ', '\t', '\n', '\r']);

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text[i]!)) i++;
  return i;
}

/** The index just after the string that starts (with its quote) at `i`. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

/** The index just after the value that starts at `i`. */
export function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    const close = c === '{' ? '}' : ']';
    let j = skipWs(text, i + 1);
    if (text[j] === close) return j + 1;
    for (;;) {
      if (c === '{') {
        j = skipWs(text, stringEnd(text, j));
        j = skipWs(text, j + 1); // the colon
      }
      j = skipWs(text, valueEnd(text, j));
      if (text[j] === ',') j = skipWs(text, j + 1);
      else return j + 1;
    }
  }
  let j = i;
  while (j < text.length && !WS.has(text[j]!) && text[j] !== ',' && text[j] !== ']' && text[j] !== '}') j++;
  return j;
}

/** Start offsets of the members' values of the object at `i` (key → value start), in order. */
export function objectMembers(text: string, i: number): { key: string; start: number; end: number }[] {
  if (text[i] !== '{') return [];
  const out: { key: string; start: number; end: number }[] = [];
  let j = skipWs(text, i + 1);
  if (text[j] === '}') return out;
  for (;;) {
    const keyEnd = stringEnd(text, j);
    const key = JSON.parse(text.slice(j, keyEnd)) as string;
    const start = skipWs(text, skipWs(text, keyEnd) + 1);
    const end = valueEnd(text, start);
    out.push({ key, start, end });
    j = skipWs(text, end);
    if (text[j] !== ',') return out;
    j = skipWs(text, j + 1);
  }
}

/** Start offsets of the elements of the array at `i`. */
export function arrayElements(text: string, i: number): number[] {
  if (text[i] !== '[') return [];
  const out: number[] = [];
  let j = skipWs(text, i + 1);
  if (text[j] === ']') return out;
  for (;;) {
    out.push(j);
    j = skipWs(text, valueEnd(text, j));
    if (text[j] !== ',') return out;
    j = skipWs(text, j + 1);
  }
}

/** The offset of the value at `path` (object keys from the root; [] = the root value), or undefined. */
export function valueAt(text: string, path: readonly string[]): number | undefined {
  let at = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  for (const key of path) {
    const m = objectMembers(text, at).find((x) => x.key === key);
    if (!m) return undefined;
    at = m.start;
  }
  return at;
}

/** 1-based line numbers of offsets, as an editor counts them (a line ends at \n). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The offset where 1-based `line` starts (undefined past the end). */
  start(line: number): number | undefined {
    return this.starts[line - 1];
  }
}
