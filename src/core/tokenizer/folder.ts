/**
 * Reading a tokenizer from a local folder laid out as on the Hugging Face Hub: tokenizer.json
 * (preferred, as transformers' fast tokenizers do), else vocab.txt, else a SentencePiece model
 * (spm.model, sentencepiece.bpe.model, spiece.model, with added_tokens.json and the config.json
 * model_type to pick the converter), plus the optional tokenizer_config.json and
 * special_tokens_map.json. Only the local file system is read.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenizerError } from './errors.js';
import type { AddedTokenJson, TokenizerConfigJson, TokenizerJson } from './types.js';
import { SPECIAL_TOKEN_ROLES, specialTokenName } from './vocab.js';

export type TokenizerFolderContents =
  | { kind: 'tokenizer.json'; path: string; tokenizerJson: TokenizerJson; config: TokenizerConfigJson }
  | { kind: 'vocab.txt'; path: string; vocabText: string; config: TokenizerConfigJson }
  | {
      kind: 'sentencepiece';
      path: string;
      modelBytes: Uint8Array;
      config: TokenizerConfigJson;
      /** special_tokens_map.json as read (bos/eos/additional special tokens). */
      specialTokensMap?: Record<string, unknown>;
      /** added_tokens.json as read: token -> id. */
      addedTokens?: Record<string, unknown>;
      /** config.json `model_type`, when the folder has a config.json. */
      modelType?: string;
    };

/** The SentencePiece model files transformers' tokenizers read, in the order they are looked for. */
export const SENTENCEPIECE_FILES = ['spm.model', 'sentencepiece.bpe.model', 'spiece.model'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TokenizerError('missing-path', `File not found: ${path}`, { path, cause: e });
    throw new TokenizerError('malformed-file', `Cannot read ${path}: ${(e as Error).message}`, { path, cause: e });
  }
}

/** Reads a JSON file that must hold an object; a syntax error or another value names the file. */
export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  const text = await readText(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TokenizerError('malformed-file', `${path} is not valid JSON: ${(e as Error).message}`, { path, cause: e });
  }
  if (!isObject(value)) {
    throw new TokenizerError('malformed-file', `${path} must contain a JSON object.`, { path });
  }
  return value;
}

/**
 * Checks the structure of a parsed tokenizer.json and fills in the optional top-level fields
 * (`added_tokens`, the pipeline components, `version`...) the way `tokenizers` defaults them.
 * `source` names the file in error messages.
 */
export function validateTokenizerJson(value: unknown, source: string): TokenizerJson {
  if (!isObject(value)) {
    throw new TokenizerError('malformed-file', `${source} must contain a JSON object (a Hugging Face tokenizer.json).`, { path: source });
  }
  const model = value.model;
  if (!isObject(model)) {
    throw new TokenizerError('malformed-file', `${source} has no "model" object: it is not a Hugging Face tokenizer.json.`, { path: source });
  }
  const vocab = model.vocab;
  if (!(isObject(vocab) || Array.isArray(vocab))) {
    throw new TokenizerError('malformed-file', `${source}: model.vocab is missing or is not an object/array.`, { path: source });
  }
  if (isObject(vocab) && !Object.values(vocab).every((id) => Number.isInteger(id) && (id as number) >= 0)) {
    throw new TokenizerError('malformed-file', `${source}: model.vocab must map each token to a non-negative integer id.`, { path: source });
  }
  const addedRaw = value.added_tokens ?? [];
  if (!Array.isArray(addedRaw)) {
    throw new TokenizerError('malformed-file', `${source}: added_tokens must be an array.`, { path: source });
  }
  const added: AddedTokenJson[] = addedRaw.map((t, i) => {
    if (!isObject(t) || !Number.isInteger(t.id) || typeof t.content !== 'string') {
      throw new TokenizerError('malformed-file', `${source}: added_tokens[${i}] needs an integer "id" and a string "content".`, { path: source });
    }
    const special = t.special === true;
    return {
      id: t.id as number,
      content: t.content,
      single_word: t.single_word === true,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
      normalized: typeof t.normalized === 'boolean' ? t.normalized : !special,
      special,
    };
  });
  for (const key of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder'] as const) {
    const part = value[key];
    if (part !== undefined && part !== null && !(isObject(part) && typeof part.type === 'string')) {
      throw new TokenizerError('malformed-file', `${source}: "${key}" must be null or an object with a "type".`, { path: source });
    }
  }
  return {
    ...value,
    version: typeof value.version === 'string' ? value.version : '1.0',
    truncation: value.truncation ?? null,
    padding: value.padding ?? null,
    added_tokens: added,
    normalizer: (value.normalizer ?? null) as TokenizerJson['normalizer'],
    pre_tokenizer: (value.pre_tokenizer ?? null) as TokenizerJson['pre_tokenizer'],
    post_processor: (value.post_processor ?? null) as TokenizerJson['post_processor'],
    decoder: (value.decoder ?? null) as TokenizerJson['decoder'],
    model: model as TokenizerJson['model'],
  };
}

