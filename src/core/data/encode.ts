/**
 * Tokenization of prepared splits: every row tokenized once (identical texts once per split),
 * cut to max_seq_length as `--long_text` says (long-text.ts; by default truncated as HF
 * `truncation=True`, 'longest_first' for pairs), stored packed (one Int32Array of ids for the whole
 * split + offsets) with its untruncated length for statistics. With sliding windows a document
 * becomes several rows (its chunks, consecutive, each with the document's label) and the split
 * keeps which rows belong to which document (`documents`). No padding here: batches pad to their own
 * longest row (batch.ts).
 */
import type { Tokenizer } from '../tokenizer/index.js';
import type { TruncationSide } from '../tokenizer/truncation.js';
import { type LongTextOptions, planChunks, spanIds } from './long-text.js';
import type { ClassificationData, DataSplit, SplitLabels, SplitName } from './prepare.js';

export interface EncodedRow {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
  /** Class id (single-label), label ids (multi-label), target (regression); absent when unlabelled. */
  label?: number | number[];
}

/** Which rows (model inputs) belong to which document, where a document may be several rows (sliding windows). */
export interface Documents {
  /** Document d is rows start[d] .. start[d + 1] - 1 (consecutive, in the document's order). */
  readonly start: Int32Array;
  /** The documents' labels (every row carries its document's). */
  readonly labels: SplitLabels | null;
}

/** How a split's documents were cut into rows, and what the statistics of the other modes need. */
export interface SplitLayout {
  longText: LongTextOptions;
  /** null: every document is one row. */
  documents: Documents | null;
  /** Content tokens (no special tokens) of each document's text, and of its pair. */
  textLengths: Int32Array;
  pairLengths: Int32Array | null;
  /** Content tokens one input holds: max_seq_length less the special tokens (of a pair when the split has pairs). */
  budget: number;
  side: TruncationSide;
}

/** Labels of rows `idx` (in that order). */
export function pickLabels(l: SplitLabels | null, idx: readonly number[]): SplitLabels | null {
  if (l?.kind === 'single') return { kind: 'single', ids: Int32Array.from(idx, (i) => l.ids[i]!) };
  if (l?.kind === 'regression') return { kind: 'regression', values: Float32Array.from(idx, (i) => l.values[i]!) };
  if (l?.kind === 'multi') {
    const c = l.numLabels;
    const m = new Uint8Array(idx.length * c);
    idx.forEach((i, k) => m.set(l.multiHot.subarray(i * c, (i + 1) * c), k * c));
    return { kind: 'multi', numLabels: c, multiHot: m };
  }
  return null;
}

export class EncodedSplit {
  constructor(
    readonly name: SplitName,
    /** Token ids of all rows, back to back. */
    readonly inputIds: Int32Array,
    /** Row i is inputIds[offsets[i] .. offsets[i + 1]). */
    readonly offsets: Int32Array,
    readonly tokenTypeIds: Uint8Array,
    /** Length of each document before truncation, special tokens included. */
    readonly fullLengths: Int32Array,
    /** Each row's label (a chunk carries its document's). */
    readonly labels: SplitLabels | null,
    readonly padTokenId: number,
    /** The max_seq_length used. */
    readonly maxLength: number,
    readonly layout: SplitLayout = defaultLayout(fullLengths, maxLength),
  ) {}

  /** Rows: model inputs (more than the documents with sliding windows). */
  get size(): number {
    return this.offsets.length - 1;
  }

  /** Rows of the data file (each one or several rows here). */
  get documentCount(): number {
    return this.documents ? this.documents.start.length - 1 : this.size;
  }

  /** Set when a document may span several rows (sliding windows). */
  get documents(): Documents | null {
    return this.layout.documents;
  }

  /** One label per document. */
  get documentLabels(): SplitLabels | null {
    return this.documents ? this.documents.labels : this.labels;
  }

  length(i: number): number {
    return this.offsets[i + 1]! - this.offsets[i]!;
  }

