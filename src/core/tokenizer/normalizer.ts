/**
 * BERT text normalization exactly as Hugging Face `tokenizers` (Rust, `normalizers/bert.rs`) does
 * it; used in place of the BertNormalizer of Tokenizers.js (our backend, and what Transformers.js
 * runs), which differs in two ways that change token ids:
 *  - it lowercases the whole string with `String#toLowerCase`, which applies the Greek final-sigma
 *    rule ("ΟΔΟΣ" -> "οδος"); Rust lowercases char by char ("οδοσ");
 *  - it pads CJK ideographs with spaces only in the BMP (it walks UTF-16 units), so Extension B+
 *    ideographs (U+20000...) are not split off; Rust pads them.
 * Order (as in Rust): clean text, pad CJK, strip accents (NFD, drop Mn), lowercase.
 */
import type { BertNormalizerJson } from './types.js';

export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null: strip accents exactly when lowercasing (HF's default). */
  stripAccents: boolean | null;
  lowercase: boolean;
}

export function bertNormalizerOptions(json: Partial<BertNormalizerJson>): BertNormalizerOptions {
  return {
    cleanText: json.clean_text === true,
    handleChineseChars: json.handle_chinese_chars === true,
    stripAccents: typeof json.strip_accents === 'boolean' ? json.strip_accents : null,
    lowercase: json.lowercase === true,
  };
}

// clean_text: drop U+0000, U+FFFD and "control" chars (Unicode category C: Cc, Cf, Co; plus lone
// surrogates, which a Rust string cannot hold) except \t \n \r; then every whitespace -> ' '.
// Dropping comes first, so \v \f U+0085 (Cc and whitespace) are dropped, not turned into spaces.
const DROP = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
const WHITESPACE = /[\t\n\r\p{White_Space}]/gu;
// Rust's is_chinese_char ranges (note 0x2B920, not Python's 0x2B820).
const CJK =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;
const NONSPACING_MARK = /\p{Mn}/gu;
const NON_ASCII = /[^\x00-\x7F]/;
const NEEDS_CLEANING = /[^\x20-\x7E]/;

export function cleanText(text: string): string {
  // Printable ASCII needs no work: the common case for English rows.
  if (!NEEDS_CLEANING.test(text)) return text;
  return text.replace(DROP, '').replace(WHITESPACE, ' ');
}

export function padChineseChars(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.replace(CJK, ' $& ');
}

export function stripAccents(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.normalize('NFD').replace(NONSPACING_MARK, '');
}

/** Char-by-char full lowercase mapping (Rust `char::to_lowercase`): no final-sigma context rule. */
export function lowercaseChars(text: string): string {
  // Final sigma is the only context-dependent rule String#toLowerCase applies without a locale.
  if (!text.includes('\u03A3')) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += ch === '\u03A3' ? '\u03C3' : ch.toLowerCase();
  return out;
}

export function bertNormalize(text: string, options: BertNormalizerOptions): string {
  let out = text;
  if (options.cleanText) out = cleanText(out);
  if (options.handleChineseChars) out = padChineseChars(out);
  if (options.stripAccents ?? options.lowercase) out = stripAccents(out);
  if (options.lowercase) out = lowercaseChars(out);
  return out;
}
