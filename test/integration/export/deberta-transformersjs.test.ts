/**
 * A DeBERTa-v3 model (the deberta-v3-tiny preset, model_type deberta-v2) trained a little, exported,
 * loads in Transformers.js (`pipeline('text-classification', dir)`, offline) and agrees with
 * Finetune's own inference; the int8 export agrees on the labels; the folder round-trips through
 * Finetune's loader. The tokenizer is a small DeBERTa-v3-style Unigram tokenizer.json
 * (test/helpers/deberta-tokenizer.ts), the layout a converted spm.model has.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSession } from '../../../src/core/engine/runtime.js';
import { exportModel } from '../../../src/core/export/index.js';
import { loadPretrained } from '../../../src/core/model/load.js';
import { createModel } from '../../../src/core/model/presets.js';
import { Tokenizer } from '../../../src/core/tokenizer/index.js';
import { TrainingEngine } from '../../../src/core/step/engine.js';
import { writeDebertaTokenizer } from '../../helpers/deberta-tokenizer.js';
import { sentenceBatch } from '../../helpers/batches.js';
import { sentimentSentences } from '../../helpers/sentences.js';
import { pipelineAgreement, softmaxRows } from '../../helpers/transformersjs.js';

/** The test's rows as one batch (32 tokens at most, with token_type_ids). */
const toBatch = (tok: Tokenizer, rows: { text: string; label?: number }[]) => sentenceBatch(tok, rows, 32, true);

describe('export: a DeBERTa-v3 model for Transformers.js', () => {
  const root = mkdtempSync(join(tmpdir(), 'finetune-deberta-export-'));
  const dir = join(root, 'deberta-sentiment');
  const train = sentimentSentences(320, 1);
  const testRows = sentimentSentences(120, 99);
  let tok: Tokenizer;
  let engine: TrainingEngine;

  before(async () => {
    tok = await Tokenizer.fromFolder(
      writeDebertaTokenizer(
        join(root, 'tok'),
        [...train, ...testRows].map((r) => r.text),
      ),
    );
    const model = createModel({ preset: 'deberta-v3-tiny', vocabSize: tok.vocabSize, padTokenId: tok.padTokenId, labels: ['negative', 'positive'], seed: 7 });
    engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 2, adam: { weightDecay: 0.01 } });
    for (let epoch = 0; epoch < 2; epoch++) for (let i = 0; i < train.length; i += 32) await engine.trainStep([toBatch(tok, train.slice(i, i + 32))], 2e-3);
    await exportModel(dir, {
      config: engine.config,
      weights: engine.weights,
      tokenizerFiles: tok.saveFiles(),
      card: { baseModel: 'deberta-v3-tiny (random init)', dataset: 'synthetic', metrics: { eval_accuracy: 1 } },
    });
  });
  after(async () => {
    await engine?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test('config.json and the ONNX graph: a DebertaV2ForSequenceClassification taking input_ids and attention_mask only', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(config.architectures, ['DebertaV2ForSequenceClassification']);
    assert.equal(config.model_type, 'deberta-v2');
    assert.deepEqual([config.relative_attention, config.position_buckets, config.share_att_key, config.position_biased_input], [true, 256, true, false]);
    assert.deepEqual(config.pos_att_type, ['p2c', 'c2p'], 'as microsoft/deberta-v3-* list them');
    assert.deepEqual(readdirSync(join(dir, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
    const s = await createSession(readFileSync(join(dir, 'onnx', 'model.onnx')), { threads: 1 });
    assert.deepEqual([...s.inputNames].sort(), ['attention_mask', 'input_ids']);
    await s.dispose();
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
    const accuracy = testRows.filter((r, i) => (ours[i]![1]! > 0.5 ? 1 : 0) === r.label).length / testRows.length;
    assert.ok(accuracy >= 0.95, `trained accuracy ${accuracy}`);
  });
});
