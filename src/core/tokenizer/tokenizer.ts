/**
 * The tokenizer the trainer uses: Hugging Face tokenization (Tokenizers.js, through backend.ts, for
 * text -> word piece ids) with Hugging Face's truncation and special tokens done here on the id lists.
 */
import { basename, dirname, join } from 'node:path';
import { createLibraryTokenizer, type LibraryTokenizer } from './backend.js';
import { bpeVocabFiles, convertRobertaBpe, savesBpeVocabFiles, type ByteLevelBpeFiles, type ByteLevelBpeSources } from './bpe.js';
import { TokenizerError } from './errors.js';
import { readTokenizerFolder, validateTokenizerJson } from './folder.js';
import { planFromPostProcessor, type Parity, type SpecialTokensPlan } from './postprocess.js';
import { chooseConverter, convertSentencePiece, SPM_FILE_NAMES } from './sentencepiece.js';
import { parseSentencePieceModel } from './spm-model.js';
import { type Offset, alignTokens, tokenBytes } from './offsets.js';
import { truncateIds, type TruncationSide, type TruncationStrategy } from './truncation.js';
import type { SpecialTokensMapJson, TokenizerConfigJson, TokenizerFiles, TokenizerJson } from './types.js';
import { convertBertVocab, sortKeys, SPECIAL_TOKEN_ROLES, specialTokenName, type SpecialTokenRole } from './vocab.js';

export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
}

export interface EncodeOptions {
  /**
   * Maximum total length, special tokens included (HF `max_length`). Given without
   * `truncation`, truncation is 'longest_first' (as in transformers).
   */
  maxLength?: number;
  /**
   * true = 'longest_first'; false / 'do_not_truncate' = none. Given without `maxLength`, the
   * tokenizer's `model_max_length` is used (no truncation when the config has none).
   */
  truncation?: boolean | TruncationStrategy | 'do_not_truncate';
  /** Add [CLS]/[SEP] (or the post-processor's tokens). Default true. */
  addSpecialTokens?: boolean;
  /** Default: tokenizer_config.json `truncation_side`, else 'right'. */
  truncationSide?: TruncationSide;
  /** Which HF implementation to match where they differ (see truncation.ts). Default 'fast'. */
  parity?: Parity;
}

interface ResolvedOptions {
  strategy: TruncationStrategy | null;
  maxLength: number | null;
  addSpecialTokens: boolean;
  side: TruncationSide;
  parity: Parity;
}

/** transformers uses int(1e30) as "no limit"; anything this large is not a real model limit. */
const NO_LIMIT = 1e12;

const FALLBACK_NAMES: Record<SpecialTokenRole, readonly string[]> = {
  unk_token: ['[UNK]', '<unk>'],
  cls_token: ['[CLS]', '<s>'],
  sep_token: ['[SEP]', '</s>'],
  pad_token: ['[PAD]', '<pad>'],
  mask_token: ['[MASK]', '<mask>'],
};
const REQUIRED_ROLES: readonly SpecialTokenRole[] = ['unk_token', 'cls_token', 'sep_token', 'pad_token'];

