/**
 * The worker process through its host-side client: training runs there (the host's event loop
 * keeps turning), events stream back, cancel stops at a step boundary with a checkpoint,
 * predictions and explanations come back (read as the model was trained to read long texts), and a killed worker is reported while the host carries on.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TrainingEvent } from '../../../src/core/contract/events.js';
import { defaultArgs, type RunArgs } from '../../../src/core/contract/args.js';
import { WorkerClient } from '../../../src/worker/client.js';
import { sentimentSentences } from '../../helpers/sentences.js';

const dir = mkdtempSync(join(tmpdir(), 'finetune-worker-'));
const csv = join(dir, 'train.csv');
writeFileSync(
  csv,
  `text,label\n${sentimentSentences(240, 3)
    .map((r) => `${r.text.replace(/,/g, ' ')},${r.label ? 'pos' : 'neg'}`)
    .join('\n')}\n`,
);

function args(out: string, extra: Partial<RunArgs> = {}): RunArgs {
  return {
    ...defaultArgs(),
    model_name_or_path: 'preset:bert-tiny',
    tokenizer_name: 'test/fixtures/tokenizers/bert-base-uncased',
    train_file: csv,
    do_train: true,
    do_eval: true,
    output_dir: out,
    num_train_epochs: 2,
    per_device_train_batch_size: 16,
    learning_rate: 1e-3,
    max_seq_length: 24,
    eval_strategy: 'epoch',
    save_strategy: 'epoch',
    logging_steps: 5,
    threads: 1,
    ...extra,
  };
}

function client(events: Map<string, TrainingEvent[]>, exits: Map<string, number>): WorkerClient {
  return new WorkerClient({
    modulePath: 'src/worker/main.ts',
    execArgv: ['--import', 'tsx'],
    onEvent: (runId, e) => {
      if (!events.has(runId)) events.set(runId, []);
      events.get(runId)!.push(e);
    },
    onExit: (runId, code) => exits.set(runId, code),
  });
}

async function until(cond: () => boolean, what: string, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('training worker', () => {
  const events = new Map<string, TrainingEvent[]>();
  const exits = new Map<string, number>();
  const w = client(events, exits);
  after(() => w.dispose());

  test('a run trains in the worker process while the host stays responsive', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await w.train('run-1', args(join(dir, 'run-1')));
    assert.notEqual(w.pid, process.pid);
    await until(() => exits.has('run-1'), 'run-1 to finish');
    clearInterval(timer);
    assert.equal(exits.get('run-1'), 0);
    const types = events.get('run-1')!.map((e) => e.type);
    for (const t of ['start', 'progress', 'log', 'eval', 'checkpoint', 'done'] as const) assert.ok(types.includes(t), `no ${t} event`);
    const start = events.get('run-1')!.find((e) => e.type === 'start')!;
    const progress = events.get('run-1')!.filter((e) => e.type === 'progress');
    assert.equal(progress.length, start.type === 'start' ? start.totalSteps : -1);
    const done = events.get('run-1')!.find((e) => e.type === 'done')!;
    assert.ok(done.type === 'done' && done.results.eval_accuracy! >= 0 && done.modelDir === join(dir, 'run-1'));
    // The host's event loop kept turning during the steps (the run did not block it).
    assert.ok(ticks > 20, `host timer fired only ${ticks} times`);
  });

  test('predictions from the trained model: every label with a probability', async () => {
    const [p] = await w.predict(join(dir, 'run-1'), ['the food was really great']);
    assert.deepEqual(p!.scores.map((s) => s.label).sort(), ['neg', 'pos']);
    assert.ok(Math.abs(p!.scores.reduce((a, s) => a + s.score, 0) - 1) < 1e-5);
    await assert.rejects(w.predict(join(dir, 'no-such-model'), ['x']), /does not exist/);
  });

  test("explanations: each word's attribution; a long text read as the model was trained to (truncated, or in chunks)", async () => {
    const model = join(dir, 'run-1');
    const e = await w.explain(model, 'the food was really great', { steps: 8 });
    assert.deepEqual(
      e.words.map((x) => x.text),
      ['the', 'food', 'was', 'really', 'great'],
    );
    assert.ok(Math.abs(e.words.reduce((a, x) => a + x.attribution, 0) - (e.logit_gap + e.delta)) < 1e-6, 'the words sum the attributions');
    assert.ok(['neg', 'pos'].includes(e.label) && e.steps === 8 && e.read.chunks === 1 && e.unread.length === 0 && e.seconds > 0);
    const long = Array.from({ length: 10 }, () => 'the food was really great').join(' and ');
    const cut = await w.explain(model, long, { steps: 4, label: 'neg' });
    assert.equal(cut.label, 'neg');
    assert.equal(cut.read.mode, 'truncate');
    assert.ok(cut.read.tokensRead < cut.read.tokens, JSON.stringify(cut.read));
    assert.equal(cut.unread.length, 1);
    assert.equal(cut.unread[0]!.end, long.length);
    assert.equal(cut.unread[0]!.start, cut.words.at(-1)!.end);
    // the same weights, trained with sliding windows (its training_args.json says so): read whole, in chunks
    const sliding = join(dir, 'run-1-sliding');
    cpSync(model, sliding, { recursive: true });
    const targs = JSON.parse(readFileSync(join(sliding, 'training_args.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(sliding, 'training_args.json'), JSON.stringify({ ...targs, long_text: 'sliding_window', doc_stride: 4 }));
    const [p] = await w.predict(sliding, [long]);
    assert.equal(p!.read!.mode, 'sliding_window');
    assert.ok(p!.read!.chunks > 1 && p!.read!.tokensRead === p!.read!.tokens, JSON.stringify(p!.read));
    const s = await w.explain(sliding, long, { steps: 4 });
    assert.deepEqual(s.read, p!.read);
    assert.equal(s.chunks, p!.read!.chunks);
    assert.equal(s.unread.length, 0);
    assert.equal(s.words.length, long.split(' ').length);
    await assert.rejects(w.explain(model, 'x', { label: 'maybe' }), /the model's labels are neg, pos/);
  });

  test('export into a folder holding other files is refused and leaves them all (as the CLI)', async () => {
    const target = join(dir, 'export-target');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.md'), 'mine');
    writeFileSync(join(target, 'data.csv'), 'a,b');
    await assert.rejects(w.exportModel(join(dir, 'run-1'), target, false), /export-target holds data\.csv, notes\.md, which export would delete/);
    assert.deepEqual(readdirSync(target).sort(), ['data.csv', 'notes.md']);
    assert.equal(readFileSync(join(target, 'notes.md'), 'utf8'), 'mine');
    const fresh = join(dir, 'export-fresh');
    const files = await w.exportModel(join(dir, 'run-1'), fresh, false);
    assert.ok(files.includes('model.safetensors') && files.includes('config.json'));
  });

  test('cancel stops at a step boundary and saves a checkpoint', async () => {
    const out = join(dir, 'run-2');
    await w.train('run-2', args(out, { num_train_epochs: 50, save_strategy: 'no', eval_strategy: 'no', do_eval: false }));
    await until(() => (events.get('run-2') ?? []).filter((e) => e.type === 'progress').length >= 3, 'three steps');
    w.cancel(true);
    await until(() => exits.has('run-2'), 'run-2 to stop');
    assert.equal(exits.get('run-2'), 130);
    const done = events.get('run-2')!.find((e) => e.type === 'done');
    assert.ok(done && done.type === 'done' && done.cancelled);
    const ckpt = events.get('run-2')!.find((e) => e.type === 'checkpoint');
    assert.ok(ckpt && ckpt.type === 'checkpoint' && existsSync(join(ckpt.path, 'optimizer.safetensors')));
    assert.ok(!readdirSync(out).includes('model.safetensors'), 'a cancelled run does not write a final model');
  });

  test('a killed worker is reported as an error and a new run starts a fresh worker', async () => {
    const out = join(dir, 'run-3');
    await w.train('run-3', args(out, { num_train_epochs: 50, save_strategy: 'no', eval_strategy: 'no', do_eval: false }));
    await until(() => (events.get('run-3') ?? []).some((e) => e.type === 'progress'), 'a step');
    const before = w.pid;
    w.kill();
    await until(() => exits.has('run-3'), 'the crash to be noticed');
    assert.equal(exits.get('run-3'), -1);
    const err = events.get('run-3')!.find((e) => e.type === 'error');
    assert.ok(err && err.type === 'error' && /training worker was killed \(SIGKILL\)/.test(err.message), JSON.stringify(err));
    await w.train('run-4', args(join(dir, 'run-4'), { max_steps: 2, save_strategy: 'no', eval_strategy: 'no', do_eval: false }));
    assert.notEqual(w.pid, before);
    await until(() => exits.has('run-4'), 'run-4');
    assert.equal(exits.get('run-4'), 0);
  });

  test('a bad run reports a message for a person, not a stack trace', async () => {
    await w.train('run-5', args(join(dir, 'run-5'), { train_file: join(dir, 'missing.csv') }));
    await until(() => exits.has('run-5'), 'run-5');
    assert.equal(exits.get('run-5'), 1);
    const err = events.get('run-5')!.find((e) => e.type === 'error');
    assert.ok(err && err.type === 'error' && err.message.includes('missing.csv') && !err.message.includes('    at '), JSON.stringify(err));
  });
});
