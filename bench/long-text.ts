/**
 * What each --long_text mode buys and costs: accuracy, model inputs per row, training time and
 * prediction time per document, on
 *  - `synthetic`: documents of 30-39 neutral words whose one sentiment word sits in the last four,
 *    past max_seq_length 16 (bert-tiny, random init);
 *  - `waimai`: ../shared/data/waimai_10k.csv (Chinese reviews, p50 19 tokens) read at a small
 *    max_seq_length (default 32: a quarter of the reviews are longer), bert-mini, random init;
 * and the time of one explanation (Integrated Gradients, 32 steps) per document.
 *
 *   npm run bench -- long-text [--data synthetic|waimai] [--max_seq_length 32] [--epochs 1] [--threads 2]
 *                              [--max_train_samples N] [--modes truncate,head_tail,sliding_window] [--aggregation mean,max]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClassificationData, type LongTextMode, encodeDataset, loadClassificationData } from '../src/core/data/index.js';
import { defaultArgs } from '../src/core/contract/args.js';
import { type PresetName, createModel } from '../src/core/model/presets.js';
import { saveModel } from '../src/core/model/save.js';
import { Predictor } from '../src/core/predict/predictor.js';
import { Tokenizer } from '../src/core/tokenizer/index.js';
import { Trainer } from '../src/core/train/trainer.js';
import { DATA, VOCAB, writeSplit } from './finetune.js';
import { arg, table } from './util.js';

const POS = ['great', 'wonderful', 'excellent', 'delicious'];
const NEG = ['terrible', 'awful', 'horrible', 'boring'];
const FILL = ['the', 'food', 'service', 'movie', 'place', 'staff', 'pizza', 'was', 'is', 'really', 'very', 'quite', 'so', 'today', 'and', 'it'];

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticCsv(file: string, n: number, seed: number): string {
  const r = mulberry(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const rows = Array.from({ length: n }, () => {
    const pos = r() < 0.5;
    const words = Array.from({ length: 30 + Math.floor(r() * 10) }, () => pick(FILL));
    words[words.length - 1 - Math.floor(r() * 4)] = pick(pos ? POS : NEG);
    return `${pos ? 'positive' : 'negative'},${words.join(' ')}`;
  });
  writeFileSync(file, `label,review\n${rows.join('\n')}\n`);
  return file;
}

interface Setup {
  train: string;
  eval: string;
  tokenizer: Tokenizer;
  preset: PresetName;
  maxLength: number;
  lr: number;
  batch: number;
}

async function setup(argv: string[], dir: string): Promise<Setup | null> {
  const which = arg(argv, 'data', 'synthetic');
  if (which === 'synthetic') {
    const vocab = [...['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'], ...POS, ...NEG, ...FILL].join('\n');
    const tokenizer = await Tokenizer.fromVocab(`${vocab}\n`);
    const train = syntheticCsv(join(dir, 'train.csv'), Number(arg(argv, 'max_train_samples', '400')), 1);
    return { train, eval: syntheticCsv(join(dir, 'eval.csv'), 200, 2), tokenizer, preset: 'bert-tiny', maxLength: 16, lr: 1e-3, batch: 16 };
  }
  if (!existsSync(DATA) || !existsSync(VOCAB)) return null;
  const split = await writeSplit(dir, argv.includes('--max_train_samples') ? Number(arg(argv, 'max_train_samples', '0')) : undefined);
  const maxLength = Number(arg(argv, 'max_seq_length', '32'));
  return { train: split.train, eval: split.eval, tokenizer: await Tokenizer.fromFolder(VOCAB), preset: 'bert-mini', maxLength, lr: 2e-4, batch: 64 };
}

interface Row {
  mode: LongTextMode;
  aggregation: string;
  inputsPerRow: number;
  trainSeconds: number;
  accuracy: number;
  f1: number;
  msPerDoc: number;
  explainMs: number;
}

async function runMode(s: Setup, data: ClassificationData, mode: LongTextMode, aggregations: string[], o: { epochs: number; threads: number }): Promise<Row[]> {
  const encoded = await encodeDataset(data, s.tokenizer, { maxSeqLength: s.maxLength, longText: { mode } });
  const out = mkdtempSync(join(tmpdir(), 'finetune-long-'));
  const model = createModel({ preset: s.preset, vocabSize: s.tokenizer.vocabSize, labels: data.labels, seed: 42, padTokenId: s.tokenizer.padTokenId });
  const args = {
    ...defaultArgs(),
    ...{ do_train: true, output_dir: out, num_train_epochs: o.epochs, per_device_train_batch_size: s.batch, per_device_eval_batch_size: 128 },
    ...{ learning_rate: s.lr, warmup_ratio: 0.1, max_seq_length: s.maxLength, save_strategy: 'no' as const, logging_steps: 1000, threads: o.threads },
    long_text: mode,
  };
  const trainer = new Trainer({ args, model, data, encoded, emit: () => undefined });
  const t0 = performance.now();
  await trainer.train();
  const trainSeconds = (performance.now() - t0) / 1000;
  const rows: Row[] = [];
  const val = encoded.validation!;
  for (const aggregation of mode === 'sliding_window' ? aggregations : ['-']) {
    Object.assign(args, { chunk_aggregation: aggregation === '-' ? null : aggregation });
    const e0 = performance.now();
    const ev = await trainer.evaluate(val, 'eval');
    const msPerDoc = (performance.now() - e0) / val.documentCount;
    rows.push({
      mode,
      aggregation,
      inputsPerRow: val.size / val.documentCount,
      trainSeconds,
      accuracy: ev.metrics.eval_accuracy!,
      f1: ev.metrics.eval_f1!,
      msPerDoc,
      explainMs: 0,
    });
  }
  const folder = join(out, 'model');
  await saveModel(folder, { config: trainer.engine.config, weights: trainer.engine.weights, files: s.tokenizer.saveFiles() });
  await trainer.dispose();
  const predictor = await Predictor.load(folder, { threads: o.threads, long_text: mode, max_seq_length: s.maxLength });
  const docs = data.validation!.texts.slice(0, 10);
  await predictor.explain(docs[0]!);
  const x0 = performance.now();
  for (const d of docs) await predictor.explain(d);
  const explainMs = (performance.now() - x0) / docs.length;
  // The predictor explains with mean aggregation (max explains one chunk: cheaper).
  rows.forEach((r) => (r.explainMs = r.aggregation === 'max' ? NaN : explainMs));
  await predictor.dispose();
  rmSync(out, { recursive: true, force: true });
  return rows;
}

export async function main(argv: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'finetune-long-data-'));
  try {
    const s = await setup(argv, dir);
    if (!s) {
      console.log(`skipped: ${DATA} or ${VOCAB} is not here (--data waimai needs the shared data set)`);
      return;
    }
    const data = await loadClassificationData({ trainFile: s.train, validationFile: s.eval, textColumns: ['review'], labelColumn: 'label' });
    const modes = arg(argv, 'modes', 'truncate,head_tail,sliding_window').split(',') as LongTextMode[];
    const aggregations = arg(argv, 'aggregation', 'mean,max').split(',');
    const o = { epochs: Number(arg(argv, 'epochs', arg(argv, 'data', 'synthetic') === 'synthetic' ? '4' : '1')), threads: Number(arg(argv, 'threads', '2')) };
    const rows: Row[] = [];
    for (const mode of modes) rows.push(...(await runMode(s, data, mode, aggregations, o)));
    console.log(
      `${arg(argv, 'data', 'synthetic')}: ${data.train.texts.length} train / ${data.validation!.texts.length} eval rows, max_seq_length ${s.maxLength}, ${s.preset}, ${o.epochs} epoch(s)`,
    );
    console.log(
      table(
        ['mode', 'aggregation', 'inputs/row', 'train s', 'accuracy', 'f1', 'predict ms/doc', 'explain ms/doc'],
        rows.map((r) => [
          r.mode,
          r.aggregation,
          r.inputsPerRow.toFixed(2),
          r.trainSeconds.toFixed(1),
          r.accuracy.toFixed(4),
          r.f1.toFixed(4),
          r.msPerDoc.toFixed(2),
          Number.isNaN(r.explainMs) ? '' : r.explainMs.toFixed(0),
        ]),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
