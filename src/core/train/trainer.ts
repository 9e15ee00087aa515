/**
 * The training loop with transformers' Trainer semantics: epochs / max_steps, gradient
 * accumulation (the last group of an epoch may be shorter, its loss scaled by its own size),
 * AdamW + schedule, logging every logging_steps (the loss averaged since the last log, the
 * gradient norm, the learning rate of the next step), evaluation and checkpoints by strategy,
 * best-model tracking, save_total_limit, early stopping, exact resume, cancellation at a step
 * boundary, and a stop with the last good checkpoint kept when the loss stops being finite.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSink } from '../../protocol/events.js';
import {
  BatchSampler,
  type ClassificationData,
  type EncodedDataset,
  type EncodedSplit,
  RowOrder,
  type SamplerKind,
  collate,
  evalBatches,
} from '../data/index.js';
import type { Model } from '../model/presets.js';
import { ArgError, type RunArgs, greaterIsBetter, metricForBest } from './args.js';
import {
  type CheckpointContents,
  type LogEntry,
  type TrainerState,
  checkpointName,
  checkpointsToRemove,
  listCheckpoints,
  readTrainingState,
  writeCheckpoint,
} from './checkpoint.js';
import { loadPretrained } from '../model/load.js';
import { TrainingEngine } from './engine.js';
import { createMetrics } from './metrics.js';
import { type ScheduleOptions, learningRate, warmupSteps } from './schedule.js';

export interface TrainerOptions {
  args: RunArgs;
  model: Model;
  data: ClassificationData;
  encoded: EncodedDataset;
  emit: EventSink;
  signal?: AbortSignal;
  /** Written into every checkpoint (tokenizer.json, ...). */
  tokenizerFiles?: Record<string, string | Uint8Array>;
  /** Per-class loss weights (single-label). */
  classWeights?: Float32Array;
  /** Resume from this checkpoint folder. */
  resumeFrom?: string;
  /** Save a checkpoint when cancelled (asked at cancel time when a function). */
  saveOnCancel?: boolean | (() => boolean);
  runId?: string;
  modelName?: string;
  /** Encoder layers on the real tokens only (EngineOptions.packTokens). */
  packTokens?: boolean;
  /** Length grouping: rows per mega-batch in batches (default: transformers' min(n / (4 * batch), 50)); benchmarks. */
  megaBatchMult?: number;
}

export interface TrainResult {
  metrics: Record<string, number>;
  state: TrainerState;
  stoppedEarly: boolean;
  cancelled: boolean;
  /** The run stopped on a non-finite loss. */
  diverged: boolean;
  bestCheckpoint: string | null;
}

export interface EvalResult {
  metrics: Record<string, number>;
  confusionMatrix?: number[][];
  perClass?: { label: string; precision: number; recall: number; f1: number; support: number }[];
}

export class TrainingStopped extends Error {}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export class Trainer {
  readonly engine: TrainingEngine;
  private readonly args: RunArgs;

  constructor(private readonly o: TrainerOptions) {
    this.args = o.args;
    const a = o.args;
    this.engine = new TrainingEngine({
      config: o.model.config,
      weights: o.model.weights,
      threads: a.threads ?? undefined,
      executionProvider: a.execution_provider,
      adam: { beta1: a.adam_beta1, beta2: a.adam_beta2, eps: a.adam_epsilon, weightDecay: a.weight_decay, maxGradNorm: a.max_grad_norm },
      dropoutSeed: a.seed,
      ...(a.fp16 ? { mixedPrecision: 'fp16' as const } : {}),
      ...(o.packTokens !== undefined ? { packTokens: o.packTokens } : {}),
      ...(o.classWeights ? { classWeights: o.classWeights } : {}),
      onWarning: (message) => o.emit({ type: 'warning', message }),
    });
  }