  /** Token lengths of all rows (after truncation). */
  lengths(): Int32Array {
    const n = this.size;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.offsets[i + 1]! - this.offsets[i]!;
    return out;
  }

  /** Documents `idx` (with all their rows) as a split of their own (e.g. the labelled rows of a test file). */
  select(idx: readonly number[]): EncodedSplit {
    const docs = this.documents;
    const rows = docs ? idx.flatMap((d) => Array.from({ length: docs.start[d + 1]! - docs.start[d]! }, (_, k) => docs.start[d]! + k)) : [...idx];
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((i, k) => (offsets[k + 1] = offsets[k]! + this.length(i)));
    const ids = new Int32Array(offsets[rows.length]!);
    const types = new Uint8Array(ids.length);
    rows.forEach((i, k) => {
      ids.set(this.inputIds.subarray(this.offsets[i]!, this.offsets[i + 1]!), offsets[k]!);
      types.set(this.tokenTypeIds.subarray(this.offsets[i]!, this.offsets[i + 1]!), offsets[k]!);
    });
    const l = this.layout;
    let documents: Documents | null = null;
    if (docs) {
      const start = new Int32Array(idx.length + 1);
      idx.forEach((d, k) => (start[k + 1] = start[k]! + docs.start[d + 1]! - docs.start[d]!));
      documents = { start, labels: pickLabels(docs.labels, idx) };
    }
    const layout: SplitLayout = {
      ...l,
      documents,
      textLengths: Int32Array.from(idx, (d) => l.textLengths[d]!),
      pairLengths: l.pairLengths ? Int32Array.from(idx, (d) => l.pairLengths![d]!) : null,
    };
    const full = Int32Array.from(idx, (i) => this.fullLengths[i]!);
    return new EncodedSplit(this.name, ids, offsets, types, full, pickLabels(this.labels, rows), this.padTokenId, this.maxLength, layout);
  }

  row(i: number): EncodedRow {
    const a = this.offsets[i]!;
    const b = this.offsets[i + 1]!;
    const row: EncodedRow = {
      inputIds: Array.from(this.inputIds.subarray(a, b)),
      attentionMask: new Array<number>(b - a).fill(1),
      tokenTypeIds: Array.from(this.tokenTypeIds.subarray(a, b)),
    };
    const l = this.labels;
    if (l?.kind === 'single') row.label = l.ids[i]!;
    else if (l?.kind === 'regression') row.label = l.values[i]!;
    else if (l?.kind === 'multi') {
      const ids: number[] = [];
      for (let c = 0; c < l.numLabels; c++) if (l.multiHot[i * l.numLabels + c]) ids.push(c);
      row.label = ids;
    }
    return row;
  }
}

export interface EncodeProgress {
  split: SplitName;
  done: number;
  total: number;
}

export interface EncodeOptions {
  /** run_classification.py's max_seq_length (default 128), capped at the tokenizer's model_max_length. */
  maxSeqLength?: number;
  /** What to do with rows longer than max_seq_length (default: truncate). */
  longText?: LongTextOptions;
  signal?: AbortSignal;
  onProgress?: (p: EncodeProgress) => void;
}

/** A layout for splits built without one: one row per document, truncated. */
function defaultLayout(fullLengths: Int32Array, maxLength: number): SplitLayout {
  return { longText: { mode: 'truncate' }, documents: null, textLengths: fullLengths, pairLengths: null, budget: maxLength, side: 'right' };
}

class Growable {
  data: Int32Array;
  types: Uint8Array;
  size = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
    this.types = new Uint8Array(this.data.length);
  }
  push(ids: readonly number[], types: readonly number[]): void {
    const need = this.size + ids.length;
    if (need > this.data.length) {
      let cap = this.data.length * 2;
      while (cap < need) cap *= 2;
      const d = new Int32Array(cap);
      d.set(this.data.subarray(0, this.size));
      const t = new Uint8Array(cap);
      t.set(this.types.subarray(0, this.size));
      this.data = d;
      this.types = t;
    }
    for (let k = 0; k < ids.length; k++) {
      this.data[this.size + k] = ids[k]!;
      this.types[this.size + k] = types[k]!;
    }
    this.size = need;
  }
}

