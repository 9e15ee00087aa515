/**
 * Character offsets of tokens (HF `return_offsets_mapping`, without the special tokens), and the
 * words tokens make up. Tokenizers.js keeps no offsets, so they are recovered by alignment: each
 * token's text (WordPiece without its `##`, byte-level BPE decoded from its bytes, SentencePiece
 * with `▁` as a space and `<0xNN>` pieces as bytes) is found in order in the text, both compared
 * through one key (compatibility decomposition, marks removed, lower case) so that lowercasing,
 * accent stripping and NFKC normalizers line up with the original characters. A token that cannot
 * be found ([UNK], or text a normalizer rewrote beyond that) gets the stretch between its
 * neighbours, without surrounding spaces; a token holding only part of a character's bytes gets the
 * character. Spans are [start, end) in UTF-16 code units, as JavaScript strings index.
 */
import type { TokenizerJson } from './types.js';

export type Offset = [number, number];

/** GPT-2's bytes_to_unicode, reversed: the byte each character of a byte-level token stands for. */
function byteLevelDecoder(): Map<string, number> {
  const direct = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const map = new Map<string, number>();
  let n = 0;
  for (let b = 0; b < 256; b++) map.set(String.fromCodePoint(direct(b) ? b : 256 + n++), b);
  return map;
}

/** Whether a component tree (normalizer, pre-tokenizer, decoder JSON) uses a component of this type. */
function uses(json: unknown, type: string): boolean {
  if (Array.isArray(json)) return json.some((x) => uses(x, type));
  if (typeof json !== 'object' || json === null) return false;
  const node = json as Record<string, unknown>;
  return node.type === type || Object.values(node).some((v) => typeof v === 'object' && uses(v, type));
}

const encoder = new TextEncoder();

/** token string -> the UTF-8 bytes of the text it stands for, as the tokenizer.json's model and decoder say. */
export function tokenBytes(json: TokenizerJson, special: ReadonlySet<string>): (token: string) => Uint8Array {
  const byteLevel = uses(json.decoder, 'ByteLevel') || uses(json.pre_tokenizer, 'ByteLevel');
  const metaspace = uses(json.decoder, 'Metaspace') || uses(json.pre_tokenizer, 'Metaspace');
  const prefix = typeof json.model.continuing_subword_prefix === 'string' ? json.model.continuing_subword_prefix : json.model.type === 'WordPiece' ? '##' : '';
  const suffix = typeof json.model.end_of_word_suffix === 'string' ? json.model.end_of_word_suffix : '';
  const bytes = byteLevel ? byteLevelDecoder() : null;
  return (token) => {
    if (special.has(token)) return encoder.encode(token);
    let t = token;
    if (prefix && t.startsWith(prefix) && t.length > prefix.length) t = t.slice(prefix.length);
    if (suffix && t.endsWith(suffix)) t = t.slice(0, -suffix.length);
    if (bytes) return Uint8Array.from(Array.from(t, (ch) => bytes.get(ch) ?? 0x3f));
    if (metaspace) {
      const fallback = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
      if (fallback) return Uint8Array.of(parseInt(fallback[1]!, 16));
      t = t.replaceAll('\u2581', ' ');
    }
    return encoder.encode(t);
  };
}

/** The comparison key of a string: compatibility decomposition, no marks, lower case. */
function keyOf(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The text's key, with the original span [at, end) of each key character. */
function keyed(text: string): { key: string; at: number[]; end: number[] } {
  let key = '';
  const at: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    for (const ch of keyOf(text.slice(i, i + len))) {
      key += ch;
      for (let k = 0; k < ch.length; k++) {
        at.push(i);
        end.push(i + len);
      }
    }
    i += len;
  }
  return { key, at, end };
}

/** Each token's text: bytes decoded in order; `partial`: the token ends inside a character (its last bytes begin one). */
function surfaces(tokens: readonly Uint8Array[]): { text: string; partial: boolean }[] {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending: number[] = [];
  return tokens.map((b) => {
    const all = [...pending, ...b];
    // Keep back an unfinished UTF-8 sequence at the end for the next token.
    let cut = all.length;
    for (let k = all.length - 1; k >= Math.max(0, all.length - 4); k--) {
      const x = all[k]!;
      if ((x & 0xc0) === 0x80) continue;
      const need = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : x >= 0xc0 ? 2 : 1;
      if (all.length - k < need) cut = k;
      break;
    }
    pending = all.slice(cut);
    return { text: decoder.decode(Uint8Array.from(all.slice(0, cut))), partial: pending.length > 0 };
  });
}

