/**
 * Inference: batch throughput and single-sentence latency of Finetune's predictor against the
 * Transformers.js `text-classification` pipeline on the same exported model (onnx/model.onnx),
 * both on onnxruntime-node's CPU provider.
 *
 *   npm run bench -- inference [--preset bert-mini] [--rows 512] [--batch 32] [--threads 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { exportModel } from '../src/core/export/index.js';
import { createModel, type PresetName } from '../src/core/model/presets.js';
import { Tokenizer } from '../src/core/tokenizer/index.js';
import { Predictor } from '../src/core/predict/predictor.js';
import { arg, median, table } from './util.js';

const WORDS = ['the', 'food', 'was', 'really', 'great', 'but', 'delivery', 'slow', 'and', 'cold', 'service', 'friendly', 'pizza', 'tasty', 'again', 'never'];

export async function main(argv: string[]): Promise<void> {
  const preset = arg(argv, 'preset', 'bert-mini') as PresetName;
  const rows = Number(arg(argv, 'rows', '512'));
  const batch = Number(arg(argv, 'batch', '32'));
  const threads = Number(arg(argv, 'threads', '2'));
  let seed = 7;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const texts = Array.from({ length: rows }, () =>
    Array.from({ length: 6 + Math.floor(rand() * 30) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '),
  );

  const tok = await Tokenizer.fromFolder('test/fixtures/tokenizers/bert-base-uncased');
  const model = createModel({ preset, vocabSize: tok.vocabSize, labels: ['negative', 'positive'], seed: 1 });
  const dir = join(mkdtempSync(join(tmpdir(), 'finetune-infer-')), 'model');
  await exportModel(dir, { config: model.config, weights: model.weights, tokenizerFiles: tok.saveFiles(), quantized: false });

  /** Sentences per second over all rows in batches (after one warm-up batch). */
  const throughput = async (run: (from: number) => Promise<unknown>): Promise<number> => {
    await run(0);
    const t0 = performance.now();
    for (let i = 0; i < rows; i += batch) await run(i);
    return rows / ((performance.now() - t0) / 1000);
  };

  const ours = await Predictor.load(dir, { threads });
  const oursBatch = await throughput((i) => ours.predict(texts.slice(i, i + batch)));
  const oursLat: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await ours.predict([texts[i]!]);
    oursLat.push(performance.now() - t);
  }
  await ours.dispose();

  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = dirname(dir);
  const pipe = await pipeline('text-classification', basename(dir), { dtype: 'fp32', session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } });
  const tjsBatch = await throughput((i) => pipe(texts.slice(i, i + batch)));
  const tjsLat: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await pipe(texts[i]!);
    tjsLat.push(performance.now() - t);
  }
  await pipe.dispose();
  rmSync(dirname(dir), { recursive: true, force: true });

  console.log(`${preset}, ${rows} sentences of 6-35 words, batch ${batch}, ${threads} threads, fp32 onnx/model.onnx`);
  console.log(
    table(
      ['', 'sentences/s (batched)', 'single-sentence latency (ms, median of 30)'],
      [
        ['Finetune predictor', oursBatch.toFixed(1), median(oursLat).toFixed(2)],
        ['Transformers.js pipeline', tjsBatch.toFixed(1), median(tjsLat).toFixed(2)],
        ['ratio', `${(oursBatch / tjsBatch).toFixed(2)}x`, `${(median(tjsLat) / median(oursLat)).toFixed(2)}x`],
      ],
    ),
  );
}