export interface SpecialToken {
  token: string;
  id: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Special-token names the tokenizer.json itself suggests (model unk, post-processor cls/sep). */
function namesFromJson(role: SpecialTokenRole, json: TokenizerJson): string[] {
  const pp = json.post_processor;
  if (role === 'unk_token') return typeof json.model.unk_token === 'string' ? [json.model.unk_token] : [];
  if (role !== 'cls_token' && role !== 'sep_token') return [];
  const key = role === 'cls_token' ? 'cls' : 'sep';
  if (pp && (pp.type === 'BertProcessing' || pp.type === 'RobertaProcessing')) {
    const pairValue = pp[key];
    return Array.isArray(pairValue) && typeof pairValue[0] === 'string' ? [pairValue[0]] : [];
  }
  if (pp && pp.type === 'TemplateProcessing' && Array.isArray(pp.single)) {
    const specials = pp.single.filter((p): p is { SpecialToken: { id: string } } => isObject(p) && isObject(p.SpecialToken));
    const piece = role === 'cls_token' ? specials[0] : specials[specials.length - 1];
    return piece && typeof piece.SpecialToken.id === 'string' ? [piece.SpecialToken.id] : [];
  }
  return [];
}

function computeVocabSize(json: TokenizerJson): number {
  let size = 0;
  const vocab = json.model.vocab;
  if (Array.isArray(vocab)) size = vocab.length;
  else if (isObject(vocab)) for (const id of Object.values(vocab)) size = Math.max(size, (id as number) + 1);
  for (const t of json.added_tokens) size = Math.max(size, t.id + 1);
  return size;
}

/** A Unigram score as Rust's serde_json writes an f64 (an integral value keeps a ".0"). */
function formatScore(score: number): string {
  return Number.isInteger(score) ? score.toFixed(1) : JSON.stringify(score);
}

/**
 * tokenizer.json text, indented as `tokenizers` saves it, with the vocabulary written in id order
 * (a JS object would put integer-like tokens such as "0" or "1997" first) Unigram scores as
 * Rust writes them, and BPE merges one to a line.
 */
function stringifyTokenizerJson(json: TokenizerJson): string {
  const vocab = json.model.vocab;
  if (!isObject(vocab) && !Array.isArray(vocab)) return JSON.stringify(json, null, 2);
  const marker = '\u0000vocab\u0000';
  const mergesMarker = '\u0000merges\u0000';
  const merges = json.model.merges;
  const model = { ...json.model, vocab: marker, ...(Array.isArray(merges) ? { merges: mergesMarker } : {}) };
  const text = JSON.stringify({ ...json, model }, null, 2);
  let body: string;
  if (Array.isArray(vocab)) {
    const entries = (vocab as [string, number][]).map(([piece, score]) => `      [\n        ${JSON.stringify(piece)},\n        ${formatScore(score)}\n      ]`);
    body = entries.length === 0 ? '[]' : `[\n${entries.join(',\n')}\n    ]`;
  } else {
    const entries = Object.entries(vocab as Record<string, number>).sort((x, y) => x[1] - y[1]);
    body = entries.length === 0 ? '{}' : `{\n${entries.map(([token, id]) => `      ${JSON.stringify(token)}: ${id}`).join(',\n')}\n    }`;
  }
  const mergesBody = !Array.isArray(merges) || merges.length === 0 ? '[]' : `[\n${merges.map((m) => `      ${JSON.stringify(m)}`).join(',\n')}\n    ]`;
  return text.replace(JSON.stringify(marker), () => body).replace(JSON.stringify(mergesMarker), () => mergesBody);
}

export class Tokenizer {
  /** The file (or label) this tokenizer came from; used in error messages. */
  readonly source: string;
  readonly vocabSize: number;
  readonly unkTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly maskTokenId: number | undefined;
  /** tokenizer_config.json `model_max_length`, when it is a real limit. */
  readonly modelMaxLength: number | undefined;
  /** Special tokens by role (unk_token, cls_token, sep_token, pad_token, mask_token). */
  readonly specialTokens: Readonly<Partial<Record<SpecialTokenRole, SpecialToken>>>;

  private readonly json: TokenizerJson;
  private readonly config: TokenizerConfigJson;
  private readonly lib: LibraryTokenizer;
  private readonly plan: SpecialTokensPlan;
  private readonly defaultSide: TruncationSide;
  /** A token's bytes (offsets), made when first needed. */
  private bytesOf: ((token: string) => Uint8Array) | undefined;
  /** Files saved besides the JSON ones (a SentencePiece model and its added_tokens.json). */
  private readonly extraFiles: Readonly<Record<string, string | Uint8Array>>;