  private samplerKind(): SamplerKind {
    if (!this.args.shuffle_train_dataset) return 'sequential';
    if (!this.args.group_by_length) return 'random';
    return this.args.length_grouping === 'transformers' ? 'length-grouped' : 'length-shuffled';
  }

  /** Batches, optimizer steps per epoch, total steps. */
  plan(): { batchesPerEpoch: number; stepsPerEpoch: number; totalSteps: number; epochs: number } {
    const a = this.args;
    const batchesPerEpoch = Math.ceil(this.o.encoded.train.size / a.per_device_train_batch_size);
    const stepsPerEpoch = Math.max(1, Math.ceil(batchesPerEpoch / a.gradient_accumulation_steps));
    const totalSteps = a.max_steps > 0 ? a.max_steps : Math.ceil(a.num_train_epochs * stepsPerEpoch);
    const epochs = a.max_steps > 0 ? Math.ceil(a.max_steps / stepsPerEpoch) : Math.ceil(a.num_train_epochs);
    return { batchesPerEpoch, stepsPerEpoch, totalSteps, epochs };
  }

  async train(): Promise<TrainResult> {
    const { args: a, emit, encoded } = { args: this.args, emit: this.o.emit, encoded: this.o.encoded };
    const train = encoded.train;
    const { batchesPerEpoch, stepsPerEpoch, totalSteps, epochs } = this.plan();
    const schedule: ScheduleOptions = { type: a.lr_scheduler_type, warmupSteps: warmupSteps(totalSteps, a.warmup_steps, a.warmup_ratio), totalSteps };
    const outputDir = a.output_dir!;
    const bestKey = metricForBest(a);
    const greater = greaterIsBetter(a);
    const evalEvery = a.eval_steps ?? a.logging_steps;

    let state: TrainerState = {
      best_metric: null,
      best_model_checkpoint: null,
      epoch: 0,
      eval_steps: a.eval_strategy === 'steps' ? evalEvery : null,
      global_step: 0,
      is_hyper_param_search: false,
      is_local_process_zero: true,
      is_world_process_zero: true,
      log_history: [],
      logging_steps: a.logging_steps,
      max_steps: totalSteps,
      num_input_tokens_seen: 0,
      num_train_epochs: epochs,
      save_steps: a.save_steps,
      stateful_callbacks: {},
      total_flos: 0,
      train_batch_size: a.per_device_train_batch_size,
      trial_name: null,
      trial_params: null,
    };
    let patience = 0;
    let samplerState;
    if (this.o.resumeFrom) {
      const loaded = await readTrainingState(this.o.resumeFrom);
      state = loaded.state;
      samplerState = loaded.rng.sampler;
      if (samplerState.kind !== this.samplerKind()) {
        const flags = (k: SamplerKind): string =>
          k === 'sequential'
            ? '--shuffle_train_dataset false'
            : k === 'random'
              ? '--group_by_length false'
              : `--group_by_length true --length_grouping ${k === 'length-grouped' ? 'transformers' : 'shuffled'}`;
        throw new ArgError(
          '--resume_from_checkpoint',
          `--resume_from_checkpoint ${this.o.resumeFrom}: the checkpoint was trained with the '${samplerState.kind}' sampler (${flags(samplerState.kind)}), this run asks for '${this.samplerKind()}' (${flags(this.samplerKind())}); resume with the original run's flags (its training_args.json), or start a new run without --resume_from_checkpoint`,
        );
      }
      for (const n of loaded.optimizer.m.keys()) {
        if (!this.engine.optimizer.state.m.has(n)) throw new Error(`${this.o.resumeFrom}: optimizer state for unknown parameter ${n}`);
      }
      this.engine.optimizer.load(loaded.optimizer.step, loaded.optimizer.m, loaded.optimizer.v);
      this.engine.setRunCount(loaded.rng.dropout_runs);
      if (loaded.scaler && this.engine.scaler) this.engine.scaler.loadStateDict(loaded.scaler);
      const cb = state.stateful_callbacks.EarlyStoppingCallback as { attributes?: { early_stopping_patience_counter?: number } } | undefined;
      patience = cb?.attributes?.early_stopping_patience_counter ?? 0;
    }
    const sampler = new BatchSampler({
      kind: this.samplerKind(),
      size: train.size,
      batchSize: a.per_device_train_batch_size,
      seed: a.seed,
      lengths: train.lengths(),
      ...(samplerState ? { state: samplerState } : {}),
      ...(this.o.megaBatchMult ? { megaBatchMult: this.o.megaBatchMult } : {}),
    });

    emit({
      type: 'start',
      runId: this.o.runId ?? '',
      outputDir,
      model: this.o.modelName ?? '',
      totalSteps,
      stepsPerEpoch,
      epochs,
      trainRows: train.size,
      evalRows: encoded.validation?.size ?? 0,
      labels: this.o.data.labels,
      problemType: this.o.data.problemType,
      resumedFromStep: state.global_step,
      executionProvider: a.execution_provider,
    });

    const startStep = state.global_step;
    const t0 = performance.now();
    let samplesSeen = 0;
    let lossSinceLog = 0;
    let stepsSinceLog = 0;
    let totalLoss = 0;
    let lastGradNorm = 0;
    let stoppedEarly = false;
    let cancelled = false;
    let diverged = false;
    const savedCheckpoints: string[] = (await listCheckpoints(outputDir)).map((c) => c.path);

    const save = async (): Promise<void> => {
      await this.engine.sync();
      const dir = join(outputDir, checkpointName(state.global_step));
      state.stateful_callbacks = a.early_stopping_patience
        ? {
            EarlyStoppingCallback: {
              args: { early_stopping_patience: a.early_stopping_patience, early_stopping_threshold: a.early_stopping_threshold },
              attributes: { early_stopping_patience_counter: patience },
            },
          }
        : {};
      const contents: CheckpointContents = {
        config: this.engine.config,
        weights: this.engine.weights,
        optimizer: this.engine.optimizer.state,
        scheduler: {
          last_epoch: this.engine.optimizer.state.step,
          base_lr: a.learning_rate,
          type: a.lr_scheduler_type,
          warmup_steps: schedule.warmupSteps,
          total_steps: totalSteps,
        },
        rng: { seed: a.seed, sampler: sampler.state(), dropout_runs: this.engine.runCount },
        state,
        ...(this.engine.scaler ? { scaler: this.engine.scaler.stateDict() } : {}),
        trainingArgs: { ...a },
        ...(this.o.tokenizerFiles ? { tokenizerFiles: this.o.tokenizerFiles } : {}),
      };
      await writeCheckpoint(dir, contents);
      if (!savedCheckpoints.includes(dir)) savedCheckpoints.push(dir);
      const remove = checkpointsToRemove(savedCheckpoints, a.save_total_limit, state.best_model_checkpoint);
      for (const r of remove) {
        await rm(r, { recursive: true, force: true });
        savedCheckpoints.splice(savedCheckpoints.indexOf(r), 1);
      }
      emit({ type: 'checkpoint', step: state.global_step, path: dir, removed: remove });
    };

    while (state.global_step < totalSteps) {
      if (this.o.signal?.aborted) {
        cancelled = true;
        break;
      }
      // One optimizer step: up to gradient_accumulation_steps batches, not crossing an epoch end.
      const group = [];
      let epochEnded = false;
      let batchIndex = 0;
      let epoch = 0;
      for (let k = 0; k < a.gradient_accumulation_steps; k++) {
        const b = sampler.next();
        group.push(collate(train, b.indices));
        batchIndex = b.batchIndex;
        epoch = b.epoch;
        if (b.batchIndex === batchesPerEpoch - 1) {
          epochEnded = true;
          break;
        }
      }
      // The schedule advances with the optimizer steps taken (a mixed-precision step skipped on
      // overflow does not advance it, as in Trainer).
      const lr = learningRate(a.learning_rate, schedule, this.engine.optimizer.state.step);
      // Forward, backward, clip and AdamW (in place on the host, or in the graph on a GPU).
      const { loss, gradNorm, skipped } = await this.engine.trainStep(group, lr);
      for (const batch of group) samplesSeen += batch.batch;
      lastGradNorm = gradNorm;
      if (!Number.isFinite(loss)) {
        diverged = true;
        const last = savedCheckpoints[savedCheckpoints.length - 1];
        throw new TrainingStopped(
          `the training loss became ${loss} at step ${state.global_step + 1}; the run stopped and nothing was saved over ${last ? `the last good checkpoint, ${last}` : 'the output folder'}. ` +
            'Lower --learning_rate, keep --max_grad_norm at 1, or check the labels (regression targets on a very large scale diverge).',
        );
      }
      if (skipped) {
        emit({
          type: 'info',
          message: `step ${state.global_step + 1}: the float16 gradients overflowed, so this optimizer step was skipped; loss scale now ${this.engine.scaler?.scale}`,
        });
      }
      state.global_step++;
      state.epoch = epoch + (batchIndex + 1) / batchesPerEpoch;
      totalLoss += loss;
      lossSinceLog += loss;
      stepsSinceLog++;
      const elapsed = (performance.now() - t0) / 1000;
      const done = state.global_step - startStep;
      emit({
        type: 'progress',
        step: state.global_step,
        totalSteps,
        epoch: state.epoch,
        loss,
        learningRate: lr,
        gradNorm: lastGradNorm,
        samplesPerSecond: samplesSeen / elapsed,
        etaSeconds: (elapsed / done) * (totalSteps - state.global_step),
      });

      if (state.global_step % a.logging_steps === 0) {
        const entry: LogEntry = {
          loss: round4(lossSinceLog / stepsSinceLog),
          grad_norm: lastGradNorm,
          learning_rate: learningRate(a.learning_rate, schedule, this.engine.optimizer.state.step),
          epoch: state.epoch,
          step: state.global_step,
        };
        state.log_history.push(entry);
        emit({ type: 'log', step: entry.step!, epoch: entry.epoch!, loss: entry.loss!, grad_norm: entry.grad_norm!, learning_rate: entry.learning_rate! });
        lossSinceLog = 0;
        stepsSinceLog = 0;
      }

      const shouldEval =
        this.o.encoded.validation && ((a.eval_strategy === 'steps' && state.global_step % evalEvery === 0) || (a.eval_strategy === 'epoch' && epochEnded));
      let newBest = false;
      if (shouldEval) {
        const ev = await this.evaluate(this.o.encoded.validation!, 'eval');
        const entry: LogEntry = { ...ev.metrics, epoch: state.epoch, step: state.global_step };
        state.log_history.push(entry);
        emit({
          type: 'eval',
          step: state.global_step,
          epoch: state.epoch,
          metrics: ev.metrics,
          ...(ev.confusionMatrix ? { confusionMatrix: ev.confusionMatrix, labels: this.o.data.labels } : {}),
          ...(ev.perClass ? { perClass: ev.perClass } : {}),
        });
        const value = ev.metrics[bestKey];
        if (value === undefined) {
          throw new TrainingStopped(
            `--metric_for_best_model ${a.metric_for_best_model ?? 'loss'}: the evaluation has no ${bestKey} (it has ${Object.keys(ev.metrics).join(', ')})`,
          );
        }
        const prev = state.best_metric;
        if (a.early_stopping_patience) {
          const improved = prev === null || ((greater ? value > prev : value < prev) && Math.abs(value - prev) > a.early_stopping_threshold);
          patience = improved ? 0 : patience + 1;
          if (patience >= a.early_stopping_patience) stoppedEarly = true;
        }
        if (prev === null || (greater ? value > prev : value < prev)) {
          state.best_metric = value;
          newBest = true;
        }
      }
      const shouldSave = (a.save_strategy === 'steps' && state.global_step % a.save_steps === 0) || (a.save_strategy === 'epoch' && epochEnded);
      if (shouldSave) {
        if (newBest) state.best_model_checkpoint = join(outputDir, checkpointName(state.global_step));
        await save();
      }
      if (stoppedEarly) {
        emit({ type: 'info', message: `early stopping: ${bestKey} did not improve for ${a.early_stopping_patience} evaluations` });
        break;
      }
    }
    await this.engine.sync();
    const saveOnCancel = typeof this.o.saveOnCancel === 'function' ? this.o.saveOnCancel() : this.o.saveOnCancel;
    if (cancelled && saveOnCancel && state.global_step > startStep) await save();

    if (a.load_best_model_at_end && state.best_model_checkpoint && !cancelled) {
      const best = await loadPretrained(state.best_model_checkpoint);
      this.engine.loadWeights(best.weights);
      emit({ type: 'info', message: `loaded the best model from ${state.best_model_checkpoint} (${bestKey} = ${state.best_metric})` });
    }
    const runtime = (performance.now() - t0) / 1000;
    const stepsDone = state.global_step - startStep;
    const metrics: Record<string, number> = {
      epoch: state.epoch,
      train_loss: stepsDone > 0 ? totalLoss / stepsDone : 0,
      train_runtime: Math.round(runtime * 1e4) / 1e4,
      train_samples: train.size,
      train_samples_per_second: Math.round((samplesSeen / runtime) * 1e3) / 1e3,
      train_steps_per_second: Math.round((stepsDone / runtime) * 1e3) / 1e3,
    };
    state.log_history.push({ ...metrics, step: state.global_step });
    return { metrics, state, stoppedEarly, cancelled, diverged, bestCheckpoint: state.best_model_checkpoint };
  }

