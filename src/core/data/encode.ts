/**
 * Tokenization of prepared splits: every row tokenized once (identical texts once per split),
 * truncated at max_seq_length (HF `truncation=True`, 'longest_first' for pairs), stored packed
 * (one Int32Array of ids for the whole split + offsets) with its untruncated length for statistics.
 * No padding here: batches pad to their own longest row (batch.ts).
 */
import type { Tokenizer } from '../tokenizer/index.js';
import type { ClassificationData, DataSplit, SplitLabels, SplitName } from './prepare.js';

export interface EncodedRow {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
  /** Class id (single-label), label ids (multi-label), target (regression); absent when unlabelled. */
  label?: number | number[];
}

export class EncodedSplit {
  constructor(
    readonly name: SplitName,
    /** Token ids of all rows, back to back. */
    readonly inputIds: Int32Array,
    /** Row i is inputIds[offsets[i] .. offsets[i + 1]). */
    readonly offsets: Int32Array,
    readonly tokenTypeIds: Uint8Array,
    /** Length before truncation, special tokens included. */
    readonly fullLengths: Int32Array,
    readonly labels: SplitLabels | null,
    readonly padTokenId: number,
    /** The max_seq_length used. */
    readonly maxLength: number,
  ) {}

  get size(): number {
    return this.offsets.length - 1;
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

  /** Rows `idx` as a split of their own (e.g. the labelled rows of a test file). */
  select(idx: readonly number[]): EncodedSplit {
    const offsets = new Int32Array(idx.length + 1);
    idx.forEach((i, k) => (offsets[k + 1] = offsets[k]! + this.length(i)));
    const ids = new Int32Array(offsets[idx.length]!);
    const types = new Uint8Array(ids.length);
    idx.forEach((i, k) => {
      ids.set(this.inputIds.subarray(this.offsets[i]!, this.offsets[i + 1]!), offsets[k]!);
      types.set(this.tokenTypeIds.subarray(this.offsets[i]!, this.offsets[i + 1]!), offsets[k]!);
    });
    const l = this.labels;
    let labels: SplitLabels | null = null;
    if (l?.kind === 'single') labels = { kind: 'single', ids: Int32Array.from(idx, (i) => l.ids[i]!) };
    else if (l?.kind === 'regression') labels = { kind: 'regression', values: Float32Array.from(idx, (i) => l.values[i]!) };
    else if (l?.kind === 'multi') {
      const c = l.numLabels;
      const m = new Uint8Array(idx.length * c);
      idx.forEach((i, k) => m.set(l.multiHot.subarray(i * c, (i + 1) * c), k * c));
      labels = { kind: 'multi', numLabels: c, multiHot: m };
    }
    return new EncodedSplit(
      this.name,
      ids,
      offsets,
      types,
      Int32Array.from(idx, (i) => this.fullLengths[i]!),
      labels,
      this.padTokenId,
      this.maxLength,
    );
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
  signal?: AbortSignal;
  onProgress?: (p: EncodeProgress) => void;
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

/** Tokenizes one split. */
export async function encodeSplit(split: DataSplit, tokenizer: Tokenizer, options: EncodeOptions = {}): Promise<EncodedSplit> {
  const maxLength = resolveMaxLength(tokenizer, options.maxSeqLength);
  const n = split.texts.length;
  const offsets = new Int32Array(n + 1);
  const full = new Int32Array(n);
  const buf = new Growable(n * 32);
  const cache = new Map<string, number[]>();
  const ids = (t: string): number[] => {
    let v = cache.get(t);
    if (!v) {
      v = tokenizer.textToIds(t);
      cache.set(t, v);
    }
    return v;
  };
  const opts = { maxLength, truncation: true } as const;
  const specialSingle = tokenizer.numSpecialTokensToAdd(false);
  const specialPair = tokenizer.numSpecialTokensToAdd(true);
  for (let i = 0; i < n; i++) {
    if (i % YIELD_EVERY === 0 && i > 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ split: split.name, done: i, total: n });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const a = ids(split.texts[i]!);
    const b = split.pairs ? ids(split.pairs[i]!) : null;
    full[i] = a.length + (b ? b.length + specialPair : specialSingle);
    const enc = tokenizer.prepareForModel(a, b, opts);
    buf.push(enc.inputIds, enc.tokenTypeIds);
    offsets[i + 1] = buf.size;
  }
  options.onProgress?.({ split: split.name, done: n, total: n });
  return new EncodedSplit(split.name, buf.data.slice(0, buf.size), offsets, buf.types.slice(0, buf.size), full, split.labels, tokenizer.padTokenId, maxLength);
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
