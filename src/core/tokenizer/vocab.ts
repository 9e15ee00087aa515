/**
 * vocab.txt -> tokenizer.json: the conversion Hugging Face `transformers` does in
 * `convert_slow_tokenizer.BertConverter` (what `BertTokenizerFast` runs when a repo has only a
 * vocab.txt), with the same defaults as the slow `BertTokenizer` constructor:
 * do_lower_case=true, tokenize_chinese_chars=true, strip_accents=null, and the special tokens
 * [UNK] [SEP] [PAD] [CLS] [MASK].
 */
import { TokenizerError } from './errors.js';
import type { AddedTokenJson, SpecialTokensMapJson, TokenizerConfigJson, TokenizerJson, WordPieceModelJson } from './types.js';

/** The special-token roles a BERT tokenizer has, in the order transformers lists them. */
export const SPECIAL_TOKEN_ROLES = ['unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;
export type SpecialTokenRole = (typeof SPECIAL_TOKEN_ROLES)[number];

/** Roles that a vocab.txt must contain (a BERT classifier cannot work without them). */
export const REQUIRED_BERT_ROLES: readonly SpecialTokenRole[] = ['unk_token', 'cls_token', 'sep_token', 'pad_token'];

export const BERT_DEFAULT_SPECIAL_TOKENS: Readonly<Record<SpecialTokenRole, string>> = {
  unk_token: '[UNK]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  cls_token: '[CLS]',
  mask_token: '[MASK]',
};

/** The name of a special token as transformers stores it: a string or `{content: ...}`. */
export function specialTokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * Parses vocab.txt the way transformers' `load_vocab` does: one token per line (Python text mode,
 * so `\n`, `\r\n` and `\r` end a line, but U+2028 and friends do not: bert-base-chinese has a
 * U+2028 token), the line's id is its 0-based line number, a repeated token keeps its last id.
 * A UTF-8 byte order mark at the start is dropped.
 */
export function parseVocab(text: string): Map<string, number> {
  const vocab = new Map<string, number>();
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return vocab;
  // readlines(): a final line terminator does not start another (empty) line.
  if (body.endsWith('\r\n')) body = body.slice(0, -2);
  else if (body.endsWith('\n') || body.endsWith('\r')) body = body.slice(0, -1);
  const lines = body.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) vocab.set(lines[i] as string, i);
  return vocab;
}

/** Options of the conversion: transformers' `BertTokenizer` constructor arguments. */
export interface BertVocabOptions {
  do_lower_case: boolean;
  tokenize_chinese_chars: boolean;
  strip_accents: boolean | null;
  specialTokens: Record<SpecialTokenRole, string>;
}

/** Reads the conversion options out of a tokenizer_config.json object (missing keys: defaults). */
export function bertVocabOptions(config: TokenizerConfigJson = {}): BertVocabOptions {
  const specialTokens = { ...BERT_DEFAULT_SPECIAL_TOKENS };
  for (const role of SPECIAL_TOKEN_ROLES) {
    const name = specialTokenName(config[role]);
    if (name !== undefined) specialTokens[role] = name;
  }
  return {
    do_lower_case: typeof config.do_lower_case === 'boolean' ? config.do_lower_case : true,
    tokenize_chinese_chars: typeof config.tokenize_chinese_chars === 'boolean' ? config.tokenize_chinese_chars : true,
    strip_accents: typeof config.strip_accents === 'boolean' ? config.strip_accents : null,
    specialTokens,
  };
}

/** The result of converting a vocab.txt: the three JSON files transformers would save. */
export interface ConvertedBertTokenizer {
  tokenizerJson: TokenizerJson;
  tokenizerConfig: TokenizerConfigJson;
  specialTokensMap: SpecialTokensMapJson;
}

function addedToken(id: number, content: string): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/**
 * Converts a vocab.txt (its text) plus an optional tokenizer_config.json object into the
 * tokenizer.json object `BertConverter` produces, and the matching tokenizer_config.json and
 * special_tokens_map.json objects. `source` names the vocab file in error messages.
 *
 * Throws `TokenizerError('missing-token')` naming the file and the token when [UNK], [CLS],
 * [SEP] or [PAD] (or the names the config gives them) is not in the vocabulary. A missing [MASK]
 * is allowed; it is then left out of the special tokens.
 */
/** The ids of the special tokens in the vocabulary; [UNK], [CLS], [SEP] and [PAD] must be there. */
function specialTokenIds(vocab: Map<string, number>, options: BertVocabOptions, source: string): Partial<Record<SpecialTokenRole, number>> {
  const specialIds: Partial<Record<SpecialTokenRole, number>> = {};
  for (const role of SPECIAL_TOKEN_ROLES) {
    const token = options.specialTokens[role];
    const id = vocab.get(token);
    if (id !== undefined) specialIds[role] = id;
    else if (REQUIRED_BERT_ROLES.includes(role)) {
      throw new TokenizerError(
        'missing-token',
        `${source} has no ${token} token (the ${role}); a BERT WordPiece vocabulary needs ` +
          `${REQUIRED_BERT_ROLES.map((r) => options.specialTokens[r]).join(', ')} each on its own line.`,
        { path: source, token },
      );
    }
  }
  return specialIds;
}

