/**
 * A ModernBERT classifier exported by Finetune loads in Transformers.js
 * (`pipeline('text-classification', dir)`, offline) and agrees with Finetune's own inference, on
 * sentences longer than the model's sliding window; the int8 export agrees on the label.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportModel } from '../../../src/core/export/index.js';
import { createModel } from '../../../src/core/model/presets.js';
import { Tokenizer } from '../../../src/core/tokenizer/index.js';
import { TrainingEngine } from '../../../src/core/step/engine.js';
import { sentenceBatch } from '../../helpers/batches.js';
import { sentimentSentences } from '../../helpers/sentences.js';
import { pipelineAgreement, softmaxRows } from '../../helpers/transformersjs.js';

/** Sentences of 35-50 tokens: the sentiment sentence, then filler past the 32-token window. */
const rows = (n: number, seed: number) =>
  sentimentSentences(n, seed).map((r, i) => ({
    text: `${r.text}. We ordered it on day ${i % 28} of the month, the courier called twice, and the box was left at the door next to the stairs.`,
    label: r.label,
  }));

/** The test's rows as one batch (64 tokens at most). */
const toBatch = (tok: Tokenizer, rows: { text: string; label?: number }[]) => sentenceBatch(tok, rows, 64);

describe('export: a ModernBERT classifier in Transformers.js', () => {
  let root = '';
  let dir = '';
  let tok: Tokenizer;
  let engine: TrainingEngine;
  const testRows = rows(100, 99);

  before(async () => {
    tok = await Tokenizer.fromFolder('test/fixtures/tokenizers/modernbert-large');
    const model = createModel({ preset: 'modernbert-tiny', vocabSize: tok.vocabSize, padTokenId: tok.padTokenId, labels: ['negative', 'positive'], seed: 7 });
    engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 2, adam: { weightDecay: 0.01 } });
    const train = rows(256, 1);
    for (let epoch = 0; epoch < 2; epoch++) for (let i = 0; i < train.length; i += 32) await engine.trainStep([toBatch(tok, train.slice(i, i + 32))], 2e-3);
    root = mkdtempSync(join(tmpdir(), 'finetune-modernbert-export-'));
    dir = join(root, 'modernbert-sentiment');
    await exportModel(dir, {
      config: engine.config,
      weights: engine.weights,
      tokenizerFiles: tok.saveFiles(),
      card: { baseModel: 'modernbert-tiny (random init)' },
    });
  });
  after(async () => {
    await engine?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the rows are longer than the sliding window; the ONNX model stores each weight once', () => {
    const lengths = testRows.map((r) => tok.encode(r.text).inputIds.length);
    assert.ok(Math.min(...lengths) > 32, `shortest row ${Math.min(...lengths)} tokens`);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([config.architectures, config.local_attention], [['ModernBertForSequenceClassification'], 32]);
    // Wqkv and Wi are split into blocks on the host: each weight is stored once.
    const params = [...engine.weights.values()].reduce((a, w) => a + w.data.length, 0);
    const bytes = statSync(join(dir, 'onnx', 'model.onnx')).size;
    assert.ok(bytes > 4 * params && bytes < 4.02 * params, `model.onnx ${bytes} bytes for ${params} parameters`);
  });

  test('Transformers.js pipeline loads it offline and agrees with Finetune (fp32 to 1e-4; int8 on >= 95% of labels)', async (t) => {
    const ours = softmaxRows(await engine.predict(toBatch(tok, testRows)));
    const { maxDiff, agree } = await pipelineAgreement(
      dir,
      testRows.map((r) => r.text),
      ours,
    );
    assert.ok(maxDiff <= 1e-4, `fp32 scores differ by up to ${maxDiff}`);
    assert.ok(agree / testRows.length >= 0.95, `int8 agrees on ${agree}/${testRows.length} labels`);
    const accuracy = testRows.filter((r, i) => (ours[i]![1]! > 0.5 ? 1 : 0) === r.label).length / testRows.length;
    t.diagnostic(`fp32 max score difference ${maxDiff.toExponential(2)}; int8 agrees on ${agree}/${testRows.length}; accuracy ${accuracy}`);
    assert.ok(accuracy >= 0.9, `trained accuracy ${accuracy}`);
  });
});
