/**
 * Normalizers, pre-tokenizers and the Metaspace decoder of a tokenizer.json, run as Hugging Face
 * `tokenizers` (Rust) runs them, for the SentencePiece-style pipelines (DeBERTa-v2/v3, XLM-R, ...).
 * backend.ts puts these in place of Tokenizers.js' own where that library differs from Rust:
 *  - Precompiled: it ignores the charsmap (NFKC + fixed replacements); see precompiled.ts;
 *  - Strip: it trims with `String#trim` (U+FEFF counts, U+0085 does not); Rust trims White_Space;
 *  - Lowercase: `String#toLowerCase` applies the final-sigma rule; Rust lowercases char by char;
 *  - Prepend: it prepends to an empty text too; Rust leaves an empty text empty;
 *  - Metaspace: it never splits at "▁" (Rust's `split: true`, the default) and ignores
 *    prepend_scheme "never"; its decoder strips one leading space where Rust drops every "▁" of
 *    the first token;
 *  - Punctuation: it keeps runs of punctuation together; Rust's default behavior "isolated" splits
 *    each punctuation character off.
 * Components these builders do not know make them return null (the library's are kept).
 */
import { TokenizerError } from './errors.js';
import { bertNormalize, bertNormalizerOptions, lowercaseChars } from './normalizer.js';
import { PrecompiledCharsmap } from './precompiled.js';
import type { BertNormalizerJson } from './types.js';

type Json = { type?: unknown; [key: string]: unknown };
export type NormalizeFn = (text: string) => string;
/** Splits one section of text (`sectionIndex` 0 = the first, for prepend_scheme "first"). */
export type PreTokenizeFn = (text: string, sectionIndex: number) => string[];

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const LEADING_WS = /^\p{White_Space}+/u;
const TRAILING_WS = /\p{White_Space}+$/u;
const MARKS = /\p{M}/gu;

function replaceNormalizer(json: Json): NormalizeFn | null {
  const content = typeof json.content === 'string' ? json.content : '';
  const pattern = json.pattern;
  if (!isJson(pattern)) return null;
  if (typeof pattern.String === 'string') {
    const literal = pattern.String;
    return literal === '' ? (t) => t : (t) => t.replaceAll(literal, content);
  }
  if (typeof pattern.Regex !== 'string') return null;
  let re: RegExp;
  try {
    re = new RegExp(pattern.Regex, 'gu');
  } catch {
    return null;
  }
  return (t) => t.replace(re, () => content);
}

/** One normalizer of a tokenizer.json as Rust runs it; null for a type not handled here. */
export function createNormalizer(json: unknown, source: string): NormalizeFn | null {
  if (json === null || json === undefined) return (t) => t;
  if (!isJson(json)) return null;
  switch (json.type) {
    case 'Sequence': {
      const parts = Array.isArray(json.normalizers) ? json.normalizers.map((n) => createNormalizer(n, source)) : [null];
      if (parts.some((p) => p === null)) return null;
      const fns = parts as NormalizeFn[];
      return (t) => fns.reduce((text, fn) => fn(text), t);
    }
    case 'Precompiled': {
      const charsmap = typeof json.precompiled_charsmap === 'string' ? Buffer.from(json.precompiled_charsmap, 'base64') : null;
      if (!charsmap) throw new TokenizerError('malformed-file', `${source}: a Precompiled normalizer has no precompiled_charsmap.`, { path: source });
      if (charsmap.length === 0) return (t) => t;
      const map = new PrecompiledCharsmap(charsmap, source);
      return (t) => map.normalize(t);
    }
    case 'Strip': {
      const left = json.strip_left !== false;
      const right = json.strip_right !== false;
      return (t) => {
        const s = left ? t.replace(LEADING_WS, '') : t;
        return right ? s.replace(TRAILING_WS, '') : s;
      };
    }
    case 'Replace':
      return replaceNormalizer(json);
    case 'Lowercase':
      return lowercaseChars;
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = json.type;
      return (t) => t.normalize(form);
    }
    case 'StripAccents':
      return (t) => t.replace(MARKS, '');
    case 'Prepend': {
      const prefix = typeof json.prepend === 'string' ? json.prepend : '';
      return (t) => (t.length === 0 ? t : prefix + t);
    }
    case 'BertNormalizer': {
      const options = bertNormalizerOptions(json as Partial<BertNormalizerJson>);
      return (t) => bertNormalize(t, options);
    }
    default:
      return null;
  }
}

