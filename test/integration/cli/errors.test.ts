/**
 * Malformed inputs and bad flags through the `finetune` command line: each case asserts the
 * message (the file, row, column or flag at fault, and what to do), a non-zero exit code, no stack
 * trace on stderr (there is one with --debug), and that a previously good output folder given to
 * the failing command is byte-identical afterwards. Then a run whose loss becomes NaN: it stops
 * with a message, keeps the last good checkpoint and writes no final model.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STACK_LINE, TOKENIZER, allFinite, jsonEvents, reviewRows, runCli, snapshot, spawnCliToEnd, tempDir, writeCsv, writeSmallVocab } from './support.js';

const root = tempDir('errors');
after(() => rmSync(root, { recursive: true, force: true }));

const p = (name: string): string => join(root, name);
const file = (name: string, content: string | Uint8Array): string => {
  writeFileSync(p(name), content);
  return p(name);
};
const csv = (body: string): string => `text,label\n${body}`;

let TOK = '';
let GOOD = '';
let TRAIN = '';
/** Train flags that are fine, for a case to add its one fault to. */
let base: string[] = [];
/** train with the good output folder as --output_dir (and --overwrite_output_dir, so only the fault stops it). */
let intoGood: string[] = [];

interface Case {
  name: string;
  argv: () => string[];
  /** Every one must occur in stderr's error line (a function when it names a folder made in before()). */
  want: (string | RegExp)[] | (() => (string | RegExp)[]);
  /** --log_format is itself the fault: no JSON error event. */
  noJson?: boolean;
  /** 2 for usage errors (flags), 1 for the rest. */
  code: 1 | 2;
}