  private constructor(
    json: TokenizerJson,
    config: TokenizerConfigJson,
    lib: LibraryTokenizer,
    source: string,
    extraFiles: Record<string, string | Uint8Array>,
  ) {
    this.json = json;
    this.extraFiles = extraFiles;
    this.lib = lib;
    this.source = source;
    this.plan = planFromPostProcessor(json.post_processor, source);
    this.vocabSize = computeVocabSize(json);
    this.defaultSide = config.truncation_side === 'left' ? 'left' : 'right';
    const mml = config.model_max_length;
    this.modelMaxLength = typeof mml === 'number' && Number.isInteger(mml) && mml > 0 && mml < NO_LIMIT ? mml : undefined;

    const specials: Partial<Record<SpecialTokenRole, SpecialToken>> = {};
    for (const role of SPECIAL_TOKEN_ROLES) {
      const configured = specialTokenName(config[role]);
      const candidates = configured !== undefined ? [configured] : [...namesFromJson(role, json), ...FALLBACK_NAMES[role]];
      const found = candidates.map((token) => ({ token, id: lib.tokenToId(token) })).find((c) => c.id !== undefined);
      if (found) specials[role] = { token: found.token, id: found.id as number };
      else if (REQUIRED_ROLES.includes(role)) {
        const token = candidates[0] as string;
        throw new TokenizerError('missing-token', `${source} has no ${token} token (the ${role}), which a text classifier needs.`, {
          path: source,
          token,
        });
      }
    }
    this.specialTokens = specials;
    this.unkTokenId = (specials.unk_token as SpecialToken).id;
    this.clsTokenId = (specials.cls_token as SpecialToken).id;
    this.sepTokenId = (specials.sep_token as SpecialToken).id;
    this.padTokenId = (specials.pad_token as SpecialToken).id;
    this.maskTokenId = specials.mask_token?.id;

    // The config to save: the one read, with the special-token names filled in.
    const filled: TokenizerConfigJson = { ...config };
    for (const role of SPECIAL_TOKEN_ROLES) {
      const special = specials[role];
      if (filled[role] === undefined && special) filled[role] = special.token;
    }
    this.config = sortKeys(filled);
  }

  /**
   * Loads the tokenizer of a local folder: tokenizer.json if there is one, else vocab.json +
   * merges.txt for a RoBERTa-family folder (converted to the equivalent byte-level BPE
   * tokenizer.json), else vocab.txt (converted to the equivalent BERT WordPiece tokenizer.json),
   * else a SentencePiece model (converted as transformers does for DeBERTa-v2/v3 and XLM-R), with
   * tokenizer_config.json, special_tokens_map.json and added_tokens.json when present. Never
   * touches the network.
   */
  static async fromFolder(dir: string): Promise<Tokenizer> {
    const contents = await readTokenizerFolder(dir);
    if (contents.kind === 'vocab.txt') return Tokenizer.fromVocab(contents.vocabText, contents.config, { source: contents.path });
    if (contents.kind === 'vocab.json+merges.txt') {
      const files = { vocabJson: contents.vocabText, merges: contents.mergesText, addedTokensJson: contents.addedTokensText };
      const sources = {
        vocab: contents.path,
        merges: contents.mergesPath,
        addedTokens: contents.addedTokensPath,
        config: join(dirname(contents.path), 'tokenizer_config.json'),
      };
      return Tokenizer.fromBpeFiles(files, contents.config, { sources });
    }
    if (contents.kind === 'sentencepiece') {
      const { modelBytes, config, path, specialTokensMap, addedTokens, modelType } = contents;
      return Tokenizer.fromSentencePiece(modelBytes, config, { source: path, specialTokensMap, addedTokens, modelType });
    }
    return Tokenizer.create(contents.tokenizerJson, contents.config, contents.path);
  }

  /**
   * A RoBERTa byte-level BPE tokenizer from the text of vocab.json and merges.txt (and optional
   * added_tokens.json) and an optional tokenizer_config.json object (add_prefix_space,
   * trim_offsets, special tokens, model_max_length...), as transformers' RobertaConverter builds
   * it. `sources` name the files in errors.
   */
  static async fromBpeFiles(
    files: ByteLevelBpeFiles,
    config: TokenizerConfigJson = {},
    options: { sources?: Partial<ByteLevelBpeSources> } = {},
  ): Promise<Tokenizer> {
    const converted = convertRobertaBpe(files, config, options.sources);
    return Tokenizer.create(converted.tokenizerJson, converted.tokenizerConfig, options.sources?.vocab ?? 'vocab.json');
  }

