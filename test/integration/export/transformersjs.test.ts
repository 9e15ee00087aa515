/**
 * The exported folder loads in Transformers.js (`pipeline('text-classification', dir)`, offline)
 * and agrees with Finetune's own inference; the int8 export agrees on the label; the folder
 * round-trips through Finetune's loader with identical logits.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportModel } from '../../../src/core/export/index.js';
import { loadPretrained } from '../../../src/core/model/load.js';
import { createModel } from '../../../src/core/model/presets.js';
import { Tokenizer } from '../../../src/core/tokenizer/index.js';
import { TrainingEngine } from '../../../src/core/step/engine.js';
import { sentenceBatch } from '../../helpers/batches.js';
import { sentimentSentences } from '../../helpers/sentences.js';
import { pipelineAgreement, softmaxRows } from '../../helpers/transformersjs.js';

/** The test's rows as one batch (32 tokens at most, with token_type_ids). */
const toBatch = (tok: Tokenizer, rows: { text: string; label?: number }[]) => sentenceBatch(tok, rows, 32, true);

describe('export: Hugging Face layout + ONNX for Transformers.js', () => {
  let dir = '';
  let tok: Tokenizer;
  let engine: TrainingEngine;
  const testRows = sentimentSentences(200, 99);

  before(async () => {
    tok = await Tokenizer.fromFolder('test/fixtures/tokenizers/bert-base-uncased');
    const model = createModel({ preset: 'bert-tiny', vocabSize: tok.vocabSize, labels: ['negative', 'positive'], seed: 7 });
    engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 2, adam: { weightDecay: 0.01 } });
    const train = sentimentSentences(320, 1);
    for (let epoch = 0; epoch < 2; epoch++) for (let i = 0; i < train.length; i += 32) await engine.trainStep([toBatch(tok, train.slice(i, i + 32))], 2e-3);
    dir = join(mkdtempSync(join(tmpdir(), 'finetune-export-')), 'sentiment-model');
    await exportModel(dir, {
      config: engine.config,
      weights: engine.weights,
      tokenizerFiles: tok.saveFiles(),
      card: { baseModel: 'bert-tiny (random init)', dataset: 'synthetic', metrics: { eval_accuracy: 1 } },
    });
  });
  after(async () => engine?.dispose());

  test('the folder has the save_pretrained layout and a model card', () => {
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, [
      'README.md',
      'config.json',
      'model.safetensors',
      'onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
    assert.deepEqual(readdirSync(join(dir, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(config.architectures, ['BertForSequenceClassification']);
    assert.deepEqual(config.id2label, { '0': 'negative', '1': 'positive' });
    assert.deepEqual(config.label2id, { negative: 0, positive: 1 });
    assert.equal(config.problem_type, 'single_label_classification');
    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    assert.match(card, /^---\nlibrary_name: transformers\npipeline_tag: text-classification/);
    assert.match(card, /pipeline\("text-classification"/);
    assert.match(card, /\| eval_accuracy \| 1 \|/);
    assert.ok(!readdirSync(dirname(dir)).some((f) => f.includes('.tmp-')), 'no temporary folder left behind');
  });

  test('Finetune reloads the folder and gives identical logits', async () => {
    const reloaded = await loadPretrained(dir);
    const other = new TrainingEngine({ config: reloaded.config, weights: reloaded.weights, threads: 2 });
    const batch = toBatch(tok, testRows.slice(0, 16));
    const a = await engine.predict(batch);
    const b = await other.predict(batch);
    await other.dispose();
    assert.deepEqual(Array.from(b.data as Float32Array), Array.from(a.data as Float32Array));
  });

  test('Transformers.js pipeline loads it offline and agrees with Finetune (fp32 to 1e-4; int8 on >= 98% of labels)', async () => {
    const ours = softmaxRows(await engine.predict(toBatch(tok, testRows)));
    const { maxDiff, agree } = await pipelineAgreement(
      dir,
      testRows.map((r) => r.text),
      ours,
    );
    assert.ok(maxDiff <= 1e-4, `fp32 scores differ by up to ${maxDiff}`);
    assert.ok(agree / testRows.length >= 0.98, `int8 agrees on ${agree}/${testRows.length} labels`);
    // The model learned the task (so the agreement above is not about near-ties).
    const accuracy = testRows.filter((r, i) => (ours[i]![1]! > 0.5 ? 1 : 0) === r.label).length / testRows.length;
    assert.ok(accuracy >= 0.95, `trained accuracy ${accuracy}`);
  });
});
