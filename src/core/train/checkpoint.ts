/**
 * Trainer checkpoints (`checkpoint-N/`), the Trainer's layout with open formats: the model
 * (config.json, model.safetensors, tokenizer files), `optimizer.safetensors` (AdamW moments and
 * step), `scheduler.json` (`last_epoch`: optimizer steps taken), `rng_state.json` (sampler position and
 * RNG, dropout run count), `scaler.json` (fp16 runs: the loss scaler, torch GradScaler's state),
 * `trainer_state.json` (transformers' TrainerState fields) and `training_args.json`. Written
 * atomically: a crash leaves the previous checkpoints as they were.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SamplerState } from '../data/index.js';
import type { HostTensor } from '../engine/tensor.js';
import { CheckpointError, readSafetensors, serializeSafetensors } from '../model/checkpoint/index.js';
import type { ModelConfig } from '../model/config.js';
import { toHfConfig } from '../model/hf-config.js';
import type { Weights } from '../model/params.js';
import { writeFolderAtomic } from '../model/save.js';
import type { GradScalerState } from '../step/grad-scaler.js';
import type { AdamWState } from '../step/adamw.js';
import type { PlateauState } from './schedule.js';

export type LogEntry = Record<string, number>;

/** transformers' TrainerState as trainer_state.json holds it. */
export interface TrainerState {
  best_metric: number | null;
  best_model_checkpoint: string | null;
  epoch: number;
  eval_steps: number | null;
  global_step: number;
  is_hyper_param_search: boolean;
  is_local_process_zero: boolean;
  is_world_process_zero: boolean;
  log_history: LogEntry[];
  logging_steps: number;
  max_steps: number;
  num_input_tokens_seen: number;
  num_train_epochs: number;
  save_steps: number;
  stateful_callbacks: Record<string, unknown>;
  total_flos: number;
  train_batch_size: number;
  trial_name: null;
  trial_params: null;
}

export interface RngState {
  seed: number;
  sampler: SamplerState;
  /** Training-graph runs so far: run r's dropout masks are drawn for r (see dropout-masks.ts). */
  dropout_runs: number;
}

export interface CheckpointContents {
  config: ModelConfig;
  weights: Weights;
  optimizer: AdamWState;
  scheduler: { last_epoch: number; base_lr: number; type: string; warmup_steps: number; total_steps: number; plateau?: PlateauState };
  rng: RngState;
  state: TrainerState;
  /** Mixed precision: the loss scaler's state (torch GradScaler.state_dict()). */
  scaler?: GradScalerState;
  trainingArgs: Record<string, unknown>;
  tokenizerFiles?: Record<string, string | Uint8Array>;
}

export const checkpointName = (step: number): string => `checkpoint-${step}`;

/**
 * A checkpoint's files, serialized now: a snapshot of the weights, moments and state, so training
 * may go on (and change them) while the files are written.
 */
export function checkpointFiles(c: CheckpointContents): Record<string, string | Uint8Array> {
  const moments: Record<string, HostTensor> = {};
  for (const [name, m] of c.optimizer.m) {
    const dims = c.weights.get(name)!.dims;
    moments[`exp_avg.${name}`] = { dtype: 'float32', dims, data: m };
    moments[`exp_avg_sq.${name}`] = { dtype: 'float32', dims, data: c.optimizer.v.get(name)! };
  }
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'config.json': json(toHfConfig(c.config)),
    'model.safetensors': serializeSafetensors(Object.fromEntries(c.weights), { format: 'pt' }),
    'optimizer.safetensors': serializeSafetensors(moments, { step: String(c.optimizer.step) }),
    'scheduler.json': json(c.scheduler),
    'rng_state.json': json(c.rng),
    'trainer_state.json': json(c.state),
    'training_args.json': json(c.trainingArgs),
    ...(c.scaler ? { 'scaler.json': json(c.scaler) } : {}),
    ...c.tokenizerFiles,
  };
}

