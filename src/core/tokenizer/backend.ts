/**
 * The one place that touches the tokenization library: Tokenizers.js (`@huggingface/tokenizers`),
 * the pure-JS implementation of Hugging Face tokenizers that Transformers.js' `PreTrainedTokenizer`
 * wraps. It has no native parts and no dependencies, so it is bundled into the CLI and the VS Code
 * extension, loads in milliseconds, and needs no onnxruntime-web / sharp / transformers at run
 * time (Transformers.js is only a dev dependency, used by tests that check our exports load there).
 *
 * The tokenizer is built straight from the parsed JSON objects (`new Tokenizer(json, config)`): no
 * hub, cache or network code path, and errors about files are ours to word.
 *
 * The rest of core/tokenizer sees only `LibraryTokenizer`, the few calls it needs (text -> word
 * pieces and ids, ids -> text, the vocabulary); truncation and special tokens are done on id lists
 * in tokenizer.ts / postprocess.ts.
 *
 * Where the library differs from Rust `tokenizers` (what transformers' fast tokenizers run), the
 * differing components are replaced after construction: the BertNormalizer (normalizer.ts); for
 * SentencePiece-style tokenizers the Precompiled/Strip/Lowercase/Prepend normalizers and the
 * Metaspace/Punctuation pre-tokenizers (pipeline.ts), the Metaspace decoder and the Unigram model
 * (unigram.ts). The library keeps the added-token splitting and the id lookup.
 */
import { Tokenizer as TokenizersJs } from '@huggingface/tokenizers';
import { TokenizerError } from './errors.js';
import { bertNormalize, bertNormalizerOptions } from './normalizer.js';
import { createNormalizer, createPreTokenizer, metaspaceDecodeChain } from './pipeline.js';
import type { AddedTokenJson, BertNormalizerJson, TokenizerConfigJson, TokenizerJson } from './types.js';
import { UnigramModel } from './unigram.js';

