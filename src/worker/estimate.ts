/**
 * "How long will this take, and will it fit?": runs the form's run for a few optimizer steps on
 * this machine (same model, data split, batch size, max_seq_length, provider), with a short
 * evaluation in between (two evaluation batches), into a temporary folder that is removed after;
 * turns the measured step and evaluation times and the resident memory into ranges for an epoch
 * and the whole run. Nothing is written into the run's output folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunArgs } from '../core/contract/args.js';
import type { StartEvent, TrainingEvent } from '../core/contract/events.js';
import { loadClassificationData } from '../core/data/index.js';
import { trainDataOptions } from '../core/run/data-options.js';
import { runClassification } from '../core/run/run.js';
import type { RunEstimate } from '../protocol/worker.js';

/** Steps timed after the first (which also builds and warms the ONNX Runtime session). */
export const MEASURED_STEPS = 6;

/** The measuring run evaluates every this many steps, on EVAL_BATCHES batches of the validation rows. */
export const EVAL_EVERY = 3;
export const EVAL_BATCHES = 2;

/** Without a measured evaluation: a forward pass costs about this share of a training step's time per row. */
export const EVAL_COST = 0.35;

export interface Measurement {
  start: StartEvent;
  /** Seconds of each timed step (intervals with an evaluation left out). */
  steps: number[];
  /** Seconds of each measured evaluation of EVAL_BATCHES batches. */
  evals: number[];
  /** The run's validation rows (the measuring run evaluates on a few only). */
  evalRows: number;
  startupSeconds: number;
  /** Resident memory after the first step (model, optimizer state, session) and its peak during the measured steps and evaluations. */
  rssFirst: number;
  rssPeak: number;
}

/** The run evaluates (so its data holds validation rows out, and it evaluates at the end). */
const evaluates = (a: Pick<RunArgs, 'do_eval' | 'eval_strategy'>): boolean => a.do_eval || a.eval_strategy !== 'no';

/**
 * The run's arguments for measuring: its own (the same split: evaluation stays on), evaluating
 * every EVAL_EVERY steps on EVAL_BATCHES batches, with no saving, prediction, export or push, in `dir`.
 */
export function measuringArgs(args: RunArgs, dir: string): RunArgs {
  const ev = evaluates(args);
  return {
    ...args,
    output_dir: dir,
    overwrite_output_dir: true,
    resume_from_checkpoint: null,
    do_predict: false,
    eval_on_start: false,
    eval_strategy: ev ? 'steps' : 'no',
    eval_steps: ev ? EVAL_EVERY : null,
    max_eval_samples: ev ? EVAL_BATCHES * args.per_device_eval_batch_size : null,
    save_strategy: 'no',
    load_best_model_at_end: false,
    early_stopping_patience: null,
    push_to_hub: false,
    report_to: [],
    export_onnx: false,
  };
}

/** Collects step and evaluation times and memory from a measuring run's events; says when it has enough. */
class Timer {
  readonly steps: number[] = [];
  readonly evals: number[] = [];
  start: StartEvent | undefined;
  startupSeconds = 0;
  rssFirst = 0;
  rssPeak = 0;
  private last: number | undefined;
  private evaluated = false;
  private readonly t0 = performance.now();

  constructor(private readonly wantEvals: number) {}

  /** Takes an event; true when enough is measured. */
  take(e: TrainingEvent): boolean {
    if (e.type === 'start') this.start = e;
    if (e.type === 'error') throw new Error(e.message);
    const now = performance.now();
    if (e.type === 'eval' && this.last !== undefined) {
      this.evals.push((now - this.last) / 1000);
      this.evaluated = true;
      this.rssPeak = Math.max(this.rssPeak, process.memoryUsage().rss);
    }
    if (e.type !== 'progress') return false;
    const rss = process.memoryUsage().rss;
    if (this.last === undefined) {
      this.startupSeconds = (now - this.t0) / 1000;
      this.rssFirst = rss;
    } else if (!this.evaluated) this.steps.push((now - this.last) / 1000);
    this.evaluated = false;
    this.last = now;
    this.rssPeak = Math.max(this.rssPeak, rss);
    return (this.steps.length >= MEASURED_STEPS && this.evals.length >= this.wantEvals) || e.step >= e.totalSteps;
  }
}

