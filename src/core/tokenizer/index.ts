/**
 * core/tokenizer: Hugging Face tokenizers for the trainer.
 *  - `Tokenizer.fromFolder(dir)`: tokenizer.json (+ tokenizer_config.json), or vocab.json + merges.txt
 *    (RoBERTa family), or a bare vocab.txt, or a SentencePiece model (DeBERTa-v2/v3 spm.model, XLM-R
 *    sentencepiece.bpe.model);
 *  - `convertBertVocab(vocabText, config)`: vocab.txt -> tokenizer.json / tokenizer_config.json /
 *    special_tokens_map.json, as transformers' BertConverter;
 *  - `convertRobertaBpe(files, config)`: vocab.json + merges.txt -> the same three, as transformers'
 *    RobertaConverter;
 *  - `parseSentencePieceModel` + `convertSentencePiece`: .model -> tokenizer.json, as transformers'
 *    DebertaV2Converter / XLMRobertaConverter;
 *  - `tokenizer.encode / encodeBatch`: ids, attention mask, token types, HF truncation semantics;
 *  - `tokenizer.offsets(text)`: each token's character span; `groupWords`: tokens into words.
 */
export { Tokenizer, type Encoding, type EncodeOptions, type SpecialToken } from './tokenizer.js';
export { TokenizerError, type TokenizerErrorCode } from './errors.js';
export {
  convertBertVocab,
  parseVocab,
  bertVocabOptions,
  specialTokenName,
  SPECIAL_TOKEN_ROLES,
  type SpecialTokenRole,
  type ConvertedBertTokenizer,
  type BertVocabOptions,
} from './vocab.js';
export {
  convertRobertaBpe,
  parseBpeVocab,
  parseMerges,
  robertaBpeOptions,
  tokenizerKind,
  BPE_SPECIAL_TOKEN_ROLES,
  ROBERTA_DEFAULT_SPECIAL_TOKENS,
  type BpeSpecialTokenRole,
  type ByteLevelBpeFiles,
  type ByteLevelBpeSources,
  type ConvertedBpeTokenizer,
  type RobertaBpeOptions,
  type TokenizerKind,
} from './bpe.js';
export { alignTokens, groupWords, tokenBytes, type Offset, type WordSpan } from './offsets.js';
export { truncateIds, type TruncationStrategy, type TruncationSide, type Truncated } from './truncation.js';
export { planFromPostProcessor, type Parity, type SpecialTokensPlan, type BuiltInputs } from './postprocess.js';
export { bertNormalize, bertNormalizerOptions, type BertNormalizerOptions } from './normalizer.js';
export { readTokenizerFolder, validateTokenizerJson, SENTENCEPIECE_FILES, type TokenizerFolderContents } from './folder.js';
export { parseSentencePieceModel, PieceType, SpmModelType, type SentencePieceModel, type SentencePiece } from './spm-model.js';
export {
  chooseConverter,
  convertSentencePiece,
  SPM_FILE_NAMES,
  type SentencePieceConverter,
  type SentencePieceInputs,
  type ConvertedSentencePiece,
} from './sentencepiece.js';
export type * from './types.js';
