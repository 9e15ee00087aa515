/**
 * export-script, TypeScript side: the TrainingArguments keywords train.py writes are all fields of
 * transformers 5.x's TrainingArguments (test/fixtures/transformers), every Finetune flag has a
 * decision, the flags map to the right keywords and values, what cannot be reproduced is refused
 * with an ArgError naming the flag, and the exported files say what they should.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FLAG_USE, checkExportable, exportScript, trainOrder, trainingArgumentsFor } from '../../../../../src/core/run/script/script.js';
import { ARG_SPECS, ArgError, type RunArgs, defaultArgs, parseFlags } from '../../../../../src/core/contract/args.js';

const FIXTURES = join(import.meta.dirname, '../../../../fixtures/transformers');
const FIELDS_5 = new Set(JSON.parse(readFileSync(join(FIXTURES, 'training_args_fields_5.x.json'), 'utf8')) as string[]);
/** Names transformers 5 removed, or deprecated and later removed (5.15): train.py must not pass them. */
const GONE_IN_5 = ['overwrite_output_dir', 'evaluation_strategy', 'warmup_ratio', 'logging_dir', 'group_by_length', 'per_gpu_train_batch_size', 'no_cuda'];

const root = mkdtempSync(join(tmpdir(), 'export-script-'));
after(() => rmSync(root, { recursive: true, force: true }));

function argsOf(flags: string[]): RunArgs {
  const a = defaultArgs();
  parseFlags(flags, a);
  return a;
}

const BASE = ['--model_name_or_path', 'hfl/rbt3', '--train_file', 'x.csv', '--output_dir', 'out', '--do_train'];

/** Runs with different flags: each one's keywords must all be transformers 5.x fields. */
const RUNS: { name: string; flags: string[] }[] = [
  { name: 'defaults', flags: [] },
  {
    name: 'evaluation, best model, early stopping',
    flags: [
      ...['--eval_strategy', 'steps', '--eval_steps', '50', '--save_steps', '100', '--save_total_limit', '2'],
      ...['--load_best_model_at_end', '--metric_for_best_model', 'f1', '--early_stopping_patience', '3'],
    ],
  },
  { name: 'warmup ratio, cosine, fp16', flags: ['--warmup_ratio', '0.1', '--lr_scheduler_type', 'cosine', '--fp16', '--execution_provider', 'cuda'] },
  { name: 'file order', flags: ['--shuffle_train_dataset', 'false'] },
  { name: "transformers' length grouping", flags: ['--group_by_length', '--length_grouping', 'transformers'] },
  { name: "Finetune's length grouping", flags: ['--group_by_length'] },
  { name: 'greater_is_better without a best metric', flags: ['--greater_is_better', 'false', '--eval_strategy', 'epoch', '--save_strategy', 'epoch'] },
  { name: 'predict and evaluate', flags: ['--do_eval', '--do_predict', '--test_file', 't.csv', '--per_device_eval_batch_size', '64'] },
];