/** Runs `args` until MEASURED_STEPS steps after the first (and an evaluation, when it evaluates) are timed, then stops it without saving. */
export async function measureSteps(args: RunArgs, ctx: { token?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<Measurement> {
  const dir = await mkdtemp(join(tmpdir(), 'finetune-estimate-'));
  const abort = new AbortController();
  ctx.signal?.addEventListener('abort', () => abort.abort());
  const timer = new Timer(evaluates(args) ? 1 : 0);
  try {
    await runClassification(measuringArgs(args, dir), {
      emit: (e) => {
        if (timer.take(e)) abort.abort();
      },
      signal: abort.signal,
      env: ctx.env ?? process.env,
      ...(ctx.token ? { token: ctx.token } : {}),
      saveOnCancel: false,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (ctx.signal?.aborted) throw new Error('the estimate was cancelled');
  const { start, steps, evals, startupSeconds, rssFirst, rssPeak } = timer;
  if (!start || steps.length === 0) throw new Error('the run stopped before two training steps: nothing to measure (is the data file this small?)');
  // the run's own validation rows (the measuring run evaluated a few)
  const evalRows = evaluates(args) ? ((await loadClassificationData(trainDataOptions(args))).validation?.texts.length ?? 0) : 0;
  return { start, steps, evals, evalRows, startupSeconds, rssFirst, rssPeak };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * The estimate from a measurement. Step time: the mean, with a range of one standard deviation of
 * the mean either side plus half the spread of the timed steps (batches of other lengths). An
 * evaluation: its batches at the measured time per batch (else EVAL_COST of a step per row),
 * scaled with the step range; one per epoch (or per eval_steps) and one at the end. Memory: the
 * measured peak (training and evaluation), up to the peak plus the growth seen over the measured
 * steps again (a longer batch than any measured one).
 */
export function estimateFrom(
  m: Measurement,
  args: Pick<RunArgs, 'eval_strategy' | 'eval_steps' | 'per_device_eval_batch_size' | 'do_eval'>,
  trainBatch: number,
): RunEstimate {
  const n = m.steps.length;
  const mean = sum(m.steps) / n;
  const sd = n > 1 ? Math.sqrt(sum(m.steps.map((s) => (s - mean) ** 2)) / (n - 1)) : 0;
  const lo = Math.max(Math.min(...m.steps), mean - sd / Math.sqrt(n) - (mean - Math.min(...m.steps)) / 2);
  const hi = mean + sd / Math.sqrt(n) + (Math.max(...m.steps) - mean) / 2;
  const { stepsPerEpoch, totalSteps } = m.start;
  const evalsPerEpoch =
    args.eval_strategy === 'epoch' ? 1 : args.eval_strategy === 'steps' && args.eval_steps ? stepsPerEpoch / Math.max(1, args.eval_steps) : 0;
  const batch = Math.max(1, args.per_device_eval_batch_size);
  const perBatch = m.evals.length ? sum(m.evals) / m.evals.length / EVAL_BATCHES : mean * EVAL_COST * (batch / Math.max(1, trainBatch));
  /** One evaluation of the run's validation rows, at step time `f`. */
  const evaluation = (f: number): number => Math.ceil(m.evalRows / batch) * perBatch * (f / mean);
  const epoch = (f: number): number => stepsPerEpoch * f + evalsPerEpoch * evaluation(f);
  const epochs = totalSteps / Math.max(1, stepsPerEpoch);
  const total = (f: number): number => m.startupSeconds + epochs * epoch(f) + (evaluates(args) ? evaluation(f) : 0);
  const growth = Math.max(0, m.rssPeak - m.rssFirst);
  return {
    stepsPerEpoch,
    epochs,
    totalSteps,
    measuredSteps: n,
    secondsPerStep: [lo, hi],
    secondsPerEpoch: [epoch(lo), epoch(hi)],
    totalSeconds: [total(lo), total(hi)],
    startupSeconds: m.startupSeconds,
    peakMemoryBytes: [m.rssPeak, m.rssPeak + growth],
    executionProvider: m.start.executionProvider,
  };
}

export async function estimateRun(args: RunArgs, ctx: { token?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<RunEstimate> {
  const m = await measureSteps(args, ctx);
  return estimateFrom(m, args, args.per_device_train_batch_size * args.gradient_accumulation_steps);
}