  /**
   * A tokenizer from the bytes of a SentencePiece model (spm.model, sentencepiece.bpe.model...),
   * converted to the tokenizer.json transformers' fast tokenizer builds from it. The converter
   * (DeBERTa-v2 or XLM-R) follows `config.tokenizer_class`, else `options.modelType` (config.json),
   * else the file name in `source`. `saveFiles()` then also returns the model file (under the name
   * the tokenizer class saves it as) and added_tokens.json.
   */
  static async fromSentencePiece(
    modelBytes: Uint8Array,
    config: TokenizerConfigJson = {},
    options: { source?: string; specialTokensMap?: Record<string, unknown>; addedTokens?: Record<string, unknown>; modelType?: string } = {},
  ): Promise<Tokenizer> {
    const source = options.source ?? 'spm.model';
    const model = parseSentencePieceModel(modelBytes, source);
    const kind = chooseConverter(basename(source), config.tokenizer_class, options.modelType, source);
    const converted = convertSentencePiece(model, kind, { config, specialTokensMap: options.specialTokensMap, addedTokens: options.addedTokens }, source);
    const extraFiles: Record<string, string | Uint8Array> = { [SPM_FILE_NAMES[kind]]: modelBytes };
    const beyond = converted.tokenizerJson.added_tokens.filter((t) => t.id >= converted.modelVocabSize).sort((a, b) => (a.content < b.content ? -1 : 1));
    if (beyond.length > 0) extraFiles['added_tokens.json'] = `${JSON.stringify(Object.fromEntries(beyond.map((t) => [t.content, t.id])), null, 2)}\n`;
    return Tokenizer.create(converted.tokenizerJson, converted.tokenizerConfig, source, extraFiles);
  }

  /**
   * A BERT WordPiece tokenizer from the text of a vocab.txt and an optional tokenizer_config.json
   * object (do_lower_case, tokenize_chinese_chars, strip_accents, special-token names,
   * model_max_length...). `source` names the vocab file in errors.
   */
  static async fromVocab(vocabText: string, config: TokenizerConfigJson = {}, options: { source?: string } = {}): Promise<Tokenizer> {
    const source = options.source ?? 'vocab.txt';
    const converted = convertBertVocab(vocabText, config, source);
    return Tokenizer.create(converted.tokenizerJson, converted.tokenizerConfig, source);
  }

  /** A tokenizer from a parsed tokenizer.json object (validated; `source` names it in errors). */
  static async fromJSON(tokenizerJson: unknown, config: TokenizerConfigJson = {}, options: { source?: string } = {}): Promise<Tokenizer> {
    const source = options.source ?? 'tokenizer.json';
    return Tokenizer.create(validateTokenizerJson(tokenizerJson, source), config, source);
  }

  private static create(json: TokenizerJson, config: TokenizerConfigJson, source: string, extraFiles: Record<string, string | Uint8Array> = {}): Tokenizer {
    planFromPostProcessor(json.post_processor, source); // reject unsupported post-processors before building
    let lib: LibraryTokenizer;
    try {
      lib = createLibraryTokenizer(json, config, source);
    } catch (e) {
      if (e instanceof TokenizerError) throw e;
      throw new TokenizerError('malformed-file', `${source} could not be loaded as a tokenizer: ${(e as Error).message}`, {
        path: source,
        cause: e,
      });
    }
    return new Tokenizer(json, config, lib, source, extraFiles);
  }

  /** Which end truncation cuts (tokenizer_config.json `truncation_side`, default right). */
  get truncationSide(): TruncationSide {
    return this.defaultSide;
  }

  /** Number of special tokens `encode` adds (HF `num_special_tokens_to_add`). */
  numSpecialTokensToAdd(pair = false): number {
    return this.plan.numAdded(pair);
  }

