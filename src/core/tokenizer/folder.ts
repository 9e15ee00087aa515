/**
 * Reading a tokenizer from a local folder laid out as on the Hugging Face Hub: tokenizer.json
 * (preferred, as transformers' fast tokenizers do), else vocab.json + merges.txt (byte-level BPE)
 * for a RoBERTa-family folder, else vocab.txt (WordPiece), else a SentencePiece model (spm.model,
 * sentencepiece.bpe.model, spiece.model, with added_tokens.json and the config.json model_type to
 * pick the converter), plus the optional tokenizer_config.json, special_tokens_map.json and
 * added_tokens.json. Only the local file system is read.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BPE_SPECIAL_TOKEN_ROLES, tokenizerKind, type TokenizerKind } from './bpe.js';
import { TokenizerError } from './errors.js';
import type { AddedTokenJson, TokenizerConfigJson, TokenizerJson } from './types.js';
import { SPECIAL_TOKEN_ROLES, specialTokenName } from './vocab.js';

export type TokenizerFolderContents =
  | { kind: 'tokenizer.json'; path: string; tokenizerJson: TokenizerJson; config: TokenizerConfigJson }
  | {
      kind: 'vocab.json+merges.txt';
      /** vocab.json's path (merges.txt and added_tokens.json are beside it). */
      path: string;
      mergesPath: string;
      addedTokensPath: string;
      vocabText: string;
      mergesText: string;
      /** added_tokens.json, when the folder has one. */
      addedTokensText?: string;
      /** tokenizer_config.json, with special_tokens_map.json's values (AddedToken objects kept) where it has none. */
      config: TokenizerConfigJson;
    }
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
 * the special-token names (as in transformers). Without tokenizer.json, vocab.json + merges.txt are
 * used when the folder is a RoBERTa-family one (tokenizer_config.json `tokenizer_class`, else
 * config.json `model_type`, as AutoTokenizer decides) or when it has no vocab.txt; else vocab.txt;
 * else a SentencePiece model.
 */
export async function readTokenizerFolder(dir: string): Promise<TokenizerFolderContents> {
  await checkFolder(dir);
  const configPath = join(dir, 'tokenizer_config.json');
  const mapPath = join(dir, 'special_tokens_map.json');
  const rawConfig: TokenizerConfigJson = (await exists(configPath)) ? await readJsonObject(configPath) : {};
  const map = (await exists(mapPath)) ? await readJsonObject(mapPath) : {};
  const config: TokenizerConfigJson = { ...rawConfig };
  for (const role of SPECIAL_TOKEN_ROLES) {
    const name = specialTokenName(map[role]);
    if (config[role] === undefined && name !== undefined) config[role] = name;
  }

  const paths = {
    json: join(dir, 'tokenizer.json'),
    vocabJson: join(dir, 'vocab.json'),
    merges: join(dir, 'merges.txt'),
    addedTokens: join(dir, 'added_tokens.json'),
    vocabTxt: join(dir, 'vocab.txt'),
  };
  if (await exists(paths.json)) {
    const tokenizerJson = validateTokenizerJson(await readJsonObject(paths.json), paths.json);
    return { kind: 'tokenizer.json', path: paths.json, tokenizerJson, config };
  }
  const hasVocabTxt = await exists(paths.vocabTxt);
  const bpe = await readBpeFiles(dir, paths, rawConfig, map, hasVocabTxt);
  if (bpe) return bpe;
  if (hasVocabTxt) return { kind: 'vocab.txt', path: paths.vocabTxt, vocabText: await readText(paths.vocabTxt), config };
  for (const name of SENTENCEPIECE_FILES) {
    const path = join(dir, name);
    if (await exists(path)) return readSentencePieceFolder(dir, path, config, (await exists(mapPath)) ? map : undefined);
  }
  throw new TokenizerError(
    'missing-path',
    `No tokenizer in ${dir}: expected ${paths.json}, or ${paths.vocabJson} + ${paths.merges} (byte-level BPE, RoBERTa family), ` +
      `or ${paths.vocabTxt} (WordPiece, BERT family), or a SentencePiece model (${SENTENCEPIECE_FILES.join(', ')}; DeBERTa-v2/v3, XLM-R); ` +
      'tokenizer_config.json, special_tokens_map.json and added_tokens.json are read beside them.',
    { path: paths.json },
  );
}

