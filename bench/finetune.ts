/**
 * A real fine-tune: ../shared/data/waimai_10k.csv (12k Chinese food-delivery reviews) with a
 * random-init bert-mini-sized model and the bert-base-chinese vocabulary from
 * ../shared/tokenizers/, 1 epoch, batch 64, max_seq_length 128, 10% held out — with and without
 * length grouping. Prints tokenization time, epoch time, samples/s, eval accuracy and F1.
 *
 *   npm run bench -- finetune [--threads 2] [--epochs 1] [--max_train_samples N] [--modes grouped,random] [--lr 2e-4]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDataset, loadClassificationData } from '../src/core/data/index.js';
import { createModel } from '../src/core/model/presets.js';
import { Tokenizer } from '../src/core/tokenizer/index.js';
import { defaultArgs } from '../src/core/train/args.js';
import { Trainer } from '../src/core/train/trainer.js';
import { median, peakRssMB, table } from './util.js';

const DATA = '../shared/data/waimai_10k.csv';
const VOCAB = '../shared/tokenizers/bert-base-chinese';

function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
}

export async function main(argv: string[]): Promise<void> {
  if (!existsSync(DATA) || !existsSync(VOCAB)) {
    console.log(`skipped: ${DATA} or ${VOCAB} is not here (the benchmark needs the shared data set)`);
    return;
  }
  const threads = Number(arg(argv, 'threads', '2'));
  const epochs = Number(arg(argv, 'epochs', '1'));
  const maxTrain = argv.includes('--max_train_samples') ? Number(arg(argv, 'max_train_samples', '0')) : undefined;
  const modes = arg(argv, 'modes', 'grouped,random').split(',');
  const lr = Number(arg(argv, 'lr', '2e-4'));

  const t0 = performance.now();
  const tok = await Tokenizer.fromFolder(VOCAB);
  const data = await loadClassificationData({ trainFile: DATA, textColumns: ['review'], labelColumn: 'label', validationSplitPercentage: 10, seed: 42, ...(maxTrain ? { maxTrainSamples: maxTrain } : {}) });
  const t1 = performance.now();
  const encoded = await encodeDataset(data, tok, { maxSeqLength: 128 });
  const t2 = performance.now();
  const lengths = Array.from(encoded.train.lengths());
  console.log(
    `data: ${data.train.texts.length} train / ${data.validation!.texts.length} eval rows; read ${((t1 - t0) / 1000).toFixed(2)} s, tokenized in ${((t2 - t1) / 1000).toFixed(2)} s ` +
      `(${Math.round(data.train.texts.length / ((t2 - t1) / 1000))} rows/s); tokens p50 ${median(lengths)}, max ${Math.max(...lengths)}`,
  );

  const rows: (string | number)[][] = [];
  for (const mode of modes) {
    const out = mkdtempSync(join(tmpdir(), 'finetune-bench-'));
    const model = createModel({ preset: 'bert-mini', vocabSize: tok.vocabSize, labels: data.labels, seed: 42, padTokenId: tok.padTokenId });
    const args = {
      ...defaultArgs(),
      do_train: true,
      output_dir: out,
      num_train_epochs: epochs,
      per_device_train_batch_size: 64,
      per_device_eval_batch_size: 128,
      learning_rate: lr,
      warmup_ratio: 0.1,
      weight_decay: 0.01,
      max_seq_length: 128,
      eval_strategy: 'no' as const,
      save_strategy: 'no' as const,
      logging_steps: 50,
      threads,
      group_by_length: mode === 'grouped',
      seed: 42,
    };
    const trainer = new Trainer({ args, model, data, encoded, emit: () => undefined });
    const s0 = performance.now();
    const r = await trainer.train();
    const s1 = performance.now();
    const ev = await trainer.evaluate(encoded.validation!, 'eval');
    await trainer.dispose();
    rmSync(out, { recursive: true, force: true });
    const epochSeconds = (s1 - s0) / 1000 / epochs;
    rows.push([
      mode === 'grouped' ? 'length-grouped' : 'random batches',
      ((t2 - t1) / 1000).toFixed(2),
      epochSeconds.toFixed(1),
      (r.metrics.train_samples_per_second ?? 0).toFixed(1),
      r.metrics.train_loss!.toFixed(4),
      ev.metrics.eval_accuracy!.toFixed(4),
      ev.metrics.eval_f1!.toFixed(4),
      peakRssMB().toFixed(0),
    ]);
    console.error(`done ${mode}`);
  }
  console.log(`bert-mini (random init, vocab 21128), ${epochs} epoch(s), batch 64, max_seq_length 128, ${threads} threads`);
  console.log(table(['batching', 'tokenize (s)', 'epoch (s)', 'samples/s', 'train loss', 'eval accuracy', 'eval F1', 'peak RSS (MB)'], rows));
}
