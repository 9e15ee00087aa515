import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADVANCED_FIELDS, COMMON_FIELDS, argsFromForm, formFields, runName } from '../../../src/extension/form.js';

const ctx = { outputDir: '/ws/.finetune/runs/x', threads: 2, executionProvider: 'auto' as const, cacheDir: null };

describe('training form', () => {
  test('fields: common ones first, advanced after, with the UI defaults and saved values', () => {
    const f = formFields({ learning_rate: 3e-5 });
    assert.deepEqual(
      f.filter((x) => !x.advanced).map((x) => x.name),
      [...COMMON_FIELDS],
    );
    assert.deepEqual(
      f.filter((x) => x.advanced).map((x) => x.name),
      [...ADVANCED_FIELDS],
    );
    assert.equal(f.find((x) => x.name === 'learning_rate')!.value, 3e-5);
    assert.equal(f.find((x) => x.name === 'eval_strategy')!.value, 'epoch');
    const schedules = f.find((x) => x.name === 'lr_scheduler_type')!.choices!;
    assert.deepEqual(schedules.slice(0, 4), ['linear', 'constant', 'constant_with_warmup', 'cosine']);
    for (const s of ['cosine_with_restarts', 'polynomial', 'warmup_stable_decay', 'reduce_lr_on_plateau']) assert.ok(schedules.includes(s), s);
  });

  test('submitted strings become typed, validated run args', () => {
    const a = argsFromForm(
      {
        model_name_or_path: 'hfl/rbt3',
        train_file: '/ws/data.csv',
        learning_rate: '2e-5',
        num_train_epochs: '3',
        group_by_length: 'false',
        text_column_names: 'review',
        label_column_name: 'label',
        early_stopping_patience: '',
      },
      ctx,
    );
    assert.equal(a.learning_rate, 2e-5);
    assert.equal(a.num_train_epochs, 3);
    assert.equal(a.group_by_length, false);
    assert.deepEqual(a.text_column_names, ['review']);
    assert.equal(a.early_stopping_patience, null);
    assert.equal(a.do_train, true);
    assert.equal(a.do_eval, true);
    assert.equal(a.output_dir, ctx.outputDir);
    assert.equal(a.threads, 2);
    assert.equal(a.load_best_model_at_end, true);
    assert.equal(a.save_strategy, 'epoch');
  });

  test('no evaluation: best-model tracking and early stopping are switched off rather than failing', () => {
    const a = argsFromForm(
      { model_name_or_path: 'm/x', train_file: '/d.csv', eval_strategy: 'no', validation_split_percentage: '0', early_stopping_patience: '3' },
      ctx,
    );
    assert.equal(a.do_eval, false);
    assert.equal(a.load_best_model_at_end, false);
    assert.equal(a.early_stopping_patience, null);
  });

  const bad: { values: Record<string, unknown>; message: RegExp }[] = [
    { values: { train_file: '/d.csv' }, message: /choose a model/ },
    { values: { model_name_or_path: 'm/x' }, message: /choose a dataset file/ },
    { values: { model_name_or_path: 'm/x', train_file: '/d.csv', learning_rate: 'fast' }, message: /--learning_rate: expects a number \(got "fast"\)/ },
    {
      values: { model_name_or_path: 'm/x', train_file: '/d.csv', per_device_train_batch_size: '0' },
      message: /--per_device_train_batch_size: must be at least 1/,
    },
    { values: { model_name_or_path: 'm/x', train_file: '/d.csv', lr_scheduler_type: 'step' }, message: /must be one of linear, constant/ },
    { values: { model_name_or_path: 'm/x', train_file: '/d.csv', bogus: 1 }, message: /unknown setting "bogus"/ },
  ];
  for (const row of bad) test(`error: ${row.message.source}`, () => assert.throws(() => argsFromForm(row.values, ctx), row.message));

  test('calibration and a target precision are form fields (advanced); a target precision with no calibration names the flag', () => {
    const f = formFields();
    assert.deepEqual(
      ['calibration', 'target_precision'].map((n) => [f.find((x) => x.name === n)?.advanced, f.find((x) => x.name === n)?.value]),
      [
        [true, 'temperature'],
        [true, null],
      ],
    );
    assert.equal(argsFromForm({ model_name_or_path: 'm/x', train_file: '/d.csv', target_precision: '0.95' }, ctx).target_precision, 0.95);
    assert.throws(
      () => argsFromForm({ model_name_or_path: 'm/x', train_file: '/d.csv', target_precision: '0.95', calibration: 'none' }, ctx),
      /--target_precision is stored with the calibration/,
    );
  });

  test('fp16 and the length-grouping order are form fields; fp16 with the CPU setting names the setting to change', () => {
    const a = argsFromForm({ model_name_or_path: 'm/x', train_file: '/d.csv', fp16: 'true', length_grouping: 'transformers' }, ctx);
    assert.equal(a.fp16, true);
    assert.equal(formFields().find((x) => x.name === 'fp16')!.label, 'fp16 mixed precision (GPU)');
    assert.equal(a.length_grouping, 'transformers');
    assert.equal(a.execution_provider, 'auto');
    assert.throws(
      () => argsFromForm({ model_name_or_path: 'm/x', train_file: '/d.csv', fp16: 'true' }, { ...ctx, executionProvider: 'cpu' }),
      /fp16 \(float16 mixed precision\) needs a GPU: set the finetune\.executionProvider setting to webgpu, cuda or auto/,
    );
  });

  test('long texts: long_text, doc_stride and chunk_aggregation after max_seq_length, typed and validated as the CLI does', () => {
    const names = formFields().map((x) => x.name);
    const at = names.indexOf('max_seq_length');
    assert.deepEqual(names.slice(at, at + 4), ['max_seq_length', 'long_text', 'doc_stride', 'chunk_aggregation']);
    const lt = formFields().find((x) => x.name === 'long_text')!;
    assert.deepEqual([lt.choices, lt.value, lt.advanced], [['truncate', 'head_tail', 'sliding_window'], null, false]);
    const base = { model_name_or_path: 'm/x', train_file: '/d.csv', max_seq_length: '64' };
    const a = argsFromForm({ ...base, long_text: 'sliding_window', doc_stride: '16', chunk_aggregation: 'max' }, ctx);
    assert.deepEqual([a.long_text, a.doc_stride, a.chunk_aggregation], ['sliding_window', 16, 'max']);
    const d = argsFromForm({ ...base, long_text: '', doc_stride: null, chunk_aggregation: '' }, ctx);
    assert.deepEqual([d.long_text, d.doc_stride, d.chunk_aggregation], [null, null, null]);
    assert.throws(
      () => argsFromForm({ ...base, long_text: 'sliding_window', doc_stride: '32' }, ctx),
      /--doc_stride 32: .*less than half of --max_seq_length \(64\)/,
    );
    assert.throws(() => argsFromForm({ ...base, long_text: 'windows' }, ctx), /--long_text: must be one of truncate, head_tail, sliding_window/);
    assert.throws(() => argsFromForm({ ...base, doc_stride: '-1' }, ctx), /--doc_stride: must be at least 0/);
  });

  test('run names are file-system safe and readable', () => {
    assert.equal(runName('hfl/rbt3', '/data/waimai 10k.csv', new Date('2026-11-21T15:30:00Z')), 'rbt3-waimai-10k-20261121-1530');
    assert.equal(runName('preset:bert-tiny', 'x.jsonl', new Date('2026-01-02T03:04:00Z')), 'bert-tiny-x-20260102-0304');
  });
});