async function checkFolder(dir: string): Promise<void> {
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
    throw new TokenizerError(
      'missing-path',
      `Not a folder: ${dir} (expected a folder holding tokenizer.json, vocab.json + merges.txt, vocab.txt or a SentencePiece .model).`,
      {
        path: dir,
      },
    );
  }
}

/** The tokenizer class AutoTokenizer would pick: tokenizer_class, else config.json's model_type. */
async function folderKind(dir: string, config: TokenizerConfigJson): Promise<TokenizerKind> {
  if (typeof config.tokenizer_class === 'string' && config.tokenizer_class !== '') return tokenizerKind(config.tokenizer_class, undefined);
  const modelConfigPath = join(dir, 'config.json');
  const modelConfig = (await exists(modelConfigPath)) ? await readJsonObject(modelConfigPath) : {};
  return tokenizerKind(undefined, modelConfig.model_type);
}

/**
 * The byte-level BPE files, when the folder is to be read through them (see readTokenizerFolder);
 * undefined when it is not. A half pair (merges.txt without vocab.json, or the reverse) with no
 * vocab.txt to fall back on is an error naming the missing file, and so is a pair in a folder whose
 * tokenizer class is not a RoBERTa-family one.
 */
async function readBpeFiles(
  dir: string,
  paths: { vocabJson: string; merges: string; addedTokens: string },
  rawConfig: TokenizerConfigJson,
  map: Record<string, unknown>,
  hasVocabTxt: boolean,
): Promise<TokenizerFolderContents | undefined> {
  const hasVocab = await exists(paths.vocabJson);
  const hasMerges = await exists(paths.merges);
  if (!hasVocab && !hasMerges) return undefined;
  const kind = await folderKind(dir, rawConfig);
  if (hasVocabTxt && !(kind.kind === 'roberta' && hasVocab && hasMerges)) return undefined;
  if (kind.kind === 'other') {
    throw new TokenizerError(
      'unsupported',
      `${dir} has ${hasVocab ? paths.vocabJson : paths.merges} but its ${kind.reason} is not a RoBERTa-family tokenizer; ` +
        'Finetune converts vocab.json + merges.txt for RobertaTokenizer (and Bart/Longformer/LED/Mvp), other tokenizers need a tokenizer.json.',
      { path: hasVocab ? paths.vocabJson : paths.merges },
    );
  }
  if (!hasVocab || !hasMerges) {
    const [present, missing] = hasVocab ? [paths.vocabJson, paths.merges] : [paths.merges, paths.vocabJson];
    throw new TokenizerError('missing-path', `${present} has no ${missing} beside it: a byte-level BPE tokenizer needs both vocab.json and merges.txt.`, {
      path: missing,
    });
  }
  // special_tokens_map.json fills the roles tokenizer_config.json does not set, AddedToken objects kept (their flags matter here).
  const config: Record<string, unknown> = { ...rawConfig };
  for (const role of [...BPE_SPECIAL_TOKEN_ROLES, 'additional_special_tokens'])
    if (config[role] === undefined && map[role] !== undefined) config[role] = map[role];
  const hasAdded = await exists(paths.addedTokens);
  return {
    kind: 'vocab.json+merges.txt',
    path: paths.vocabJson,
    mergesPath: paths.merges,
    addedTokensPath: paths.addedTokens,
    vocabText: await readText(paths.vocabJson),
    mergesText: await readText(paths.merges),
    ...(hasAdded ? { addedTokensText: await readText(paths.addedTokens) } : {}),
    config: config as TokenizerConfigJson,
  };
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
