/**
 * vocab.json + merges.txt -> tokenizer.json: the byte-level BPE conversion Hugging Face
 * `transformers` does in `convert_slow_tokenizer.RobertaConverter` (what `RobertaTokenizerFast`
 * runs when a repo has no tokenizer.json, e.g. cardiffnlp/twitter-roberta-base-sentiment), with the
 * defaults of the slow `RobertaTokenizer`: bos/cls `<s>`, eos/sep `</s>`, unk `<unk>`, pad `<pad>`,
 * mask `<mask>` (lstrip), add_prefix_space false, trim_offsets true, errors "replace".
 *
 * Also: which folders are of this kind (the tokenizer class AutoTokenizer would pick), and the
 * vocab.json / merges.txt a fast RoBERTa tokenizer's `save_pretrained` writes beside tokenizer.json.
 */
import { TokenizerError } from './errors.js';
import type { AddedTokenJson, SpecialTokensMapJson, TokenizerConfigJson, TokenizerJson } from './types.js';
import { sortKeys, specialTokenName } from './vocab.js';

/** transformers' SPECIAL_TOKENS_ATTRIBUTES, in its order (the order special tokens are added). */
export const BPE_SPECIAL_TOKEN_ROLES = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;
export type BpeSpecialTokenRole = (typeof BPE_SPECIAL_TOKEN_ROLES)[number];

export const ROBERTA_DEFAULT_SPECIAL_TOKENS: Readonly<Record<BpeSpecialTokenRole, string>> = {
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  sep_token: '</s>',
  pad_token: '<pad>',
  cls_token: '<s>',
  mask_token: '<mask>',
};

/** Slow tokenizer classes whose fast tokenizer transformers builds with RobertaConverter. */
export const ROBERTA_BPE_CLASSES: readonly string[] = ['RobertaTokenizer', 'BartTokenizer', 'LongformerTokenizer', 'LEDTokenizer', 'MvpTokenizer'];
/** config.json model types AutoTokenizer maps to one of those classes. */
export const ROBERTA_BPE_MODEL_TYPES: readonly string[] = ['roberta', 'roberta-prelayernorm', 'data2vec-text', 'ibert', 'bart', 'longformer', 'led', 'mvp'];
/** Classes whose fast tokenizer also saves vocab.json + merges.txt (GPT-2's as well as RoBERTa's). */
const SAVES_BPE_FILES: readonly string[] = [...ROBERTA_BPE_CLASSES, 'GPT2Tokenizer'];

/**
 * What kind of tokenizer a folder holds when it has no tokenizer.json, decided as AutoTokenizer
 * does: tokenizer_config.json `tokenizer_class`, else config.json `model_type`.
 * 'roberta': converted here; 'other': a class or model type that is not a RoBERTa-family one;
 * 'unknown': neither file says.
 */
export interface TokenizerKind {
  kind: 'roberta' | 'other' | 'unknown';
  /** The class or model type that decided, and the file it came from, for messages. */
  reason?: string;
}

export function stripFast(tokenizerClass: string): string {
  return tokenizerClass.endsWith('Fast') && tokenizerClass !== 'PreTrainedTokenizerFast' ? tokenizerClass.slice(0, -4) : tokenizerClass;
}