/** max_seq_length as run_classification.py resolves it: min(requested, model_max_length). */
export function resolveMaxLength(tokenizer: Tokenizer, maxSeqLength = 128): number {
  return Math.min(maxSeqLength, tokenizer.modelMaxLength ?? Infinity);
}

const YIELD_EVERY = 2048;

/** Ids of texts, each distinct text tokenized once. */
function cachedIds(tokenizer: Tokenizer): (text: string) => number[] {
  const cache = new Map<string, number[]>();
  return (t) => {
    let v = cache.get(t);
    if (!v) {
      v = tokenizer.textToIds(t);
      cache.set(t, v);
    }
    return v;
  };
}

/** Tokenizes one split: one row per document, or per chunk with sliding windows. */
export async function encodeSplit(split: DataSplit, tokenizer: Tokenizer, options: EncodeOptions = {}): Promise<EncodedSplit> {
  const maxLength = resolveMaxLength(tokenizer, options.maxSeqLength);
  const longText = options.longText ?? { mode: 'truncate' };
  const n = split.texts.length;
  const offsets: number[] = [0];
  const full = new Int32Array(n);
  const textLengths = new Int32Array(n);
  const pairLengths = split.pairs ? new Int32Array(n) : null;
  const docStart = new Int32Array(n + 1);
  const rowDocs: number[] = [];
  const buf = new Growable(n * 32);
  const ids = cachedIds(tokenizer);
  const specials = tokenizer.numSpecialTokensToAdd(split.pairs !== null);
  // The tokenizer's own error when max_seq_length cannot hold the special tokens.
  tokenizer.prepareForModel([], split.pairs ? [] : null, { maxLength, truncation: true });
  const plan = { ...longText, budget: maxLength - specials, side: tokenizer.truncationSide, maxLength };
  for (let i = 0; i < n; i++) {
    if (i % YIELD_EVERY === 0 && i > 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ split: split.name, done: i, total: n });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const a = ids(split.texts[i]!);
    const b = split.pairs ? ids(split.pairs[i]!) : null;
    full[i] = a.length + (b ? b.length : 0) + specials;
    textLengths[i] = a.length;
    if (pairLengths && b) pairLengths[i] = b.length;
    for (const chunk of planChunks(a.length, b ? b.length : null, plan)) {
      const enc = tokenizer.prepareForModel(spanIds(a, chunk.a), b && chunk.b ? spanIds(b, chunk.b) : null, { truncation: false });
      buf.push(enc.inputIds, enc.tokenTypeIds);
      offsets.push(buf.size);
      rowDocs.push(i);
    }
    docStart[i + 1] = rowDocs.length;
  }
  options.onProgress?.({ split: split.name, done: n, total: n });
  const chunked = rowDocs.length !== n;
  const layout: SplitLayout = {
    longText,
    documents: chunked ? { start: docStart, labels: split.labels } : null,
    textLengths,
    pairLengths,
    budget: plan.budget,
    side: plan.side,
  };
  const labels = chunked ? pickLabels(split.labels, rowDocs) : split.labels;
  const types = buf.types.slice(0, buf.size);
  return new EncodedSplit(split.name, buf.data.slice(0, buf.size), Int32Array.from(offsets), types, full, labels, tokenizer.padTokenId, maxLength, layout);
}

export interface EncodedDataset {
  train: EncodedSplit;
  validation?: EncodedSplit;
  test?: EncodedSplit;
}

/** Tokenizes every split of prepared data. */
export async function encodeDataset(data: ClassificationData, tokenizer: Tokenizer, options: EncodeOptions = {}): Promise<EncodedDataset> {
  const out: EncodedDataset = { train: await encodeSplit(data.train, tokenizer, options) };
  if (data.validation) out.validation = await encodeSplit(data.validation, tokenizer, options);
  if (data.test) out.test = await encodeSplit(data.test, tokenizer, options);
  return out;
}
