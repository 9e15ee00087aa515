/**
 * The command line's main workflow on a tiny model and generated data: train (with evaluation,
 * prediction, checkpoints, save_total_limit and load_best_model_at_end) -> evaluate -> predict ->
 * export, asserting the output folder as transformers' Trainer writes it and the JSON event stream.
 * Then save_total_limit when the best checkpoint is not the newest.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadPretrained } from '../../../src/core/model/load.js';
import { STACK_LINE, jsonEvents, maxWeightDiff, reviewRows, runCli, tempDir, writeCsv, writeSmallVocab } from './support.js';

const root = tempDir('workflow');
after(() => rmSync(root, { recursive: true, force: true }));

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const checkpointsIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => /^checkpoint-\d+$/.test(n))
    .sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));

/** Parses predict_results.csv. */
function readCsv(path: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parse(readFileSync(path, 'utf8')) as string[][];
  return { header: header!, rows };
}

describe('finetune train -> evaluate -> predict -> export', () => {
  const TOK = writeSmallVocab(join(root, 'tok'));
  const train = writeCsv(join(root, 'train.csv'), reviewRows(160, 1));
  const val = writeCsv(join(root, 'val.csv'), reviewRows(40, 2));
  const testRows = reviewRows(24, 3);
  const testFile = writeCsv(join(root, 'test.csv'), testRows);
  const out = join(root, 'run');
  let events: ReturnType<typeof jsonEvents> = [];
  let trainErr = '';

  before(async () => {
    // 160 rows / batch 16 = 10 steps an epoch, 3 epochs; evaluated and saved every epoch.
    const r = await runCli([
      'train',
      '--model_name_or_path',
      'preset:bert-tiny',
      '--tokenizer_name',
      TOK,
      '--train_file',
      train,
      '--validation_file',
      val,
      '--test_file',
      testFile,
      '--do_eval',
      '--do_predict',
      '--output_dir',
      out,
      '--num_train_epochs',
      '3',
      '--per_device_train_batch_size',
      '16',
      '--per_device_eval_batch_size',
      '16',
      '--learning_rate',
      '3e-3',
      '--max_seq_length',
      '24',
      '--eval_strategy',
      'epoch',
      '--save_strategy',
      'epoch',
      '--save_total_limit',
      '2',
      '--load_best_model_at_end',
      '--metric_for_best_model',
      'accuracy',
      '--logging_steps',
      '5',
      '--threads',
      '1',
      '--log_format',
      'json',
    ]);
    trainErr = r.err;
    assert.equal(r.code, 0, r.err);
    events = jsonEvents(r.out);
  });

  test('--log_format json: one JSON event per line, start -> progress/log/eval/checkpoint -> done', () => {
    const types = events.map((e) => e.type);
    for (const t of ['start', 'progress', 'log', 'eval', 'checkpoint', 'done']) assert.ok(types.includes(t), `no ${t} event`);
    assert.equal(types[types.length - 1], 'done');
    assert.ok(types.indexOf('start') < types.indexOf('progress'));
    const start = events.find((e) => e.type === 'start')!;
    assert.equal(start.totalSteps, 30);
    assert.equal(start.stepsPerEpoch, 10);
    assert.deepEqual(start.labels, ['negative', 'positive']);
    assert.deepEqual(
      events.filter((e) => e.type === 'progress').map((e) => e.step),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'log').map((e) => e.step),
      [5, 10, 15, 20, 25, 30],
    );
    for (const e of events.filter((x) => x.type === 'log'))
      for (const k of ['loss', 'grad_norm', 'learning_rate', 'epoch']) assert.equal(typeof e[k], 'number', `log.${k}`);
    // three evaluations during training (one per epoch) and the final do_eval one
    const evals = events.filter((e) => e.type === 'eval');
    assert.equal(evals.length, 4);
    for (const e of evals) assert.equal(typeof (e.metrics as Record<string, number>).eval_loss, 'number');
    assert.deepEqual(
      events.filter((e) => e.type === 'checkpoint').map((e) => e.step),
      [10, 20, 30],
    );
    const done = events[events.length - 1]!;
    assert.equal(done.modelDir, out);
    assert.equal(done.cancelled, false);
    assert.equal(trainErr, '', 'nothing on stderr in JSON mode');
  });

  test('checkpoint-N/ folders hold the Trainer files; save_total_limit 2 keeps the best', () => {
    const kept = checkpointsIn(out);
    assert.ok(kept.length <= 2, `save_total_limit 2, found ${kept.join(', ')}`);
    const removed = events.filter((e) => e.type === 'checkpoint').flatMap((e) => e.removed as string[]);
    assert.deepEqual([...kept, ...removed.map((r) => r.split(/[\\/]/).pop()!)].sort(), ['checkpoint-10', 'checkpoint-20', 'checkpoint-30']);
    const state = readJson(join(out, 'trainer_state.json'));
    assert.equal(typeof state.best_model_checkpoint, 'string');
    assert.ok(existsSync(state.best_model_checkpoint as string), 'the best checkpoint was removed');
    assert.ok(kept.includes('checkpoint-30'), 'the newest checkpoint is kept');
    for (const c of kept) {
      for (const f of [
        'config.json',
        'model.safetensors',
        'optimizer.safetensors',
        'scheduler.json',
        'rng_state.json',
        'trainer_state.json',
        'training_args.json',
        'vocab.txt',
      ]) {
        assert.ok(existsSync(join(out, c, f)), `${c}/${f}`);
      }
      const cs = readJson(join(out, c, 'trainer_state.json'));
      assert.equal(cs.global_step, Number(c.split('-')[1]));
      const rng = readJson(join(out, c, 'rng_state.json'));
      assert.equal(rng.seed, 42);
      assert.equal(typeof rng.dropout_runs, 'number');
      const sched = readJson(join(out, c, 'scheduler.json'));
      assert.equal(sched.last_epoch, cs.global_step);
    }
  });

  test('trainer_state.json: log_history with loss/grad_norm/learning_rate/epoch/step and eval_* entries; best metric', () => {
    const state = readJson(join(out, 'trainer_state.json'));
    assert.equal(state.global_step, 30);
    assert.equal(state.max_steps, 30);
    assert.equal(state.logging_steps, 5);
    const history = state.log_history as Record<string, number>[];
    const logs = history.filter((h) => 'loss' in h);
    assert.deepEqual(
      logs.map((h) => h.step),
      [5, 10, 15, 20, 25, 30],
    );
    for (const h of logs) {
      for (const k of ['loss', 'grad_norm', 'learning_rate', 'epoch', 'step']) assert.ok(Number.isFinite(h[k]), `log_history ${k}`);
    }
    // transformers >= 4.51 logs the rate each step used: linear decay over 30 steps, no warmup, 3e-3 * (30 - (step - 1)) / 30.
    for (const h of logs) assert.ok(Math.abs(h.learning_rate! - (3e-3 * (30 - (h.step! - 1))) / 30) < 1e-12, `learning_rate at step ${h.step}`);
    assert.ok(Math.abs(logs[logs.length - 1]!.learning_rate! - 1e-4) < 1e-12, 'the last step used 1/30 of the peak rate');
    const evals = history.filter((h) => 'eval_loss' in h);
    assert.deepEqual(
      evals.map((h) => h.step),
      [10, 20, 30],
    );
    assert.deepEqual(
      evals.map((h) => h.epoch),
      [1, 2, 3],
    );
    for (const h of evals)
      for (const k of ['eval_loss', 'eval_accuracy', 'eval_f1', 'eval_precision', 'eval_recall', 'eval_runtime']) assert.equal(typeof h[k], 'number', k);
    const best = Math.max(...evals.map((h) => h.eval_accuracy!));
    assert.equal(state.best_metric, best);
    const bestStep = evals.find((h) => h.eval_accuracy === best)!.step;
    assert.equal(state.best_model_checkpoint, join(out, `checkpoint-${bestStep}`));
    assert.ok('train_runtime' in history[history.length - 1]!);
  });

  test('train_results.json, eval_results.json, all_results.json, test_results.json', () => {
    const tr = readJson(join(out, 'train_results.json'));
    for (const k of ['epoch', 'train_loss', 'train_runtime', 'train_samples', 'train_samples_per_second', 'train_steps_per_second'])
      assert.equal(typeof tr[k], 'number', k);
    assert.equal(tr.train_samples, 160);
    assert.equal(tr.epoch, 3);
    const ev = readJson(join(out, 'eval_results.json'));
    assert.equal(ev.eval_samples, 40);
    for (const k of ['eval_loss', 'eval_accuracy', 'eval_f1', 'epoch']) assert.equal(typeof ev[k], 'number', k);
    // load_best_model_at_end: the final evaluation is the best checkpoint's
    const state = readJson(join(out, 'trainer_state.json'));
    assert.equal(ev.eval_accuracy, state.best_metric);
    const all = readJson(join(out, 'all_results.json'));
    for (const k of ['train_loss', 'eval_loss', 'eval_accuracy', 'test_loss', 'test_accuracy']) assert.ok(k in all, `all_results.json lacks ${k}`);
    assert.equal(all.eval_loss, ev.eval_loss);
    assert.ok(existsSync(join(out, 'test_results.json')));
  });

  test('predict_results.csv: line, text, given label, predicted label, score, p(label) and correct for every test row', () => {
    const { header, rows } = readCsv(join(out, 'predict_results.csv'));
    assert.deepEqual(header, ['index', 'line', 'text', 'label', 'predicted', 'score', 'p(negative)', 'p(positive)', 'correct', 'note']);
    assert.equal(rows.length, testRows.length);
    let correct = 0;
    rows.forEach((r, i) => {
      assert.equal(Number(r[0]), i);
      assert.equal(Number(r[1]), i + 2, 'line: the header is line 1');
      assert.equal(r[2], testRows[i]!.text, 'rows stay in file order');
      assert.equal(r[3], testRows[i]!.label);
      assert.ok(['negative', 'positive'].includes(r[4]!));
      const [score, pNeg, pPos] = [Number(r[5]), Number(r[6]), Number(r[7])];
      assert.ok(Math.abs(pNeg + pPos - 1) < 1e-5);
      assert.ok(Math.abs(score - Math.max(pNeg, pPos)) < 1e-5);
      assert.equal(r[4], pPos > pNeg ? 'positive' : 'negative');
      assert.equal(r[8], String(r[4] === r[3]));
      if (r[4] === testRows[i]!.label) correct++;
    });
    // The task is separable by one word and validation accuracy reaches 1: predictions must mostly be right (labels not permuted).
    assert.ok(correct / rows.length >= 0.8, `accuracy ${correct}/${rows.length}`);
  });

  test('the final model: Hugging Face layout, tokenizer, model card, onnx/', async () => {
    for (const f of [
      'config.json',
      'model.safetensors',
      'vocab.txt',
      'tokenizer_config.json',
      'README.md',
      'training_args.json',
      'onnx/model.onnx',
      'onnx/model_quantized.onnx',
    ]) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const cfg = readJson(join(out, 'config.json'));
    assert.deepEqual(cfg.architectures, ['BertForSequenceClassification']);
    assert.deepEqual(cfg.id2label, { 0: 'negative', 1: 'positive' });
    assert.deepEqual(cfg.label2id, { negative: 0, positive: 1 });
    // the final weights are the best checkpoint's
    const best = readJson(join(out, 'trainer_state.json')).best_model_checkpoint as string;
    assert.equal((await maxWeightDiff(join(out, 'model.safetensors'), join(best, 'model.safetensors'))).max, 0);
    const loaded = await loadPretrained(out);
    assert.equal(loaded.config.num_labels, 2);
  });

  test("evaluate on the saved model reproduces the training run's final eval_loss (and writes nothing without --output_dir)", async () => {
    const ev = readJson(join(out, 'eval_results.json'));
    // Run from an empty working directory to see that nothing is written there.
    const cwd = process.cwd();
    const empty = join(root, 'empty-cwd');
    mkdirSync(empty);
    let r: Awaited<ReturnType<typeof runCli>>;
    try {
      process.chdir(empty);
      r = await runCli([
        'evaluate',
        '--model_name_or_path',
        out,
        '--validation_file',
        val,
        '--per_device_eval_batch_size',
        '16',
        '--max_seq_length',
        '24',
        '--threads',
        '1',
        '--log_format',
        'json',
      ]);
    } finally {
      process.chdir(cwd);
    }
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readdirSync(empty), [], 'evaluate without --output_dir wrote into the working directory');
    const done = jsonEvents(r.out).pop()!;
    assert.equal(done.type, 'done');
    const res = done.results as Record<string, number>;
    assert.ok(Math.abs(res.eval_loss! - (ev.eval_loss as number)) <= 1e-6, `${res.eval_loss} vs ${ev.eval_loss}`);
    assert.equal(res.eval_accuracy, ev.eval_accuracy);
    // with --output_dir: eval_results.json there
    const evalDir = join(root, 'eval-out');
    const r2 = await runCli([
      'evaluate',
      '--model_name_or_path',
      out,
      '--validation_file',
      val,
      '--per_device_eval_batch_size',
      '16',
      '--max_seq_length',
      '24',
      '--threads',
      '1',
      '--output_dir',
      evalDir,
    ]);
    assert.equal(r2.code, 0, r2.err);
    const ev2 = readJson(join(evalDir, 'eval_results.json'));
    assert.ok(Math.abs((ev2.eval_loss as number) - (ev.eval_loss as number)) <= 1e-6);
  });

  test('predict --text prints one label per sentence', async () => {
    const sentences = ['the food was really wonderful', 'the service was totally awful', 'honestly the pizza is so delicious'];
    const r = await runCli(['predict', '--model_name_or_path', out, '--log_format', 'text', ...sentences.flatMap((s) => ['--text', s])]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    lines.forEach((l, i) => {
      const [label, score, text] = l.split('\t');
      assert.ok(['negative', 'positive'].includes(label!), l);
      assert.ok(Number(score) >= 0.5 && Number(score) <= 1, l);
      assert.equal(text, sentences[i]);
    });
    // JSON: every label with its probability
    const j = await runCli(['predict', '--model_name_or_path', out, '--log_format', 'json', '--text', sentences[0]!]);
    assert.equal(j.code, 0, j.err);
    const row = jsonEvents(j.out)[0] as unknown as { text: string; label: string; score: number; scores: { label: string; score: number }[] };
    assert.equal(row.text, sentences[0]);
    assert.deepEqual(row.scores.map((s) => s.label).sort(), ['negative', 'positive']);
    assert.equal(row.label, row.scores[0]!.label);
  });

  test('predict --test_file writes predict_results.csv into --output_dir', async () => {
    const dir = join(root, 'predict-out');
    const r = await runCli(['predict', '--model_name_or_path', out, '--test_file', testFile, '--output_dir', dir, '--max_seq_length', '24', '--threads', '1']);
    assert.equal(r.code, 0, r.err);
    // the same predictions as the training run made (same model, same batches)
    assert.deepEqual(
      readCsv(join(dir, 'predict_results.csv')).rows.map((x) => x[4]),
      readCsv(join(out, 'predict_results.csv')).rows.map((x) => x[4]),
    );
  });

  test('export of a checkpoint: a Hugging Face folder with onnx/, the same weights', async () => {
    const ckpt = join(out, checkpointsIn(out).pop()!);
    const dir = join(root, 'exported');
    const r = await runCli(['export', '--model_name_or_path', ckpt, '--output_dir', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^wrote /);
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json', 'README.md', 'onnx/model.onnx', 'onnx/model_quantized.onnx'])
      assert.ok(existsSync(join(dir, f)), f);
    for (const f of ['optimizer.safetensors', 'rng_state.json', 'trainer_state.json'])
      assert.ok(!existsSync(join(dir, f)), `${f} is training state, not model`);
    assert.equal((await maxWeightDiff(join(ckpt, 'model.safetensors'), join(dir, 'model.safetensors'))).max, 0);
    assert.doesNotMatch(r.err, STACK_LINE);
    // Exporting again over an export is fine (the folder holds only a model); --no_onnx drops onnx/.
    const again = await runCli(['export', '--model_name_or_path', ckpt, '--output_dir', dir, '--no_onnx']);
    assert.equal(again.code, 0, again.err);
    assert.ok(!existsSync(join(dir, 'onnx')));
    assert.equal((await maxWeightDiff(join(ckpt, 'model.safetensors'), join(dir, 'model.safetensors'))).max, 0);
  });

  test('--log_format text: the Trainer-style log lines', async () => {
    const dir = join(root, 'text-run');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      'preset:bert-tiny',
      '--tokenizer_name',
      TOK,
      '--train_file',
      train,
      '--output_dir',
      dir,
      '--max_steps',
      '4',
      '--logging_steps',
      '2',
      '--save_steps',
      '2',
      '--per_device_train_batch_size',
      '16',
      '--max_seq_length',
      '24',
      '--threads',
      '1',
      '--export_onnx',
      'false',
      '--log_format',
      'text',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\*\*\*\*\* Running training \*\*\*\*\*\n {2}Num examples = 160\n {2}Num Epochs = 1\n {2}Total optimization steps = 4/);
    assert.match(r.out, /^\{'loss': [\d.]+, 'grad_norm': [\d.e-]+, 'learning_rate': [\d.e-]+, 'epoch': [\d.]+\}$/m);
    assert.match(r.out, new RegExp(`^Saving model checkpoint to ${join(dir, 'checkpoint-2').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(r.out, /train_loss +=/);
    assert.doesNotMatch(r.out, /^\{"type"/m);
  });
});

describe('save_total_limit keeps the best checkpoint when it is not the newest', () => {
  test('limit 1: the best (first) and the newest stay, the others go', async () => {
    const TOK = writeSmallVocab(join(root, 'tok2'));
    const train = writeCsv(join(root, 'train2.csv'), reviewRows(160, 1));
    // A validation set with the labels swapped: the more the model learns, the worse its eval_loss,
    // so the first evaluation is the best one.
    const inverted = writeCsv(
      join(root, 'inverted.csv'),
      reviewRows(40, 2).map((r) => ({ text: r.text, label: r.label === 'positive' ? 'negative' : 'positive' })),
    );
    const out = join(root, 'limit-run');
    const r = await runCli([
      'train',
      '--model_name_or_path',
      'preset:bert-tiny',
      '--tokenizer_name',
      TOK,
      '--train_file',
      train,
      '--validation_file',
      inverted,
      '--output_dir',
      out,
      '--max_steps',
      '30',
      '--eval_strategy',
      'steps',
      '--eval_steps',
      '6',
      '--save_steps',
      '6',
      '--logging_steps',
      '6',
      '--per_device_train_batch_size',
      '16',
      '--learning_rate',
      '3e-3',
      '--max_seq_length',
      '24',
      '--save_total_limit',
      '1',
      '--threads',
      '1',
      '--export_onnx',
      'false',
    ]);
    assert.equal(r.code, 0, r.err);
    const state = readJson(join(out, 'trainer_state.json'));
    const evals = (state.log_history as Record<string, number>[]).filter((h) => 'eval_loss' in h);
    assert.equal(evals.length, 5);
    const min = Math.min(...evals.map((h) => h.eval_loss!));
    const bestStep = evals.find((h) => h.eval_loss === min)!.step!;
    assert.ok(evals[evals.length - 1]!.eval_loss! > min, 'the last evaluation is not the best (the setup makes it worse)');
    assert.equal(state.best_model_checkpoint, join(out, `checkpoint-${bestStep}`));
    assert.deepEqual(checkpointsIn(out), [`checkpoint-${bestStep}`, 'checkpoint-30']);
    const events = jsonEvents(r.out).filter((e) => e.type === 'checkpoint');
    const removed = events.flatMap((e) => e.removed as string[]);
    assert.ok(!removed.includes(join(out, `checkpoint-${bestStep}`)));
    assert.equal(removed.length, 3);
  });
});
