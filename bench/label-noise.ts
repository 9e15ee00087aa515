/**
 * Know your model on a real data set with injected label noise: ../shared/data/sms_spam.tsv (5,574
 * SMS, ham / spam, no header), the first --rows of it, the labels of a seeded --noise share flipped.
 *
 * 1. find-label-errors (K-fold cross-validation + confident learning) on the noisy rows: how many
 *    flips land in the top-k of label_issues.csv (k = the number flipped), precision and recall of
 *    the rows it flags, its estimate of how many are mislabelled.
 * 2. A training on the noisy rows with a validation file and a held-back test file (each 15% of the
 *    rows, noisy like the rest): the temperature fitted on validation, ECE and NLL before and after,
 *    on validation and on the held-back file.
 *
 *   npm run bench -- label-noise [--rows 2000] [--noise 0.05] [--folds 5] [--epochs 3] [--preset bert-tiny]
 *                                [--lr 2e-3] [--threads 2] [--skip cv|calibration]
 *   (FINETUNE_SHARED=/path/to/shared when ../shared is not beside the checkout)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { TrainingEvent } from '../src/core/contract/events.js';
import { type RunArgs, defaultArgs } from '../src/core/contract/args.js';
import { Random } from '../src/core/random.js';
import { findLabelErrors } from '../src/core/run/label-errors.js';
import { runClassification } from '../src/core/run/run.js';
import { arg, table } from './util.js';

const SHARED = process.env.FINETUNE_SHARED ?? '../shared';
const DATA = `${SHARED}/data/sms_spam.tsv`;
const VOCAB = `${SHARED}/tokenizers/bert-base-uncased`;

/** The first `rows` lines, with a seeded `noise` share of the labels flipped; the flipped row indices. */
function noisyLines(rows: number, noise: number): { lines: string[]; flipped: Set<number> } {
  const lines = readFileSync(DATA, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, rows);
  const rng = new Random(7);
  const flipped = new Set<number>();
  const out = lines.map((l, i) => {
    if (rng.next() >= noise) return l;
    flipped.add(i);
    const [label, ...text] = l.split('\t');
    return [label === 'ham' ? 'spam' : 'ham', ...text].join('\t');
  });
  return { lines: out, flipped };
}

function baseArgs(argv: string[], file: string, out: string): RunArgs {
  return {
    ...defaultArgs(),
    model_name_or_path: `preset:${arg(argv, 'preset', 'bert-tiny')}`,
    tokenizer_name: VOCAB,
    train_file: file,
    no_header: true,
    label_column_name: '0',
    text_column_names: ['1'],
    num_train_epochs: Number(arg(argv, 'epochs', '3')),
    learning_rate: Number(arg(argv, 'lr', '2e-3')),
    warmup_ratio: 0.1,
    per_device_train_batch_size: 32,
    per_device_eval_batch_size: 64,
    max_seq_length: 64,
    logging_steps: 100000,
    save_strategy: 'no',
    export_onnx: false,
    threads: Number(arg(argv, 'threads', '2')),
    output_dir: out,
  };
}

async function crossValidate(argv: string[], dir: string, lines: string[], flipped: Set<number>): Promise<void> {
  const file = join(dir, 'noisy.tsv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const folds = Number(arg(argv, 'folds', '5'));
  const t0 = performance.now();
  const emit = (e: TrainingEvent): void => {
    if (e.type === 'fold' && e.phase === 'end') console.error(`fold ${e.fold}/${e.folds}: held-out accuracy ${e.heldOutAccuracy?.toFixed(4)}`);
  };
  const r = await findLabelErrors(baseArgs(argv, file, join(dir, 'issues')), { folds, rankBy: 'self_confidence' }, { emit });
  const seconds = (performance.now() - t0) / 1000;
  const csv = (parse(readFileSync(r.path!, 'utf8')) as string[][]).slice(1);
  const ranked = csv.map((c) => Number(c[1]));
  const flagged = csv.filter((c) => c[7] === 'true').map((c) => Number(c[1]));
  const k = flipped.size;
  const hits = (n: number): number => ranked.slice(0, n).filter((i) => flipped.has(i)).length;
  const truePos = flagged.filter((i) => flipped.has(i)).length;
  console.log(
    table(
      [
        'rows',
        'flipped',
        'folds',
        'cv accuracy',
        `flips in top ${k}`,
        `flips in top ${2 * k}`,
        'flagged (estimate)',
        'flagged precision',
        'flagged recall',
        'seconds',
      ],
      [
        [
          r.rows,
          k,
          folds,
          r.cvAccuracy.toFixed(4),
          `${hits(k)} (${((100 * hits(k)) / k).toFixed(1)}%)`,
          `${hits(2 * k)} (${((100 * hits(2 * k)) / k).toFixed(1)}%)`,
          r.issues,
          (truePos / Math.max(1, flagged.length)).toFixed(3),
          (truePos / k).toFixed(3),
          seconds.toFixed(0),
        ],
      ],
    ),
  );
}

async function calibrate(argv: string[], dir: string, lines: string[]): Promise<void> {
  const n = lines.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new Random(11);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const part = (a: number, b: number, name: string): string => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `${order
        .slice(Math.floor(a * n), Math.floor(b * n))
        .map((i) => lines[i])
        .join('\n')}\n`,
    );
    return file;
  };
  const out = join(dir, 'run');
  const args: RunArgs = {
    ...baseArgs(argv, part(0, 0.7, 'train.tsv'), out),
    validation_file: part(0.7, 0.85, 'val.tsv'),
    test_file: part(0.85, 1, 'test.tsv'),
    do_train: true,
    do_eval: true,
    do_predict: true,
  };
  await runClassification(args, { emit: () => undefined });
  const ev = JSON.parse(readFileSync(join(out, 'eval_results.json'), 'utf8')) as Record<string, number>;
  const te = JSON.parse(readFileSync(join(out, 'test_results.json'), 'utf8')) as Record<string, number>;
  const f = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(4));
  console.log(
    table(
      ['split', 'rows', 'accuracy', 'temperature', 'ECE before', 'ECE after', 'NLL before', 'NLL after'],
      [
        [
          'validation (fitted on)',
          ev.eval_samples!,
          f(ev.eval_accuracy),
          f(ev.eval_temperature),
          f(ev.eval_ece),
          f(ev.eval_ece_calibrated),
          f(ev.eval_nll),
          f(ev.eval_nll_calibrated),
        ],
        [
          'held-back test',
          Math.round(0.15 * n),
          f(te.test_accuracy),
          f(te.test_temperature),
          f(te.test_ece),
          f(te.test_ece_calibrated),
          f(te.test_nll),
          f(te.test_nll_calibrated),
        ],
      ],
    ),
  );
}

export async function main(argv: string[]): Promise<void> {
  const rows = Number(arg(argv, 'rows', '2000'));
  const noise = Number(arg(argv, 'noise', '0.05'));
  const skip = arg(argv, 'skip', '');
  const { lines, flipped } = noisyLines(rows, noise);
  const dir = mkdtempSync(join(tmpdir(), 'finetune-label-noise-'));
  console.log(
    `${DATA}: first ${lines.length} rows, ${flipped.size} labels flipped (${(noise * 100).toFixed(1)}% asked), ${arg(argv, 'preset', 'bert-tiny')} random init`,
  );
  try {
    if (skip !== 'cv') await crossValidate(argv, dir, lines, flipped);
    if (skip !== 'calibration') await calibrate(argv, dir, lines);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