/** How many key characters the search may skip to find a token (text a normalizer dropped). */
const MAX_SKIP = 64;

/** Character spans in `text` of its tokens, in order (see the file comment). */
export function alignTokens(text: string, tokens: readonly Uint8Array[]): Offset[] {
  const { key, at, end } = keyed(text);
  const found: (Offset | null)[] = [];
  const partial: boolean[] = [];
  let p = 0;
  for (const s of surfaces(tokens)) {
    partial.push(s.partial);
    const k = keyOf(s.text).replace(/\s+/gu, '');
    if (!k) {
      found.push(null);
      continue;
    }
    while (p < key.length && /\s/u.test(key[p]!)) p++;
    let q = key.startsWith(k, p) ? p : key.indexOf(k, p);
    if (q - p > MAX_SKIP) q = -1;
    if (q < 0) {
      found.push(null);
      continue;
    }
    found.push([at[q]!, end[q + k.length - 1]!]);
    p = q + k.length;
  }
  return fillGaps(text, found, partial);
}

/** Unplaced tokens: a partial character's token takes the next token's span; others the stretch between their neighbours. */
function fillGaps(text: string, found: (Offset | null)[], partial: boolean[]): Offset[] {
  const out: Offset[] = [];
  for (let t = 0; t < found.length; t++) {
    const f = found[t];
    let n = t + 1;
    while (n < found.length && !found[n]) n++;
    const next = found[n];
    // The character a partial token begins is where the next placed token starts.
    const charEnd = next ? next[0] + (text.codePointAt(next[0])! > 0xffff ? 2 : 1) : text.length;
    if (f) {
      out.push([f[0], partial[t] && next && next[0] >= f[1] ? charEnd : f[1]]);
      continue;
    }
    if (partial[t] && next) {
      out.push([next[0], charEnd]);
      continue;
    }
    let start = t > 0 ? out[t - 1]![1] : 0;
    let stop = next ? next[0] : text.length;
    while (start < stop && /\s/u.test(text[start]!)) start++;
    while (stop > start && /\s/u.test(text[stop - 1]!)) stop--;
    out.push([start, stop]);
  }
  return out;
}

/** A word: tokens [first, last] whose spans touch, over word characters. */
export interface WordSpan {
  start: number;
  end: number;
  /** Token indices first..last (inclusive). */
  first: number;
  last: number;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_'’-]/u;
const SCRIPT_WORDS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** Whether the character at i is part of a word that runs on (letters and digits, not CJK / Thai, each its own word). */
function runsOn(text: string, i: number): boolean {
  const ch = String.fromCodePoint(text.codePointAt(i)!);
  return WORD_CHAR.test(ch) && !SCRIPT_WORDS.test(ch);
}

/**
 * Words of a text from its tokens' offsets: consecutive tokens make one word when the second starts
 * where the first ends and both sides of the seam are word characters ("un" + "##believ" + "##able");
 * punctuation and each CJK character stand alone. Tokens with an empty span join no word.
 */
export function groupWords(text: string, offsets: readonly Offset[]): WordSpan[] {
  const words: WordSpan[] = [];
  offsets.forEach(([start, end], t) => {
    if (end <= start) return;
    const w = words[words.length - 1];
    const prevChar = start > 0 ? start - (start >= 2 && text.codePointAt(start - 2)! > 0xffff ? 2 : 1) : -1;
    if (w && w.end === start && prevChar >= 0 && runsOn(text, prevChar) && runsOn(text, start)) {
      w.end = Math.max(w.end, end);
      w.last = t;
    } else if (w && start < w.end) {
      // Overlapping spans (a character split across tokens): the same word.
      w.end = Math.max(w.end, end);
      w.last = t;
    } else words.push({ start, end, first: t, last: t });
  });
  return words;
}
