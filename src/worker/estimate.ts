/**
 * "How long will this take, and will it fit?": runs the form's run for a few optimizer steps on
 * this machine (same model, data, batch size, max_seq_length, provider), into a temporary folder
 * that is removed after, and turns the measured step times and resident memory into ranges for
 * an epoch and the whole run. Nothing is written into the run's output folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunArgs } from '../core/contract/args.js';
import type { StartEvent, TrainingEvent } from '../core/contract/events.js';
import { runClassification } from '../core/run/run.js';
import type { RunEstimate } from '../protocol/worker.js';

/** Steps timed after the first (which also builds and warms the ONNX Runtime session). */
export const MEASURED_STEPS = 6;

/** Evaluation is a forward pass only: about this share of a training step's time per row. */
export const EVAL_COST = 0.35;

export interface Measurement {
  start: StartEvent;
  /** Seconds of each timed step. */
  steps: number[];
  startupSeconds: number;
  /** Resident memory after the first step (model, optimizer state, session) and its peak during the timed steps. */
  rssFirst: number;
  rssPeak: number;
}

/**
 * The run's arguments for measuring: its own (the same data split and batches: evaluation stays on
 * so that the validation rows are held out as in the run), but no saving, prediction, export or
 * push, in `dir`. A step interval with an evaluation in it is not timed.
 */
export function measuringArgs(args: RunArgs, dir: string): RunArgs {
  return {
    ...args,
    output_dir: dir,
    overwrite_output_dir: true,
    resume_from_checkpoint: null,
    do_predict: false,
    eval_on_start: false,
    save_strategy: 'no',
    load_best_model_at_end: false,
    early_stopping_patience: null,
    push_to_hub: false,
    report_to: [],
    export_onnx: false,
  };
}

/** Runs `args` until MEASURED_STEPS steps after the first are timed, then stops it without saving. */
export async function measureSteps(args: RunArgs, ctx: { token?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<Measurement> {
  const dir = await mkdtemp(join(tmpdir(), 'finetune-estimate-'));
  const abort = new AbortController();
  ctx.signal?.addEventListener('abort', () => abort.abort());
  const t0 = performance.now();
  let rssFirst = 0;
  let rssPeak = 0;
  let start: StartEvent | undefined;
  let last: number | undefined;
  let startupSeconds = 0;
  let evaluated = false;
  const steps: number[] = [];
  const emit = (e: TrainingEvent): void => {
    if (e.type === 'start') start = e;
    if (e.type === 'error') throw new Error(e.message);
    if (e.type === 'eval' || (e.type === 'stage' && e.stage === 'evaluate')) evaluated = true;
    if (e.type !== 'progress') return;
    const now = performance.now();
    const rss = process.memoryUsage().rss;
    if (last === undefined) {
      startupSeconds = (now - t0) / 1000;
      rssFirst = rss;
    } else if (!evaluated) steps.push((now - last) / 1000);
    evaluated = false;
    last = now;
    rssPeak = Math.max(rssPeak, rss);
    if (steps.length >= MEASURED_STEPS || e.step >= e.totalSteps) abort.abort();
  };
  try {
    await runClassification(measuringArgs(args, dir), {
      emit,
      signal: abort.signal,
      env: ctx.env ?? process.env,
      ...(ctx.token ? { token: ctx.token } : {}),
      saveOnCancel: false,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (ctx.signal?.aborted) throw new Error('the estimate was cancelled');
  if (!start || steps.length === 0) throw new Error('the run stopped before two training steps: nothing to measure (is the data file this small?)');
  return { start, steps, startupSeconds, rssFirst, rssPeak };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * The estimate from a measurement. Step time: the mean, with a range of one standard deviation of
 * the mean either side plus the spread of batch lengths (the timed steps' lowest and highest, half
 * way); evaluations per epoch at EVAL_COST of a step per batch of rows. Memory: the measured peak,
 * up to the peak plus the growth seen over the timed steps again (a longer batch than any timed one).
 */
export function estimateFrom(
  m: Measurement,
  args: Pick<RunArgs, 'eval_strategy' | 'eval_steps' | 'per_device_eval_batch_size'>,
  trainBatch: number,
): RunEstimate {
  const n = m.steps.length;
  const mean = sum(m.steps) / n;
  const sd = n > 1 ? Math.sqrt(sum(m.steps.map((s) => (s - mean) ** 2)) / (n - 1)) : 0;
  const lo = Math.max(Math.min(...m.steps), mean - sd / Math.sqrt(n) - (mean - Math.min(...m.steps)) / 2);
  const hi = mean + sd / Math.sqrt(n) + (Math.max(...m.steps) - mean) / 2;
  const { stepsPerEpoch, totalSteps, evalRows } = m.start;
  const evalsPerEpoch =
    args.eval_strategy === 'epoch' ? 1 : args.eval_strategy === 'steps' && args.eval_steps ? stepsPerEpoch / Math.max(1, args.eval_steps) : 0;
  const evalStep = (f: number): number =>
    evalsPerEpoch *
    Math.ceil(evalRows / Math.max(1, args.per_device_eval_batch_size)) *
    f *
    EVAL_COST *
    (args.per_device_eval_batch_size / Math.max(1, trainBatch));
  const epoch = (f: number): number => stepsPerEpoch * f + evalStep(f);
  const epochs = totalSteps / Math.max(1, stepsPerEpoch);
  const growth = Math.max(0, m.rssPeak - m.rssFirst);
  return {
    stepsPerEpoch,
    epochs,
    totalSteps,
    measuredSteps: n,
    secondsPerStep: [lo, hi],
    secondsPerEpoch: [epoch(lo), epoch(hi)],
    totalSeconds: [m.startupSeconds + epochs * epoch(lo), m.startupSeconds + epochs * epoch(hi)],
    startupSeconds: m.startupSeconds,
    peakMemoryBytes: [m.rssPeak, m.rssPeak + growth],
    executionProvider: m.start.executionProvider,
  };
}

export async function estimateRun(args: RunArgs, ctx: { token?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<RunEstimate> {
  const m = await measureSteps(args, ctx);
  return estimateFrom(m, args, args.per_device_train_batch_size * args.gradient_accumulation_steps);
}
