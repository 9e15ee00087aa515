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
 */
import { Tokenizer as TokenizersJs } from '@huggingface/tokenizers';
import { bertNormalize, bertNormalizerOptions } from './normalizer.js';
import type { BertNormalizerJson, TokenizerConfigJson, TokenizerJson } from './types.js';

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
 * (see normalizer.ts for the differences it fixes). Throws what the library throws on a
 * tokenizer.json it cannot build (the caller words the error).
 */
export function createLibraryTokenizer(json: TokenizerJson, config: TokenizerConfigJson): LibraryTokenizer {
  const lib = new TokenizersJs(json, config);
  const normalizer = lib.normalizer;
  // The library calls a normalizer as a function, which dispatches to its `normalize` method.
  if (json.normalizer?.type === 'BertNormalizer' && normalizer && typeof normalizer.normalize === 'function') {
    const options = bertNormalizerOptions(json.normalizer as Partial<BertNormalizerJson>);
    normalizer.normalize = (text: string) => bertNormalize(text, options);
  }
  return {
    tokenize: (text, pair = null) => lib.tokenize(text, { text_pair: pair, add_special_tokens: false }),
    textToIds: (text) => lib.encode(text, { add_special_tokens: false }).ids,
    decode: (ids, skipSpecialTokens) => lib.decode(ids as number[], { skip_special_tokens: skipSpecialTokens }),
    tokenToId: (token) => lib.token_to_id(token),
    idToToken: (id) => lib.id_to_token(id),
  };
}
