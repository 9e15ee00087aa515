/**
 * Where a user's time goes: one whole `finetune train` process (the built CLI, dist/cli.cjs, as a
 * user runs it) on a random-init model of a preset's shapes, timed phase by phase from its JSON
 * event stream (each line stamped as it arrives): process start and imports, model init, reading
 * and tokenizing the data, the trainer's set-up, the first step (graph build, session creation,
 * ONNX Runtime's first run), the steady steps, each evaluation, each checkpoint write, the final
 * save. A second table splits the first step in-process: building the training graph, creating
 * its session, the first run, a steady step.
 *
 *   npm run bench -- phases [--preset bert-base] [--steps 8] [--every 4] [--batch 8] [--seq 128]
 *                           [--threads 2] [--rows 400] [--runs 1] [--session-cache on|off]
 *
 * The data: rows of about `seq` tokens made from the shipped SMS Spam sample (examples/sms-spam) with
 * its vocabulary (examples/tokenizer), 10% held out for evaluation. `--runs 2` repeats the whole
 * process; the session cache (engine/session-cache.ts) starts empty in a temporary folder, so the
 * second run reads the optimized graphs the first one wrote (`--session-cache off`: none).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, type PresetName } from '../src/core/model/presets.js';
import { TrainingEngine } from '../src/core/step/engine.js';
import { randomBatch } from './engine.js';
import { arg, describeMachine, loadAverage, median, table } from './util.js';

interface Stamped {
  t: number;
  e: { type: string; stage?: string; step?: number; metrics?: Record<string, number> };
}

/** Rows of about `words` words, each a few shipped messages joined (labels from the first). */
function syntheticCsv(rows: number, words: number): string {
  const lines = readFileSync('examples/sms-spam/train.csv', 'utf8').trim().split('\n').slice(1);
  const parsed = lines.map((l) => {
    const at = l.lastIndexOf(',');
    return { text: l.slice(0, at).replace(/^"|"$/g, '').replace(/"/g, ''), label: l.slice(at + 1) };
  });
  const out = ['text,label'];
  for (let r = 0; r < rows; r++) {
    const first = parsed[(r * 7919) % parsed.length]!;
    let text = first.text;
    for (let k = 1; text.split(/\s+/).length < words && k < 50; k++) text += ` ${parsed[(r * 31 + k * 101) % parsed.length]!.text}`;
    out.push(`"${text}",${first.label}`);
  }
  return `${out.join('\n')}\n`;
}

/** Runs the CLI; resolves with its events, each stamped with ms since the spawn, and the exit time. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ events: Stamped[]; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['dist/cli.cjs', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Stamped[] = [];
    let buf = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      const now = performance.now() - t0;
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith('{')) events.push({ t: now, e: JSON.parse(line) as Stamped['e'] });
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve({ events, exitMs: performance.now() - t0 }) : reject(new Error(`finetune train exited ${code}:\n${err}`)),
    );
  });
}

/** The phases of one run, in ms, from its stamped events. */
function phases(events: Stamped[], exitMs: number): [string, number][] {
  const at = (pred: (e: Stamped['e']) => boolean): number | undefined => events.find((s) => pred(s.e))?.t;
  const stage = (name: string) => at((e) => e.type === 'stage' && e.stage === name);
  const start = at((e) => e.type === 'start')!;
  const progress = events.filter((s) => s.e.type === 'progress');
  // load-model twice: the tokenizer and config before the data is read, the weights (or random init) after
  const weightsAt = events.filter((s) => s.e.type === 'stage' && s.e.stage === 'load-model')[1]?.t;
  const out: [string, number][] = [
    ['process start, imports (to the first event)', events[0]!.t],
    ['tokenizer and config (load-model stage)', (stage('read-data') ?? start) - (stage('load-model') ?? 0)],
    ['read the data', (weightsAt ?? stage('tokenize') ?? start) - (stage('read-data') ?? 0)],
    ['model weights: loaded or random init (load-model stage)', weightsAt === undefined ? 0 : (stage('tokenize') ?? start) - weightsAt],
    ['tokenize', (stage('train') ?? start) - (stage('tokenize') ?? 0)],
    ['trainer set-up (engine, weights into its arena)', start - (stage('train') ?? start)],
    ['first step (graph build, session, first run)', progress[0]!.t - start],
  ];
  // A steady step: the interval between two progress events with nothing else between them.
  const steady: number[] = [];
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.e.type === 'progress' && events[i - 1]!.e.type === 'progress') steady.push(events[i]!.t - events[i - 1]!.t);
  }
  if (steady.length) out.push([`steady step (median of ${steady.length})`, median(steady)]);
  // At each evaluation / checkpoint step N: the evaluation (progress N to its eval event), and how
  // long the checkpoint held training up: the gap to progress N + 1 less a steady step and the
  // evaluation (the last one: to the end of train(), which waits for the write in flight).
  // after train(): with --do_eval and a validation set, the final evaluation (and the calibration fit) comes before the save
  const save = stage('save');
  const evalStages = events.filter((s) => s.e.type === 'stage' && s.e.stage === 'evaluate').map((s) => s.t);
  const fitAt = save === undefined ? undefined : evalStages.find((t) => t < save);
  const evalAfter = evalStages.find((t) => save === undefined || t > save);
  const trainEnd = fitAt ?? save ?? exitMs;
  const progressAt = new Map(progress.map((p) => [p.e.step!, p.t]));
  const evalAt = new Map(events.filter((s) => s.e.type === 'eval' && s.t < trainEnd).map((s) => [s.e.step!, s.t]));
  const saved = events.filter((s) => s.e.type === 'checkpoint').map((s) => s.e.step!);
  for (const n of [...new Set([...evalAt.keys(), ...saved])].sort((a, b) => a - b)) {
    const at = progressAt.get(n) ?? start;
    const evalMs = evalAt.has(n) ? evalAt.get(n)! - at : 0;
    if (evalAt.has(n)) out.push([`evaluation at step ${n}${n === Math.min(...evalAt.keys()) ? ' (+ its session)' : ''}`, evalMs]);
    if (!saved.includes(n)) continue;
    const next = progressAt.get(n + 1);
    const held = next !== undefined ? next - at - evalMs - median(steady) : trainEnd - at - evalMs;
    out.push([`checkpoint-${n}: training held up${next === undefined ? ' (the last: its write awaited)' : ''}`, Math.max(0, held)]);
  }
  const done = at((e) => e.type === 'done');
  if (fitAt !== undefined) out.push(['final evaluation on validation, calibration fit', save! - fitAt]);
  if (save !== undefined) out.push(['final model save (weights, ONNX, int8)', (evalAfter ?? done ?? exitMs) - save]);
  if (evalAfter !== undefined) out.push(['evaluation after the save', (done ?? exitMs) - evalAfter]);
  out.push(['exit', exitMs - (done ?? exitMs)]);
  out.push(['whole process', exitMs]);
  return out;
}

