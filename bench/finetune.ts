/**
 * A real fine-tune: ../shared/data/waimai_10k.csv (12k Chinese food-delivery reviews) with a
 * random-init bert-mini-sized model and the bert-base-chinese vocabulary from
 * ../shared/tokenizers/, 1 epoch, batch 64, max_seq_length 128, 10% held out (stratified, seed 42),
 * with each batching: Finetune's default (random batches, as the Trainer; the encoder skips the
 * padding), length-grouped batches in random order, and transformers' length-grouped order. Each run is its own process (its peak RSS is its own)
 * and reads the same train/eval CSVs, written once from the split. Prints tokenization time,
 * train time, samples/s, eval accuracy and F1.
 *
 *   npm run bench -- finetune [--threads 2] [--epochs 1] [--max_train_samples N] [--lr 2e-4]
 *                             [--modes shuffled,transformers,random] [--seeds 42]
 *                             [--mult N: length grouping's mega-batch in batches; default transformers' 50]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DataSplit, encodeDataset, loadClassificationData } from '../src/core/data/index.js';
import { createModel } from '../src/core/model/presets.js';
import { Tokenizer } from '../src/core/tokenizer/index.js';
import { defaultArgs } from '../src/core/contract/args.js';
import { Trainer } from '../src/core/train/trainer.js';
import { arg, inChild, median, peakRssMB, table } from './util.js';

export const DATA = '../shared/data/waimai_10k.csv';
export const VOCAB = '../shared/tokenizers/bert-base-chinese';

export type Batching = 'shuffled' | 'transformers' | 'random';
export const BATCHING_LABEL: Record<Batching, string> = {
  shuffled: 'length-grouped, shuffled',
  transformers: 'length-grouped, transformers order',
  random: 'random batches (default)',
};

export interface FinetuneResult {
  mode: Batching;
  seed: number;
  tokenizeSeconds: number;
  trainSeconds: number;
  samplesPerSecond: number;
  trainLoss: number;
  accuracy: number;
  f1: number;
  rssMB: number;
}

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Splits the data set as a run with --validation_split_percentage 10 does; writes train.csv and eval.csv. */
export async function writeSplit(dir: string, maxTrain?: number): Promise<{ train: string; eval: string; trainRows: number; evalRows: number }> {
  const data = await loadClassificationData({
    trainFile: DATA,
    textColumns: ['review'],
    labelColumn: 'label',
    validationSplitPercentage: 10,
    seed: 42,
    ...(maxTrain ? { maxTrainSamples: maxTrain } : {}),
  });
  const write = (file: string, texts: readonly string[], labels: DataSplit['labels']): string => {
    if (labels?.kind !== 'single') throw new Error('expected single-label data');
    const lines = ['label,review', ...texts.map((t, i) => `${data.labels[labels.ids[i]!]},${csvField(t)}`)];
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const v = data.validation!;
  return {
    train: write(join(dir, 'train.csv'), data.train.texts, data.train.labels),
    eval: write(join(dir, 'eval.csv'), v.texts, v.labels),
    trainRows: data.train.texts.length,
    evalRows: v.texts.length,
  };
}

async function runOne(o: {
  train: string;
  eval: string;
  mode: Batching;
  seed: number;
  epochs: number;
  lr: number;
  threads: number;
  mult?: number;
  pack?: boolean;
}): Promise<FinetuneResult> {
  const t0 = performance.now();
  const tok = await Tokenizer.fromFolder(VOCAB);
  const data = await loadClassificationData({ trainFile: o.train, validationFile: o.eval, textColumns: ['review'], labelColumn: 'label', seed: o.seed });
  const encoded = await encodeDataset(data, tok, { maxSeqLength: 128 });
  const tokenizeSeconds = (performance.now() - t0) / 1000;
  const out = mkdtempSync(join(tmpdir(), 'finetune-bench-'));
  const model = createModel({ preset: 'bert-mini', vocabSize: tok.vocabSize, labels: data.labels, seed: o.seed, padTokenId: tok.padTokenId });
  const args = {
    ...defaultArgs(),
    do_train: true,
    output_dir: out,
    num_train_epochs: o.epochs,
    per_device_train_batch_size: 64,
    per_device_eval_batch_size: 128,
    learning_rate: o.lr,
    warmup_ratio: 0.1,
    weight_decay: 0.01,
    max_seq_length: 128,
    eval_strategy: 'no' as const,
    save_strategy: 'no' as const,
    logging_steps: 50,
    threads: o.threads,
    group_by_length: o.mode !== 'random',
    length_grouping: o.mode === 'transformers' ? ('transformers' as const) : ('shuffled' as const),
    seed: o.seed,
  };
  const trainer = new Trainer({
    args,
    model,
    data,
    encoded,
    emit: () => undefined,
    ...(o.mult ? { megaBatchMult: o.mult } : {}),
    ...(o.pack !== undefined ? { packTokens: o.pack } : {}),
  });
  const s0 = performance.now();
  const r = await trainer.train();
  const trainSeconds = (performance.now() - s0) / 1000;
  const ev = await trainer.evaluate(encoded.validation!, 'eval');
  await trainer.dispose();
  rmSync(out, { recursive: true, force: true });
  return {
    mode: o.mode,
    seed: o.seed,
    tokenizeSeconds,
    trainSeconds,
    samplesPerSecond: r.metrics.train_samples_per_second ?? 0,
    trainLoss: r.metrics.train_loss!,
    accuracy: ev.metrics.eval_accuracy!,
    f1: ev.metrics.eval_f1!,
    rssMB: peakRssMB(),
  };
}

/** One fine-tune in a child process (its own peak RSS). */
export function finetuneInChild(o: {
  train: string;
  eval: string;
  mode: Batching;
  seed: number;
  epochs: number;
  lr: number;
  threads: number;
  mult?: number;
  pack?: boolean;
}): FinetuneResult {
  return inChild<FinetuneResult>('finetune', [
    '--train',
    o.train,
    '--eval',
    o.eval,
    '--mode',
    o.mode,
    '--seed',
    String(o.seed),
    '--epochs',
    String(o.epochs),
    '--lr',
    String(o.lr),
    '--threads',
    String(o.threads),
    ...(o.mult ? ['--mult', String(o.mult)] : []),
    ...(o.pack !== undefined ? ['--pack', o.pack ? 'on' : 'off'] : []),
  ]);
}

export async function main(argv: string[]): Promise<void> {
  const threads = Number(arg(argv, 'threads', '2'));
  const epochs = Number(arg(argv, 'epochs', '1'));
  const lr = Number(arg(argv, 'lr', '2e-4'));
  if (argv.includes('--child')) {
    const r = await runOne({
      train: arg(argv, 'train', ''),
      eval: arg(argv, 'eval', ''),
      mode: arg(argv, 'mode', 'shuffled') as Batching,
      seed: Number(arg(argv, 'seed', '42')),
      epochs,
      lr,
      threads,
      mult: Number(arg(argv, 'mult', '0')),
      ...(argv.includes('--pack') ? { pack: arg(argv, 'pack', 'on') === 'on' } : {}),
    });
    console.log(JSON.stringify(r));
    return;
  }
  if (!existsSync(DATA) || !existsSync(VOCAB)) {
    console.log(`skipped: ${DATA} or ${VOCAB} is not here (the benchmark needs the shared data set)`);
    return;
  }
  const maxTrain = argv.includes('--max_train_samples') ? Number(arg(argv, 'max_train_samples', '0')) : undefined;
  const modes = arg(argv, 'modes', 'random,shuffled,transformers').split(',') as Batching[];
  const seeds = arg(argv, 'seeds', '42').split(',').map(Number);
  const mult = Number(arg(argv, 'mult', '0'));
  const pack = argv.includes('--pack') ? arg(argv, 'pack', 'on') === 'on' : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'finetune-split-'));
  try {
    const split = await writeSplit(dir, maxTrain);
    console.log(`data: ${split.trainRows} train / ${split.evalRows} eval rows (stratified 10% split, seed 42)`);
    const rows: (string | number)[][] = [];
    for (const mode of modes) {
      const results = seeds.map((seed) => {
        const r = finetuneInChild({ train: split.train, eval: split.eval, mode, seed, epochs, lr, threads, mult, ...(pack !== undefined ? { pack } : {}) });
        console.error(`done ${mode} seed ${seed}: ${r.trainSeconds.toFixed(1)} s, accuracy ${r.accuracy.toFixed(4)}`);
        return r;
      });
      const label = `${mult && mode !== 'random' ? `${BATCHING_LABEL[mode]}, mega-batch ${mult} batches` : BATCHING_LABEL[mode]}${pack === undefined ? '' : pack ? ', packed tokens' : ', padded'}`;
      for (const r of results) rows.push(resultRow(label, r));
      if (results.length > 1) rows.push(meanRow(label, results));
    }
    console.log(`bert-mini (random init, vocab 21128), ${epochs} epoch(s), batch 64, max_seq_length 128, lr ${lr}, ${threads} threads`);
    console.log(table(FINETUNE_HEADERS, rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const FINETUNE_HEADERS = [
  'run',
  'seed',
  'tokenize (s)',
  'train (s)',
  'wall incl. tokenize (s)',
  'samples/s',
  'eval accuracy',
  'eval F1',
  'peak RSS (MB)',
];

export function resultRow(label: string, r: Omit<FinetuneResult, 'mode' | 'trainLoss'>): (string | number)[] {
  return [
    label,
    r.seed,
    r.tokenizeSeconds.toFixed(2),
    r.trainSeconds.toFixed(1),
    (r.tokenizeSeconds + r.trainSeconds).toFixed(1),
    r.samplesPerSecond.toFixed(1),
    r.accuracy.toFixed(4),
    r.f1.toFixed(4),
    r.rssMB.toFixed(0),
  ];
}

export function meanRow(label: string, rs: Omit<FinetuneResult, 'mode' | 'trainLoss'>[]): (string | number)[] {
  const mean = (f: (r: Omit<FinetuneResult, 'mode' | 'trainLoss'>) => number): number => rs.reduce((a, r) => a + f(r), 0) / rs.length;
  return [
    `${label}, mean`,
    '-',
    mean((r) => r.tokenizeSeconds).toFixed(2),
    mean((r) => r.trainSeconds).toFixed(1),
    mean((r) => r.tokenizeSeconds + r.trainSeconds).toFixed(1),
    mean((r) => r.samplesPerSecond).toFixed(1),
    mean((r) => r.accuracy).toFixed(4),
    mean((r) => r.f1).toFixed(4),
    median(rs.map((r) => r.rssMB)).toFixed(0),
  ];
}