const cases: Case[] = [
  // ---- data files
  {
    name: 'ragged CSV row',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      file('ragged.csv', csv('the food was great,positive\nthe soup was bad,negative,extra\nfine,positive\n')),
      ...intoGood,
    ],
    want: ['ragged.csv, line 3', 'expected 2 columns (as in the header), found 3', 'quotes'],
    code: 1,
  },
  {
    name: 'invalid UTF-8',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      file('latin1.csv', Buffer.concat([Buffer.from(csv('the food was great,positive\nthe caf')), Buffer.from([0xe9]), Buffer.from(' was bad,negative\n')])),
      ...intoGood,
    ],
    want: ['latin1.csv', 'not valid UTF-8', 'line 3', 'Save the file as UTF-8'],
    code: 1,
  },
  {
    name: 'missing text column',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--text_column_names', 'review', ...intoGood],
    want: ['train.csv', 'no text column "review"', 'The columns are "text", "label"'],
    code: 1,
  },
  {
    name: 'missing label column',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--label_column_name', 'sentiment', ...intoGood],
    want: ['train.csv', 'no label column "sentiment"', 'The columns are "text", "label"'],
    code: 1,
  },
  {
    name: 'one class only',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      file('one-class.csv', csv('the food was great,positive\nthe soup was good,positive\nfine,positive\n')),
      ...intoGood,
    ],
    want: ['one-class.csv', 'only one value ("positive")', 'at least two classes', 'regression'],
    code: 1,
  },
  {
    name: 'empty file',
    argv: () => ['train', ...base, '--train_file', file('empty.csv', ''), ...intoGood],
    want: ['empty.csv is empty', 'header and rows'],
    code: 1,
  },
  {
    name: 'header-only file',
    argv: () => ['train', ...base, '--train_file', file('header-only.csv', 'text,label\n'), ...intoGood],
    want: ['header-only.csv has no data rows', 'Add rows'],
    code: 1,
  },
  {
    name: 'unseen validation label',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      TRAIN,
      '--validation_file',
      file('val-unseen.csv', csv('the food was great,positive\nthe soup was fine,neutral\n')),
      '--do_eval',
      ...intoGood,
    ],
    want: ['val-unseen.csv, line 3', 'the label "neutral" (column "label") does not occur in the training data', 'Fix the label'],
    code: 1,
  },
  {
    name: 'non-numeric regression label',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      file('scores.csv', csv('the food was great,4.5\nthe soup was bad,1.0\nthe staff was rude,abc\n')),
      '--task',
      'regression',
      ...intoGood,
    ],
    want: ['scores.csv, line 4', 'the label "abc" (column "label") is not a number', 'Fix the value'],
    code: 1,
  },
  {
    name: 'bad JSON',
    argv: () => ['train', ...base, '--train_file', file('bad.json', '[{"text": "the food was great", "label": "positive"},'), ...intoGood],
    want: ['bad.json: not valid JSON', 'Fix the JSON syntax'],
    code: 1,
  },
  {
    name: 'JSON Lines: a bad line',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      file('bad.jsonl', '{"text": "great", "label": "positive"}\n{"text": "bad", "label": "negative"}\n{"text": "rude", label: "negative"}\n'),
      ...intoGood,
    ],
    want: ['bad.jsonl, line 3: not valid JSON', 'one complete JSON object'],
    code: 1,
  },
  {
    name: 'train file that does not exist',
    argv: () => ['train', ...base, '--train_file', p('no-such.csv'), ...intoGood],
    want: ['no-such.csv', 'cannot open the data file', 'Check the path'],
    code: 1,
  },
  {
    name: 'data file with an unknown extension',
    argv: () => ['train', ...base, '--train_file', file('data.txt', 'great\tpositive\n'), ...intoGood],
    want: ['data.txt', 'cannot tell the format from the extension ".txt"', 'rename it to .csv, .tsv, .json or .jsonl'],
    code: 1,
  },
  // ---- flags
  {
    name: 'unknown flag, with did-you-mean',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--learning_rat', '1e-3', ...intoGood],
    want: ['unknown option --learning_rat', 'did you mean --learning_rate?', 'see --help'],
    code: 2,
  },
  {
    name: '--learning_rate abc',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--learning_rate', 'abc', ...intoGood],
    want: ['--learning_rate: expects a number (got "abc")'],
    code: 2,
  },
  {
    name: '--num_train_epochs 0',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--num_train_epochs', '0', ...intoGood],
    want: ['--num_train_epochs: must be greater than 0 (got "0")'],
    code: 2,
  },
  {
    name: '--per_device_train_batch_size 0',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--per_device_train_batch_size', '0', ...intoGood],
    want: ['--per_device_train_batch_size: must be at least 1 (got "0")'],
    code: 2,
  },
  {
    name: '--lr_scheduler_type foo',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--lr_scheduler_type', 'foo', ...intoGood],
    want: [
      '--lr_scheduler_type: must be one of linear, constant, constant_with_warmup, cosine, cosine_with_restarts, polynomial, inverse_sqrt, cosine_with_min_lr, cosine_warmup_with_min_lr, warmup_stable_decay, reduce_lr_on_plateau (got "foo")',
    ],
    code: 2,
  },
  {
    name: '--lr_scheduler_kwargs with a key the schedule does not take',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--lr_scheduler_type', 'cosine', '--lr_scheduler_kwargs', '{"num_cycle": 2}', ...intoGood],
    want: ['--lr_scheduler_kwargs: "num_cycle" is not a setting of the cosine schedule (it takes num_cycles)'],
    code: 2,
  },
  {
    name: '--lr_scheduler_kwargs that is not JSON',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--lr_scheduler_kwargs', 'num_cycles=2', ...intoGood],
    want: ['--lr_scheduler_kwargs: expects a JSON object such as {"num_cycles": 2} (got "num_cycles=2")'],
    code: 2,
  },
  {
    name: '--lr_scheduler_type reduce_lr_on_plateau without an eval strategy',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--lr_scheduler_type', 'reduce_lr_on_plateau', ...intoGood],
    want: ['--lr_scheduler_type reduce_lr_on_plateau lowers the learning rate from evaluation results', 'set --eval_strategy epoch or steps'],
    code: 2,
  },
  {
    name: '--eval_strategy sometimes',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--eval_strategy', 'sometimes', ...intoGood],
    want: ['--eval_strategy: must be one of no, steps, epoch (got "sometimes")'],
    code: 2,
  },
  {
    name: 'a flag without its value',
    argv: () => ['train', ...base, '--train_file', TRAIN, ...intoGood, '--learning_rate'],
    want: ['--learning_rate: expects a value'],
    code: 2,
  },
  {
    name: '--log_format xml',
    argv: () => ['train', ...base, '--train_file', TRAIN, ...intoGood, '--log_format', 'xml'],
    want: ['--log_format: text or json'],
    code: 2,
    noJson: true,
  },
  {
    name: 'unknown command',
    argv: () => ['trian', ...base],
    want: ['unknown command "trian"', 'commands: train, evaluate'],
    code: 2,
  },
  {
    name: '--fp16 on the CPU',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--fp16', ...intoGood],
    want: ['--fp16 (float16 mixed precision) needs a GPU', 'add --execution_provider webgpu'],
    code: 2,
  },
  {
    name: '--load_best_model_at_end without an eval strategy',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--load_best_model_at_end', ...intoGood],
    want: ['--load_best_model_at_end needs evaluation', 'set --eval_strategy epoch or steps'],
    code: 2,
  },
  {
    name: '--early_stopping_patience without an eval strategy',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--early_stopping_patience', '2', ...intoGood],
    want: ['--early_stopping_patience needs evaluation during training', 'set --eval_strategy epoch or steps'],
    code: 2,
  },
  {
    name: 'missing --train_file',
    argv: () => ['train', ...base, ...intoGood],
    want: ['--do_train needs --train_file', '.csv, .tsv, .json or .jsonl'],
    code: 2,
  },
  {
    name: 'non-empty output_dir without --overwrite_output_dir',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--output_dir', GOOD],
    want: () => [`--output_dir ${GOOD} already exists and is not empty`, 'use --overwrite_output_dir or choose another folder'],
    code: 2,
  },
  {
    name: '--class_weights with the wrong count',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--class_weights', '1,2,3', ...intoGood],
    want: ['--class_weights: give 2 non-negative numbers in label order (negative, positive)', '"auto"', '(got "1,2,3")'],
    code: 2,
  },
  {
    name: '--metric_for_best_model that the evaluation does not have',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      TRAIN,
      '--eval_strategy',
      'steps',
      '--eval_steps',
      '1',
      '--save_steps',
      '1',
      '--metric_for_best_model',
      'bleu',
      ...intoGood,
    ],
    want: ['--metric_for_best_model bleu', 'the evaluation has no eval_bleu', 'eval_accuracy'],
    code: 1,
  },
  {
    name: '--config file that is not JSON',
    argv: () => ['train', ...base, '--config', file('cfg-bad.json', '{learning_rate: 1e-3}'), '--train_file', TRAIN, ...intoGood],
    want: ['--config', 'cfg-bad.json: not valid JSON'],
    code: 2,
  },
  {
    name: '--config file with an unknown key',
    argv: () => ['train', ...base, '--config', file('cfg-key.json', '{"learning_rat": 0.001}'), '--train_file', TRAIN, ...intoGood],
    want: ['cfg-key.json: unknown setting "learning_rat"', 'did you mean "learning_rate"?'],
    code: 2,
  },
  {
    name: '--config file with a bad value',
    argv: () => ['train', ...base, '--config', file('cfg-val.json', '{"num_train_epochs": "many"}'), '--train_file', TRAIN, ...intoGood],
    want: ['--num_train_epochs: expects a number (got "many")'],
    code: 2,
  },
  {
    name: '--resume_from_checkpoint at a model folder that is not a checkpoint',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--resume_from_checkpoint', GOOD, '--output_dir', p('resume-out')],
    want: () => [
      `--resume_from_checkpoint ${GOOD}: not a training checkpoint`,
      'missing optimizer.safetensors, scheduler.json, rng_state.json',
      'checkpoint-N folder',
    ],
    code: 2,
  },
  {
    name: '--resume_from_checkpoint at a folder that does not exist',
    argv: () => ['train', ...base, '--train_file', TRAIN, '--resume_from_checkpoint', p('checkpoint-404'), '--output_dir', p('resume-out')],
    want: ['--resume_from_checkpoint', 'checkpoint-404: no such folder', '"true" for the latest one in --output_dir'],
    code: 2,
  },
  {
    name: '--resume_from_checkpoint with a different sampler than the checkpoint was trained with',
    argv: () => [
      'train',
      ...base,
      '--train_file',
      TRAIN,
      '--shuffle_train_dataset',
      'false',
      '--resume_from_checkpoint',
      p('ckpt-run/checkpoint-1'),
      '--output_dir',
      p('resume-mismatch'),
    ],
    want: () => [
      `--resume_from_checkpoint ${p('ckpt-run/checkpoint-1')}: the checkpoint was trained with the 'random' sampler (--group_by_length false)`,
      "this run asks for 'sequential' (--shuffle_train_dataset false)",
      "resume with the original run's flags",
    ],
    code: 2,
  },
  // ---- models and tokenizers
  {
    name: 'model folder that does not exist',
    argv: () => ['train', ...base.slice(2), '--model_name_or_path', p('no-model'), '--train_file', TRAIN, ...intoGood],
    want: ['--model_name_or_path', 'no-model: the model folder does not exist', 'a Hub id', 'preset:bert-tiny'],
    code: 2,
  },
  {
    name: 'model folder without config.json',
    argv: () => ['train', ...base.slice(2), '--model_name_or_path', p('no-config'), '--train_file', TRAIN, ...intoGood],
    want: [join('no-config', 'config.json'), 'not found', 'needs a config.json'],
    code: 1,
  },
  {
    name: 'unsupported model_type in config.json',
    argv: () => ['train', ...base.slice(2), '--model_name_or_path', p('gpt2'), '--train_file', TRAIN, ...intoGood],
    want: [
      join('gpt2', 'config.json'),
      'model_type "gpt2" is not supported',
      'choose a BERT, RoBERTa, XLM-R, DistilBERT, ELECTRA, ModernBERT or DeBERTa-v2/v3 checkpoint',
    ],
    code: 1,
  },
  {
    name: "tokenizer vocabulary larger than the model's vocab_size",
    argv: () => ['train', ...base.slice(4), '--model_name_or_path', p('small-model'), '--tokenizer_name', TOKENIZER, '--train_file', TRAIN, ...intoGood],
    want: [join('small-model', 'config.json'), /vocab_size is \d+ but the tokenizer .* has 30522 tokens/, 'Use the tokenizer the model was trained with'],
    code: 1,
  },
  {
    name: 'unknown preset',
    argv: () => ['train', ...base.slice(2), '--model_name_or_path', 'preset:bert-huge', '--train_file', TRAIN, ...intoGood],
    want: ['--model_name_or_path preset:bert-huge: unknown preset', 'preset:bert-tiny'],
    code: 2,
  },
  {
    name: 'a preset without --tokenizer_name',
    argv: () => ['train', '--model_name_or_path', 'preset:bert-tiny', '--train_file', TRAIN, ...intoGood],
    want: ['makes a random-init model: give --tokenizer_name'],
    code: 2,
  },
  // ---- the other commands
  {
    name: 'evaluate without --validation_file',
    argv: () => ['evaluate', '--model_name_or_path', GOOD, '--output_dir', GOOD],
    want: ['give --validation_file'],
    code: 2,
  },
  {
    name: 'predict: test file without the text column',
    argv: () => ['predict', '--model_name_or_path', GOOD, '--test_file', TRAIN, '--text_column_names', 'review', '--output_dir', GOOD],
    want: ['train.csv', 'no text column "review"'],
    code: 1,
  },
  {
    name: 'predict: --text_pair count differs from --text',
    argv: () => ['predict', '--model_name_or_path', GOOD, '--text', 'a', '--text', 'b', '--text_pair', 'c'],
    want: ['--text_pair: give one per --text (2 texts, 1 pairs)'],
    code: 2,
  },
  {
    name: 'export of a folder without config.json',
    argv: () => ['export', '--model_name_or_path', p('no-config'), '--output_dir', p('new-model')],
    want: [join('no-config', 'config.json'), 'not found'],
    code: 1,
  },
  {
    name: "export into a training run's output folder (it would delete the checkpoints and results)",
    argv: () => ['export', '--model_name_or_path', p('small-model'), '--output_dir', GOOD],
    want: () => [
      `--output_dir ${GOOD} holds all_results.json, train_results.json, trainer_state.json, ...`,
      'which export would delete',
      'Choose a new or empty folder',
    ],
    code: 2,
  },
  {
    name: "create-model into a training run's output folder",
    argv: () => ['create-model', '--preset', 'bert-tiny', '--tokenizer_name', TOK, '--output_dir', GOOD],
    want: () => [`--output_dir ${GOOD} holds all_results.json`, 'which create-model would delete', 'Choose a new or empty folder'],
    code: 2,
  },
  {
    name: 'create-model with an unknown preset',
    argv: () => ['create-model', '--preset', 'bert-huge', '--tokenizer_name', TOK, '--output_dir', p('new-model')],
    want: ['--preset: choose one of bert-tiny, bert-mini, bert-small, bert-base'],
    code: 2,
  },
  {
    name: 'create-model --num_labels 0',
    argv: () => ['create-model', '--preset', 'bert-tiny', '--tokenizer_name', TOK, '--num_labels', '0', '--output_dir', p('new-model')],
    want: ['--num_labels: expects a positive integer (got 0)'],
    code: 2,
  },
  {
    name: 'export-script with a random-init preset model',
    argv: () => ['export-script', '--model_name_or_path', 'preset:bert-tiny', '--tokenizer_name', TOK, '--train_file', TRAIN, '--output_dir', p('script')],
    want: ['--model_name_or_path preset:bert-tiny', 'Python transformers cannot load it', 'finetune create-model --preset bert-tiny'],
    code: 2,
  },
  {
    name: 'export-script with a ragged data file',
    argv: () => [
      'export-script',
      '--model_name_or_path',
      'google-bert/bert-base-uncased',
      '--train_file',
      file('ragged-2.csv', csv('great,positive\nbad,negative,x\n')),
      '--output_dir',
      GOOD,
    ],
    want: ['ragged-2.csv, line 3', 'expected 2 columns'],
    code: 1,
  },
];

