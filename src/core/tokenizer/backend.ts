/**
 * The one place that touches the tokenization library: Transformers.js (`@huggingface/transformers`,
 * whose `PreTrainedTokenizer` wraps Tokenizers.js). It is imported lazily because loading it also
 * loads onnxruntime-node and sharp (~0.5 s); code that only converts vocabularies or reads
 * configs does not pay for that.
 *
 * The tokenizer is built straight from the parsed JSON objects (`new PreTrainedTokenizer(json,
 * config)`), not with `AutoTokenizer.from_pretrained`: no global `env` to set
 * (`allowRemoteModels`, `localModelPath`), no cache, no network code path at all, and errors
 * about files are ours to word (from_pretrained reports a missing folder as "Cannot read
 * properties of undefined (reading 'tokenizer_class')").
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { bertNormalize, bertNormalizerOptions } from './normalizer.js';
import type { BertNormalizerJson, TokenizerConfigJson, TokenizerJson } from './types.js';

export type LibraryTokenizer = PreTrainedTokenizer;

type TransformersModule = typeof import('@huggingface/transformers');
let transformers: Promise<TransformersModule> | undefined;

function loadTransformers(): Promise<TransformersModule> {
  transformers ??= import('@huggingface/transformers');
  return transformers;
}

/**
 * Creates the library tokenizer. Where the tokenizer.json normalizer is a BertNormalizer, the
 * library's normalization is replaced by `bertNormalize`, which matches Rust `tokenizers`
 * (see normalizer.ts for the differences it fixes).
 */
export async function createLibraryTokenizer(json: TokenizerJson, config: TokenizerConfigJson): Promise<LibraryTokenizer> {
  const { PreTrainedTokenizer } = await loadTransformers();
  const lib = new PreTrainedTokenizer(json, config);
  const normalizer = lib._tokenizer.normalizer;
  if (json.normalizer?.type === 'BertNormalizer' && normalizer && typeof normalizer.normalize === 'function') {
    const options = bertNormalizerOptions(json.normalizer as Partial<BertNormalizerJson>);
    normalizer.normalize = (text: string) => bertNormalize(text, options);
  }
  return lib;
}