/** In-process: the first step split into graph build, session creation, first run; then a steady step. */
async function firstStepChild(preset: PresetName, batch: number, seq: number, threads: number): Promise<void> {
  const model = createModel({ preset, vocabSize: 30522, numLabels: 2, seed: 1 });
  const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads, adam: { weightDecay: 0.01 } });
  const data = randomBatch(batch, seq, 30522);
  const t0 = performance.now();
  await engine.trainStep([data], 1e-5);
  const first = performance.now() - t0;
  const t1 = performance.now();
  await engine.trainStep([data], 1e-5);
  const steady = performance.now() - t1;
  const timings = engine.timings;
  await engine.dispose();
  console.log(JSON.stringify({ first, steady, ...timings }));
}

export async function main(argv: string[]): Promise<void> {
  const preset = arg(argv, 'preset', 'bert-base') as PresetName;
  const [steps, every, batch, seq, threads, rows, runs] = ['steps', 'every', 'batch', 'seq', 'threads', 'rows', 'runs'].map((k) =>
    Number(arg(argv, k, { steps: '8', every: '4', batch: '8', seq: '128', threads: '2', rows: '400', runs: '1' }[k]!)),
  ) as [number, number, number, number, number, number, number];
  if (argv.includes('--child')) return firstStepChild(preset, batch, seq, threads);
  if (!existsSync('dist/cli.cjs')) throw new Error('dist/cli.cjs is missing: run `npm run build` first (the bench times the built CLI, as users run it)');
  const dir = mkdtempSync(join(tmpdir(), 'finetune-phases-'));
  const load = [loadAverage()];
  try {
    const csv = syntheticCsv(rows, Math.round(seq * 0.6));
    writeFileSync(join(dir, 'train.csv'), csv);
    const trainArgs = [
      'train',
      ...['--model_name_or_path', `preset:${preset}`, '--tokenizer_name', 'examples/tokenizer', '--train_file', join(dir, 'train.csv')],
      ...['--validation_split_percentage', '10', '--do_eval', '--max_seq_length', String(seq), '--per_device_train_batch_size', String(batch)],
      ...['--per_device_eval_batch_size', String(batch * 2), '--max_steps', String(steps), '--eval_strategy', 'steps', '--eval_steps', String(every)],
      ...['--save_strategy', 'steps', '--save_steps', String(every), '--logging_steps', String(every), '--threads', String(threads)],
      ...['--report_to', 'none', '--log_format', 'json', '--overwrite_output_dir'],
    ];
    const env = {
      ...process.env,
      FINETUNE_SESSION_CACHE: arg(argv, 'session-cache', 'on') === 'off' ? 'off' : join(dir, 'session-cache'),
    };
    const tables: [string, number][][] = [];
    for (let r = 0; r < runs; r++) {
      const { events, exitMs } = await runCli([...trainArgs, '--output_dir', join(dir, `out-${r}`)], env);
      tables.push(phases(events, exitMs));
      console.error(`done run ${r + 1}: ${(exitMs / 1000).toFixed(1)} s`);
    }
    const split = await childJson(['--preset', preset, '--batch', String(batch), '--seq', String(seq), '--threads', String(threads)]);
    load.push(loadAverage());
    console.log(describeMachine());
    console.log(
      `finetune train --model_name_or_path preset:${preset}: ${rows} rows of ~${seq} tokens, batch ${batch}, max_seq_length ${seq}, ${steps} steps, ` +
        `evaluation and checkpoint every ${every}, ${threads} threads; wall time per phase (events stamped on arrival); load average ${load.join(' -> ')}`,
    );
    console.log(
      table(
        ['phase', ...tables.map((_, r) => (runs > 1 ? `run ${r + 1} (s)` : 'seconds'))],
        tables[0]!.map(([name], i) => [name, ...tables.map((t) => (t[i] ? (t[i]![1] / 1000).toFixed(2) : '-'))]),
      ),
    );
    console.log(`\nthe first step in-process (${preset}, batch ${batch} x ${seq} tokens, no padding):`);
    console.log(
      table(
        ['part', 'seconds'],
        Object.entries(split).map(([k, v]) => [k, (v / 1000).toFixed(2)]),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function childJson(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/index.ts', 'phases', '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>) : reject(new Error(`child exited ${code}`)),
    );
  });
}
