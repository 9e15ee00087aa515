/**
 * The training engine's three step modes, one class each behind one interface (StepStrategy); the
 * engine picks one in `createStepMode` and delegates its optimizer steps to it:
 *
 * - HostGradsStep (`grads`): the gradient graph writes into host buffers and clip + AdamW run in
 *   place on the host (the WebAssembly SIMD kernels of ./wasm-kernels.ts when the buffers live in
 *   a WasmArena). Also every mode's path for gradient accumulation (several micro-batches a step).
 * - FusedStep (`fused`): clip + AdamW inside the graph; the weights and moments go in and their
 *   successors come out into spare host buffers, which then swap with the live ones.
 * - DeviceStep (`device`): the fused graph on a GPU, its new weights and moments kept there and fed
 *   back as the next step's inputs; the host buffers are behind until `sync()`.
 */
import { DeviceDownloader } from '../engine/device.js';
import type { ProviderChoice, Session } from '../engine/runtime.js';
import { type DeviceTensor, type HostTensor, isDeviceTensor } from '../engine/tensor.js';
import type { Batch, StepMode, StepResult } from './types.js';
import type { GradScaler } from './grad-scaler.js';
import { EmbeddingGrads } from './embedding-grads.js';
import { type EmbeddingRows, type GraphKind, gradName, STATE_KINDS, type StateKind, stateInputName, stateOutputName } from './graphs.js';
import { type AdamW, adamwScalars } from './adamw.js';
import type { WasmArena } from './wasm-kernels.js';

export type Feeds = Record<string, HostTensor | DeviceTensor>;

/** What the step modes share with the engine. */
export interface StepContext {
  readonly trainable: readonly string[];
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  readonly optimizer: AdamW;
  /** Mixed precision's loss scaler (undefined in float32, or once fp16 was turned off on the CPU). */
  readonly scaler: GradScaler | undefined;
  /** The host buffers of one kind of state: the live weights (of every parameter) or AdamW's moments. */
  host(kind: StateKind): Map<string, Float32Array>;
  session(kind: GraphKind): Promise<Session>;
  /** The tables whose gradients the host assembles from graph `kind`'s outputs (known once its session exists). */
  embeddingRows(kind: GraphKind): readonly EmbeddingRows[];
  /** Forgets a session (whoever holds it disposes it). */
  forgetSession(kind: GraphKind): void;
  /**
   * One run of a training graph on a batch: `run` gets the session and the batch's feeds (the
   * weights and this run's dropout keep-masks included) to add its own to; the run is then counted.
   */
  train<T>(kind: 'grads' | 'fused', batch: Batch, run: (session: Session, feeds: Feeds) => Promise<T>): Promise<T>;
}

/** One way of making optimizer steps (see the file comment). */
export interface StepStrategy {
  readonly mode: StepMode;
  /** The training graph it runs (the session `endProfiling` reads). */
  readonly graph: 'grads' | 'fused';
  /** One optimizer step over one or more micro-batches. */
  trainStep(microBatches: readonly Batch[], lr: number): Promise<StepResult>;
  /** Whether the host buffers are behind the weights and moments held on the device. */
  readonly stale: boolean;
  /** Copies the weights and moments held on the device into the host buffers; the device copies stay in use. */
  sync(): Promise<void>;
  /** Frees the device copies (the host buffers must be current). */
  release(): void;
  /** A parameter's weights on the device, fed to every graph instead of the host buffer. */
  deviceParam(name: string): DeviceTensor | undefined;
  /** How many weights and moments are held on the device. */
  readonly deviceResident: number;
  /** The outputs of graph `kind` its session keeps on the device. */
  keepOnDevice(kind: GraphKind): string[] | undefined;
  dispose(): Promise<void>;
}

/** `device` on WebGPU, else `grads`. */
export function defaultStepMode(provider: ProviderChoice | undefined): StepMode {
  return provider === 'webgpu' ? 'device' : 'grads';
}

/** Whether a mode's optimizer runs on the host every step (its weights, gradients and moments then go into a WasmArena). */
export function stepsOnHost(mode: StepMode): boolean {
  return mode === 'grads';
}

/** The one place a mode picks its class; `hostGrads` also serves the other modes' gradient accumulation. */
export function createStepMode(mode: StepMode, ctx: StepContext, hostGrads: HostGradsStep): StepStrategy {
  switch (mode) {
    case 'grads':
      return hostGrads;
    case 'fused':
      return new FusedStep(ctx, hostGrads);
    case 'device':
      return new DeviceStep(ctx, hostGrads);
  }
}