/** What tokenizer.ts needs of the library. None of the methods adds special tokens. */
export interface LibraryTokenizer {
  /** Word-piece tokens of a text (and of a pair, concatenated). */
  tokenize(text: string, pair?: string | null): string[];
  /** Ids of a text's word pieces. */
  textToIds(text: string): number[];
  /** Text of (non-empty) ids; cleanup of tokenization spaces as the config says. */
  decode(ids: readonly number[], skipSpecialTokens: boolean): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

/**
 * Creates the library tokenizer. Where the tokenizer.json normalizer is a BertNormalizer, the
 * library's normalization is replaced by `bertNormalize`, which matches Rust `tokenizers`
 * (see normalizer.ts for the differences it fixes); the SentencePiece-style components are replaced
 * as the file comment says. Throws what the library throws on a tokenizer.json it cannot build
 * (the caller words the error), and a TokenizerError naming `source` for a malformed Unigram model.
 */
export function createLibraryTokenizer(json: TokenizerJson, config: TokenizerConfigJson, source = 'tokenizer.json'): LibraryTokenizer {
  // Old tokenizer.json files leave out model.type; an array vocabulary is a Unigram one (as the library reads it).
  const isUnigram = json.model.type === 'Unigram' || (json.model.type === undefined && Array.isArray(json.model.vocab));
  const unigram = isUnigram ? unigramModel(json, source) : null;
  // The library builds its own Unigram (slowly, for a large vocabulary) only to have it replaced:
  // give it a one-piece stand-in.
  const libJson = unigram ? { ...json, model: { type: 'Unigram', unk_id: 0, vocab: [[unigram.vocab[unigram.unkId]?.[0] ?? '', 0]] } } : json;
  const lib = new TokenizersJs(libJson, config);
  const normalizer = lib.normalizer;
  // The library calls a normalizer as a function, which dispatches to its `normalize` method.
  if (json.normalizer?.type === 'BertNormalizer' && normalizer && typeof normalizer.normalize === 'function') {
    const options = bertNormalizerOptions(json.normalizer as Partial<BertNormalizerJson>);
    normalizer.normalize = (text: string) => bertNormalize(text, options);
  }
  useRustComponents(lib, json, source);
  if (unigram) lib.model = libraryModel(unigram.model, unigram.vocab, unigram.unkId, json.added_tokens);
  return {
    tokenize: (text, pair = null) => lib.tokenize(text, { text_pair: pair, add_special_tokens: false }),
    textToIds: (text) => lib.encode(text, { add_special_tokens: false }).ids,
    decode: (ids, skipSpecialTokens) => lib.decode(ids as number[], { skip_special_tokens: skipSpecialTokens }),
    tokenToId: (token) => lib.token_to_id(token),
    idToToken: (id) => lib.id_to_token(id),
  };
}

/** Whether a component tree (a normalizer or pre-tokenizer JSON) uses one of `types`. */
function uses(json: unknown, types: readonly string[]): boolean {
  if (Array.isArray(json)) return json.some((x) => uses(x, types));
  if (typeof json !== 'object' || json === null) return false;
  const node = json as Record<string, unknown>;
  return (typeof node.type === 'string' && types.includes(node.type)) || Object.values(node).some((v) => typeof v === 'object' && uses(v, types));
}

/** Replaces the library's normalizer, pre-tokenizer and decoder where they differ from Rust (see the file comment). */
function useRustComponents(lib: TokenizersJs, json: TokenizerJson, source: string): void {
  if (lib.normalizer && uses(json.normalizer, ['Precompiled', 'Strip', 'Lowercase', 'Prepend'])) {
    const normalize = createNormalizer(json.normalizer, source);
    if (normalize) lib.normalizer.normalize = normalize;
  }
  if (lib.pre_tokenizer && uses(json.pre_tokenizer, ['Metaspace', 'Punctuation'])) {
    const preTokenize = createPreTokenizer(json.pre_tokenizer);
    // The library calls its pre-tokenizer as a function: (text, { section_index }).
    const call = (text: string, options?: { section_index?: number }) => preTokenize?.(text, options?.section_index ?? 0);
    if (preTokenize) lib.pre_tokenizer = call as unknown as TokenizersJs['pre_tokenizer'];
  }
  const decodeChain = metaspaceDecodeChain(json.decoder);
  if (decodeChain && lib.decoder) (lib.decoder as unknown as { decode_chain: typeof decodeChain }).decode_chain = decodeChain;
}

type UnigramVocab = [string, number][];

function unigramModel(json: TokenizerJson, source: string): { model: UnigramModel; vocab: UnigramVocab; unkId: number } {
  const vocab = json.model.vocab;
  if (!Array.isArray(vocab))
    throw new TokenizerError('malformed-file', `${source}: a Unigram model.vocab must be an array of [piece, score] pairs.`, { path: source });
  const bad = vocab.findIndex((e) => !Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number');
  if (bad >= 0) throw new TokenizerError('malformed-file', `${source}: model.vocab[${bad}] is not a [piece, score] pair.`, { path: source });
  const unkId = json.model.unk_id;
  if (!(Number.isInteger(unkId) && (unkId as number) >= 0 && (unkId as number) < vocab.length)) {
    throw new TokenizerError('malformed-file', `${source}: model.unk_id must be the id of a vocabulary entry.`, { path: source });
  }
  const model = new UnigramModel(vocab as UnigramVocab, unkId as number, json.model.byte_fallback === true);
  return { model, vocab: vocab as UnigramVocab, unkId: unkId as number };
}

/**
 * The model object the library calls (`model(preTokens)` -> piece strings) and reads (`tokens_to_ids`,
 * `vocab`, `unk_token_id` to map pieces to ids and back; the added tokens included, as the library's
 * constructor adds them). An unknown piece's text is in no map, so the library gives it unk_token_id.
 */
function libraryModel(unigram: UnigramModel, vocab: UnigramVocab, unkId: number, added: readonly AddedTokenJson[]): TokenizersJs['model'] {
  const tokensToIds = new Map<string, number>();
  const pieces: string[] = [];
  vocab.forEach(([piece], id) => {
    tokensToIds.set(piece, id);
    pieces[id] = piece;
  });
  for (const t of added) {
    tokensToIds.set(t.content, t.id);
    pieces[t.id] = t.content;
  }
  const call = (preTokens: string[]) => preTokens.flatMap((t) => unigram.tokenize(t).map((p) => p.token));
  const model = Object.assign(call, { tokens_to_ids: tokensToIds, vocab: pieces, unk_token_id: unkId, unk_token: pieces[unkId], fuse_unk: false });
  return model as unknown as TokenizersJs['model'];
}
