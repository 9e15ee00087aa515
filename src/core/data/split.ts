/**
 * Train / validation / test splits of one file, seeded. Single-label data is split STRATIFIED the
 * way scikit-learn's StratifiedShuffleSplit (and so HF datasets' `train_test_split(stratify_by_column=)`)
 * does: split sizes ceil(p * n), per-class counts by `_approximate_mode` (floors, then the largest
 * remainders, ties broken at random); every class keeps at least one training row. Regression and
 * multi-label data fall back to a seeded random split. Each part keeps the file's row order.
 */
import { Random } from '../random.js';

export interface SplitSizes {
  /** Fraction of the rows (0 <= f < 1) for validation. */
  validation: number;
  /** Fraction of the rows for test. */
  test: number;
}

export interface SplitIndices {
  train: number[];
  validation: number[];
  test: number[];
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Random, n: number): number {
  return Math.floor(rng.next() * n);
}

/** Fisher-Yates permutation of 0..n-1 (or of `items`). */
export function permutation(rng: Random, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(rng, p);
  return p;
}

export function shuffleInPlace<T>(rng: Random, a: T[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** scikit-learn's `_approximate_mode`: draw `draws` items from classes of `counts`, as close to proportional as can be. */
export function approximateMode(counts: readonly number[], draws: number, rng: Random): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0 || draws <= 0) return counts.map(() => 0);
  const continuous = counts.map((c) => (c * draws) / total);
  const floored = continuous.map((c) => Math.floor(c));
  let need = draws - floored.reduce((a, b) => a + b, 0);
  const remainders = continuous.map((c, i) => c - floored[i]!);
  const values = [...new Set(remainders)].sort((a, b) => b - a);
  for (const v of values) {
    if (need <= 0) break;
    const inds = remainders.flatMap((r, i) => (r === v ? [i] : []));
    shuffleInPlace(rng, inds);
    const now = Math.min(inds.length, need);
    for (let k = 0; k < now; k++) floored[inds[k]!]!++;
    need -= now;
  }
  return floored;
}

function sizes(n: number, f: SplitSizes): { nVal: number; nTest: number } {
  return { nVal: f.validation > 0 ? Math.ceil(f.validation * n) : 0, nTest: f.test > 0 ? Math.ceil(f.test * n) : 0 };
}

const byIndex = (a: number, b: number): number => a - b;

/** A seeded random split of n rows. */
export function randomSplit(n: number, fractions: SplitSizes, seed: number): SplitIndices {
  const rng = new Random(seed);
  const { nVal, nTest } = sizes(n, fractions);
  const p = permutation(rng, n);
  return {
    test: p.slice(0, nTest).sort(byIndex),
    validation: p.slice(nTest, nTest + nVal).sort(byIndex),
    train: p.slice(nTest + nVal).sort(byIndex),
  };
}

/** A seeded stratified split of rows labelled `labels[i]` in [0, numClasses). */
export function stratifiedSplit(labels: ArrayLike<number>, numClasses: number, fractions: SplitSizes, seed: number): SplitIndices {
  const rng = new Random(seed);
  const n = labels.length;
  const { nVal, nTest } = sizes(n, fractions);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]!]!.push(i);
  const counts = byClass.map((c) => c.length);
  const trainCounts = approximateMode(counts, n - nVal - nTest, rng);
  // Every class keeps a training row, so validation/test never hold a class training lacks.
  for (let c = 0; c < numClasses; c++) if (counts[c]! > 0 && trainCounts[c] === 0) trainCounts[c] = 1;
  const rest = counts.map((c, i) => c - trainCounts[i]!);
  const restTotal = rest.reduce((a, b) => a + b, 0);
  const valCounts = approximateMode(rest, Math.min(nVal, restTotal), rng);
  const out: SplitIndices = { train: [], validation: [], test: [] };
  for (let c = 0; c < numClasses; c++) {
    const rows = byClass[c]!;
    shuffleInPlace(rng, rows);
    const t = trainCounts[c]!;
    const v = valCounts[c]!;
    for (let k = 0; k < rows.length; k++) (k < t ? out.train : k < t + v ? out.validation : out.test).push(rows[k]!);
  }
  out.train.sort(byIndex);
  out.validation.sort(byIndex);
  out.test.sort(byIndex);
  return out;
}
