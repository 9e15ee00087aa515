/**
 * SentencePiece model -> tokenizer.json: what transformers (4.x) does when a repo has only the
 * `.model` file and `AutoTokenizer` builds the fast tokenizer with `convert_slow_tokenizer`:
 *  - DeBERTa-v2/v3 (`spm.model`, `DebertaV2Converter`): the pieces as they are, `[CLS] A [SEP]`
 *    / `[CLS] A [SEP] B [SEP]` with token types 0/1, normalizer Lowercase (do_lower_case) ->
 *    Strip -> Precompiled -> Replace(" {2,}" -> " "), pre-tokenizer Punctuation (split_by_punct)
 *    -> Metaspace;
 *  - XLM-RoBERTa (`sentencepiece.bpe.model`, `XLMRobertaConverter`): fairseq's ids, `<s>`=0,
 *    `<pad>`=1, `</s>`=2, `<unk>`=3, then the pieces from SentencePiece id 3 on (each one id higher
 *    than in SentencePiece) and `<mask>` last; `<s> A </s>` / `<s> A </s> </s> B </s>`, all type
 *    0; normalizer (`SpmConverter`'s) Precompiled -> Strip(right) -> Replace(" {2,}" -> "▁").
 * Both: Unigram model (byte_fallback off: these converters do not carry it over, so where the slow
 * tokenizer falls back to byte pieces the fast one gives [UNK]), Metaspace "▁" with prepend_scheme
 * "always" and split on, Metaspace decoder; CONTROL and USER_DEFINED pieces become added tokens,
 * then the tokenizer_config's added_tokens_decoder, added_tokens.json and the special tokens are
 * added as `PreTrainedTokenizerFast` adds them.
 */
import { TokenizerError } from './errors.js';
import { PieceType, SpmModelType, type SentencePieceModel } from './spm-model.js';
import type { AddedTokenJson, TemplatePiece, TokenizerConfigJson, TokenizerJson } from './types.js';
import { sortKeys, specialTokenName } from './vocab.js';

export type SentencePieceConverter = 'deberta-v2' | 'xlm-roberta';

/** The tokenizer class (tokenizer_config.json) or model_type (config.json) each converter serves. */
const CONVERTER_BY_CLASS: Record<string, SentencePieceConverter> = {
  DebertaV2Tokenizer: 'deberta-v2',
  DebertaV2TokenizerFast: 'deberta-v2',
  XLMRobertaTokenizer: 'xlm-roberta',
  XLMRobertaTokenizerFast: 'xlm-roberta',
};
const CONVERTER_BY_MODEL_TYPE: Record<string, SentencePieceConverter> = { 'deberta-v2': 'deberta-v2', 'xlm-roberta': 'xlm-roberta' };
/** The file name each tokenizer class reads (transformers' VOCAB_FILES_NAMES). */
export const SPM_FILE_NAMES: Record<SentencePieceConverter, string> = { 'deberta-v2': 'spm.model', 'xlm-roberta': 'sentencepiece.bpe.model' };
const DEFAULT_CLASS: Record<SentencePieceConverter, string> = { 'deberta-v2': 'DebertaV2Tokenizer', 'xlm-roberta': 'XLMRobertaTokenizer' };

/**
 * Which converter transformers would use: the tokenizer_config's `tokenizer_class`, else the
 * config.json `model_type`, else the file's name (spm.model: DeBERTa-v2; sentencepiece.bpe.model:
 * XLM-R). Throws `unsupported` for another tokenizer class or a file name that says nothing.
 */