/**
 * Reads the tokenizer files of `dir`. tokenizer_config.json wins over special_tokens_map.json for
 * the special-token names (as in transformers).
 */
export async function readTokenizerFolder(dir: string): Promise<TokenizerFolderContents> {
  let info;
  try {
    info = await stat(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TokenizerError('missing-path', `Tokenizer folder not found: ${dir}`, { path: dir, cause: e });
    }
    throw e;
  }
  if (!info.isDirectory()) {
    throw new TokenizerError('missing-path', `Not a folder: ${dir} (expected a folder holding tokenizer.json or vocab.txt).`, { path: dir });
  }

  const configPath = join(dir, 'tokenizer_config.json');
  const mapPath = join(dir, 'special_tokens_map.json');
  const config: TokenizerConfigJson = (await exists(configPath)) ? await readJsonObject(configPath) : {};
  let map: Record<string, unknown> | undefined;
  if (await exists(mapPath)) {
    map = await readJsonObject(mapPath);
    for (const role of SPECIAL_TOKEN_ROLES) {
      const name = specialTokenName(map[role]);
      if (config[role] === undefined && name !== undefined) config[role] = name;
    }
  }

  const jsonPath = join(dir, 'tokenizer.json');
  if (await exists(jsonPath)) {
    const tokenizerJson = validateTokenizerJson(await readJsonObject(jsonPath), jsonPath);
    return { kind: 'tokenizer.json', path: jsonPath, tokenizerJson, config };
  }
  const vocabPath = join(dir, 'vocab.txt');
  if (await exists(vocabPath)) {
    return { kind: 'vocab.txt', path: vocabPath, vocabText: await readText(vocabPath), config };
  }
  for (const name of SENTENCEPIECE_FILES) {
    const path = join(dir, name);
    if (await exists(path)) return readSentencePieceFolder(dir, path, config, map);
  }
  throw new TokenizerError(
    'missing-path',
    `No tokenizer in ${dir}: expected ${jsonPath}, ${vocabPath} or a SentencePiece model (${SENTENCEPIECE_FILES.join(', ')}).`,
    {
      path: jsonPath,
    },
  );
}

async function readSentencePieceFolder(
  dir: string,
  path: string,
  config: TokenizerConfigJson,
  specialTokensMap: Record<string, unknown> | undefined,
): Promise<TokenizerFolderContents> {
  let modelBytes: Uint8Array;
  try {
    modelBytes = await readFile(path);
  } catch (e) {
    throw new TokenizerError('malformed-file', `Cannot read ${path}: ${(e as Error).message}`, { path, cause: e });
  }
  const addedPath = join(dir, 'added_tokens.json');
  const addedTokens = (await exists(addedPath)) ? await readJsonObject(addedPath) : undefined;
  // The model type picks the converter only when tokenizer_config.json names no tokenizer class.
  const modelConfigPath = join(dir, 'config.json');
  let modelType: string | undefined;
  if (typeof config.tokenizer_class !== 'string' && (await exists(modelConfigPath))) {
    const modelConfig = await readJsonObject(modelConfigPath);
    if (typeof modelConfig.model_type === 'string') modelType = modelConfig.model_type;
  }
  return { kind: 'sentencepiece', path, modelBytes, config, specialTokensMap, addedTokens, modelType };
}