/** The tokenizer.json BertConverter builds: WordPiece model, BERT normalizer and pre-tokenizer, [CLS] A [SEP] (B [SEP]) template. */
function bertTokenizerJson(
  vocab: Map<string, number>,
  options: BertVocabOptions,
  specialIds: Partial<Record<SpecialTokenRole, number>>,
  addedTokens: AddedTokenJson[],
): TokenizerJson {
  const { unk_token: unk, cls_token: cls, sep_token: sep } = options.specialTokens;
  // The vocabulary as a null-prototype object (tokens like "__proto__" or "constructor" must stay
  // plain keys), ids ascending.
  const vocabObject = Object.create(null) as Record<string, number>;
  for (const [token, id] of [...vocab].sort((a, b) => a[1] - b[1])) vocabObject[token] = id;
  const model: WordPieceModelJson = { type: 'WordPiece', unk_token: unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: vocabObject };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: options.tokenize_chinese_chars,
      strip_accents: options.strip_accents,
      lowercase: options.do_lower_case,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: sep, type_id: 1 } },
      ],
      special_tokens: {
        [cls]: { id: cls, ids: [specialIds.cls_token as number], tokens: [cls] },
        [sep]: { id: sep, ids: [specialIds.sep_token as number], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: model as unknown as TokenizerJson['model'],
  };
}

/** What BertTokenizerFast.save_pretrained writes as tokenizer_config.json; the caller's other keys (model_max_length, ...) are kept. */
function bertTokenizerConfig(
  config: TokenizerConfigJson,
  options: BertVocabOptions,
  addedTokens: AddedTokenJson[],
  specialTokensMap: SpecialTokensMapJson,
): TokenizerConfigJson {
  const addedTokensDecoder: Record<string, Omit<AddedTokenJson, 'id'>> = {};
  for (const t of addedTokens) {
    addedTokensDecoder[String(t.id)] = {
      content: t.content,
      lstrip: t.lstrip,
      normalized: t.normalized,
      rstrip: t.rstrip,
      single_word: t.single_word,
      special: t.special,
    };
  }
  return sortKeys({
    ...config,
    added_tokens_decoder: addedTokensDecoder,
    clean_up_tokenization_spaces: typeof config.clean_up_tokenization_spaces === 'boolean' ? config.clean_up_tokenization_spaces : true,
    do_basic_tokenize: typeof config.do_basic_tokenize === 'boolean' ? config.do_basic_tokenize : true,
    do_lower_case: options.do_lower_case,
    never_split: config.never_split ?? null,
    strip_accents: options.strip_accents,
    tokenize_chinese_chars: options.tokenize_chinese_chars,
    tokenizer_class: typeof config.tokenizer_class === 'string' ? config.tokenizer_class : 'BertTokenizer',
    ...specialTokensMap,
  });
}

export function convertBertVocab(vocabText: string, config: TokenizerConfigJson = {}, source = 'vocab.txt'): ConvertedBertTokenizer {
  const vocab = parseVocab(vocabText);
  if (vocab.size === 0) {
    throw new TokenizerError('malformed-file', `${source} is empty: a WordPiece vocabulary needs one token per line.`, {
      path: source,
    });
  }
  const options = bertVocabOptions(config);
  const specialIds = specialTokenIds(vocab, options, source);
  // added_tokens: the special tokens, ids ascending, as PreTrainedTokenizerFast serializes them.
  const added = new Map<number, string>();
  for (const role of SPECIAL_TOKEN_ROLES) {
    const id = specialIds[role];
    if (id !== undefined) added.set(id, options.specialTokens[role]);
  }
  const addedTokens = [...added].sort((a, b) => a[0] - b[0]).map(([id, content]) => addedToken(id, content));
  const specialTokensMap = bertSpecialTokensMap(options.specialTokens, specialIds);
  const tokenizerConfig = bertTokenizerConfig(config, options, addedTokens, specialTokensMap);
  if (specialIds.mask_token === undefined) delete tokenizerConfig.mask_token;
  return { tokenizerJson: bertTokenizerJson(vocab, options, specialIds, addedTokens), tokenizerConfig, specialTokensMap };
}

function bertSpecialTokensMap(names: Record<SpecialTokenRole, string>, ids: Partial<Record<SpecialTokenRole, number>>): SpecialTokensMapJson {
  const map: SpecialTokensMapJson = {};
  for (const role of [...SPECIAL_TOKEN_ROLES].sort()) {
    if (ids[role] !== undefined) map[role] = names[role];
  }
  return map;
}

/** Returns a copy of a plain object with its keys sorted (transformers writes `sort_keys=True`). */
export function sortKeys<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) out[key] = (obj as Record<string, unknown>)[key];
  return out as T;
}
