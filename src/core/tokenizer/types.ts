/**
 * The parts of Hugging Face `tokenizer.json` (the `tokenizers` serialization format) that this
 * module reads or writes. Fields it does not interpret are kept as `unknown` and passed through.
 */

/** One entry of `added_tokens` (serialization of `tokenizers.AddedToken` with its id). */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface BertNormalizerJson {
  type: 'BertNormalizer';
  clean_text: boolean;
  handle_chinese_chars: boolean;
  /** `null` means: strip accents exactly when lowercasing. */
  strip_accents: boolean | null;
  lowercase: boolean;
}

export interface TemplateSpecialPiece {
  SpecialToken: { id: string; type_id: number };
}
export interface TemplateSequencePiece {
  Sequence: { id: 'A' | 'B'; type_id: number };
}
export type TemplatePiece = TemplateSpecialPiece | TemplateSequencePiece;

export interface TemplateProcessingJson {
  type: 'TemplateProcessing';
  single: TemplatePiece[];
  pair: TemplatePiece[];
  special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
}

export interface WordPieceModelJson {
  type?: 'WordPiece';
  unk_token: string;
  continuing_subword_prefix: string;
  max_input_chars_per_word: number;
  vocab: Record<string, number>;
}

/** A whole `tokenizer.json`. Components other than the BERT ones stay loosely typed. */
export interface TokenizerJson {
  version: string;
  truncation: unknown;
  padding: unknown;
  added_tokens: AddedTokenJson[];
  normalizer: { type: string; [key: string]: unknown } | null;
  pre_tokenizer: { type: string; [key: string]: unknown } | null;
  post_processor: { type: string; [key: string]: unknown } | null;
  decoder: { type: string; [key: string]: unknown } | null;
  model: { type?: string; vocab?: unknown; unk_token?: string; [key: string]: unknown };
}

/** `tokenizer_config.json` as read: any JSON object. Known keys are typed for convenience. */
export interface TokenizerConfigJson {
  do_lower_case?: boolean;
  tokenize_chinese_chars?: boolean;
  strip_accents?: boolean | null;
  unk_token?: SpecialTokenValue;
  cls_token?: SpecialTokenValue;
  sep_token?: SpecialTokenValue;
  pad_token?: SpecialTokenValue;
  mask_token?: SpecialTokenValue;
  model_max_length?: number;
  truncation_side?: 'left' | 'right';
  tokenizer_class?: string;
  [key: string]: unknown;
}

/** transformers writes a special token either as a string or as a serialized AddedToken. */
export type SpecialTokenValue = string | { content: string; [key: string]: unknown } | null;

/** `special_tokens_map.json`. */
export interface SpecialTokensMapJson {
  unk_token?: string;
  cls_token?: string;
  sep_token?: string;
  pad_token?: string;
  mask_token?: string;
  [key: string]: unknown;
}

/**
 * The files `Tokenizer.saveFiles()` returns, by file name. `vocab.txt` only for WordPiece models;
 * `vocab.json` + `merges.txt` (and `added_tokens.json` for tokens beyond the vocabulary) for
 * RoBERTa-family byte-level BPE models; a tokenizer converted from a SentencePiece model also has the
 * model file (bytes) and, when it has added tokens beyond the model's vocabulary, added_tokens.json.
 */
export type TokenizerFiles = Record<string, string | Uint8Array> & {
  'tokenizer.json': string;
  'tokenizer_config.json': string;
  'special_tokens_map.json': string;
  'vocab.txt'?: string;
  'vocab.json'?: string;
  'merges.txt'?: string;
};