  /** Word-piece tokens of a text, without special tokens (HF `tokenize`). */
  tokenize(text: string, pair?: string | null): string[] {
    checkText(text, 'text');
    if (pair !== undefined && pair !== null) checkText(pair, 'pair');
    return this.lib.tokenize(text, pair ?? null);
  }

  /** Ids of a text's word pieces, no special tokens, no truncation. */
  textToIds(text: string): number[] {
    checkText(text, 'text');
    return this.lib.textToIds(text);
  }

  /**
   * Truncation + special tokens + token types on already-tokenized ids (HF `prepare_for_model`).
   * Lets callers tokenize once and build inputs for several max lengths.
   */
  prepareForModel(ids: readonly number[], pairIds: readonly number[] | null = null, options: EncodeOptions = {}): Encoding {
    return this.build(ids, pairIds, this.resolve(options, pairIds !== null));
  }

  /** Encodes a text (and optional pair) as HF `tokenizer(text, pair, truncation=..., max_length=...)`. */
  encode(text: string, pair: string | null = null, options: EncodeOptions = {}): Encoding {
    const a = this.textToIds(text);
    const b = pair === null || pair === undefined ? null : this.textToIds(pair);
    return this.build(a, b, this.resolve(options, b !== null));
  }

  /** Encodes many rows (pairs[i] is row i's second text, or null). No padding: batches pad later. */
  encodeBatch(texts: readonly string[], pairs: readonly (string | null | undefined)[] | null = null, options: EncodeOptions = {}): Encoding[] {
    if (pairs && pairs.length !== texts.length) {
      throw new TokenizerError('invalid-argument', `encodeBatch: ${texts.length} texts but ${pairs.length} pairs.`);
    }
    const single = this.resolve(options, false);
    const paired = pairs ? this.resolve(options, true) : single;
    const out: Encoding[] = new Array<Encoding>(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const pair = pairs?.[i];
      const a = this.textToIds(texts[i] as string);
      if (pair === null || pair === undefined) out[i] = this.build(a, null, single);
      else out[i] = this.build(a, this.textToIds(pair), paired);
    }
    return out;
  }

  /**
   * Character spans [start, end) in `text` of its tokens (`ids`: textToIds(text), the default): HF's
   * `offset_mapping` without the special tokens, recovered by aligning each token's text with the
   * text (offsets.ts).
   */
  offsets(text: string, ids: readonly number[] = this.textToIds(text)): Offset[] {
    this.bytesOf ??= tokenBytes(this.json, new Set(this.json.added_tokens.map((t) => t.content)));
    const bytesOf = this.bytesOf;
    return alignTokens(
      text,
      ids.map((id) => bytesOf(this.lib.idToToken(id) ?? '')),
    );
  }

  /** Text of ids (HF `decode`; cleanup of spaces before punctuation as the tokenizer config says). */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.lib.decode(ids, options.skipSpecialTokens ?? false);
  }

  tokenToId(token: string): number | undefined {
    return this.lib.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.lib.idToToken(id);
  }

  /** The tokenizer.json object (a copy). */
  toJSON(): TokenizerJson {
    return structuredClone(this.json);
  }

  /** The tokenizer_config.json object to save (a copy; special-token names filled in). */
  tokenizerConfig(): TokenizerConfigJson {
    return structuredClone(this.config);
  }

  /** The special_tokens_map.json object to save (bos/eos too when the config names tokens the vocabulary has, and additional_special_tokens). */
  specialTokensMap(): SpecialTokensMapJson {
    const map: SpecialTokensMapJson = {};
    for (const role of SPECIAL_TOKEN_ROLES) {
      const special = this.specialTokens[role];
      if (special) map[role] = special.token;
    }
    for (const role of ['bos_token', 'eos_token']) {
      const name = specialTokenName(this.config[role]);
      if (name !== undefined && this.lib.tokenToId(name) !== undefined) map[role] = name;
    }
    const extra = this.config.additional_special_tokens;
    if (Array.isArray(extra) && extra.length > 0) map.additional_special_tokens = extra.map((v) => specialTokenName(v) ?? String(v));
    return sortKeys(map);
  }