  /** Loss and metrics over a split, batches sorted by length; keys prefixed (eval_, test_). */
  async evaluate(split: EncodedSplit, prefix: 'eval' | 'test' = 'eval'): Promise<EvalResult> {
    if (!split.labels) throw new Error(`the ${split.name} split has no labels to evaluate against`);
    const a = this.args;
    const data = this.o.data;
    const acc = createMetrics(data.problemType, data.numLabels, { average: data.numLabels === 2 ? 'binary' : a.average, labelNames: data.labels });
    const t0 = performance.now();
    const batches = evalBatches(split.lengths(), a.per_device_eval_batch_size);
    let lossSum = 0;
    for (const indices of batches) {
      const batch = collate(split, indices);
      const { loss, logits } = await this.engine.evaluate(batch);
      lossSum += loss * batch.batch;
      acc.add(logits.data as Float32Array, batch.labels!);
    }
    const runtime = (performance.now() - t0) / 1000;
    const r = acc.compute();
    const metrics: Record<string, number> = { [`${prefix}_loss`]: lossSum / split.size };
    for (const [k, v] of Object.entries(r.metrics)) metrics[`${prefix}_${k}`] = v;
    metrics[`${prefix}_runtime`] = Math.round(runtime * 1e4) / 1e4;
    metrics[`${prefix}_samples_per_second`] = Math.round((split.size / runtime) * 1e3) / 1e3;
    metrics[`${prefix}_steps_per_second`] = Math.round((batches.length / runtime) * 1e3) / 1e3;
    return { metrics, ...(r.confusionMatrix ? { confusionMatrix: r.confusionMatrix } : {}), ...(r.perClass ? { perClass: r.perClass } : {}) };
  }

  /** Logits of every row of a split, in row order. */
  async predict(split: EncodedSplit): Promise<RowOrder> {
    const width = this.engine.config.num_labels;
    const out = new RowOrder(split.size, width);
    for (const indices of evalBatches(split.lengths(), this.args.per_device_eval_batch_size)) {
      const logits = await this.engine.predict(collate(split, indices));
      out.add(indices, logits.data as Float32Array);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}
