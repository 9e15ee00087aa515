/**
 * Resume exactness through the command line, dropout on (bert-tiny's default 0.1): a run of N
 * steps and the same run stopped at a checkpoint and resumed with --resume_from_checkpoint end
 * with bit-identical weights, for both length-grouped orders, file order
 * (--shuffle_train_dataset false) and gradient accumulation with a checkpoint in the middle of an
 * epoch. A run killed with SIGKILL and started again with the same command resumes from its last
 * checkpoint by itself and ends where the uninterrupted run ends.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jsonEvents, maxWeightDiff, reviewRows, runCli, spawnCli, spawnCliToEnd, tempDir, writeCsv, writeSmallVocab } from './support.js';

const root = tempDir('resume');
after(() => rmSync(root, { recursive: true, force: true }));

let TOK = '';
let TRAIN = '';

before(() => {
  TOK = writeSmallVocab(join(root, 'tok'));
  // 72 rows, batch 8: 9 batches an epoch, so 12 steps cross an epoch boundary.
  TRAIN = writeCsv(join(root, 'train.csv'), reviewRows(72, 11));
});

/** The flags of one run (output_dir aside). */
function runFlags(extra: readonly string[]): string[] {
  return [
    'train',
    '--model_name_or_path',
    'preset:bert-tiny',
    '--tokenizer_name',
    TOK,
    '--train_file',
    TRAIN,
    '--per_device_train_batch_size',
    '8',
    '--max_seq_length',
    '24',
    '--learning_rate',
    '2e-3',
    '--warmup_steps',
    '2',
    '--weight_decay',
    '0.01',
    '--threads',
    '1',
    '--export_onnx',
    'false',
    '--log_format',
    'json',
    ...extra,
  ];
}

async function train(extra: readonly string[], outputDir: string): Promise<ReturnType<typeof jsonEvents>> {
  const r = await runCli([...runFlags(extra), '--output_dir', outputDir]);
  assert.equal(r.code, 0, r.err);
  return jsonEvents(r.out);
}

/** Loss / grad norm / learning rate entries of a run's trainer_state.json. */
function logEntries(dir: string): Record<string, number>[] {
  const state = JSON.parse(readFileSync(join(dir, 'trainer_state.json'), 'utf8')) as { log_history: Record<string, number>[] };
  return state.log_history.filter((h) => 'loss' in h);
}

async function assertSameWeights(a: string, b: string): Promise<void> {
  const d = await maxWeightDiff(join(a, 'model.safetensors'), join(b, 'model.safetensors'));
  assert.ok(d.tensors > 0);
  assert.ok(d.max <= 1e-7, `weights differ by up to ${d.max} in ${d.differing.length} tensors (${d.differing.slice(0, 4).join(', ')})`);
}

interface Variant {
  name: string;
  flags: string[];
  /** Checkpoint steps to resume from. */
  resumeAt: number[];
}

const variants: Variant[] = [
  // 12 steps, checkpoints every 4: resume at 4 (epoch 0) runs across the epoch boundary at step 9.
  { name: 'random batches (the default)', flags: ['--max_steps', '12', '--save_steps', '4', '--logging_steps', '2'], resumeAt: [4, 8] },
  {
    name: '--group_by_length: length-grouped batches in random order',
    flags: ['--group_by_length', '--max_steps', '12', '--save_steps', '4', '--logging_steps', '2'],
    resumeAt: [8],
  },
  {
    name: "--group_by_length --length_grouping transformers (LengthGroupedSampler's order)",
    flags: ['--group_by_length', '--length_grouping', 'transformers', '--max_steps', '12', '--save_steps', '4', '--logging_steps', '2'],
    resumeAt: [8],
  },
  {
    name: '--shuffle_train_dataset false (file order)',
    flags: ['--shuffle_train_dataset', 'false', '--max_steps', '12', '--save_steps', '4', '--logging_steps', '2'],
    resumeAt: [4],
  },
  // 9 batches with 2 per step: 5 steps an epoch (the last of one batch); checkpoint-3 is after batch 6 of epoch 0, checkpoint-6 after batch 2 of epoch 1.
  {
    name: 'gradient_accumulation_steps 2, checkpoints in the middle of an epoch',
    flags: ['--gradient_accumulation_steps', '2', '--max_steps', '12', '--save_steps', '3', '--logging_steps', '1'],
    resumeAt: [3, 6],
  },
];

