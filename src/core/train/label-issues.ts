/**
 * Confident learning (Northcutt, Jiang and Chuang, "Confident Learning: Estimating Uncertainty in
 * Dataset Labels", JAIR 2021), as the reference implementation (cleanlab) does it by default, on
 * out-of-sample probabilities (K-fold cross-validation, core/run/label-errors.ts):
 *
 * 1. per-class thresholds t_k = the mean probability of class k over the rows labelled k (the mean
 *    self-confidence of the class);
 * 2. the confident joint C[given][guess]: a row counts for the classes whose probability reaches
 *    their threshold (the most probable of them when several do; rows reaching none are not
 *    counted), every diagonal cell at least 1;
 * 3. calibrated: each row of C scaled to the class's row count (sum n), rounded keeping the row totals;
 * 4. prune by noise rate: for every off-diagonal cell (i, j), the C[i][j] rows labelled i with the
 *    largest margin p_j - p_i are flagged (leaving at least one row per class); a row whose most
 *    probable class is its given label is never flagged.
 *
 * The number flagged is the estimate of how many rows are mislabelled. Every row gets a label
 * quality score, lower = more suspect: `self_confidence` (default; p of the given label) or
 * `normalized_margin` ((p_given - max other p + 1) / 2). The order puts the flagged rows first,
 * most suspect first, then the others by the same score.
 */

export type RankBy = 'self_confidence' | 'normalized_margin';
export const RANK_BY: readonly RankBy[] = ['self_confidence', 'normalized_margin'];

export interface LabelIssuesInput {
  /** Out-of-sample probabilities, `numClasses` per row. */
  probs: ArrayLike<number>;
  /** The given label id of each row. */
  given: ArrayLike<number>;
  numClasses: number;
  rankBy?: RankBy;
}

export interface LabelIssues {
  /** t_k, the mean self-confidence of each class (NaN for a class with no row). */
  thresholds: number[];
  /** Confident joint counts [given][guess] (diagonal at least 1). */
  confidentJoint: number[][];
  /** The calibrated joint: row i sums to the count of rows labelled i. */
  calibratedJoint: number[][];
  /** 1 where the row is flagged as mislabelled. */
  flagged: Uint8Array;
  /** Rows flagged: the estimate of how many are mislabelled. */
  estimatedIssues: number;
  /** Label quality of every row (lower = more suspect). */
  quality: Float64Array;
  /** The most probable class of every row (the suggested label). */
  suggested: Int32Array;
  /** Row indices: flagged first, then the rest, each by quality, lowest first. */
  order: number[];
}

function argmaxRow(p: ArrayLike<number>, i: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (p[i * K + k]! > p[i * K + best]!) best = k;
  return best;
}

/** t_k: mean p_k over the rows labelled k. */
export function classThresholds(probs: ArrayLike<number>, given: ArrayLike<number>, K: number): number[] {
  const sum = new Array<number>(K).fill(0);
  const count = new Array<number>(K).fill(0);
  for (let i = 0; i < given.length; i++) {
    const g = given[i]!;
    sum[g]! += probs[i * K + g]!;
    count[g]!++;
  }
  return sum.map((s, k) => (count[k] ? s / count[k]! : NaN));
}

/** The confident joint [given][guess] (see the module comment, step 2). */
export function confidentJoint(probs: ArrayLike<number>, given: ArrayLike<number>, K: number, thresholds: readonly number[]): number[][] {
  const C = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < given.length; i++) {
    let confident = -1;
    let several = false;
    for (let k = 0; k < K; k++) {
      if (probs[i * K + k]! >= thresholds[k]! - 1e-6) {
        if (confident >= 0) several = true;
        confident = k;
      }
    }
    if (confident < 0) continue;
    C[given[i]!]![several ? argmaxRow(probs, i, K) : confident]!++;
  }
  for (let k = 0; k < K; k++) C[k]![k] = Math.max(1, C[k]![k]!);
  return C;
}