describe('export-script: TrainingArguments keywords', () => {
  for (const run of RUNS) {
    test(`${run.name}: every keyword is a transformers 5.x TrainingArguments field, none removed in 5.x`, () => {
      const t = trainingArgumentsFor(argsOf([...BASE, ...run.flags]));
      const unknown = Object.keys(t).filter((k) => !FIELDS_5.has(k));
      assert.deepEqual(unknown, []);
      for (const k of GONE_IN_5) assert.equal(k in t, false, k);
      assert.equal(t.report_to, 'none');
    });
  }

  test('every run flag has a decision in FLAG_USE, and FLAG_USE names no other flag', () => {
    assert.deepEqual(Object.keys(FLAG_USE).sort(), ARG_SPECS.map((s) => s.name).sort());
  });

  const cases: { name: string; flags: string[]; want: Record<string, unknown>; absent?: string[] }[] = [
    { name: 'a warmup ratio is a float warmup_steps', flags: ['--warmup_ratio', '0.06'], want: { warmup_steps: 0.06 } },
    { name: 'warmup_steps wins over the ratio', flags: ['--warmup_ratio', '0.06', '--warmup_steps', '30'], want: { warmup_steps: 30 } },
    {
      name: 'early stopping without a metric compares the loss, lower is better',
      flags: ['--eval_strategy', 'epoch', '--early_stopping_patience', '2'],
      want: { metric_for_best_model: 'loss', greater_is_better: false, eval_strategy: 'epoch' },
    },
    {
      name: "mse: lower is better (transformers' own default would say greater)",
      flags: ['--eval_strategy', 'epoch', '--save_strategy', 'epoch', '--load_best_model_at_end', '--metric_for_best_model', 'mse'],
      want: { metric_for_best_model: 'mse', greater_is_better: false, load_best_model_at_end: true },
    },
    {
      name: 'f1: greater is better',
      flags: ['--eval_strategy', 'epoch', '--save_strategy', 'epoch', '--load_best_model_at_end', '--metric_for_best_model', 'f1'],
      want: { greater_is_better: true },
    },
    { name: 'file order is the sequential sampler', flags: ['--shuffle_train_dataset', 'false'], want: { train_sampling_strategy: 'sequential' } },
    {
      name: "--length_grouping transformers is the Trainer's group_by_length",
      flags: ['--group_by_length', '--length_grouping', 'transformers'],
      want: { train_sampling_strategy: 'group_by_length' },
    },
    { name: "Finetune's shuffled length grouping is train.py's own sampler", flags: ['--group_by_length'], want: {}, absent: ['train_sampling_strategy'] },
    {
      name: 'unset optional settings are left to the Trainer',
      flags: [],
      want: { eval_strategy: 'no', save_steps: 500, logging_steps: 500, seed: 42, learning_rate: 5e-5, fp16: false, output_dir: './output' },
      absent: ['eval_steps', 'save_total_limit', 'metric_for_best_model', 'greater_is_better'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const t = trainingArgumentsFor(argsOf([...BASE, ...c.flags]));
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(t[k], v, k);
      for (const k of c.absent ?? []) assert.equal(k in t, false, k);
    });
  }

  test('train order follows shuffle_train_dataset, group_by_length and length_grouping', () => {
    assert.equal(trainOrder(argsOf([])), 'random');
    assert.equal(trainOrder(argsOf(['--shuffle_train_dataset', 'false', '--group_by_length'])), 'sequential');
    assert.equal(trainOrder(argsOf(['--group_by_length'])), 'length_shuffled');
    assert.equal(trainOrder(argsOf(['--group_by_length', '--length_grouping', 'transformers'])), 'length_grouped');
  });
});

function refusal(fn: () => unknown): ArgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ArgError) return e;
    throw e;
  }
  assert.fail('expected an ArgError');
}

async function asyncRefusal(fn: () => Promise<unknown>): Promise<ArgError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ArgError) return e;
    throw e;
  }
  assert.fail('expected an ArgError');
}

describe('export-script: refusals', () => {
  const cases: { name: string; flags: string[]; flag: string; says: RegExp }[] = [
    {
      name: 'a random-init preset',
      flags: ['--model_name_or_path', 'preset:bert-tiny'],
      flag: '--model_name_or_path',
      says: /Python transformers cannot load it.*Hub id.*finetune create-model --preset bert-tiny/,
    },
    { name: 'a warmup ratio of 1', flags: ['--warmup_ratio', '1'], flag: '--warmup_ratio', says: /1\.0 = one step/ },
    { name: 'best model without evaluation', flags: ['--load_best_model_at_end'], flag: '--load_best_model_at_end', says: /needs evaluation/ },
    { name: 'early stopping without evaluation', flags: ['--early_stopping_patience', '2'], flag: '--early_stopping_patience', says: /needs evaluation/ },
    {
      name: 'sliding windows (per-document aggregation)',
      flags: ['--long_text', 'sliding_window'],
      flag: '--long_text',
      says: /cannot aggregate the chunks of a document.*--long_text head_tail or truncate/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const e = refusal(() => checkExportable(argsOf([...BASE, ...c.flags])));
      assert.equal(e.flag, c.flag);
      assert.match(e.message, c.says);
    });
  }

  test('--fp16 is not refused for the CPU execution provider: the script picks its own device', () => {
    assert.doesNotThrow(() => checkExportable(argsOf([...BASE, '--fp16'])));
  });

  const csv = join(root, 'three.csv');
  writeFileSync(csv, 'text,label\ngreat,pos\nbad,neg\nfine,pos\nawful,neg\n');
  const asyncCases: { name: string; flags: () => string[]; flag: string; says: RegExp }[] = [
    {
      name: 'class weights on regression data',
      flags: () => {
        const f = join(root, 'scores.csv');
        writeFileSync(f, 'text,label\ngreat,0.5\nbad,1.5\n');
        return ['--train_file', f, '--class_weights', 'auto'];
      },
      flag: '--class_weights',
      says: /single-label classification only/,
    },
    { name: 'class weights of the wrong length', flags: () => ['--class_weights', '1,2,3'], flag: '--class_weights', says: /give 2 non-negative numbers/ },
    {
      name: 'resuming a Finetune checkpoint',
      flags: () => {
        const ck = join(root, 'checkpoint-10');
        mkdirSync(ck, { recursive: true });
        writeFileSync(join(ck, 'optimizer.safetensors'), '');
        return ['--resume_from_checkpoint', ck];
      },
      flag: '--resume_from_checkpoint',
      says: /Trainer cannot resume/,
    },
    {
      name: 'a model folder that does not exist',
      flags: () => ['--model_name_or_path', join(root, 'nope')],
      flag: '--model_name_or_path',
      says: /no such folder/,
    },
    { name: 'a tokenizer folder that does not exist', flags: () => ['--tokenizer_name', './nope/tok'], flag: '--tokenizer_name', says: /no such folder/ },
  ];
  for (const c of asyncCases) {
    test(c.name, async () => {
      const e = await asyncRefusal(() => exportScript(argsOf(['--model_name_or_path', 'hfl/rbt3', '--train_file', csv, '--output_dir', 'out', ...c.flags()])));
      assert.equal(e.flag, c.flag);
      assert.match(e.message, c.says);
    });
  }
});