type Behavior = 'removed' | 'isolated' | 'merged_with_previous' | 'merged_with_next' | 'contiguous';
const BEHAVIORS: Record<string, Behavior> = {
  removed: 'removed',
  isolated: 'isolated',
  mergedwithprevious: 'merged_with_previous',
  merged_with_previous: 'merged_with_previous',
  mergedwithnext: 'merged_with_next',
  merged_with_next: 'merged_with_next',
  contiguous: 'contiguous',
};

/**
 * Rust `NormalizedString::split` with a one-character pattern: every character `isMatch` accepts
 * is a match of its own, the text between matches a span; `behavior` says what becomes of the
 * matches (the folds of Rust's `split`, written out).
 */
export function splitOnChars(text: string, isMatch: (ch: string) => boolean, behavior: Behavior): string[] {
  const spans: { text: string; match: boolean }[] = [];
  for (const ch of text) {
    const match = isMatch(ch);
    const last = spans[spans.length - 1];
    if (!match && last && !last.match) last.text += ch;
    else spans.push({ text: ch, match });
  }
  const out: string[] = [];
  let previousMatch = false;
  if (behavior === 'merged_with_next') {
    // Right to left: a match joins the span after it when that span is not a match.
    for (let i = spans.length - 1; i >= 0; i--) {
      const span = spans[i] as { text: string; match: boolean };
      if (span.match && !previousMatch && out.length > 0) out[out.length - 1] = span.text + (out[out.length - 1] as string);
      else out.push(span.text);
      previousMatch = span.match;
    }
    return out.reverse();
  }
  for (const span of spans) {
    const joins =
      out.length > 0 && ((behavior === 'merged_with_previous' && span.match && !previousMatch) || (behavior === 'contiguous' && span.match === previousMatch));
    if (joins) out[out.length - 1] += span.text;
    else if (!(behavior === 'removed' && span.match)) out.push(span.text);
    previousMatch = span.match;
  }
  return out;
}

/** Rust `is_punc`: ASCII punctuation or a Unicode punctuation category (P*). */
const PUNCTUATION = /[\p{P}!-/:-@[-`{-~]/u;
const isPunctuation = (ch: string): boolean => PUNCTUATION.test(ch);
const WHITESPACE = /\p{White_Space}/u;

function metaspace(json: Json): PreTokenizeFn | null {
  const replacement = typeof json.replacement === 'string' && [...json.replacement].length === 1 ? json.replacement : null;
  if (replacement === null) return null;
  let scheme = typeof json.prepend_scheme === 'string' ? json.prepend_scheme : 'always';
  if (json.add_prefix_space === false) scheme = 'never';
  if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') return null;
  const split = json.split !== false;
  return (text, sectionIndex) => {
    let s = text.replaceAll(' ', replacement);
    const prepend = scheme === 'always' || (scheme === 'first' && sectionIndex === 0);
    if (prepend && s.length > 0 && !s.startsWith(replacement)) s = replacement + s;
    return split ? splitOnChars(s, (ch) => ch === replacement, 'merged_with_next') : [s];
  };
}

/** One pre-tokenizer of a tokenizer.json as Rust runs it; null for a type not handled here. */
export function createPreTokenizer(json: unknown): PreTokenizeFn | null {
  if (json === null || json === undefined) return (t) => [t];
  if (!isJson(json)) return null;
  switch (json.type) {
    case 'Sequence': {
      const parts = Array.isArray(json.pretokenizers) ? json.pretokenizers.map((p) => createPreTokenizer(p)) : [null];
      if (parts.some((p) => p === null)) return null;
      const fns = parts as PreTokenizeFn[];
      return (text, sectionIndex) => fns.reduce<string[]>((pieces, fn) => pieces.flatMap((p, i) => fn(p, i === 0 ? sectionIndex : 1)), [text]);
    }
    case 'Metaspace':
      return metaspace(json);
    case 'Punctuation': {
      const behavior = BEHAVIORS[String(json.behavior ?? 'isolated').toLowerCase()];
      return behavior ? (text) => splitOnChars(text, isPunctuation, behavior) : null;
    }
    case 'WhitespaceSplit':
      return (text) => splitOnChars(text, (ch) => WHITESPACE.test(ch), 'removed');
    default:
      return null;
  }
}

/** Rust's Metaspace decoder: "▁" -> " ", except in the first token, where every "▁" is dropped
 * (unless prepend_scheme is "never"). Null for a decoder that is not a Metaspace. */
export function metaspaceDecodeChain(json: unknown): ((tokens: string[]) => string[]) | null {
  if (!isJson(json) || json.type !== 'Metaspace' || typeof json.replacement !== 'string') return null;
  const replacement = json.replacement;
  const never = json.prepend_scheme === 'never' || json.add_prefix_space === false;
  return (tokens) => tokens.map((token, i) => token.replaceAll(replacement, i === 0 && !never ? '' : ' '));
}
