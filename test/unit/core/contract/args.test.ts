import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArgError, type RunArgs, applyConfigObject, defaultArgs, parseFlags, schedulerKwargs, validateArgs } from '../../../../src/core/contract/args.js';

const BASE = ['--model_name_or_path', 'm/x', '--train_file', '/d.csv', '--output_dir', '/out', '--do_train'];

function parsed(argv: string[]): RunArgs {
  const a = defaultArgs();
  parseFlags([...BASE, ...argv], a);
  return a;
}

describe('--lr_scheduler_type / --lr_scheduler_kwargs / float --warmup_steps', () => {
  test('a JSON object string is parsed, checked against the schedule and converted', () => {
    const a = parsed(['--lr_scheduler_type', 'cosine_with_restarts', '--lr_scheduler_kwargs', '{"num_cycles": "3"}']);
    assert.deepEqual(a.lr_scheduler_kwargs, { num_cycles: '3' });
    validateArgs(a);
    assert.deepEqual(schedulerKwargs(a), { num_cycles: 3 });
  });
  test('--config takes the object itself', () => {
    const a = defaultArgs();
    applyConfigObject(a, { lr_scheduler_type: 'warmup_stable_decay', lr_scheduler_kwargs: { num_decay_steps: 40, decay_type: '1-sqrt' } }, 'run.json');
    assert.deepEqual(schedulerKwargs(a), { num_decay_steps: 40, decay_type: '1-sqrt' });
  });
  test('no kwargs is an empty object', () => assert.deepEqual(schedulerKwargs(defaultArgs()), {}));

  const bad: { argv: string[]; message: string }[] = [
    { argv: ['--lr_scheduler_kwargs', '[1, 2]'], message: '--lr_scheduler_kwargs: expects a JSON object such as {"num_cycles": 2} (got "[1, 2]")' },
    {
      argv: ['--lr_scheduler_kwargs', '{num_cycles: 2}'],
      message: '--lr_scheduler_kwargs: expects a JSON object such as {"num_cycles": 2} (got "{num_cycles: 2}")',
    },
    {
      argv: ['--lr_scheduler_type', 'polynomial', '--lr_scheduler_kwargs', '{"lr_end": 1e-7, "power": 2, "cycles": 1}'],
      message: '--lr_scheduler_kwargs: "cycles" is not a setting of the polynomial schedule (it takes lr_end, power)',
    },
    {
      argv: ['--lr_scheduler_kwargs', '{"num_cycles": 2}'],
      message: '--lr_scheduler_kwargs: "num_cycles" is not a setting of the linear schedule (it takes none)',
    },
    {
      argv: ['--lr_scheduler_type', 'polynomial', '--learning_rate', '1e-7', '--lr_scheduler_kwargs', '{}'],
      message: '--lr_scheduler_kwargs: polynomial: lr_end (1e-7) must be smaller than the learning rate (1e-7)',
    },
    {
      argv: ['--lr_scheduler_type', 'reduce_lr_on_plateau'],
      message: '--lr_scheduler_type reduce_lr_on_plateau lowers the learning rate from evaluation results: set --eval_strategy epoch or steps',
    },
    { argv: ['--warmup_steps', '-1'], message: '--warmup_steps: must be at least 0 (got "-1")' },
  ];
  for (const row of bad) {
    test(`error: ${row.argv.join(' ')}`, () => {
      assert.throws(
        () => validateArgs(parsed(row.argv)),
        (e: unknown) => e instanceof ArgError && e.message === row.message,
      );
    });
  }
  test('reduce_lr_on_plateau with evaluation is valid', () => {
    const a = parsed(['--lr_scheduler_type', 'reduce_lr_on_plateau', '--eval_strategy', 'epoch', '--lr_scheduler_kwargs', '{"mode": "max", "patience": 1}']);
    validateArgs(a);
    assert.deepEqual(schedulerKwargs(a), { mode: 'max', patience: 1 });
  });
  test('--warmup_steps takes a share of the steps below 1 (transformers 5)', () => {
    assert.equal(parsed(['--warmup_steps', '0.1']).warmup_steps, 0.1);
    assert.equal(parsed(['--warmup_steps', '30']).warmup_steps, 30);
  });
});
