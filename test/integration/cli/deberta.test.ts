/**
 * A DeBERTa-v3 model folder end to end through the command line: `create-model --preset
 * deberta-v3-tiny` with a DeBERTa-v3-style tokenizer.json, `train` from that folder (2 steps, a
 * checkpoint, evaluation), `predict`, `export` (ONNX + int8), each output a deberta-v2 folder that
 * loads again.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadPretrained } from '../../../src/core/model/load.js';
import { writeDebertaTokenizer } from '../../helpers/deberta-tokenizer.js';
import { STACK_LINE, jsonEvents, maxWeightDiff, reviewRows, runCli, tempDir, writeCsv } from './support.js';

const root = tempDir('deberta');
after(() => rmSync(root, { recursive: true, force: true }));

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('finetune with a deberta-v2 model folder: create-model -> train -> predict -> export', () => {
  const trainRows = reviewRows(32, 11);
  const valRows = reviewRows(16, 12);
  const tok = writeDebertaTokenizer(
    join(root, 'tok'),
    [...trainRows, ...valRows].map((r) => r.text),
  );
  const train = writeCsv(join(root, 'train.csv'), trainRows);
  const val = writeCsv(join(root, 'val.csv'), valRows);
  const model = join(root, 'model');
  const out = join(root, 'run');
  let events: ReturnType<typeof jsonEvents> = [];

  before(async () => {
    const created = await runCli([
      'create-model',
      '--preset',
      'deberta-v3-tiny',
      '--tokenizer_name',
      tok,
      '--labels',
      'negative,positive',
      '--output_dir',
      model,
    ]);
    assert.equal(created.code, 0, created.err);
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--validation_file',
      val,
      '--do_eval',
      '--output_dir',
      out,
      '--max_steps',
      '2',
      '--per_device_train_batch_size',
      '8',
      '--learning_rate',
      '1e-3',
      '--save_strategy',
      'steps',
      '--save_steps',
      '2',
      '--logging_steps',
      '1',
      '--max_seq_length',
      '32',
      '--threads',
      '1',
      '--log_format',
      'json',
    ]);
    assert.equal(r.code, 0, r.err);
    events = jsonEvents(r.out);
  });

  test('create-model wrote a DebertaV2ForSequenceClassification folder with the tokenizer', () => {
    const config = readJson(join(model, 'config.json'));
    assert.equal(config.model_type, 'deberta-v2');
    assert.deepEqual(config.architectures, ['DebertaV2ForSequenceClassification']);
    assert.deepEqual([config.relative_attention, config.position_buckets, config.norm_rel_ebd, config.share_att_key], [true, 256, 'layer_norm', true]);
    assert.equal(config.position_biased_input, false);
    for (const f of ['model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) assert.ok(existsSync(join(model, f)), f);
  });

  test('train: 2 steps with losses, an evaluation and checkpoint-2; the saved model is a trained deberta-v2', async () => {
    const logs = events.filter((e) => e.type === 'log');
    assert.deepEqual(
      logs.map((e) => e.step),
      [1, 2],
    );
    for (const e of logs) assert.ok(Number.isFinite(e.loss) && Number.isFinite(e.grad_norm), JSON.stringify(e));
    assert.ok(events.some((e) => e.type === 'eval'));
    assert.equal(events.at(-1)!.type, 'done');
    assert.ok(existsSync(join(out, 'checkpoint-2', 'optimizer.safetensors')));
    const saved = readJson(join(out, 'config.json'));
    assert.equal(saved.model_type, 'deberta-v2');
    assert.deepEqual(saved.id2label, { 0: 'negative', 1: 'positive' });
    const diff = await maxWeightDiff(join(model, 'model.safetensors'), join(out, 'model.safetensors'));
    assert.ok(diff.max > 0, 'the weights moved');
    const reloaded = await loadPretrained(out);
    assert.equal(reloaded.config.deberta?.position_buckets, 256);
    assert.ok(reloaded.weights.has('deberta.encoder.rel_embeddings.weight'));
  });

  test('predict --text classifies with the trained model', async () => {
    const sentences = ['the food was great', 'awful, the service is very awful'];
    const r = await runCli(['predict', '--model_name_or_path', out, '--log_format', 'json', ...sentences.flatMap((s) => ['--text', s])]);
    assert.equal(r.code, 0, r.err);
    const rows = jsonEvents(r.out) as unknown as { text: string; label: string; scores: { label: string; score: number }[] }[];
    assert.deepEqual(
      rows.map((x) => x.text),
      sentences,
    );
    for (const row of rows) {
      assert.deepEqual(row.scores.map((s) => s.label).sort(), ['negative', 'positive']);
      assert.ok(Math.abs(row.scores.reduce((a, s) => a + s.score, 0) - 1) < 1e-5);
    }
  });

  test('export: the Hugging Face folder with onnx/model.onnx and model_quantized.onnx, the same weights', async () => {
    const dir = join(root, 'exported');
    const r = await runCli(['export', '--model_name_or_path', out, '--output_dir', dir]);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, STACK_LINE);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'README.md', 'onnx/model.onnx', 'onnx/model_quantized.onnx'])
      assert.ok(existsSync(join(dir, f)), f);
    assert.equal((await maxWeightDiff(join(out, 'model.safetensors'), join(dir, 'model.safetensors'))).max, 0);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /- deberta-v2/);
  });
});
