/**
 * The `Precompiled` normalizer of Hugging Face `tokenizers` (Rust, normalizers/precompiled.rs with
 * the spm_precompiled crate): SentencePiece's normalization rules (e.g. `nmt_nfkc`) compiled into a
 * `precompiled_charsmap`: [u32 LE trie size][Darts double-array trie over UTF-8 bytes][NUL-separated
 * replacement strings]. The trie maps a byte string to the offset of its replacement.
 *
 * Tokenizers.js (our backend) does not read the charsmap at all: its Precompiled applies NFKC plus a
 * few fixed replacements, which gives different text (and ids) for many characters. This module
 * is used in its place (see backend.ts).
 *
 * Rust applies the map per extended grapheme cluster, not as SentencePiece does (longest match
 * from each position): a cluster shorter than 6 UTF-8 bytes is replaced whole by the replacement
 * of the SHORTEST key that is a prefix of it; otherwise (or when no key is a prefix) each
 * character is looked up alone. We do the same, so we match the fast tokenizer; where that differs
 * from the SentencePiece library (the slow tokenizer), we differ with it.
 */
import { TokenizerError } from './errors.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** UTF-8 length of a code point. */
function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

export class PrecompiledCharsmap {
  private readonly trie: Uint32Array;
  private readonly normalized: Uint8Array;
  private readonly replacements = new Map<number, string>();
  private readonly cache = new Map<string, string | null>();

  /** `source` names the file in errors (the tokenizer.json or .model the charsmap came from). */
  constructor(charsmap: Uint8Array, source: string) {
    const fail = (why: string): never => {
      throw new TokenizerError('malformed-file', `${source}: the precompiled_charsmap ${why}.`, { path: source });
    };
    if (charsmap.length < 4) fail('is shorter than its 4-byte header');
    const view = new DataView(charsmap.buffer, charsmap.byteOffset, charsmap.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize % 4 !== 0 || trieSize === 0 || 4 + trieSize > charsmap.length) fail(`declares a trie of ${trieSize} bytes that does not fit`);
    this.trie = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.trie.length; i++) this.trie[i] = view.getUint32(4 + 4 * i, true);
    this.normalized = charsmap.slice(4 + trieSize);
    try {
      utf8Decoder.decode(this.normalized);
    } catch {
      fail('has replacement strings that are not valid UTF-8');
    }
  }

  private unit(pos: number): number | undefined {
    return this.trie[pos];
  }

  private static offset(unit: number): number {
    return (unit >>> 10) * ((unit & 0x200) !== 0 ? 256 : 1);
  }

  /**
   * The replacement of the shortest key that is a prefix of `chunk` (spm_precompiled's
   * `transform`: the first result of a common-prefix search), or null when no key is.
   */
  transform(chunk: string): string | null {
    const cached = this.cache.get(chunk);
    if (cached !== undefined) return cached;
    const result = this.search(chunk);
    if (this.cache.size < 65536) this.cache.set(chunk, result);
    return result;
  }

  private search(chunk: string): string | null {
    let first = this.unit(0);
    if (first === undefined) return null;
    let pos = PrecompiledCharsmap.offset(first);
    for (const ch of chunk) {
      const cp = ch.codePointAt(0) as number;
      for (const byte of utf8Bytes(cp)) {
        if (byte === 0) return null;
        pos ^= byte;
        const unit = this.unit(pos);
        if (unit === undefined || (unit & 0x800000ff) >>> 0 !== byte) return null;
        pos ^= PrecompiledCharsmap.offset(unit);
        if ((unit >>> 8) & 1) {
          first = this.unit(pos);
          return first === undefined ? null : this.replacement(first & 0x7fffffff);
        }
      }
    }
    return null;
  }

  private replacement(index: number): string {
    let text = this.replacements.get(index);
    if (text === undefined) {
      let end = index;
      while (end < this.normalized.length && this.normalized[end] !== 0) end++;
      text = index < this.normalized.length ? new TextDecoder().decode(this.normalized.subarray(index, end)) : '';
      this.replacements.set(index, text);
    }
    return text;
  }

  /** Normalizes a text as Rust `tokenizers`' Precompiled normalizer does. */
  normalize(text: string): string {
    if (text.length === 0) return text;
    let out = '';
    for (const segment of graphemes(text)) {
      if (graphemeUtf8Length(segment) < 6) {
        const whole = this.transform(segment);
        if (whole !== null) {
          out += whole;
          continue;
        }
      }
      for (const ch of segment) out += this.transform(ch) ?? ch;
    }
    return out;
  }
}

const ASCII = /^[\x00-\x7f]*$/;

/** Extended grapheme clusters (Unicode's rules, as Rust's unicode-segmentation); in ASCII text each
 * character is one, except CR LF. */
function* graphemes(text: string): Generator<string> {
  if (!ASCII.test(text)) {
    for (const { segment } of segmenter.segment(text)) yield segment;
    return;
  }
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) yield text.slice(i, ++i + 1);
    else yield text[i] as string;
  }
}

function graphemeUtf8Length(segment: string): number {
  let n = 0;
  for (const ch of segment) n += utf8Length(ch.codePointAt(0) as number);
  return n;
}

/** The UTF-8 bytes of a code point (a lone surrogate as U+FFFD, as a Rust string would hold it). */
function utf8Bytes(cp: number): number[] {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