export function chooseConverter(fileName: string, tokenizerClass: unknown, modelType: unknown, source: string): SentencePieceConverter {
  if (typeof tokenizerClass === 'string' && tokenizerClass !== '') {
    const byClass = CONVERTER_BY_CLASS[tokenizerClass];
    if (byClass) return byClass;
    throw new TokenizerError(
      'unsupported',
      `${source}: converting a SentencePiece model for ${tokenizerClass} is not supported (only DebertaV2Tokenizer and XLMRobertaTokenizer are). ` +
        'Save the tokenizer with transformers (tokenizer.save_pretrained) to get a tokenizer.json, and put it beside the model.',
      { path: source },
    );
  }
  const byType = typeof modelType === 'string' ? CONVERTER_BY_MODEL_TYPE[modelType] : undefined;
  if (byType) return byType;
  if (fileName === SPM_FILE_NAMES['deberta-v2']) return 'deberta-v2';
  if (fileName === SPM_FILE_NAMES['xlm-roberta']) return 'xlm-roberta';
  throw new TokenizerError(
    'unsupported',
    `${source}: cannot tell which tokenizer this SentencePiece model is for. Set "tokenizer_class" in tokenizer_config.json ` +
      '(DebertaV2Tokenizer or XLMRobertaTokenizer), or add a tokenizer.json.',
    { path: source },
  );
}

export interface SentencePieceInputs {
  /** tokenizer_config.json (special-token names from special_tokens_map.json already merged in). */
  config: TokenizerConfigJson;
  /** special_tokens_map.json, when there is one (for bos/eos/additional special tokens). */
  specialTokensMap?: Record<string, unknown>;
  /** added_tokens.json, when there is one: token -> id. */
  addedTokens?: Record<string, unknown>;
}

export interface ConvertedSentencePiece {
  tokenizerJson: TokenizerJson;
  tokenizerConfig: TokenizerConfigJson;
  /** How many ids the model (the converted vocabulary) has; added tokens at or above it go to added_tokens.json. */
  modelVocabSize: number;
}

type Vocab = [string, number][];

function converterVocab(model: SentencePieceModel, kind: SentencePieceConverter): { vocab: Vocab; unkId: number } {
  const pieces: Vocab = model.pieces.map((p) => [p.piece, p.score]);
  if (kind === 'deberta-v2') return { vocab: pieces, unkId: model.trainerSpec.unkId };
  const fairseq: Vocab = [
    ['<s>', 0],
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
  ];
  return { vocab: [...fairseq, ...pieces.slice(3), ['<mask>', 0]], unkId: 3 };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function normalizerJson(model: SentencePieceModel, kind: SentencePieceConverter, lowercase: boolean): TokenizerJson['normalizer'] {
  const charsmap = model.normalizerSpec.precompiledCharsmap;
  const precompiled = charsmap.length > 0 ? [{ type: 'Precompiled', precompiled_charsmap: base64(charsmap) }] : [];
  if (kind === 'deberta-v2') {
    return {
      type: 'Sequence',
      normalizers: [
        ...(lowercase ? [{ type: 'Lowercase' }] : []),
        { type: 'Strip', strip_left: true, strip_right: true },
        ...precompiled,
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    };
  }
  return {
    type: 'Sequence',
    normalizers: [...precompiled, { type: 'Strip', strip_left: false, strip_right: true }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '\u2581' }],
  };
}

const METASPACE = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };

function preTokenizerJson(kind: SentencePieceConverter, splitByPunct: boolean): TokenizerJson['pre_tokenizer'] {
  if (kind === 'xlm-roberta') return { ...METASPACE };
  return { type: 'Sequence', pretokenizers: [...(splitByPunct ? [{ type: 'Punctuation', behavior: 'Isolated' }] : []), { ...METASPACE }] };
}

function postProcessorJson(kind: SentencePieceConverter, idOf: (token: string) => number): TokenizerJson['post_processor'] {
  const [cls, sep] = kind === 'deberta-v2' ? ['[CLS]', '[SEP]'] : ['<s>', '</s>'];
  const pairType = kind === 'deberta-v2' ? 1 : 0;
  const special = (id: string, typeId: number): TemplatePiece => ({ SpecialToken: { id, type_id: typeId } });
  const seq = (id: 'A' | 'B', typeId: number): TemplatePiece => ({ Sequence: { id, type_id: typeId } });
  const single = [special(cls, 0), seq('A', 0), special(sep, 0)];
  const pairTail = kind === 'deberta-v2' ? [seq('B', pairType), special(sep, pairType)] : [special(sep, 0), seq('B', 0), special(sep, 0)];
  const pair = [special(cls, 0), seq('A', 0), special(sep, 0), ...pairTail];
  // Rust writes special_tokens with its keys sorted.
  const specialTokens: Record<string, { id: string; ids: number[]; tokens: string[] }> = {};
  for (const name of [cls, sep].sort()) specialTokens[name] = { id: name, ids: [idOf(name)], tokens: [name] };
  return { type: 'TemplateProcessing', single, pair, special_tokens: specialTokens };
}