describe('finetune: malformed inputs and bad flags', () => {
  let good: Map<string, string>;

  before(async () => {
    TOK = writeSmallVocab(p('tok'));
    TRAIN = writeCsv(p('train.csv'), reviewRows(48, 5));
    base = [
      '--model_name_or_path',
      'preset:bert-tiny',
      '--tokenizer_name',
      TOK,
      '--max_seq_length',
      '16',
      '--max_steps',
      '2',
      '--per_device_train_batch_size',
      '8',
      '--threads',
      '1',
      '--export_onnx',
      'false',
      '--logging_steps',
      '1',
    ];
    // The good output folder: a finished run's model and results (no checkpoints, so a rerun into it is refused).
    GOOD = p('good-run');
    const r = await runCli(['train', ...base, '--train_file', TRAIN, '--save_strategy', 'no', '--output_dir', GOOD]);
    assert.equal(r.code, 0, r.err);
    intoGood = ['--output_dir', GOOD, '--overwrite_output_dir'];
    good = snapshot(GOOD);
    assert.ok(good.has('model.safetensors') && good.has('train_results.json'));

    // Model folders: one without config.json, one of an unsupported type, one whose vocabulary is smaller than bert-base-uncased's.
    mkdirSync(p('no-config'));
    cpSync(join(TOK, 'vocab.txt'), p('no-config/vocab.txt'));
    mkdirSync(p('gpt2'));
    writeFileSync(p('gpt2/config.json'), JSON.stringify({ model_type: 'gpt2', vocab_size: 50257, n_layer: 2 }));
    cpSync(join(TOK, 'vocab.txt'), p('gpt2/vocab.txt'));
    const m = await runCli([
      'create-model',
      '--preset',
      'bert-tiny',
      '--tokenizer_name',
      TOK,
      '--labels',
      'negative,positive',
      '--output_dir',
      p('small-model'),
    ]);
    assert.equal(m.code, 0, m.err);
    const c = await runCli(['train', ...base, '--train_file', TRAIN, '--max_steps', '1', '--save_steps', '1', '--output_dir', p('ckpt-run')]);
    assert.equal(c.code, 0, c.err);
    // the resume cases must not create their output folder either
    rmSync(p('resume-out'), { recursive: true, force: true });
  });

  test(`the table has at least 25 cases (${cases.length})`, () => {
    assert.ok(cases.length >= 25);
  });

  for (const c of cases) {
    test(c.name, async () => {
      const argv = c.argv();
      const r = await runCli(argv);
      const errLine = r.err.split('\n').find((l) => l.startsWith('error: ')) ?? '';
      assert.notEqual(r.code, 0, `exit code 0 for: ${argv.join(' ')}\n${r.err}`);
      assert.equal(r.code, c.code, `exit code ${r.code}, wanted ${c.code}: ${errLine}`);
      assert.ok(errLine, `no "error: ..." line on stderr:\n${r.err}`);
      for (const w of typeof c.want === 'function' ? c.want() : c.want) {
        if (typeof w === 'string') assert.ok(errLine.includes(w), `the message lacks "${w}":\n${errLine}`);
        else assert.match(errLine, w);
      }
      assert.doesNotMatch(r.err, STACK_LINE, `a stack trace leaked:\n${r.err}`);
      assert.ok(!/unexpected error/.test(r.err), `an unclassified error:\n${r.err}`);
      // Not a terminal: the error is also the last JSON event on stdout, without detail.
      const events = jsonEvents(r.out);
      const last = events[events.length - 1];
      if (c.noJson) assert.equal(last, undefined);
      else {
        assert.equal(last?.type, 'error');
        assert.equal(`error: ${String(last?.message)}`, errLine);
        assert.equal(last?.detail, undefined);
      }
      assert.deepEqual(snapshot(GOOD), good, 'the good output folder changed');
      for (const d of ['resume-out', 'new-model']) assert.ok(!existsSync(p(d)), `a failed command created ${d}`);
    });
  }

  test('the real process: exit code 2 for a bad flag, 1 for bad data, 0 for --help; no stack trace', async () => {
    const flag = await spawnCliToEnd(['train', ...base, '--train_file', TRAIN, '--learning_rate', 'abc', ...intoGood, '--log_format', 'text']);
    assert.equal(flag.code, 2);
    assert.equal(flag.err, 'error: --learning_rate: expects a number (got "abc")\n');
    assert.equal(flag.out, '');
    const data = await spawnCliToEnd(['train', ...base, '--train_file', file('ragged-4.csv', csv('great,positive\nbad,negative,x\n')), ...intoGood]);
    assert.equal(data.code, 1);
    assert.match(data.err, /^error: .*ragged-4\.csv, line 3: expected 2 columns/);
    assert.doesNotMatch(data.err, STACK_LINE);
    assert.equal(jsonEvents(data.out).pop()?.type, 'error', 'piped stdout: JSON events');
    const help = await spawnCliToEnd(['train', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /--learning_rate FLOAT/);
    assert.deepEqual(snapshot(GOOD), good);
  });

  test('--debug adds the stack trace', async () => {
    const r = await runCli(['train', ...base, '--train_file', file('ragged-3.csv', csv('great,positive\nbad,negative,x\n')), ...intoGood, '--debug']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: .*ragged-3\.csv, line 3/m);
    assert.match(r.err, STACK_LINE);
    const last = jsonEvents(r.out).pop();
    assert.equal(last?.type, 'error');
    assert.match(String(last?.detail), STACK_LINE);
    assert.deepEqual(snapshot(GOOD), good);
  });

  test('--log_format text: the error on stderr only, stdout empty', async () => {
    const r = await runCli(['train', ...base, '--train_file', file('empty-2.csv', ''), ...intoGood, '--log_format', 'text']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: .*empty-2\.csv is empty/m);
    assert.doesNotMatch(r.out, /"type":"error"/);
    assert.doesNotMatch(r.err, STACK_LINE);
  });

  test('a NaN loss stops the run with a message and keeps the last good checkpoint', async () => {
    // Regression targets near 1e17 with no clipping: the first step's update (lr 1e10) is finite,
    // the second forward pass overflows float32. (At lr 1e6 bert-tiny's output stays bounded by
    // the pooler's tanh and the loss, though huge, never leaves float32's range.)
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const rows = Array.from({ length: 48 }, (_, i) => ({ text: `${words[i % 5]} ${words[(i * 3) % 5]} item`, label: (1e17 * (1 + (i % 7))).toExponential() }));
    const huge = writeCsv(p('huge.csv'), rows);
    const out = p('nan-run');
    const r = await runCli([
      'train',
      ...base,
      '--train_file',
      huge,
      '--task',
      'regression',
      '--learning_rate',
      '1e10',
      '--max_grad_norm',
      '0',
      '--max_steps',
      '6',
      '--save_steps',
      '1',
      '--output_dir',
      out,
    ]);
    assert.equal(r.code, 1, r.err);
    const errLine = r.err.split('\n').find((l) => l.startsWith('error: ')) ?? '';
    assert.match(errLine, /the training loss became (NaN|Infinity|-Infinity) at step 2/);
    assert.ok(errLine.includes(`the last good checkpoint, ${join(out, 'checkpoint-1')}`), errLine);
    assert.ok(errLine.includes('Lower --learning_rate'), errLine);
    assert.doesNotMatch(r.err, STACK_LINE);
    const events = jsonEvents(r.out);
    assert.deepEqual(
      events.filter((e) => e.type === 'checkpoint').map((e) => e.step),
      [1],
    );
    assert.equal(
      events.some((e) => e.type === 'done'),
      false,
    );
    // The checkpoint is whole and finite; no final model, no results were written.
    const entries = readdirSync(out).filter((e) => !e.startsWith('.'));
    assert.deepEqual(entries, ['checkpoint-1']);
    for (const f of ['config.json', 'model.safetensors', 'optimizer.safetensors', 'scheduler.json', 'rng_state.json', 'trainer_state.json'])
      assert.ok(existsSync(join(out, 'checkpoint-1', f)), f);
    assert.ok(await allFinite(join(out, 'checkpoint-1', 'model.safetensors')));
  });
});
