/**
 * The estimate before Start against the real run: for each model size, the extension's estimate
 * (a few measured steps) and then the run itself, each in a child process of its own (so that its
 * peak memory is its own), on the shipped SMS sample with evaluation every epoch. Prints the
 * estimated ranges beside the measured time per epoch, whole-run time and peak resident memory.
 *
 *   npm run bench -- estimate [--presets bert-tiny,bert-mini] [--epochs 2] [--max_seq_length 128] [--batch 16] [--threads 2]
 */
import { defaultArgs, type RunArgs } from '../src/core/contract/args.js';
import type { TrainingEvent } from '../src/core/contract/events.js';
import { runClassification } from '../src/core/run/run.js';
import { estimateRun } from '../src/worker/estimate.js';
import type { RunEstimate } from '../src/protocol/worker.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, inChild, table } from './util.js';

interface Measured {
  epochSeconds: number[];
  /** Before the first step (model, data, tokenizing), and after the last epoch (final evaluation, saving). */
  startupSeconds: number;
  afterSeconds: number;
  totalSeconds: number;
  peakBytes: number;
}

function runArgs(argv: string[], out: string): RunArgs {
  return {
    ...defaultArgs(),
    model_name_or_path: `preset:${arg(argv, 'preset', 'bert-tiny')}`,
    tokenizer_name: 'examples/tokenizer',
    train_file: 'examples/sms-spam/train.csv',
    do_train: true,
    do_eval: true,
    eval_strategy: 'epoch',
    output_dir: out,
    overwrite_output_dir: true,
    num_train_epochs: Number(arg(argv, 'epochs', '2')),
    per_device_train_batch_size: Number(arg(argv, 'batch', '16')),
    per_device_eval_batch_size: 64,
    max_seq_length: Number(arg(argv, 'max_seq_length', '128')),
    learning_rate: 1e-3,
    threads: Number(arg(argv, 'threads', '2')),
    export_onnx: false,
    save_strategy: 'no',
    report_to: [],
  };
}

/** The real run: seconds of each epoch (training start or the previous evaluation to this epoch's evaluation), the whole run, peak RSS. */
async function measureRun(args: RunArgs): Promise<Measured> {
  const t0 = performance.now();
  const marks: number[] = [];
  let first = 0;
  const emit = (e: TrainingEvent): void => {
    if ((e.type === 'stage' && e.stage === 'train') || e.type === 'eval') marks.push(performance.now());
    if (e.type === 'progress' && !first) first = performance.now();
  };
  await runClassification({ ...args, do_eval: true }, { emit, env: {} });
  const end = performance.now();
  const epochSeconds = marks.slice(1, args.num_train_epochs + 1).map((t, i) => (t - marks[i]!) / 1000);
  return {
    epochSeconds,
    startupSeconds: (first - t0) / 1000,
    afterSeconds: (end - marks[args.num_train_epochs]!) / 1000,
    totalSeconds: (end - t0) / 1000,
    peakBytes: process.resourceUsage().maxRSS * 1024,
  };
}

async function child(argv: string[]): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'finetune-bench-estimate-'));
  try {
    const args = runArgs(argv, out);
    const result = argv.includes('--estimate') ? await estimateRun(args, { env: {} }) : await measureRun(args);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const HEADERS = [
  'model',
  'startup s est./real',
  'real after s',
  'est. s/epoch',
  'real s/epoch',
  'est. total s',
  'real total s',
  'est. peak MB',
  'real peak MB',
];

const range = ([a, b]: readonly [number, number], f = (x: number) => x.toFixed(1)): string => `${f(a)}–${f(b)}`;
const mb = (x: number): string => (x / 1e6).toFixed(0);

export async function main(argv: string[]): Promise<void> {
  if (argv.includes('--child')) return child(argv);
  const presets = arg(argv, 'presets', 'bert-tiny,bert-mini').split(',');
  const pass = ['epochs', 'max_seq_length', 'batch', 'threads'].flatMap((k) => [
    `--${k}`,
    arg(argv, k, runArgs([], '')[k === 'batch' ? 'per_device_train_batch_size' : k === 'epochs' ? 'num_train_epochs' : (k as 'threads')]!.toString()),
  ]);
  const rows: (string | number)[][] = [];
  for (const preset of presets) {
    const e = inChild<RunEstimate>('estimate', ['--preset', preset, '--estimate', ...pass]);
    const m = inChild<Measured>('estimate', ['--preset', preset, ...pass]);
    const inside = (x: number, [a, b]: readonly [number, number]): string => (x >= a && x <= b ? 'in' : x < a ? 'below' : 'above');
    const epoch = m.epochSeconds.reduce((a, b) => a + b, 0) / m.epochSeconds.length;
    rows.push([
      preset,
      `${e.startupSeconds.toFixed(1)} / ${m.startupSeconds.toFixed(1)}`,
      m.afterSeconds.toFixed(1),
      range(e.secondsPerEpoch),
      `${epoch.toFixed(1)} (${inside(epoch, e.secondsPerEpoch)})`,
      range(e.totalSeconds),
      `${m.totalSeconds.toFixed(1)} (${inside(m.totalSeconds, e.totalSeconds)})`,
      range(e.peakMemoryBytes, mb),
      `${mb(m.peakBytes)} (${inside(m.peakBytes, e.peakMemoryBytes)})`,
    ]);
    console.log(table(HEADERS, rows.slice(-1)));
  }
  console.log(`\n${table(HEADERS, rows)}`);
}