describe('export-script: files', () => {
  const csv = join(root, 'reviews.csv');
  writeFileSync(
    csv,
    'review,sentiment\ngreat food,positive\nbad,negative\n,positive\nok fine,positive\nterrible,\nnice,positive\nawful,negative\nyum,positive\nmeh,negative\n',
  );
  const exportOf = (flags: string[]): Promise<Record<string, string>> =>
    exportScript(
      argsOf(['--model_name_or_path', 'hfl/rbt3', '--train_file', csv, '--text_column_names', 'review', '--label_column_name', 'sentiment', ...flags]),
    );

  test('train.py passes processing_class (not tokenizer=), writes report_to none and names its transformers range', async () => {
    const f = await exportOf([]);
    const py = f['train.py']!;
    assert.match(py, /processing_class=tokenizer,/);
    assert.doesNotMatch(py, /\btokenizer=tokenizer/);
    const start = py.indexOf('TRAINING_ARGUMENTS = {');
    const table = py.slice(start, py.indexOf('\n}\n', start));
    assert.match(table, /"learning_rate": 0.00005,/);
    for (const gone of GONE_IN_5) assert.doesNotMatch(table, new RegExp(`"${gone}"`));
    assert.match(py, /"report_to": "none"/);
    assert.match(py, /transformers 5\.x, and on the 4\.5x line from 4\.50/);
    assert.match(f['requirements.txt']!, /^transformers>=4\.50,<6$/m);
    for (const line of f['requirements.txt']!.split('\n').filter((l) => l && !l.startsWith('#'))) assert.match(line, /<\d/, `${line} has an upper bound`);
  });

  for (const fp16 of [false, true]) {
    test(`accelerate config: mixed_precision follows --fp16 (${fp16})`, async () => {
      const f = await exportOf(fp16 ? ['--fp16'] : []);
      const yaml = f['accelerate_config.yaml']!;
      assert.match(yaml, new RegExp(`^mixed_precision: ${fp16 ? 'fp16' : 'no'} `, 'm'));
      assert.doesNotMatch(yaml, /bf16/);
      assert.match(f['train.py']!, new RegExp(`"fp16": ${fp16 ? 'True' : 'False'},`));
    });
  }

  test('data rows: empty texts and labels dropped, the stratified validation split carved out, labels by name', async () => {
    const f = await exportOf(['--eval_strategy', 'epoch', '--validation_split_percentage', '25']);
    const rows = (name: string): { text: string; label: string }[] =>
      f[name]!.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { text: string; label: string });
    const train = rows('data/train.jsonl');
    const val = rows('data/validation.jsonl');
    assert.equal(train.length + val.length, 7); // 9 rows, one with an empty text and one with an empty label dropped
    assert.equal(val.length, 2); // ceil(25% of 7)
    assert.deepEqual(val.map((r) => r.label).sort(), ['negative', 'positive']); // stratified: one of each
    assert.deepEqual([...train, ...val].map((r) => r.text).sort(), ['awful', 'bad', 'great food', 'meh', 'nice', 'ok fine', 'yum']);
    assert.match(f['train.py']!, /data\/validation\.jsonl: 2 rows carved out of .*25%, stratified by label/);
    assert.match(f['train.py']!, /"validation": "\.\/data\/validation\.jsonl"/);
  });

  test('no validation rows without evaluation', async () => {
    const f = await exportOf([]);
    assert.deepEqual(Object.keys(f).sort(), ['accelerate_config.yaml', 'data/train.jsonl', 'requirements.txt', 'train.py']);
  });

  const dataCases: { name: string; header: string; lines: string[]; flags: string[]; want: unknown[] }[] = [
    {
      name: 'multi-label: the list of label names',
      header: 'text,labels',
      lines: ['a b,x|y', 'c,y', 'd,x'],
      flags: ['--label_column_name', 'labels', '--label_delimiter', '|'],
      want: [
        { text: 'a b', label: ['x', 'y'] },
        { text: 'c', label: ['y'] },
        { text: 'd', label: ['x'] },
      ],
    },
    {
      name: 'regression: the float32 value Finetune trains on, shortest',
      header: 'text,label',
      lines: ['a,0.1', 'b,2.5', 'c,-3'],
      flags: ['--task', 'regression'],
      want: [
        { text: 'a', label: 0.1 },
        { text: 'b', label: 2.5 },
        { text: 'c', label: -3 },
      ],
    },
    {
      name: 'sentence pairs, and --no_header columns by position',
      header: '',
      lines: ['s1,t1,1', 's2,t2,0'],
      flags: ['--no_header', '--text_column_names', '0,1', '--label_column_name', '2'],
      want: [
        { text: 's1', text_pair: 't1', label: '1' },
        { text: 's2', text_pair: 't2', label: '0' },
      ],
    },
    {
      name: 'several text columns joined with --text_column_delimiter',
      header: 'title,body,label',
      lines: ['T1,B1,a', ',B2,b', 'T3,,a'],
      flags: ['--text_column_names', 'title,body', '--text_column_delimiter', ' | '],
      want: [
        { text: 'T1 | B1', label: 'a' },
        { text: 'B2', label: 'b' },
        { text: 'T3', label: 'a' },
      ],
    },
  ];
  for (const c of dataCases) {
    test(`data rows: ${c.name}`, async () => {
      const file = join(root, `${c.name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(file, `${c.header ? `${c.header}\n` : ''}${c.lines.join('\n')}\n`);
      const f = await exportScript(argsOf(['--model_name_or_path', 'hfl/rbt3', '--train_file', file, ...c.flags]));
      const parsed = f['data/train.jsonl']!.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { index: number; line: number });
      // Each row says where it came from: its data row index and the file line it starts on.
      for (const r of parsed) assert.equal(r.line, r.index + (c.header ? 2 : 1));
      assert.deepEqual(
        parsed.map(({ index: _i, line: _l, ...rest }) => rest),
        c.want,
      );
    });
  }

  test('a vocab.txt-only tokenizer folder is shipped as ./tokenizer in the layout AutoTokenizer reads', async () => {
    const tok = join(root, 'vocab-only');
    mkdirSync(tok, { recursive: true });
    writeFileSync(join(tok, 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'great', 'bad'].join('\n'));
    const f = await exportOf(['--tokenizer_name', tok]);
    assert.match(f['train.py']!, /"tokenizer_name_or_path": "\.\/tokenizer"/);
    assert.ok(f['tokenizer/tokenizer.json']);
    const config = JSON.parse(f['tokenizer/tokenizer_config.json']!) as { tokenizer_class?: string };
    assert.equal(config.tokenizer_class, 'BertTokenizer');
  });

  test('a local model folder is named by its absolute path; its tokenizer files are used in place', async () => {
    const model = join(root, 'model');
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, 'config.json'), '{}');
    const f = await exportOf(['--model_name_or_path', model]);
    assert.match(f['train.py']!, new RegExp(`"model_name_or_path": ${JSON.stringify(model).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.equal(f['tokenizer/tokenizer.json'], undefined);
  });
});