type TokenFlags = Omit<AddedTokenJson, 'id'>;

function flags(content: string, over: Partial<TokenFlags> = {}): TokenFlags {
  const special = over.special === true;
  return {
    content,
    single_word: over.single_word === true,
    lstrip: over.lstrip === true,
    rstrip: over.rstrip === true,
    normalized: typeof over.normalized === 'boolean' ? over.normalized : !special,
    special,
  };
}

/** An AddedToken as tokenizer_config.json / special_tokens_map.json writes one: a string or a dict. */
function flagsFrom(value: unknown, special: boolean): TokenFlags | undefined {
  const content = specialTokenName(value);
  if (content === undefined) return undefined;
  const over = typeof value === 'object' && value !== null ? (value as Partial<TokenFlags>) : {};
  return flags(content, { ...over, special: special || over.special === true });
}

const sameFlags = (a: TokenFlags, b: TokenFlags): boolean =>
  a.content === b.content &&
  a.single_word === b.single_word &&
  a.lstrip === b.lstrip &&
  a.rstrip === b.rstrip &&
  a.normalized === b.normalized &&
  a.special === b.special;

const SPECIAL_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/** The special tokens the tokenizer class has, in transformers' attribute order, with its defaults. */
function specialTokens(kind: SentencePieceConverter, inputs: SentencePieceInputs): TokenFlags[] {
  const defaults: Record<(typeof SPECIAL_KEYS)[number], string> =
    kind === 'deberta-v2'
      ? { bos_token: '[CLS]', eos_token: '[SEP]', unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' }
      : { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', sep_token: '</s>', pad_token: '<pad>', cls_token: '<s>', mask_token: '<mask>' };
  const out: TokenFlags[] = [];
  for (const key of SPECIAL_KEYS) {
    const value = inputs.config[key] ?? inputs.specialTokensMap?.[key] ?? defaults[key];
    if (value === null) continue;
    let token = flagsFrom(value, true);
    // XLMRobertaTokenizer makes a plain-string mask token strip the space before it.
    if (token && kind === 'xlm-roberta' && key === 'mask_token' && typeof value === 'string') token = { ...token, lstrip: true };
    if (token && !out.some((t) => t.content === token.content)) out.push(token);
  }
  const extra = inputs.config.additional_special_tokens ?? inputs.specialTokensMap?.additional_special_tokens;
  for (const value of Array.isArray(extra) ? extra : []) {
    const token = flagsFrom(value, true);
    if (token && !out.some((t) => t.content === token.content)) out.push(token);
  }
  return out;
}

/** added_tokens_decoder of tokenizer_config.json, then added_tokens.json over it (as transformers reads them). */
function configuredAddedTokens(inputs: SentencePieceInputs, specials: readonly TokenFlags[]): TokenFlags[] {
  const byIndex = new Map<number, TokenFlags>();
  const decoder = inputs.config.added_tokens_decoder;
  if (typeof decoder === 'object' && decoder !== null) {
    for (const [index, value] of Object.entries(decoder as Record<string, unknown>)) {
      const token = flagsFrom(value, false);
      if (token && Number.isInteger(Number(index))) byIndex.set(Number(index), token);
    }
  }
  for (const [content, index] of Object.entries(inputs.addedTokens ?? {})) {
    if (!Number.isInteger(index)) continue;
    const special = specials.some((t) => t.content === content);
    byIndex.set(index as number, flags(content, { special, normalized: !special }));
  }
  return [...byIndex].sort((a, b) => a[0] - b[0]).map(([, token]) => token);
}

/**
 * The added tokens, with ids as Rust's AddedVocabulary gives them: the id of the same text in the
 * model vocabulary, else the next id after the vocabulary and the tokens added so far.
 */
function addedTokens(model: SentencePieceModel, vocab: Vocab, kind: SentencePieceConverter, inputs: SentencePieceInputs): AddedTokenJson[] {
  const vocabIds = new Map<string, number>();
  vocab.forEach(([token], id) => vocabIds.set(token, id));
  const added = new Map<string, AddedTokenJson>();
  const add = (token: TokenFlags) => {
    const existing = added.get(token.content);
    if (existing && sameFlags(existing, token)) return;
    let id = existing?.id ?? vocabIds.get(token.content);
    if (id === undefined) id = Math.max(vocab.length, ...[...added.values()].map((t) => t.id + 1));
    added.set(token.content, { id, ...token });
  };
  // The converter: CONTROL pieces (special) and USER_DEFINED pieces, never normalized.
  for (const p of model.pieces) {
    if (p.type === PieceType.CONTROL || p.type === PieceType.USER_DEFINED) add(flags(p.piece, { special: p.type === PieceType.CONTROL, normalized: false }));
  }
  const specials = specialTokens(kind, inputs);
  const names = new Set(specials.map((t) => t.content));
  for (const token of configuredAddedTokens(inputs, specials)) add({ ...token, special: token.special || names.has(token.content) });
  for (const token of specials) if (!added.has(token.content)) add(token);
  return [...added.values()].sort((a, b) => a.id - b.id);
}

/**
 * Converts a parsed SentencePiece model into the tokenizer.json transformers' fast tokenizer would
 * save, and the tokenizer_config.json to save with it (the one read, with added_tokens_decoder and
 * the converter's options filled in). `source` names the .model file in errors.
 */
export function convertSentencePiece(
  model: SentencePieceModel,
  kind: SentencePieceConverter,
  inputs: SentencePieceInputs,
  source: string,
): ConvertedSentencePiece {
  if (model.trainerSpec.modelType !== SpmModelType.UNIGRAM) {
    const name = Object.entries(SpmModelType).find(([, v]) => v === model.trainerSpec.modelType)?.[0] ?? String(model.trainerSpec.modelType);
    throw new TokenizerError(
      'unsupported',
      `${source} is a SentencePiece ${name} model; only Unigram models (what DeBERTa-v3 and XLM-R ship) can be converted. Add the model's tokenizer.json instead.`,
      { path: source },
    );
  }
  const config = inputs.config;
  const lowercase = config.do_lower_case === true;
  const splitByPunct = config.split_by_punct === true;
  const { vocab, unkId } = converterVocab(model, kind);
  const added = addedTokens(model, vocab, kind, inputs);
  const vocabIds = new Map<string, number>();
  vocab.forEach(([token], id) => vocabIds.set(token, id));
  const idOf = (token: string) => vocabIds.get(token) ?? added.find((t) => t.content === token)?.id ?? unkId;
  const metaspaceDecoder = { ...METASPACE };
  const tokenizerJson: TokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: normalizerJson(model, kind, lowercase),
    pre_tokenizer: preTokenizerJson(kind, splitByPunct),
    post_processor: postProcessorJson(kind, idOf),
    decoder: metaspaceDecoder,
    model: { type: 'Unigram', unk_id: unkId, vocab, byte_fallback: false },
  };
  const addedTokensDecoder: Record<string, TokenFlags> = {};
  for (const { id, ...token } of added) addedTokensDecoder[String(id)] = sortKeys(token);
  const tokenizerConfig: TokenizerConfigJson = sortKeys({
    ...config,
    added_tokens_decoder: addedTokensDecoder,
    tokenizer_class: typeof config.tokenizer_class === 'string' ? config.tokenizer_class : DEFAULT_CLASS[kind],
    ...(kind === 'deberta-v2' ? { do_lower_case: lowercase, split_by_punct: splitByPunct } : {}),
  });
  return { tokenizerJson, tokenizerConfig, modelVocabSize: vocab.length };
}