/** The host modes' answers: the weights and moments live on the host only. */
abstract class OnHost {
  readonly stale: boolean = false;
  readonly deviceResident: number = 0;
  async sync(): Promise<void> {}
  release(): void {}
  deviceParam(): DeviceTensor | undefined {
    return undefined;
  }
  keepOnDevice(): string[] | undefined {
    return undefined;
  }
  async dispose(): Promise<void> {}
}

/** Gradients out into host buffers, then clip + AdamW in place on the host. */
export class HostGradsStep extends OnHost implements StepStrategy {
  readonly mode = 'grads';
  readonly graph = 'grads';
  /** Later micro-batches' gradients, added into `grads`. */
  private scratch: Map<string, Float32Array> | undefined;
  /** The tables whose gradients come out as looked-up rows (GraphOptions.embeddingRowsOut). */
  private readonly tables = new EmbeddingGrads();

  /** `grads`: the gradient buffers, pre-allocated (in the arena) or made on first use. */
  constructor(
    private readonly ctx: StepContext,
    private readonly grads: Map<string, Float32Array>,
    private readonly arena: WasmArena | null,
  ) {
    super();
  }

  /**
   * One optimizer step over one or more micro-batches (gradient accumulation: each contributes
   * 1/n of its mean-loss gradient, as Trainer scales the loss by 1/gradient_accumulation_steps).
   */
  async trainStep(microBatches: readonly Batch[], lr: number): Promise<StepResult> {
    let loss = 0;
    for (const [i, b] of microBatches.entries()) {
      loss += (await this.accumulate(b, 1 / microBatches.length, i === 0)).loss / microBatches.length;
    }
    const gradNorm = this.apply(lr);
    return { loss, gradNorm, skipped: this.ctx.scaler !== undefined && !Number.isFinite(gradNorm) };
  }

  /** Forward + backward on one micro-batch; adds (or, first, writes) loss_scale * gradient into the gradient buffers. */
  async accumulate(batch: Batch, lossScale: number, first: boolean): Promise<{ loss: number; logits: HostTensor }> {
    let tables: readonly EmbeddingRows[] = [];
    const out = await this.ctx.train('grads', batch, (session, feeds) => {
      tables = this.ctx.embeddingRows('grads');
      const into = this.buffers(first ? this.grads : (this.scratch ??= new Map()), new Set(tables.map((t) => t.param)));
      const rows = tables.flatMap((t) => t.lookups.flatMap((l) => [l.rows, l.ids]));
      feeds.loss_scale = scalarFeed(lossScale * gradScale(this.ctx));
      return session.run(feeds, ['loss', 'logits', ...Object.keys(into), ...rows], into);
    });
    this.tables.accumulate(tables, out, this.grads, first);
    const onHost = new Set(tables.map((t) => t.param));
    if (!first) {
      for (const n of this.ctx.trainable) {
        if (onHost.has(n)) continue;
        const acc = this.grads.get(n)!;
        const add = this.scratch!.get(n)!;
        if (this.arena?.owns(acc) && this.arena.owns(add)) this.arena.accumulate(acc, add);
        else for (let i = 0; i < acc.length; i++) acc[i]! += add[i]!;
      }
    }
    return { loss: scalarOf(out.loss!), logits: out.logits! };
  }

  /** The accumulated gradient of a trainable parameter. */
  gradient(name: string): Float32Array | undefined {
    return this.grads.get(name);
  }

  /** Clip + AdamW on the accumulated gradients, in place; returns the pre-clip gradient norm (unscaled). */
  apply(lr: number): number {
    const { ctx } = this;
    const grads = new Map(ctx.trainable.map((n) => [n, this.grads.get(n)!]));
    const norm = ctx.optimizer.step(ctx.host('param'), grads, lr, gradScale(ctx), this.tables.sumsq(grads));
    ctx.scaler?.update(!Number.isFinite(norm));
    return norm;
  }

  /** The gradient outputs, written into `target`'s buffers (made when missing); `skip`: the tables assembled on the host. */
  private buffers(target: Map<string, Float32Array>, skip: ReadonlySet<string>): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    for (const n of this.ctx.trainable) {
      if (skip.has(n)) {
        // Assembled on the host, always in the accumulated gradients (see EmbeddingGrads).
        if (!this.grads.has(n)) this.grads.set(n, new Float32Array(this.ctx.host('param').get(n)!.length));
        continue;
      }
      let b = target.get(n);
      if (!b) {
        b = new Float32Array(this.ctx.host('param').get(n)!.length);
        target.set(n, b);
      }
      out[gradName(n)] = { dtype: 'float32', dims: this.ctx.shapes.get(n)!, data: b };
    }
    return out;
  }
}

