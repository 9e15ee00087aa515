/**
 * The training loop with transformers' Trainer semantics: epochs / max_steps, gradient
 * accumulation (the last group of an epoch may be shorter, its loss scaled by its own size),
 * AdamW + schedule, logging (the loss averaged since the last log, the gradient norm, the learning
 * rate the step used), evaluation and checkpoints by strategy, best-model tracking,
 * save_total_limit, early stopping, exact resume, cancellation at a step boundary, and a stop with
 * the last good checkpoint kept when the loss stops being finite.
 *
 * As the HF Trainer is built: the loop takes steps; a pure function (flow.ts) says when to log,
 * evaluate and save; small parts own early stopping (early-stopping.ts), checkpoint rotation and the
 * learning rates; callbacks (callbacks.ts) carry logs, evaluations and checkpoints to whoever
 * listens (TensorBoard, Hub pushes).
 */
import { UserError } from '../errors.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSink } from '../contract/events.js';
import {
  BatchSampler,
  type ClassificationData,
  type EncodedDataset,
  type EncodedSplit,
  RowOrder,
  aggregateDocuments,
  documentLoss,
  type SamplerKind,
  type SamplerState,
  collate,
  evalBatches,
} from '../data/index.js';
import { CheckpointError } from '../model/checkpoint/index.js';
import { loadPretrained } from '../model/load.js';
import type { Model } from '../model/presets.js';
import { ArgError, type RunArgs, greaterIsBetter, metricForBest, publicArgs, schedulerKwargs } from '../contract/args.js';
import { type Evaluation, type TrainerCallback, notify } from './callbacks.js';
import { CheckpointRotation, type LogEntry, type TrainerState, checkpointFiles, checkpointName, listCheckpoints, readTrainingState } from './checkpoint.js';
import { writeFolderAtomic } from '../model/save.js';
import { EarlyStopping, isImprovement } from './early-stopping.js';
import { defaultSessionCacheDir } from '../engine/session-cache.js';
import { TrainingEngine } from '../step/engine.js';
import { evalInterval, stepControl } from './flow.js';
import { type MetricAccumulator, type MetricsResult, createMetrics } from './metrics.js';
import { LearningRates, type ScheduleOptions, warmupSteps } from './schedule.js';

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
  /** Listeners of the run (TensorBoard, Hub pushes, ...). */
  callbacks?: TrainerCallback[];
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
  bestCheckpoint: string | null;
}

export interface EvalResult {
  metrics: Record<string, number>;
  confusionMatrix?: number[][];
  perClass?: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** The split's logits in row order: one row per data row (per document when sliding windows chunk them). */
  logits: RowOrder;
}

export class TrainingStopped extends UserError {}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export interface TrainPlan {
  batchesPerEpoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
  epochs: number;
}

/** The mutable state of one train() call. */
interface Run {
  plan: TrainPlan;
  state: TrainerState;
  sampler: BatchSampler;
  lrs: LearningRates;
  schedule: ScheduleOptions;
  early?: EarlyStopping;
  rotation: CheckpointRotation;
  startStep: number;
  t0: number;
  samplesSeen: number;
  totalLoss: number;
  lossSinceLog: number;
  stepsSinceLog: number;
  /** The last step's learning rate, gradient norm and whether it ended an epoch. */
  lr: number;
  gradNorm: number;
  epochEnded: boolean;
  stoppedEarly: boolean;
}

function initialState(a: RunArgs, plan: TrainPlan): TrainerState {
  return {
    best_metric: null,
    best_model_checkpoint: null,
    epoch: 0,
    eval_steps: a.eval_strategy === 'steps' ? evalInterval(a) : null,
    global_step: 0,
    is_hyper_param_search: false,
    is_local_process_zero: true,
    is_world_process_zero: true,
    log_history: [],
    logging_steps: a.logging_steps,
    max_steps: plan.totalSteps,
    num_input_tokens_seen: 0,
    num_train_epochs: plan.epochs,
    save_steps: a.save_steps,
    stateful_callbacks: {},
    total_flos: 0,
    train_batch_size: a.per_device_train_batch_size,
    trial_name: null,
    trial_params: null,
  };
}

const samplerFlags = (k: SamplerKind): string =>
  k === 'sequential'
    ? '--shuffle_train_dataset false'
    : k === 'random'
      ? '--group_by_length false'
      : `--group_by_length true --length_grouping ${k === 'length-grouped' ? 'transformers' : 'shuffled'}`;