/** Rounds `xs` to integers with the same (integer) total: floors, then the largest remainders get one more. */
export function roundPreservingSum(xs: readonly number[]): number[] {
  const total = Math.round(xs.reduce((a, b) => a + b, 0));
  const out = xs.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const byRemainder = xs.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

/** Each row of the joint scaled to the class's count and rounded keeping it (step 3). */
export function calibrateJoint(C: readonly (readonly number[])[], counts: readonly number[]): number[][] {
  return C.map((row, i) => {
    const s = row.reduce((a, b) => a + b, 0);
    return roundPreservingSum(row.map((x) => (s > 0 ? (x / s) * counts[i]! : 0)));
  });
}

/** Label quality of row i (see RankBy). */
function qualityOf(probs: ArrayLike<number>, g: number, i: number, K: number, rankBy: RankBy): number {
  const self = probs[i * K + g]!;
  if (rankBy === 'self_confidence') return self;
  let other = 0;
  for (let k = 0; k < K; k++) if (k !== g) other = Math.max(other, probs[i * K + k]!);
  return (self - other + 1) / 2;
}

/** Prune by noise rate (step 4): the flagged rows. */
function pruneByNoiseRate(
  probs: ArrayLike<number>,
  given: ArrayLike<number>,
  K: number,
  joint: readonly (readonly number[])[],
  counts: readonly number[],
): Uint8Array {
  const n = given.length;
  const flagged = new Uint8Array(n);
  const rowsOf = Array.from({ length: K }, () => [] as number[]);
  for (let i = 0; i < n; i++) rowsOf[given[i]!]!.push(i);
  for (let i = 0; i < K; i++) {
    if (counts[i]! <= 1) continue;
    // Leave at least one row labelled i: scale the off-diagonal counts down when they would take them all.
    const off = joint[i]!.reduce((a, b, j) => a + (j === i ? 0 : b), 0);
    const scale = off > counts[i]! - 1 ? (counts[i]! - 1) / off : 1;
    for (let j = 0; j < K; j++) {
      const take = Math.floor(joint[i]![j]! * scale);
      if (j === i || take <= 0) continue;
      const byMargin = rowsOf[i]!.map((r) => ({ r, m: probs[r * K + j]! - probs[r * K + i]! })).sort((a, b) => b.m - a.m);
      for (const { r } of byMargin.slice(0, take)) flagged[r] = 1;
    }
  }
  for (let r = 0; r < n; r++) if (flagged[r] && argmaxRow(probs, r, K) === given[r]) flagged[r] = 0;
  return flagged;
}

/** Confident learning over out-of-sample probabilities (see the module comment). */
export function findLabelIssues(o: LabelIssuesInput): LabelIssues {
  const { probs, given, numClasses: K } = o;
  const rankBy = o.rankBy ?? 'self_confidence';
  const n = given.length;
  if (probs.length !== n * K) throw new RangeError(`findLabelIssues: ${probs.length} probabilities for ${n} rows of ${K} classes`);
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) counts[given[i]!]!++;
  const thresholds = classThresholds(probs, given, K);
  const joint = confidentJoint(probs, given, K, thresholds);
  const calibrated = calibrateJoint(joint, counts);
  const flagged = pruneByNoiseRate(probs, given, K, calibrated, counts);
  const quality = Float64Array.from({ length: n }, (_, i) => qualityOf(probs, given[i]!, i, K, rankBy));
  const suggested = Int32Array.from({ length: n }, (_, i) => argmaxRow(probs, i, K));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => flagged[b]! - flagged[a]! || quality[a]! - quality[b]! || a - b);
  let estimatedIssues = 0;
  for (const f of flagged) estimatedIssues += f;
  return { thresholds, confidentJoint: joint, calibratedJoint: calibrated, flagged, estimatedIssues, quality, suggested, order };
}