/** Clip + AdamW in the graph, on the host: weights and moments in, their successors out into spare buffers. */
export class FusedStep extends OnHost implements StepStrategy {
  readonly mode = 'fused';
  readonly graph = 'fused';
  /** Where the next step writes the new weights and moments (double buffering: they swap with the live ones). */
  private readonly spare = stateMaps<Float32Array>();

  constructor(
    private readonly ctx: StepContext,
    private readonly host: HostGradsStep,
  ) {
    super();
  }

  async trainStep(microBatches: readonly Batch[], lr: number): Promise<StepResult> {
    if (microBatches.length !== 1) return this.host.trainStep(microBatches, lr);
    const { ctx } = this;
    const into: Record<string, HostTensor> = {};
    for (const n of ctx.trainable) {
      for (const kind of STATE_KINDS) into[stateOutputName(kind, n)] = { dtype: 'float32', dims: ctx.shapes.get(n)!, data: this.spareBuffer(kind, n) };
    }
    const out = await ctx.train('fused', microBatches[0]!, (session, feeds) => {
      Object.assign(
        feeds,
        fusedFeeds(ctx, lr, (kind, n) => hostFeed(ctx, kind, n)),
      );
      return session.run(feeds, ['loss', 'grad_norm', ...fusedOutputs(ctx.trainable)], into);
    });
    const gradNorm = scalarOf(out.grad_norm!);
    const skipped = stepSkipped(ctx, gradNorm);
    for (const n of ctx.trainable) {
      for (const kind of STATE_KINDS) {
        const live = ctx.host(kind);
        this.spare[kind].set(n, live.get(n)!);
        live.set(n, into[stateOutputName(kind, n)]!.data as Float32Array);
      }
    }
    return { loss: scalarOf(out.loss!), gradNorm, skipped };
  }

  private spareBuffer(kind: StateKind, n: string): Float32Array {
    let b = this.spare[kind].get(n);
    if (!b) {
      b = new Float32Array(this.ctx.host('param').get(n)!.length);
      this.spare[kind].set(n, b);
    }
    return b;
  }
}

/**
 * The fused graph with its new weights and moments kept on the GPU (WebGPU) and fed back: between
 * steps only ids, masks, labels, scalars and the loss cross (with the dropout keep-masks, drawn on
 * the host). Gradient accumulation, and a provider that fell back to the CPU, take the host path.
 */
export class DeviceStep implements StepStrategy {
  readonly mode = 'device';
  readonly graph = 'fused';
  /** The GPU copies of weights and moments (newer than the host buffers while `stale`). */
  private readonly copies = stateMaps<DeviceTensor>();
  private behind = false;
  private downloader: DeviceDownloader | undefined;
  /** The fused session fell back to the CPU (no adapter): steps take the host path from then on. */
  private onCpu = false;

  constructor(
    private readonly ctx: StepContext,
    private readonly host: HostGradsStep,
  ) {}

  get stale(): boolean {
    return this.behind;
  }

  get deviceResident(): number {
    return STATE_KINDS.reduce((a, kind) => a + this.copies[kind].size, 0);
  }

  deviceParam(name: string): DeviceTensor | undefined {
    return this.copies.param.get(name);
  }

  keepOnDevice(kind: GraphKind): string[] | undefined {
    return kind === 'fused' ? fusedOutputs(this.ctx.trainable) : undefined;
  }

  async trainStep(microBatches: readonly Batch[], lr: number): Promise<StepResult> {
    if (microBatches.length === 1 && (await this.onGpu())) return this.deviceStep(microBatches[0]!, lr);
    await this.sync();
    this.release();
    return this.host.trainStep(microBatches, lr);
  }

  /**
   * Whether the fused session runs on a GPU: when the provider fell back to the CPU (no adapter),
   * gradients-out with the in-place optimizer is the faster CPU design.
   */
  private async onGpu(): Promise<boolean> {
    if (this.onCpu) return false;
    const session = await this.ctx.session('fused');
    if (session.executionProvider !== 'cpu') return true;
    this.onCpu = true;
    this.ctx.forgetSession('fused');
    await session.dispose();
    return false;
  }