/** Writes checkpoint `dir` atomically (a temporary folder renamed into place: never half-written). */
export async function writeCheckpoint(dir: string, c: CheckpointContents): Promise<void> {
  await writeFolderAtomic(dir, checkpointFiles(c));
}

export interface LoadedTrainingState {
  optimizer: AdamWState;
  rng: RngState;
  state: TrainerState;
  scheduler: CheckpointContents['scheduler'];
  /** Present when the run used fp16 mixed precision. */
  scaler?: GradScalerState;
}

async function readJson<T>(file: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CheckpointError(file, `${file} is missing: this checkpoint cannot be resumed exactly (was it written by Finetune?)`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new CheckpointError(file, `${file} is not valid JSON (${(e as Error).message}); the checkpoint is damaged`);
  }
}

/** Optimizer, RNG and trainer state of a checkpoint (the weights load through loadPretrained). */
export async function readTrainingState(dir: string): Promise<LoadedTrainingState> {
  const tensors = await readSafetensors(join(dir, 'optimizer.safetensors'));
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [k, t] of tensors) {
    if (k.startsWith('exp_avg_sq.')) v.set(k.slice('exp_avg_sq.'.length), t.data as Float32Array);
    else if (k.startsWith('exp_avg.')) m.set(k.slice('exp_avg.'.length), t.data as Float32Array);
  }
  const [rng, state, scheduler] = await Promise.all([
    readJson<RngState>(join(dir, 'rng_state.json')),
    readJson<TrainerState>(join(dir, 'trainer_state.json')),
    readJson<CheckpointContents['scheduler']>(join(dir, 'scheduler.json')),
  ]);
  let scaler: GradScalerState | undefined;
  try {
    await stat(join(dir, 'scaler.json'));
    scaler = await readJson<GradScalerState>(join(dir, 'scaler.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return { optimizer: { step: scheduler.last_epoch, m, v }, rng, state, scheduler, ...(scaler ? { scaler } : {}) };
}

/** checkpoint-N folders of an output dir, oldest first. */
export async function listCheckpoints(outputDir: string): Promise<{ step: number; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return [];
  }
  const out: { step: number; path: string }[] = [];
  for (const n of names) {
    const m = /^checkpoint-(\d+)$/.exec(n);
    if (!m) continue;
    const path = join(outputDir, n);
    try {
      if ((await stat(join(path, 'trainer_state.json'))).isFile()) out.push({ step: Number(m[1]), path });
    } catch {
      // an incomplete folder is not a checkpoint
    }
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * The checkpoints save_total_limit removes, as transformers' _rotate_checkpoints: the oldest
 * beyond the limit, never the best (with a limit of 1 and a best that is not the last, two stay).
 */
export function checkpointsToRemove(checkpoints: readonly string[], limit: number | null, best: string | null): string[] {
  if (limit === null || checkpoints.length <= limit) return [];
  const sorted = [...checkpoints];
  let keep = limit;
  if (best && sorted.includes(best)) {
    // Move the best to the end so it is among the kept ones.
    sorted.splice(sorted.indexOf(best), 1);
    sorted.push(best);
    if (limit === 1 && checkpoints[checkpoints.length - 1] !== best) keep = 2;
  }
  return sorted.slice(0, Math.max(0, sorted.length - keep));
}

/**
 * save_total_limit over a run's checkpoints: the run's folders oldest first (those found in the
 * output folder when it started, then each one it writes); `add` returns the ones to delete.
 */
export class CheckpointRotation {
  constructor(
    private readonly saved: string[],
    private readonly limit: number | null,
  ) {}

  get last(): string | undefined {
    return this.saved[this.saved.length - 1];
  }

  /** Records checkpoint `dir`; returns the folders the limit removes (no longer listed). */
  add(dir: string, best: string | null): string[] {
    if (!this.saved.includes(dir)) this.saved.push(dir);
    const remove = checkpointsToRemove(this.saved, this.limit, best);
    for (const r of remove) this.saved.splice(this.saved.indexOf(r), 1);
    return remove;
  }
}
