/**
 * Whether fine-tuning keeps a model's classification head, and with which label ids. A classifier
 * (config `architectures` names a `*ForSequenceClassification`) trained further on data labelled with
 * its own label names keeps its head and its label ids, even when the data holds only some of the
 * labels (the model keeps all of them): rebuilding the ids from the data's sorted labels would make a
 * `positive` row train the `negative` logit. Data with labels the model lacks is refused, listing both
 * sets, unless `ignore_mismatched_sizes` asks for a new head (as transformers' flag of that name).
 */
import { UserError } from '../errors.js';
import { type ModelConfig, type ProblemType, resolveProblemType } from './config.js';

export class HeadMismatchError extends UserError {
  readonly flag = '--ignore_mismatched_sizes';
  constructor(message: string) {
    super(message);
    this.name = 'HeadMismatchError';
  }
}

export type HeadDecision =
  /** Keep the head: `labels` are the label names in the model's id order (possibly more than the data has). */
  | { kind: 'keep'; labels: string[] | null; rename?: Map<string, string>; message?: string }
  /** A new head for the data's labels (`labels` null for regression). `discarded`: the model's labels dropped. */
  | { kind: 'new'; labels: string[] | null; discarded?: string[]; message?: string };

export interface HeadRequest {
  /** The data's label names (sorted as the data module sorts them); empty for regression. */
  dataLabels: readonly string[];
  problemType: ProblemType;
  /** Whether every data label is an integer (its name its decimal form). */
  integerLabels: boolean;
  ignoreMismatchedSizes: boolean;
}

/** Whether config.json says the checkpoint holds a sequence-classification head. */
export function hasClassificationHead(config: ModelConfig): boolean {
  const archs = config.raw?.architectures;
  return Array.isArray(archs) && archs.some((a) => typeof a === 'string' && /ForSequenceClassification$/.test(a));
}

/** The model's label names in id order. */
export function modelLabels(config: Pick<ModelConfig, 'id2label' | 'num_labels'>): string[] {
  return Array.from({ length: config.num_labels }, (_, i) => config.id2label[String(i)] ?? `LABEL_${i}`);
}

/** LABEL_0, LABEL_1, ...: names transformers makes up when a model was saved without any. */
export function hasGenericLabels(labels: readonly string[]): boolean {
  return labels.every((l, i) => l === `LABEL_${i}`);
}

const list = (xs: readonly string[], max = 12): string => {
  const shown = xs.slice(0, max).map((x) => JSON.stringify(x));
  return `${shown.join(', ')}${xs.length > max ? `, ... (${xs.length} in all)` : ''}`;
};

function mismatch(req: HeadRequest, labels: string[], why: string): HeadDecision {
  if (!req.ignoreMismatchedSizes) {
    throw new HeadMismatchError(
      `${why} Fine-tuning would have to replace the model's classification head. Pass --ignore_mismatched_sizes to train a new head ` +
        "for the data's labels (the model's labels are discarded), rename the data's labels to the model's, or start from a model without a classification head.",
    );
  }
  const fresh = req.problemType === 'regression' ? null : [...req.dataLabels];
  return {
    kind: 'new',
    labels: fresh,
    discarded: labels,
    message: `--ignore_mismatched_sizes: a new classification head for ${fresh ? `the labels ${list(fresh)}` : 'regression'}; the model's labels ${list(labels)} are discarded.`,
  };
}

/** Maps each data label onto a model label by name: exact, else case-insensitive when unambiguous. */
function matchByName(data: readonly string[], labels: readonly string[]): Map<string, string> | undefined {
  const exact = new Set(labels);
  const lower = new Map<string, string[]>();
  for (const l of labels) lower.set(l.toLowerCase(), [...(lower.get(l.toLowerCase()) ?? []), l]);
  const out = new Map<string, string>();
  for (const d of data) {
    if (exact.has(d)) out.set(d, d);
    else {
      const c = lower.get(d.toLowerCase());
      if (c?.length !== 1) return undefined;
      out.set(d, c[0]!);
    }
  }
  return out;
}

/** Decides what becomes of the model's head (see the module comment). */
export function decideHead(config: ModelConfig, req: HeadRequest): HeadDecision {
  const fresh = (): HeadDecision => ({ kind: 'new', labels: req.problemType === 'regression' ? null : [...req.dataLabels] });
  if (!hasClassificationHead(config)) return fresh();
  const labels = modelLabels(config);
  const modelRegression = resolveProblemType(config) === 'regression';
  if (req.problemType === 'regression' || modelRegression) {
    if (req.problemType === 'regression' && modelRegression) return { kind: 'keep', labels: null };
    return req.problemType === 'regression'
      ? mismatch(req, labels, `The data's labels are numbers (regression) but the model classifies into ${labels.length} labels (${list(labels)}).`)
      : mismatch(req, labels, `The model predicts one number (regression) but the data has the labels ${list(req.dataLabels)}.`);
  }
  const byName = matchByName(req.dataLabels, labels);
  if (byName) {
    const renamed = [...byName].filter(([d, m]) => d !== m);
    return {
      kind: 'keep',
      labels,
      rename: byName,
      ...(renamed.length
        ? {
            message: `the data's labels ${renamed.map(([d, m]) => `${JSON.stringify(d)} -> ${JSON.stringify(m)}`).join(', ')} match the model's by name (case aside)`,
          }
        : {}),
    };
  }
  if (hasGenericLabels(labels)) {
    const n = labels.length;
    if (req.integerLabels && req.dataLabels.every((l) => /^\d+$/.test(l) && Number(l) < n)) {
      const names = labels.map((_, i) => String(i));
      return { kind: 'keep', labels: names, message: `the model's labels have no names (LABEL_0..LABEL_${n - 1}): data label k trains LABEL_k, saved as "k"` };
    }
    if (req.dataLabels.length === n) {
      return {
        kind: 'keep',
        labels: [...req.dataLabels],
        message:
          `the model's labels have no names (LABEL_0..LABEL_${n - 1}), so the data's labels take the ids 0..${n - 1} in sorted order (${req.dataLabels.map((l, i) => `${JSON.stringify(l)} -> LABEL_${i}`).join(', ')}) and the head is kept, as transformers does. ` +
          'If the head learned another order, pass --ignore_mismatched_sizes for a new head.',
      };
    }
    return mismatch(
      req,
      labels,
      `The model classifies into ${n} unnamed labels (LABEL_0..LABEL_${n - 1}) but the data has ${req.dataLabels.length}: ${list(req.dataLabels)}.`,
    );
  }
  const missing = req.dataLabels.filter((d) => !matchByName([d], labels));
  return mismatch(
    req,
    labels,
    `The data has labels the model does not know: ${list(missing)}. The model's labels are ${list(labels)}; the data's are ${list(req.dataLabels)}.`,
  );
}