describe('resume from a checkpoint: the same final weights as the uninterrupted run', () => {
  for (const v of variants) {
    test(v.name, async () => {
      const full = join(root, `full-${variants.indexOf(v)}`);
      await train(v.flags, full);
      for (const step of v.resumeAt) {
        const ckpt = join(full, `checkpoint-${step}`);
        const rng = JSON.parse(readFileSync(join(ckpt, 'rng_state.json'), 'utf8')) as { dropout_runs: number; sampler: { epoch: number; batchIndex: number } };
        assert.ok(rng.dropout_runs > 0);
        const resumed = join(root, `resumed-${variants.indexOf(v)}-${step}`);
        const events = await train([...v.flags, '--resume_from_checkpoint', ckpt], resumed);
        const start = events.find((e) => e.type === 'start')!;
        assert.equal(start.resumedFromStep, step);
        assert.deepEqual(
          events.filter((e) => e.type === 'progress').map((e) => e.step),
          Array.from({ length: 12 - step }, (_, i) => step + i + 1),
        );
        await assertSameWeights(full, resumed);
        // the checkpoints written after the resume match too, and so do the logged losses and gradient norms
        await assertSameWeights(join(full, 'checkpoint-12'), join(resumed, 'checkpoint-12'));
        assert.deepEqual(logEntries(resumed), logEntries(full));
      }
    });
  }

  test('the check is sensitive to the dropout state: resuming with the dropout run count reset gives other weights', async () => {
    const full = join(root, 'full-0');
    const ckpt = join(root, 'tampered', 'checkpoint-4');
    cpSync(join(full, 'checkpoint-4'), ckpt, { recursive: true });
    const rngFile = join(ckpt, 'rng_state.json');
    const rng = JSON.parse(readFileSync(rngFile, 'utf8')) as { dropout_runs: number };
    writeFileSync(rngFile, JSON.stringify({ ...rng, dropout_runs: 0 }));
    const resumed = join(root, 'resumed-tampered');
    await train([...variants[0]!.flags, '--resume_from_checkpoint', ckpt], resumed);
    const d = await maxWeightDiff(join(full, 'model.safetensors'), join(resumed, 'model.safetensors'));
    assert.ok(d.max > 1e-6, `replaying the first steps' dropout masks should change the weights (max diff ${d.max})`);
  });
});

describe('a run killed with SIGKILL, started again with the same command, ends with the same weights', () => {
  test('kill -9 after one or two checkpoints, then rerun: auto-resume from the last checkpoint', async () => {
    // 72 rows / batch 8, 60 steps (6.7 epochs), a checkpoint every 3 steps: the kill comes at most
    // 300 ms after the first or second checkpoint, long before the end.
    const flags = ['--max_steps', '60', '--save_steps', '3', '--logging_steps', '3'];
    const reference = join(root, 'uninterrupted');
    await train(flags, reference);

    const out = join(root, 'killed');
    const argv = [...runFlags(flags), '--output_dir', out];
    const killAfter = 1 + Math.floor(Math.random() * 2);
    const extraDelay = Math.floor(Math.random() * 300);
    const child = spawnCli(argv);
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const seen = stdout.split('\n').filter((l) => l.startsWith('{"type":"checkpoint"')).length;
      if (!killed && seen >= killAfter) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelay);
      }
    });
    const first = await closed;
    const note = `(killed after ${killAfter} checkpoint event(s) + ${extraDelay} ms)`;
    assert.equal(first.signal, 'SIGKILL', `the run ended by itself before the kill ${note}: code ${first.code}\n${stderr}`);
    const left = readdirSync(out).filter((n) => /^checkpoint-\d+$/.test(n));
    assert.ok(left.length >= 1, `no checkpoint left ${note}`);
    const last = Math.max(...left.map((n) => Number(n.split('-')[1])));
    assert.ok(last < 60, `the run reached its end before the kill ${note}`);
    assert.ok(!readdirSync(out).includes('train_results.json'));

    // The same command again.
    const again = await spawnCliToEnd(argv);
    assert.equal(again.code, 0, `${note}\n${again.err}`);
    const events = jsonEvents(again.out);
    assert.ok(
      events.some((e) => e.type === 'info' && String(e.message).startsWith(`Checkpoint detected, resuming training at ${join(out, `checkpoint-${last}`)}`)),
      note,
    );
    assert.equal(events.find((e) => e.type === 'start')!.resumedFromStep, last, note);
    assert.equal(events.filter((e) => e.type === 'progress').length, 60 - last);
    await assertSameWeights(reference, out);
    assert.deepEqual(logEntries(out), logEntries(reference), note);
  });
});