export function tokenizerKind(tokenizerClass: unknown, modelType: unknown): TokenizerKind {
  if (typeof tokenizerClass === 'string' && tokenizerClass !== '') {
    const cls = stripFast(tokenizerClass);
    return { kind: ROBERTA_BPE_CLASSES.includes(cls) ? 'roberta' : 'other', reason: `tokenizer_config.json tokenizer_class ${tokenizerClass}` };
  }
  if (typeof modelType === 'string' && modelType !== '') {
    return { kind: ROBERTA_BPE_MODEL_TYPES.includes(modelType) ? 'roberta' : 'other', reason: `config.json model_type ${modelType}` };
  }
  return { kind: 'unknown' };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses vocab.json: a JSON object mapping each token to a non-negative integer id (as
 * `json.load` in the slow tokenizer; a repeated key keeps its last id). `source` names the file.
 */
export function parseBpeVocab(text: string, source = 'vocab.json'): Map<string, number> {
  let value: unknown;
  try {
    value = JSON.parse(stripBom(text));
  } catch (e) {
    throw new TokenizerError('malformed-file', `${source} is not valid JSON: ${(e as Error).message}`, { path: source, cause: e });
  }
  if (!isObject(value)) {
    throw new TokenizerError('malformed-file', `${source} must contain a JSON object mapping each token to its id (a RoBERTa/GPT-2 vocab.json).`, {
      path: source,
    });
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(value)) {
    if (!Number.isInteger(id) || (id as number) < 0) {
      throw new TokenizerError('malformed-file', `${source}: the id of ${JSON.stringify(token)} must be a non-negative integer, got ${JSON.stringify(id)}.`, {
        path: source,
      });
    }
    vocab.set(token, id as number);
  }
  if (vocab.size === 0) throw new TokenizerError('malformed-file', `${source} is empty: a BPE vocabulary maps tokens to ids.`, { path: source });
  return vocab;
}

/** Characters Python's `str.split()` splits on (JS `\s` plus the ASCII separators \x1c-\x1f). */
const WHITESPACE = /[\s\x1c-\x1f]+/;

/**
 * Parses merges.txt (GPT-2 format): an optional `#version: ...` first line, then one merge per line,
 * two tokens separated by whitespace, highest priority first. As transformers reads it, `\r\n` line
 * ends and extra whitespace are fine; blank lines (a file's trailing ones) are skipped, and a
 * repeated merge keeps its first rank. With `vocab`, each merge's two tokens and their
 * concatenation must be in it (the fast tokenizer refuses the file otherwise). `source` names the
 * file in errors, which give the line number.
 */
export function parseMerges(text: string, source = 'merges.txt', vocab?: ReadonlyMap<string, number>): [string, string][] {
  const lines = stripBom(text).split('\n');
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (i === 0 && line.startsWith('#version')) continue;
    const parts = line.split(WHITESPACE).filter((p) => p !== '');
    if (parts.length === 0) continue;
    if (parts.length !== 2) {
      throw new TokenizerError(
        'malformed-file',
        `${source} line ${i + 1}: a merge is two tokens separated by a space, got ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)}.`,
        { path: source },
      );
    }
    const [a, b] = parts as [string, string];
    const key = `${a} ${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (vocab) {
      const missing = [a, b, a + b].find((t) => !vocab.has(t));
      if (missing !== undefined) {
        throw new TokenizerError('malformed-file', `${source} line ${i + 1}: the token ${JSON.stringify(missing)} of merge "${key}" is not in vocab.json.`, {
          path: source,
        });
      }
    }
    merges.push([a, b]);
  }
  return merges;
}

/** The files of a byte-level BPE tokenizer, as text. */
export interface ByteLevelBpeFiles {
  vocabJson: string;
  merges: string;
  /** added_tokens.json (read only when tokenizer_config.json has no `added_tokens_decoder`). */
  addedTokensJson?: string;
}

/** File names (or paths) used in error messages. */
export interface ByteLevelBpeSources {
  vocab: string;
  merges: string;
  addedTokens: string;
  config: string;
}

const DEFAULT_SOURCES: ByteLevelBpeSources = {
  vocab: 'vocab.json',
  merges: 'merges.txt',
  addedTokens: 'added_tokens.json',
  config: 'tokenizer_config.json',
};

/** The result of a conversion: the three JSON files transformers would save. */
export interface ConvertedBpeTokenizer {
  tokenizerJson: TokenizerJson;
  tokenizerConfig: TokenizerConfigJson;
  specialTokensMap: SpecialTokensMapJson;
}

type AddedTokenSpec = Omit<AddedTokenJson, 'id'>;

function flag(v: unknown): boolean {
  return v === true;
}

/** An AddedToken as transformers serializes it (`{"__type": "AddedToken", "content": ...}` too). */
function specFromObject(value: Record<string, unknown>, special: boolean): AddedTokenSpec {
  return {
    content: value.content as string,
    single_word: flag(value.single_word),
    lstrip: flag(value.lstrip),
    rstrip: flag(value.rstrip),
    // tokenizers' AddedToken: normalized defaults to !special.
    normalized: typeof value.normalized === 'boolean' ? value.normalized : !special,
    special,
  };
}

/** added_tokens_decoder of tokenizer_config.json (transformers >= 4.34), by content. */
function addedTokensDecoder(config: TokenizerConfigJson, source: string): AddedTokenSpec[] | undefined {
  const decoder = config.added_tokens_decoder;
  if (decoder === undefined || decoder === null) return undefined;
  if (!isObject(decoder)) throw new TokenizerError('malformed-file', `${source}: added_tokens_decoder must be an object (id -> token).`, { path: source });
  const entries = Object.entries(decoder).map(([id, token]): [number, AddedTokenSpec] => {
    if (!/^\d+$/.test(id) || !isObject(token) || typeof token.content !== 'string') {
      throw new TokenizerError('malformed-file', `${source}: added_tokens_decoder["${id}"] must be an AddedToken object with a "content" string.`, {
        path: source,
      });
    }
    return [Number(id), specFromObject(token, token.special === true)];
  });
  return entries.sort((x, y) => x[0] - y[0]).map(([, spec]) => spec);
}

/** added_tokens.json (slow tokenizers' legacy file): {token: id}; special when it names a special token. */
function legacyAddedTokens(text: string, specialNames: ReadonlySet<string>, source: string): AddedTokenSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(stripBom(text));
  } catch (e) {
    throw new TokenizerError('malformed-file', `${source} is not valid JSON: ${(e as Error).message}`, { path: source, cause: e });
  }
  if (!isObject(value) || !Object.values(value).every((id) => Number.isInteger(id))) {
    throw new TokenizerError('malformed-file', `${source} must map each added token to its integer id.`, { path: source });
  }
  return Object.entries(value)
    .sort((x, y) => (x[1] as number) - (y[1] as number))
    .map(([content]) => {
      const special = specialNames.has(content);
      return { content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special };
    });
}

/** Conversion options read out of a tokenizer_config.json object (missing keys: the slow defaults). */
export interface RobertaBpeOptions {
  addPrefixSpace: boolean;
  trimOffsets: boolean;
  /** The special tokens by role; null where the config sets the role to null. */
  specialTokens: Record<BpeSpecialTokenRole, AddedTokenSpec | null>;
  additionalSpecialTokens: AddedTokenSpec[];
}

export function robertaBpeOptions(config: TokenizerConfigJson = {}, source = 'tokenizer_config.json'): RobertaBpeOptions {
  const decoder = new Map((addedTokensDecoder(config, source) ?? []).map((t) => [t.content, t]));
  const spec = (value: unknown, fallback: string | undefined, what: string): AddedTokenSpec | null => {
    if (value === null) return null;
    const content = value === undefined ? fallback : specialTokenName(value);
    if (content === undefined) {
      throw new TokenizerError('malformed-file', `${source}: ${what} must be a string or an AddedToken object with a "content" string.`, { path: source });
    }
    const known = decoder.get(content);
    if (known) return { ...known, special: true };
    if (isObject(value)) return specFromObject(value, true);
    // RobertaTokenizer: the mask token behaves like a normal word (it takes the space before it).
    const isMask = what === 'mask_token';
    return { content, single_word: false, lstrip: isMask, rstrip: false, normalized: false, special: true };
  };
  const specialTokens = {} as Record<BpeSpecialTokenRole, AddedTokenSpec | null>;
  for (const role of BPE_SPECIAL_TOKEN_ROLES) specialTokens[role] = spec(config[role], ROBERTA_DEFAULT_SPECIAL_TOKENS[role], role);
  const extra = config.additional_special_tokens;
  const additionalSpecialTokens = Array.isArray(extra)
    ? extra.map((v, i) => spec(v, undefined, `additional_special_tokens[${i}]`)).filter((s): s is AddedTokenSpec => s !== null)
    : [];
  return {
    addPrefixSpace: config.add_prefix_space === true,
    trimOffsets: config.trim_offsets !== false,
    specialTokens,
    additionalSpecialTokens,
  };
}

/**
 * Gives each added token its id as `tokenizers` does: the vocabulary's id when the token is in it,
 * else the next free id after the vocabulary. The first of two tokens with the same content wins.
 */
function assignIds(vocab: ReadonlyMap<string, number>, specs: readonly AddedTokenSpec[]): AddedTokenJson[] {
  const added = new Map<string, AddedTokenJson>();
  for (const spec of specs) {
    if (added.has(spec.content)) continue;
    let id = vocab.get(spec.content);
    if (id === undefined) {
      const max = Math.max(-1, ...[...added.values()].map((t) => t.id));
      id = max >= vocab.size ? max + 1 : vocab.size;
    }
    added.set(spec.content, { id, ...spec });
  }
  return [...added.values()].sort((x, y) => x.id - y.id);
}

/** Keys `save_pretrained` drops from a loaded tokenizer_config.json (file paths, the load path). */
const UNSAVED_CONFIG_KEYS = ['vocab_file', 'merges_file', 'tokenizer_file', 'name_or_path', 'special_tokens_map_file'];

/**
 * Converts vocab.json + merges.txt (their text), with an optional tokenizer_config.json object
 * (special_tokens_map.json values already folded in) and added_tokens.json, into the tokenizer.json
 * object RobertaConverter + RobertaTokenizerFast produce, and the tokenizer_config.json and
 * special_tokens_map.json objects its `save_pretrained` writes.
 *
 * Throws `TokenizerError('malformed-file')` naming the file (and the line, for merges.txt) when a
 * file cannot be read as a BPE vocabulary / merge list, and `'missing-token'` when the config sets
 * cls_token or sep_token to null (RoBERTa inputs are `<s> A </s>`).
 */
export function convertRobertaBpe(
  files: ByteLevelBpeFiles,
  config: TokenizerConfigJson = {},
  sources: Partial<ByteLevelBpeSources> = {},
): ConvertedBpeTokenizer {
  const src = { ...DEFAULT_SOURCES, ...sources };
  const vocab = parseBpeVocab(files.vocabJson, src.vocab);
  const merges = parseMerges(files.merges, src.merges, vocab);
  const options = robertaBpeOptions(config, src.config);
  const roleSpecs = BPE_SPECIAL_TOKEN_ROLES.map((role) => options.specialTokens[role]).filter((s): s is AddedTokenSpec => s !== null);
  const specialNames = new Set([...roleSpecs, ...options.additionalSpecialTokens].map((s) => s.content));
  const listed =
    addedTokensDecoder(config, src.config) ??
    (files.addedTokensJson === undefined ? [] : legacyAddedTokens(files.addedTokensJson, specialNames, src.addedTokens));
  const addedTokens = assignIds(vocab, [...listed, ...roleSpecs, ...options.additionalSpecialTokens]);
  const idOf = (role: 'cls_token' | 'sep_token'): [string, number] => {
    const spec = options.specialTokens[role];
    if (spec === null) {
      throw new TokenizerError('missing-token', `${src.config} sets ${role} to null; a RoBERTa tokenizer needs it (inputs are <s> A </s>).`, {
        path: src.config,
        token: role,
      });
    }
    return [spec.content, (addedTokens.find((t) => t.content === spec.content) as AddedTokenJson).id];
  };

  // Field order and values as `tokenizers` serializes them.
  const vocabObject = Object.create(null) as Record<string, number>;
  for (const [token, id] of [...vocab].sort((a, b) => a[1] - b[1])) vocabObject[token] = id;
  const tokenizerJson: TokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: options.addPrefixSpace, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: idOf('sep_token'),
      cls: idOf('cls_token'),
      trim_offsets: options.trimOffsets,
      add_prefix_space: options.addPrefixSpace,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: vocabObject,
      merges,
    } as unknown as TokenizerJson['model'],
  };
  const specialTokensMap = robertaSpecialTokensMap(options);
  return { tokenizerJson, tokenizerConfig: robertaTokenizerConfig(config, options, addedTokens, specialTokensMap), specialTokensMap };
}

function robertaSpecialTokensMap(options: RobertaBpeOptions): SpecialTokensMapJson {
  const map: SpecialTokensMapJson = {};
  for (const role of BPE_SPECIAL_TOKEN_ROLES) {
    const spec = options.specialTokens[role];
    if (spec !== null) map[role] = spec.content;
  }
  if (options.additionalSpecialTokens.length > 0) map.additional_special_tokens = options.additionalSpecialTokens.map((s) => s.content);
  return sortKeys(map);
}

/** What RobertaTokenizerFast.save_pretrained writes; the caller's other keys are kept. */
function robertaTokenizerConfig(
  config: TokenizerConfigJson,
  options: RobertaBpeOptions,
  addedTokens: readonly AddedTokenJson[],
  specialTokensMap: SpecialTokensMapJson,
): TokenizerConfigJson {
  const kept: TokenizerConfigJson = { ...config };
  for (const key of UNSAVED_CONFIG_KEYS) delete kept[key];
  const decoder: Record<string, AddedTokenSpec> = {};
  for (const { id, content, lstrip, normalized, rstrip, single_word, special } of addedTokens) {
    decoder[String(id)] = { content, lstrip, normalized, rstrip, single_word, special };
  }
  const cls = typeof config.tokenizer_class === 'string' ? stripFast(config.tokenizer_class) : '';
  return sortKeys({
    ...kept,
    add_prefix_space: options.addPrefixSpace,
    added_tokens_decoder: decoder,
    clean_up_tokenization_spaces: typeof config.clean_up_tokenization_spaces === 'boolean' ? config.clean_up_tokenization_spaces : false,
    errors: typeof config.errors === 'string' ? config.errors : 'replace',
    tokenizer_class: ROBERTA_BPE_CLASSES.includes(cls) ? cls : 'RobertaTokenizer',
    trim_offsets: options.trimOffsets,
    ...specialTokensMap,
  });
}

/**
 * Whether `save_pretrained` of this tokenizer's fast class writes vocab.json + merges.txt next to
 * tokenizer.json: a BPE model of a RoBERTa-family or GPT-2 tokenizer (by tokenizer_config.json
 * `tokenizer_class`, else by a RobertaProcessing post-processor).
 */
export function savesBpeVocabFiles(json: TokenizerJson, config: TokenizerConfigJson): boolean {
  const model = json.model;
  if (!(model.type === 'BPE' || (model.type === undefined && Array.isArray(model.merges))) || !isObject(model.vocab) || !Array.isArray(model.merges)) {
    return false;
  }
  if (typeof config.tokenizer_class === 'string') return SAVES_BPE_FILES.includes(stripFast(config.tokenizer_class));
  return json.post_processor?.type === 'RobertaProcessing';
}

/**
 * vocab.json and merges.txt as `tokenizers` saves a BPE model (vocab.json compact in id order,
 * merges.txt with a `#version: 0.2` header), and added_tokens.json when some added tokens lie
 * beyond the vocabulary (as `save_pretrained` writes it for the slow tokenizer).
 */
export function bpeVocabFiles(json: TokenizerJson): { 'vocab.json': string; 'merges.txt': string; 'added_tokens.json'?: string } {
  const vocab = Object.entries(json.model.vocab as Record<string, number>).sort((x, y) => x[1] - y[1]);
  const merges = (json.model.merges as unknown[]).map((m) => (Array.isArray(m) ? m.join(' ') : String(m)));
  const files: { 'vocab.json': string; 'merges.txt': string; 'added_tokens.json'?: string } = {
    'vocab.json': `{${vocab.map(([token, id]) => `${JSON.stringify(token)}:${id}`).join(',')}}`,
    'merges.txt': `#version: 0.2\n${merges.map((m) => `${m}\n`).join('')}`,
  };
  // json.dumps(..., indent=2, sort_keys=True): keys in code point order, written by hand because a
  // JS object would put integer-like keys first.
  const beyond = json.added_tokens.filter((t) => t.id >= vocab.length).sort((x, y) => compareCodePoints(x.content, y.content));
  if (beyond.length > 0) {
    files['added_tokens.json'] = `{\n${beyond.map((t) => `  ${JSON.stringify(t.content)}: ${t.id}`).join(',\n')}\n}\n`;
  }
  return files;
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}
