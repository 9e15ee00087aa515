/**
 * A document read as several chunks (sliding windows) gets one prediction: the chunks'
 * probabilities aggregated (`--chunk_aggregation`), mean (each chunk's vote weighs the same) or max
 * (per label, the most confident chunk: a cue anywhere in the document decides; renormalized over the
 * labels for single-label data). The result is given back as logits of the document's probabilities
 * (log p for softmax, logit p for sigmoid, the value itself for regression), so metrics, predictions
 * and their CSVs take documents exactly as they take rows. A one-chunk document keeps its logits.
 */
import type { Documents } from './encode.js';
import type { ChunkAggregation } from './long-text.js';
import type { ProblemType } from './labels.js';
import type { SplitLabels } from './prepare.js';

const TINY = 1e-30;

function softmaxInto(z: ArrayLike<number>, out: Float64Array): void {
  let m = -Infinity;
  for (let k = 0; k < out.length; k++) m = Math.max(m, z[k]!);
  let s = 0;
  for (let k = 0; k < out.length; k++) s += out[k] = Math.exp(z[k]! - m);
  for (let k = 0; k < out.length; k++) out[k]! /= s;
}

/** Row outputs (`width` per row) -> the probabilities of one chunk (softmax, sigmoid, or the value for regression). */
export function chunkProbabilities(problemType: ProblemType, z: ArrayLike<number>, width: number): Float64Array {
  const p = new Float64Array(width);
  if (problemType === 'single_label_classification') softmaxInto(z, p);
  else if (problemType === 'multi_label_classification') for (let k = 0; k < width; k++) p[k] = 1 / (1 + Math.exp(-z[k]!));
  else for (let k = 0; k < width; k++) p[k] = z[k]!;
  return p;
}

/** The aggregated probabilities of chunks (each a probability vector, or the values for regression). */
export function aggregateProbabilities(chunks: readonly Float64Array[], how: ChunkAggregation, problemType: ProblemType): Float64Array {
  const width = chunks[0]!.length;
  const out = new Float64Array(width).fill(how === 'max' ? -Infinity : 0);
  for (const p of chunks) for (let k = 0; k < width; k++) out[k] = how === 'max' ? Math.max(out[k]!, p[k]!) : out[k]! + p[k]! / chunks.length;
  if (how === 'max' && problemType === 'single_label_classification') {
    const s = out.reduce((a, b) => a + b, 0);
    for (let k = 0; k < width; k++) out[k]! /= s;
  }
  return out;
}

/** Logits whose softmax / sigmoid is p (regression: the values). */
export function logitsOf(problemType: ProblemType, p: Float64Array): Float64Array {
  if (problemType === 'single_label_classification') return p.map((x) => Math.log(Math.max(x, TINY)));
  if (problemType === 'multi_label_classification') return p.map((x) => Math.log(Math.max(x, TINY)) - Math.log(Math.max(1 - x, TINY)));
  return p.slice();
}

/** Per-row outputs (`width` numbers per row, in row order) -> one row of logits per document (see the file comment). */
export function aggregateDocuments(
  rows: ArrayLike<number>,
  width: number,
  documents: Documents,
  problemType: ProblemType,
  how: ChunkAggregation,
): Float32Array {
  const n = documents.start.length - 1;
  const out = new Float32Array(n * width);
  const row = (r: number): ArrayLike<number> => Array.from({ length: width }, (_, k) => rows[r * width + k]!);
  for (let d = 0; d < n; d++) {
    const [from, to] = [documents.start[d]!, documents.start[d + 1]!];
    if (to - from === 1) {
      out.set(row(from), d * width);
      continue;
    }
    const chunks: Float64Array[] = [];
    for (let r = from; r < to; r++) chunks.push(chunkProbabilities(problemType, row(r), width));
    out.set(logitsOf(problemType, aggregateProbabilities(chunks, how, problemType)), d * width);
  }
  return out;
}

export interface LossOptions {
  /** Single-label: per-class weights (torch CrossEntropyLoss(weight=...)). */
  classWeights?: Float32Array;
  /** Single-label: the Trainer's label smoothing factor. */
  labelSmoothing?: number;
}

/**
 * The mean loss of documents from their (aggregated) logits, as the model's loss would take them:
 * cross-entropy (weighted, smoothed), binary cross-entropy over the labels, or the squared error.
 */
export function documentLoss(problemType: ProblemType, logits: Float32Array, width: number, labels: SplitLabels, o: LossOptions = {}): number {
  const n = logits.length / width;
  let total = 0;
  let weights = 0;
  for (let d = 0; d < n; d++) {
    const z = logits.subarray(d * width, (d + 1) * width);
    if (labels.kind === 'regression') {
      total += (z[0]! - labels.values[d]!) ** 2;
      weights++;
    } else if (labels.kind === 'multi') {
      for (let k = 0; k < width; k++) {
        const y = labels.multiHot[d * width + k]!;
        // log(1 + e^-|z|) + max(z, 0) - z y: BCE with logits, stable.
        total += (Math.log1p(Math.exp(-Math.abs(z[k]!))) + Math.max(z[k]!, 0) - z[k]! * y) / width;
      }
      weights++;
    } else {
      const y = labels.ids[d]!;
      const p = chunkProbabilities(problemType, z, width);
      const w = o.classWeights?.[y] ?? 1;
      const eps = o.labelSmoothing ?? 0;
      const nll = -Math.log(Math.max(p[y]!, TINY));
      const smooth = eps > 0 ? -p.reduce((a, x) => a + Math.log(Math.max(x, TINY)), 0) / width : 0;
      total += w * ((1 - eps) * nll + eps * smooth);
      weights += w;
    }
  }
  return weights > 0 ? total / weights : 0;
}
