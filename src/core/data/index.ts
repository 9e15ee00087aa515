/**
 * core/data: what run_classification.py does with `datasets` before the Trainer.
 *  - `readTable(file, opts)`: CSV / TSV / JSON / JSONL, streamed, UTF-8 checked, row numbers kept;
 *  - `loadClassificationData(opts)`: columns, empty-row dropping, task detection, label list,
 *    train/validation/test (files, or a seeded stratified split of the train file);
 *  - `encodeDataset(data, tokenizer, opts)`: tokenize once, cut to max_seq_length (truncate, head + tail,
 *    or sliding-window chunks: long-text.ts), one row per model input;
 *  - `aggregateDocuments`: chunk outputs -> one prediction per document;
 *  - `collate(split, indices)`: dynamic padding into the engine's `Batch`;
 *  - `BatchSampler` (sequential / random / length-grouped / length-shuffled, resumable), `evalBatches`, `RowOrder`;
 *  - `datasetStats(data, encoded)`;
 *  - `labelEdit(text, request)`: one row's label rewritten in place, as a minimal text edit.
 * Every error is a `DataError` naming the file (and row / column where there is one).
 */
export { DETECT_ROWS, detectColumns, labelColumnByName, LABEL_NAMES, TEXT_NAMES, PAIR_NAMES, type ColumnRoles } from './columns.js';
export { DataError, type DataErrorCode, type DataErrorDetails, didYouMean, editDistance } from './errors.js';
export { decodeFile, firstInvalidUtf8, type DecodeOptions, type DecodeProgress } from './utf8.js';
export { labelEdit, applyEdit, type LabelEdit, type LabelEditRequest, type Position } from './edit-label.js';
export { readTable, formatFromName, resolveFormat, dedupeHeader, whereRow, type DataFormat, type ReadOptions, type Table } from './read.js';
export {
  detectLabelKind,
  labelKey,
  multiLabelKeys,
  regressionValue,
  sortLabels,
  compareCodePoints,
  labelToId,
  type LabelColumnKind,
  type LabelSort,
  type ProblemType,
  type TaskOption,
} from './labels.js';
export { approximateMode, permutation, randomSplit, stratifiedSplit, type SplitIndices, type SplitSizes } from './split.js';
export {
  loadClassificationData,
  loadSplitForModel,
  relabelData,
  labelledRows,
  type SkippedRow,
  type ModelDataOptions,
  selectRows,
  type ClassificationData,
  type ColumnSpec,
  type DataOptions,
  type DataSplit,
  type DropCounts,
  type SplitLabels,
  type SplitName,
} from './prepare.js';
export {
  encodeDataset,
  encodeSplit,
  resolveMaxLength,
  EncodedSplit,
  pickLabels,
  type Documents,
  type SplitLayout,
  type EncodedDataset,
  type EncodedRow,
  type EncodeOptions,
  type EncodeProgress,
} from './encode.js';
export { collate, type CollateOptions, type IndexedBatch } from './batch.js';
export {
  BatchSampler,
  evalBatches,
  lengthGroupedIndices,
  shuffledLengthGroupedIndices,
  RowOrder,
  type SampledBatch,
  type SamplerKind,
  type SamplerOptions,
  type SamplerState,
} from './samplers.js';
export {
  datasetStats,
  lengthStats,
  longTextStats,
  longTextStatsOf,
  percentile,
  splitStats,
  type DatasetStats,
  type LengthStats,
  type LongTextModeStats,
  type LongTextRows,
  type LongTextStats,
  type SplitStats,
  type TargetStats,
} from './stats.js';
export {
  LONG_TEXT_MODES,
  HEAD_SHARE,
  defaultDocStride,
  headTailSizes,
  planChunks,
  spanIds,
  tokensRead,
  windowStarts,
  type Chunk,
  type ChunkAggregation,
  type LongTextMode,
  type LongTextOptions,
  type PlanOptions,
  type Span,
} from './long-text.js';
export { aggregateDocuments, aggregateProbabilities, chunkProbabilities, documentLoss, logitsOf, type LossOptions } from './aggregate.js';