  private async deviceStep(batch: Batch, lr: number): Promise<StepResult> {
    const { ctx } = this;
    const out = await ctx.train('fused', batch, (session, feeds) => {
      Object.assign(
        feeds,
        fusedFeeds(ctx, lr, (kind, n) => this.copies[kind].get(n) ?? hostFeed(ctx, kind, n)),
      );
      return session.runOnDevice(feeds, ['loss', 'grad_norm', ...fusedOutputs(ctx.trainable)]);
    });
    const gradNorm = scalarOf(out.grad_norm!);
    const skipped = stepSkipped(ctx, gradNorm);
    for (const n of ctx.trainable) for (const kind of STATE_KINDS) this.hold(kind, n, out[stateOutputName(kind, n)]!);
    return { loss: scalarOf(out.loss!), gradNorm, skipped };
  }

  /** Keeps a new value on the device, or copies it into the host buffer when it came back to the host. */
  private hold(kind: StateKind, n: string, t: HostTensor | DeviceTensor): void {
    const copies = this.copies[kind];
    copies.get(n)?.dispose();
    if (isDeviceTensor(t)) {
      copies.set(n, t);
      this.behind = true;
    } else {
      // Produced by a node ONNX Runtime placed on the CPU, or the provider fell back to the CPU.
      this.ctx
        .host(kind)
        .get(n)!
        .set(t.data as Float32Array);
      copies.delete(n);
    }
  }

  async sync(): Promise<void> {
    if (!this.behind) return;
    const session = await this.ctx.session('fused');
    this.downloader ??= new DeviceDownloader(session.executionProvider);
    const held = this.ctx.trainable.flatMap((n) => STATE_KINDS.filter((kind) => this.copies[kind].has(n)).map((kind) => [kind, n] as const));
    const copies = await this.downloader.download(held.map(([kind, n]) => this.copies[kind].get(n)!));
    held.forEach(([kind, n], i) =>
      this.ctx
        .host(kind)
        .get(n)!
        .set(copies[i]!.data as Float32Array),
    );
    this.behind = false;
  }

  release(): void {
    for (const kind of STATE_KINDS) {
      for (const t of this.copies[kind].values()) t.dispose();
      this.copies[kind].clear();
    }
  }

  async dispose(): Promise<void> {
    this.release();
    this.behind = false;
    await this.downloader?.dispose();
  }
}

function stateMaps<T>(): Record<StateKind, Map<string, T>> {
  return { param: new Map(), m: new Map(), v: new Map() };
}

/** The factor gradients carry (the loss scale; 1 in float32). */
function gradScale(ctx: StepContext): number {
  return ctx.scaler?.scale ?? 1;
}

/** The fused graph's new weights and moments, per parameter. */
function fusedOutputs(trainable: readonly string[]): string[] {
  return trainable.flatMap((n) => STATE_KINDS.map((kind) => stateOutputName(kind, n)));
}

function hostFeed(ctx: StepContext, kind: StateKind, n: string): HostTensor {
  return { dtype: 'float32', dims: ctx.shapes.get(n)!, data: ctx.host(kind).get(n)! };
}

/** The fused graph's inputs besides the batch and the weights: loss scaling, AdamW's scalars for the next step, the moments. */
function fusedFeeds(ctx: StepContext, lr: number, moment: (kind: 'm' | 'v', n: string) => HostTensor | DeviceTensor): Feeds {
  const scalars = adamwScalars(ctx.optimizer.options, lr, ctx.optimizer.state.step + 1);
  const scale = gradScale(ctx);
  const feeds: Feeds = { loss_scale: scalarFeed(scale) };
  if (ctx.scaler) feeds.grad_unscale = scalarFeed(1 / scale);
  feeds.adam_step_size = scalarFeed(scalars.stepSize);
  feeds.adam_bc2_sqrt = scalarFeed(scalars.bc2Sqrt);
  feeds.adam_decay_factor = scalarFeed(scalars.decayFactor);
  for (const n of ctx.trainable) {
    feeds[stateInputName('m', n)] = moment('m', n);
    feeds[stateInputName('v', n)] = moment('v', n);
  }
  return feeds;
}

/** After a fused step: counts it, or (mixed precision, non-finite gradients) records the skip. */
function stepSkipped(ctx: StepContext, gradNorm: number): boolean {
  const skipped = ctx.scaler !== undefined && !Number.isFinite(gradNorm);
  ctx.scaler?.update(skipped);
  if (!skipped) ctx.optimizer.state.step++;
  return skipped;
}

function scalarFeed(v: number): HostTensor {
  return { dtype: 'float32', dims: [], data: Float32Array.of(v) };
}

function scalarOf(t: HostTensor | DeviceTensor): number {
  if (isDeviceTensor(t)) throw new Error('expected a host scalar');
  return (t.data as Float32Array)[0]!;
}