  /**
   * The files to write next to a saved model, by name: what a fast tokenizer's save_pretrained
   * writes. vocab.txt for WordPiece models; vocab.json + merges.txt (+ added_tokens.json) for
   * RoBERTa-family byte-level BPE models; the SentencePiece model (and added_tokens.json) for a
   * tokenizer converted from one.
   */
  saveFiles(): TokenizerFiles {
    const files: TokenizerFiles = {
      ...this.extraFiles,
      'tokenizer.json': stringifyTokenizerJson(this.json),
      'tokenizer_config.json': `${JSON.stringify(this.config, null, 2)}\n`,
      'special_tokens_map.json': `${JSON.stringify(this.specialTokensMap(), null, 2)}\n`,
    };
    const vocab = this.json.model.vocab;
    const isWordPiece = this.json.model.type === 'WordPiece' || (this.json.model.type === undefined && this.json.decoder?.type === 'WordPiece');
    if (isWordPiece && isObject(vocab)) {
      const tokens = Object.entries(vocab as Record<string, number>).sort((x, y) => x[1] - y[1]);
      files['vocab.txt'] = tokens.map(([token]) => `${token}\n`).join('');
    }
    if (savesBpeVocabFiles(this.json, this.config)) Object.assign(files, bpeVocabFiles(this.json));
    return files;
  }

  private resolve(options: EncodeOptions, pair: boolean): ResolvedOptions {
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const parity = options.parity ?? 'fast';
    const side = options.truncationSide ?? this.defaultSide;
    let strategy: TruncationStrategy | null;
    const t = options.truncation;
    if (t === undefined) strategy = options.maxLength !== undefined ? 'longest_first' : null;
    else if (t === true) strategy = 'longest_first';
    else if (t === false || t === 'do_not_truncate') strategy = null;
    else if (t === 'longest_first' || t === 'only_first' || t === 'only_second') strategy = t;
    else throw new TokenizerError('invalid-argument', `Unknown truncation strategy: ${String(t)}`);

    let maxLength: number | null = null;
    if (strategy !== null) {
      maxLength = options.maxLength ?? this.modelMaxLength ?? null;
      if (maxLength === null) strategy = null;
    }
    if (maxLength !== null) {
      if (!Number.isInteger(maxLength) || maxLength < 0) {
        throw new TokenizerError('invalid-argument', `maxLength must be a non-negative integer, got ${maxLength}.`);
      }
      const added = addSpecialTokens ? this.plan.numAdded(pair) : 0;
      if (maxLength < added) {
        throw new TokenizerError(
          'invalid-argument',
          `maxLength ${maxLength} is smaller than the ${added} special tokens a ${pair ? 'pair' : 'single text'} needs.`,
        );
      }
    }
    return { strategy, maxLength, addSpecialTokens, side, parity };
  }

  private build(a: readonly number[], b: readonly number[] | null, o: ResolvedOptions): Encoding {
    let first = a;
    let second = b;
    if (o.strategy !== null && o.maxLength !== null && !(o.parity === 'slow' && o.maxLength === 0)) {
      const budget = o.maxLength - (o.addSpecialTokens ? this.plan.numAdded(b !== null) : 0);
      const cut = truncateIds(a, b, budget, o.strategy, o.side, o.parity);
      first = cut.a;
      second = cut.b;
    }
    const { ids, typeIds } = this.plan.build(first, second, o.addSpecialTokens, o.parity);
    const attentionMask = new Array<number>(ids.length).fill(1);
    return { inputIds: ids, attentionMask, tokenTypeIds: typeIds };
  }
}

function checkText(text: unknown, what: string): asserts text is string {
  if (typeof text !== 'string') {
    throw new TokenizerError('invalid-argument', `The ${what} to tokenize must be a string, got ${text === null ? 'null' : typeof text}.`);
  }
}