export class Trainer {
  readonly engine: TrainingEngine;
  private readonly args: RunArgs;
  private readonly callbacks: TrainerCallback[];
  /** The checkpoint write in flight (see save). */
  private writing: Promise<void> | undefined;

  constructor(private readonly o: TrainerOptions) {
    this.args = o.args;
    this.callbacks = o.callbacks ?? [];
    const a = o.args;
    const sessionCache = defaultSessionCacheDir();
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
      ...(a.label_smoothing_factor > 0 ? { labelSmoothing: a.label_smoothing_factor } : {}),
      onWarning: (message) => o.emit({ type: 'warning', message }),
      ...(sessionCache ? { sessionCacheDir: sessionCache } : {}),
    });
  }

  private samplerKind(): SamplerKind {
    if (!this.args.shuffle_train_dataset) return 'sequential';
    if (!this.args.group_by_length) return 'random';
    return this.args.length_grouping === 'transformers' ? 'length-grouped' : 'length-shuffled';
  }

  /** Batches, optimizer steps per epoch, total steps. */
  plan(): TrainPlan {
    const a = this.args;
    const batchesPerEpoch = Math.ceil(this.o.encoded.train.size / a.per_device_train_batch_size);
    const stepsPerEpoch = Math.max(1, Math.ceil(batchesPerEpoch / a.gradient_accumulation_steps));
    const totalSteps = a.max_steps > 0 ? a.max_steps : Math.ceil(a.num_train_epochs * stepsPerEpoch);
    const epochs = a.max_steps > 0 ? Math.ceil(a.max_steps / stepsPerEpoch) : Math.ceil(a.num_train_epochs);
    return { batchesPerEpoch, stepsPerEpoch, totalSteps, epochs };
  }

  async train(): Promise<TrainResult> {
    const run = await this.begin();
    try {
      return await this.loop(run);
    } catch (e) {
      // The checkpoint being written still lands (or fails quietly: the error in hand is the one to report).
      await this.flushSaves().catch(() => undefined);
      throw e;
    }
  }

  /** The steps, with logging, evaluation and checkpoints by strategy; then the end of the run. */
  private async loop(run: Run): Promise<TrainResult> {
    const { emit } = this.o;
    let cancelled = false;
    if (this.args.eval_on_start && this.o.encoded.validation && run.state.global_step === 0) await this.evaluateDuringTraining(run);
    while (run.state.global_step < run.plan.totalSteps) {
      if (this.o.signal?.aborted) {
        cancelled = true;
        break;
      }
      await this.step(run);
      const control = stepControl(this.args, { step: run.state.global_step, epochEnded: run.epochEnded, hasValidation: !!this.o.encoded.validation });
      if (control.log) await this.log(run);
      const newBest = control.evaluate ? await this.evaluateDuringTraining(run) : false;
      if (control.save) {
        if (newBest) run.state.best_model_checkpoint = join(this.args.output_dir!, checkpointName(run.state.global_step));
        await this.save(run);
      }
      if (run.stoppedEarly) {
        emit({ type: 'info', message: `early stopping: ${metricForBest(this.args)} did not improve for ${this.args.early_stopping_patience} evaluations` });
        break;
      }
    }
    await this.engine.sync();
    const saveOnCancel = typeof this.o.saveOnCancel === 'function' ? this.o.saveOnCancel() : this.o.saveOnCancel;
    if (cancelled && saveOnCancel && run.state.global_step > run.startStep) await this.save(run);
    await this.flushSaves();
    return this.finish(run, cancelled);
  }

  /** The run's state: fresh, or read back from the checkpoint to resume; the start event. */
  private async begin(): Promise<Run> {
    const a = this.args;
    const plan = this.plan();
    const schedule: ScheduleOptions = {
      type: a.lr_scheduler_type,
      warmupSteps: warmupSteps(plan.totalSteps, a.warmup_steps, a.warmup_ratio),
      totalSteps: plan.totalSteps,
      kwargs: schedulerKwargs(a),
    };
    const lrs = new LearningRates(a.learning_rate, schedule);
    let state = initialState(a, plan);
    let samplerState: SamplerState | undefined;
    let patience = 0;
    if (this.o.resumeFrom) {
      const resumed = await this.resume(this.o.resumeFrom, lrs);
      state = resumed.state;
      samplerState = resumed.sampler;
      patience = EarlyStopping.counterFrom(state.stateful_callbacks);
    }
    const train = this.o.encoded.train;
    const sampler = new BatchSampler({
      kind: this.samplerKind(),
      size: train.size,
      batchSize: a.per_device_train_batch_size,
      seed: a.shuffle_seed ?? a.seed,
      lengths: train.lengths(),
      ...(samplerState ? { state: samplerState } : {}),
      ...(this.o.megaBatchMult ? { megaBatchMult: this.o.megaBatchMult } : {}),
    });
    const early = a.early_stopping_patience
      ? new EarlyStopping(a.early_stopping_patience, a.early_stopping_threshold, greaterIsBetter(a), patience)
      : undefined;
    const rotation = new CheckpointRotation(
      (await listCheckpoints(a.output_dir!)).map((c) => c.path),
      a.save_total_limit,
    );
    this.emitStart(plan, state);
    await notify(this.callbacks, 'onTrainBegin', state);
    return {
      ...{ plan, state, sampler, lrs, schedule, rotation, startStep: state.global_step, t0: performance.now() },
      ...(early ? { early } : {}),
      ...{ samplesSeen: 0, totalLoss: 0, lossSinceLog: 0, stepsSinceLog: 0, lr: 0, gradNorm: 0, epochEnded: false, stoppedEarly: false },
    };
  }

  /** Optimizer, scheduler, scaler and dropout state of a checkpoint, checked against this run's flags. */
  private async resume(dir: string, lrs: LearningRates): Promise<{ state: TrainerState; sampler: SamplerState }> {
    const loaded = await readTrainingState(dir);
    const kind = this.samplerKind();
    if (loaded.rng.sampler.kind !== kind) {
      throw new ArgError(
        '--resume_from_checkpoint',
        `--resume_from_checkpoint ${dir}: the checkpoint was trained with the '${loaded.rng.sampler.kind}' sampler (${samplerFlags(loaded.rng.sampler.kind)}), this run asks for '${kind}' (${samplerFlags(kind)}); resume with the original run's flags (its training_args.json), or start a new run without --resume_from_checkpoint`,
      );
    }
    for (const n of loaded.optimizer.m.keys()) {
      if (!this.engine.optimizer.state.m.has(n))
        throw new CheckpointError(dir, `${dir}: optimizer state for a parameter this model does not have (${n}); the checkpoint belongs to another model`);
    }
    this.engine.optimizer.load(loaded.optimizer.step, loaded.optimizer.m, loaded.optimizer.v);
    this.engine.setRunCount(loaded.rng.dropout_runs);
    if (loaded.scaler && this.engine.scaler) this.engine.scaler.loadStateDict(loaded.scaler);
    lrs.loadStateDict(loaded.scheduler.plateau);
    return { state: loaded.state, sampler: loaded.rng.sampler };
  }

  private emitStart(plan: TrainPlan, state: TrainerState): void {
    const a = this.args;
    this.o.emit({
      type: 'start',
      runId: this.o.runId ?? '',
      outputDir: a.output_dir!,
      model: this.o.modelName ?? '',
      totalSteps: plan.totalSteps,
      stepsPerEpoch: plan.stepsPerEpoch,
      epochs: plan.epochs,
      trainRows: this.o.encoded.train.size,
      evalRows: this.o.encoded.validation?.documentCount ?? 0,
      labels: this.o.data.labels,
      problemType: this.o.data.problemType,
      resumedFromStep: state.global_step,
      executionProvider: a.execution_provider,
    });
  }

  /** One optimizer step: up to gradient_accumulation_steps batches, never across an epoch's end. */
  private async step(run: Run): Promise<void> {
    const a = this.args;
    const { state } = run;
    const group = [];
    let batchIndex = 0;
    let epoch = 0;
    run.epochEnded = false;
    for (let k = 0; k < a.gradient_accumulation_steps; k++) {
      const b = run.sampler.next();
      group.push(collate(this.o.encoded.train, b.indices));
      batchIndex = b.batchIndex;
      epoch = b.epoch;
      if (b.batchIndex === run.plan.batchesPerEpoch - 1) {
        run.epochEnded = true;
        break;
      }
    }
    // The schedule advances with the optimizer steps taken (a mixed-precision step skipped on
    // overflow does not advance it, as in Trainer).
    const lr = run.lrs.at(this.engine.optimizer.state.step);
    // Forward, backward, clip and AdamW (in place on the host, or in the graph on a GPU).
    const { loss, gradNorm, skipped } = await this.engine.trainStep(group, lr);
    for (const batch of group) run.samplesSeen += batch.batch;
    if (!Number.isFinite(loss)) {
      await this.flushSaves(); // the last good checkpoint, named in the message, is on disk
      throw this.diverged(run, loss);
    }
    if (skipped) {
      this.o.emit({
        type: 'info',
        message: `step ${state.global_step + 1}: the float16 gradients overflowed, so this optimizer step was skipped; loss scale now ${this.engine.scaler?.scale}`,
      });
    }
    state.global_step++;
    state.epoch = epoch + (batchIndex + 1) / run.plan.batchesPerEpoch;
    Object.assign(run, { lr, gradNorm, totalLoss: run.totalLoss + loss, lossSinceLog: run.lossSinceLog + loss, stepsSinceLog: run.stepsSinceLog + 1 });
    this.emitProgress(run, loss);
  }

  private diverged(run: Run, loss: number): TrainingStopped {
    const last = run.rotation.last;
    return new TrainingStopped(
      `the training loss became ${loss} at step ${run.state.global_step + 1}; the run stopped and nothing was saved over ${last ? `the last good checkpoint, ${last}` : 'the output folder'}. ` +
        'Lower --learning_rate, keep --max_grad_norm at 1, or check the labels (regression targets on a very large scale diverge).',
    );
  }

  private emitProgress(run: Run, loss: number): void {
    const elapsed = (performance.now() - run.t0) / 1000;
    const done = run.state.global_step - run.startStep;
    this.o.emit({
      type: 'progress',
      step: run.state.global_step,
      totalSteps: run.plan.totalSteps,
      epoch: run.state.epoch,
      loss,
      learningRate: run.lr,
      gradNorm: run.gradNorm,
      samplesPerSecond: run.samplesSeen / elapsed,
      etaSeconds: (elapsed / done) * (run.plan.totalSteps - run.state.global_step),
    });
  }

  /** A log entry: the loss averaged since the last one, the gradient norm, the rate the step used (transformers >= 4.51). */
  private async log(run: Run): Promise<void> {
    const { state } = run;
    const entry: LogEntry = {
      loss: round4(run.lossSinceLog / run.stepsSinceLog),
      grad_norm: run.gradNorm,
      learning_rate: run.lr,
      epoch: state.epoch,
      step: state.global_step,
    };
    state.log_history.push(entry);
    this.o.emit({ type: 'log', step: entry.step!, epoch: entry.epoch!, loss: entry.loss!, grad_norm: entry.grad_norm!, learning_rate: entry.learning_rate! });
    run.lossSinceLog = 0;
    run.stepsSinceLog = 0;
    await notify(this.callbacks, 'onLog', entry, state);
  }

  /** Evaluates on the validation split; records the metrics; returns whether they are the best so far. */
  private async evaluateDuringTraining(run: Run): Promise<boolean> {
    const a = this.args;
    const { state } = run;
    const ev = await this.evaluate(this.o.encoded.validation!, 'eval');
    state.log_history.push({ ...ev.metrics, epoch: state.epoch, step: state.global_step });
    this.o.emit({
      type: 'eval',
      step: state.global_step,
      epoch: state.epoch,
      metrics: ev.metrics,
      ...(ev.confusionMatrix ? { confusionMatrix: ev.confusionMatrix, labels: this.o.data.labels } : {}),
      ...(ev.perClass ? { perClass: ev.perClass } : {}),
    });
    const evaluation: Evaluation = { step: state.global_step, epoch: state.epoch, metrics: ev.metrics, logits: ev.logits };
    await notify(this.callbacks, 'onEvaluate', evaluation, state);
    if (state.global_step === 0) return false; // eval_on_start: a baseline, not a candidate
    const bestKey = metricForBest(a);
    const value = ev.metrics[bestKey];
    if (value === undefined) {
      throw new TrainingStopped(
        `--metric_for_best_model ${a.metric_for_best_model ?? 'loss'}: the evaluation has no ${bestKey} (it has ${Object.keys(ev.metrics).join(', ')})`,
      );
    }
    if (run.lrs.evaluated(value))
      this.o.emit({ type: 'info', message: `reduce_lr_on_plateau: ${bestKey} did not improve; learning rate now ${run.lrs.at(0)}` });
    const prev = state.best_metric;
    if (run.early?.update(value, prev)) run.stoppedEarly = true;
    if (!isImprovement(value, prev, greaterIsBetter(a))) return false;
    state.best_metric = value;
    return true;
  }

  /**
   * Checkpoint-N (the Trainer's files): serialized at the step boundary (a snapshot of weights,
   * moments and state), then written in the background while training goes on — into a temporary
   * folder renamed into place, so a crash never leaves a half-written checkpoint. When the write is
   * done, save_total_limit applies, the checkpoint event goes out and the callbacks hear of it.
   * One write at a time; flushSaves waits for it (the next save, the end of training, an error).
   */
  private async save(run: Run): Promise<void> {
    await this.flushSaves();
    const a = this.args;
    const { state } = run;
    await this.engine.sync();
    const dir = join(a.output_dir!, checkpointName(state.global_step));
    state.stateful_callbacks = run.early ? run.early.entry() : {};
    const plateau = run.lrs.stateDict();
    const files = checkpointFiles({
      config: this.engine.config,
      weights: this.engine.weights,
      optimizer: this.engine.optimizer.state,
      scheduler: {
        last_epoch: this.engine.optimizer.state.step,
        base_lr: a.learning_rate,
        type: a.lr_scheduler_type,
        warmup_steps: run.schedule.warmupSteps,
        total_steps: run.plan.totalSteps,
        ...(plateau ? { plateau } : {}),
      },
      rng: { seed: a.seed, sampler: run.sampler.state(), dropout_runs: this.engine.runCount },
      state,
      ...(this.engine.scaler ? { scaler: this.engine.scaler.stateDict() } : {}),
      trainingArgs: { ...publicArgs(a) },
      ...(this.o.tokenizerFiles ? { tokenizerFiles: this.o.tokenizerFiles } : {}),
    });
    const [snapshot, best, epochEnded] = [structuredClone(state), state.best_model_checkpoint, run.epochEnded];
    this.writing = (async () => {
      await writeFolderAtomic(dir, files);
      // Only checkpoint-N folders of this output folder (Finetune's) are ever removed.
      const remove = run.rotation.add(dir, best);
      for (const r of remove) await rm(r, { recursive: true, force: true });
      this.o.emit({ type: 'checkpoint', step: snapshot.global_step, path: dir, removed: remove });
      await notify(this.callbacks, 'onSave', dir, snapshot, epochEnded);
    })();
    // A failure surfaces at the next flushSaves, not as an unhandled rejection.
    this.writing.catch(() => undefined);
  }

  /** Waits for the checkpoint being written, if any (rethrowing its error). */
  private async flushSaves(): Promise<void> {
    const w = this.writing;
    this.writing = undefined;
    await w;
  }

  /** load_best_model_at_end, the train_* metrics, the last log_history entry. */
  private async finish(run: Run, cancelled: boolean): Promise<TrainResult> {
    const a = this.args;
    const { state } = run;
    if (a.load_best_model_at_end && state.best_model_checkpoint && !cancelled) {
      const best = await loadPretrained(state.best_model_checkpoint);
      this.engine.loadWeights(best.weights);
      this.o.emit({ type: 'info', message: `loaded the best model from ${state.best_model_checkpoint} (${metricForBest(a)} = ${state.best_metric})` });
    }
    const runtime = (performance.now() - run.t0) / 1000;
    const stepsDone = state.global_step - run.startStep;
    const metrics: Record<string, number> = {
      epoch: state.epoch,
      train_loss: stepsDone > 0 ? run.totalLoss / stepsDone : 0,
      train_runtime: Math.round(runtime * 1e4) / 1e4,
      train_samples: this.o.encoded.train.size,
      train_samples_per_second: Math.round((run.samplesSeen / runtime) * 1e3) / 1e3,
      train_steps_per_second: Math.round((stepsDone / runtime) * 1e3) / 1e3,
    };
    state.log_history.push({ ...metrics, step: state.global_step });
    await notify(this.callbacks, 'onTrainEnd', state, metrics);
    return { metrics, state, stoppedEarly: run.stoppedEarly, cancelled, bestCheckpoint: state.best_model_checkpoint };
  }

  /**
   * Loss, metrics and every row's logits over a split, batches sorted by length; keys prefixed (eval_, test_).
   * A split of chunked documents (sliding windows) is scored per document (evaluateDocuments).
   */
  async evaluate(split: EncodedSplit, prefix: 'eval' | 'test' = 'eval'): Promise<EvalResult> {
    if (!split.labels) throw new Error(`the ${split.name} split has no labels to evaluate against`);
    if (split.documents) return this.evaluateDocuments(split, prefix);
    const acc = this.metricAccumulator();
    const logits = new RowOrder(split.size, this.engine.config.num_labels);
    const t0 = performance.now();
    const batches = evalBatches(split.lengths(), this.args.per_device_eval_batch_size);
    let lossSum = 0;
    for (const indices of batches) {
      const batch = collate(split, indices);
      const out = await this.engine.evaluate(batch);
      lossSum += out.loss * batch.batch;
      acc.add(out.logits.data as Float32Array, batch.labels!);
      logits.add(indices, out.logits.data as Float32Array);
    }
    const timing = { runtime: (performance.now() - t0) / 1000, samples: split.size, steps: batches.length };
    return evalResult(prefix, lossSum / split.size, acc.compute(), timing, logits);
  }

  private metricAccumulator(): MetricAccumulator {
    const data = this.o.data;
    return createMetrics(data.problemType, data.numLabels, { average: data.numLabels === 2 ? 'binary' : this.args.average, labelNames: data.labels });
  }

  /**
   * Sliding windows: every chunk's logits, then one prediction per document (the chunks'
   * probabilities aggregated by --chunk_aggregation); the loss, the metrics and the logits are the
   * documents'.
   */
  private async evaluateDocuments(split: EncodedSplit, prefix: 'eval' | 'test'): Promise<EvalResult> {
    const t0 = performance.now();
    const width = this.engine.config.num_labels;
    const logits = await this.predict(split);
    const labels = split.documentLabels!;
    const acc = this.metricAccumulator();
    acc.add(logits.values, labels.kind === 'single' ? labels.ids : labels.kind === 'multi' ? labels.multiHot : labels.values);
    const lossOptions = { ...(this.o.classWeights ? { classWeights: this.o.classWeights } : {}), labelSmoothing: this.args.label_smoothing_factor };
    const loss = documentLoss(this.o.data.problemType, logits.values, width, labels, lossOptions);
    const steps = Math.ceil(split.size / this.args.per_device_eval_batch_size);
    return evalResult(prefix, loss, acc.compute(), { runtime: (performance.now() - t0) / 1000, samples: split.documentCount, steps }, logits);
  }

  /** Logits of every row of a split, in row order; of every document for chunked documents (sliding windows). */
  async predict(split: EncodedSplit): Promise<RowOrder> {
    const width = this.engine.config.num_labels;
    const out = new RowOrder(split.size, width);
    for (const indices of evalBatches(split.lengths(), this.args.per_device_eval_batch_size)) {
      const logits = await this.engine.predict(collate(split, indices));
      out.add(indices, logits.data as Float32Array);
    }
    if (!split.documents) return out;
    const docs = new RowOrder(split.documentCount, width);
    const how = this.args.chunk_aggregation ?? 'mean';
    docs.add(
      Array.from({ length: split.documentCount }, (_, d) => d),
      aggregateDocuments(out.values, width, split.documents, this.o.data.problemType, how),
    );
    return docs;
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}

/** An evaluation's metrics with the prefix (eval_, test_), its timing, confusion matrix and per-class report. */
function evalResult(prefix: string, loss: number, r: MetricsResult, t: { runtime: number; samples: number; steps: number }, logits: RowOrder): EvalResult {
  const metrics: Record<string, number> = { [`${prefix}_loss`]: loss };
  for (const [k, v] of Object.entries(r.metrics)) metrics[`${prefix}_${k}`] = v;
  metrics[`${prefix}_runtime`] = Math.round(t.runtime * 1e4) / 1e4;
  metrics[`${prefix}_samples_per_second`] = Math.round((t.samples / t.runtime) * 1e3) / 1e3;
  metrics[`${prefix}_steps_per_second`] = Math.round((t.steps / t.runtime) * 1e3) / 1e3;
  return { metrics, logits, ...(r.confusionMatrix ? { confusionMatrix: r.confusionMatrix } : {}), ...(r.perClass ? { perClass: r.perClass } : {}) };
}
