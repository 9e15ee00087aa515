/**
 * A ModernBERT model folder through the command line, end to end: create-model --preset
 * modernbert-tiny (ModernBERT's real tokenizer) -> train 2 steps with evaluation and prediction ->
 * predict -> export (Hugging Face layout + ONNX). The rows are longer than the preset's 32-token
 * window, so the sliding-window layers mask.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readSafetensors } from '../../../src/core/model/checkpoint/index.js';
import { allFinite, jsonEvents, maxWeightDiff, reviewRows, runCli, tempDir, writeCsv } from './support.js';

const TOK = 'test/fixtures/tokenizers/modernbert-large';
const root = tempDir('modernbert');
after(() => rmSync(root, { recursive: true, force: true }));

/** Review rows made long (three sentences, 30-60 tokens). */
const longRows = (n: number, seed: number) =>
  reviewRows(n, seed).map((r, i) => ({ text: `${r.text}. Ordered on day ${i} and it came late. ${r.text}, as I said: ${r.text}!`, label: r.label }));

describe('finetune with a ModernBERT model folder: create-model -> train -> predict -> export', () => {
  const model = join(root, 'model');
  const out = join(root, 'run');
  const train = writeCsv(join(root, 'train.csv'), longRows(32, 1));
  const val = writeCsv(join(root, 'val.csv'), longRows(8, 2));
  const testFile = writeCsv(join(root, 'test.csv'), longRows(6, 3));

  test('create-model --preset modernbert-tiny writes a ModernBertForSequenceClassification folder', async () => {
    const r = await runCli(['create-model', '--preset', 'modernbert-tiny', '--tokenizer_name', TOK, '--labels', 'negative,positive', '--output_dir', model]);
    assert.equal(r.code, 0, r.err);
    const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config.architectures, ['ModernBertForSequenceClassification']);
    assert.equal(config.model_type, 'modernbert');
    assert.deepEqual(
      [config.vocab_size, config.hidden_size, config.num_hidden_layers, config.local_attention, config.global_attn_every_n_layers, config.pad_token_id],
      [50368, 128, 4, 32, 2, 50283],
    );
    const weights = await readSafetensors(join(model, 'model.safetensors'));
    assert.deepEqual(weights.get('model.layers.1.attn.Wqkv.weight')?.dims, [384, 128]);
    assert.deepEqual(weights.get('model.layers.1.mlp.Wi.weight')?.dims, [384, 128]);
    assert.ok(!weights.has('model.layers.0.attn_norm.weight'));
    assert.ok(existsSync(join(model, 'tokenizer.json')));
  });

  test('train 2 steps, evaluate, predict, save', async () => {
    const r = await runCli([
      'train',
      '--model_name_or_path',
      model,
      '--train_file',
      train,
      '--validation_file',
      val,
      '--test_file',
      testFile,
      '--do_eval',
      '--do_predict',
      '--max_steps',
      '2',
      '--per_device_train_batch_size',
      '8',
      '--learning_rate',
      '1e-3',
      '--max_seq_length',
      '96',
      '--output_dir',
      out,
      '--threads',
      '1',
      '--log_format',
      'json',
    ]);
    assert.equal(r.code, 0, r.err);
    const events = jsonEvents(r.out);
    assert.deepEqual(
      events.filter((e) => e.type === 'progress').map((e) => e.step),
      [1, 2],
    );
    const evalLoss = (events.filter((e) => e.type === 'eval').pop()!.metrics as Record<string, number>).eval_loss;
    assert.ok(Number.isFinite(evalLoss), `eval_loss ${evalLoss}`);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config.architectures, ['ModernBertForSequenceClassification']);
    assert.deepEqual(config.id2label, { '0': 'negative', '1': 'positive' });
    assert.ok(await allFinite(join(out, 'model.safetensors')));
    const moved = await maxWeightDiff(join(model, 'model.safetensors'), join(out, 'model.safetensors'));
    assert.ok(moved.max > 0 && moved.differing.includes('model.layers.1.attn.Wqkv.weight'), 'training changed the weights');
    const rows = readFileSync(join(out, 'predict_results.csv'), 'utf8').trim().split('\n');
    assert.equal(rows.length, 7);
  });

  test('predict --text and export (Hugging Face layout + ONNX)', async () => {
    const p = await runCli(['predict', '--model_name_or_path', out, '--log_format', 'json', '--text', longRows(1, 9)[0]!.text]);
    assert.equal(p.code, 0, p.err);
    const row = jsonEvents(p.out)[0] as unknown as { label: string; scores: { label: string; score: number }[] };
    assert.deepEqual(row.scores.map((s) => s.label).sort(), ['negative', 'positive']);
    const dir = join(root, 'export');
    const e = await runCli(['export', '--model_name_or_path', out, '--output_dir', dir]);
    assert.equal(e.code, 0, e.err);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'README.md', 'onnx/model.onnx', 'onnx/model_quantized.onnx'])
      assert.ok(existsSync(join(dir, f)), f);
    assert.equal((await maxWeightDiff(join(out, 'model.safetensors'), join(dir, 'model.safetensors'))).max, 0);
  });
});
