/**
 * The training engine: one model's weights, optimizer state and ONNX Runtime sessions, with
 * train / eval / predict steps on padded batches. Sessions are built lazily, once each.
 *
 * Step design, measured with `npm run bench -- engine` (2 cores, seq 128, fp32; ms per step):
 *
 *   model       batch   grads-out + in-place AdamW   fused graph (clip + AdamW in ONNX)
 *   bert-tiny       8          53.5                        102.4
 *   bert-tiny      32         168.6                        214.5
 *   bert-mini       8         268.8                        345.4
 *   bert-mini      32         936.7                       1036.1
 *   bert-small      8         883.2                       1300.9
 *   bert-small     32        4325.0                       4687.1
 *
 * so the default is `grads`: gradients come out of the graph into pre-allocated float32 buffers
 * (ONNX Runtime writes into them, no copy) and AdamW runs in place in one WebAssembly SIMD pass
 * per parameter (./wasm-kernels.ts). The fused graph loses because ONNX Runtime runs each
 * elementwise AdamW op as its own pass over every parameter with a fresh allocation (about 15
 * passes where the kernel makes one), and its weights and moments must be double-buffered
 * (peak RSS +100 to +500 MB). `mode: 'fused'` stays for comparison.
 *
 * Each mode is a class in ./step-modes.ts; the engine holds the weights, the sessions and the
 * dropout masks, and delegates its optimizer steps to its mode.
 */
import { type DropoutMaskInput, evalDim } from '../engine/graph.js';
import { createSession, type ProviderChoice, requestedProvider, type Session } from '../engine/runtime.js';
import type { HostTensor } from '../engine/tensor.js';
import { architecture, takesTokenTypes } from '../model/architectures/index.js';
import { type ModelConfig, resolveProblemType } from '../model/config.js';
import type { ParamSpec, Weights } from '../model/params.js';
import { buildGraph, type EmbeddingRows, type GraphKind } from './graphs.js';
import { MaskDrawer, keepThreshold, maskKey, noiseScale } from './dropout-masks.js';
import { GradScaler, type GradScalerOptions } from './grad-scaler.js';
import { ADAMW_DEFAULTS, AdamW, type AdamWOptions } from './adamw.js';
import { createStepMode, defaultStepMode, type Feeds, HostGradsStep, type StepContext, type StepStrategy, stepsOnHost } from './modes.js';
import { WasmArena } from './wasm-kernels.js';
import type { Batch, StepMode, StepResult } from './types.js';

export type { Batch, StepMode, StepResult } from './types.js';

export interface EngineOptions {
  config: ModelConfig;
  /** The initial weights; taken over: afterwards the map's entries are the engine's live buffers. */
  weights: Weights;
  threads?: number;
  executionProvider?: ProviderChoice;
  /** Default: `device` on WebGPU, else `grads`. */
  mode?: StepMode;
  adam?: Partial<AdamWOptions>;
  dropoutSeed?: number;
  /** Training runs already made (from a checkpoint), so dropout continues where it stopped. */
  runCount?: number;
  trainable?: (name: string) => boolean;
  /** Single-label only: per-class loss weights. */
  classWeights?: Float32Array;
  /** Single-label only: the Trainer's label smoothing factor (GraphOptions.labelSmoothing). */
  labelSmoothing?: number;
  onWarning?: (message: string) => void;
  /** Use the WebAssembly SIMD optimizer kernels when available (default true). */
  wasm?: boolean;
  /** Profile the training session (ONNX Runtime JSON profile with this file prefix). */
  profilePrefix?: string;
  /** ONNX Runtime's CPU memory arena for every session (default on). */
  memoryArena?: boolean;
  /**
   * ONNX Runtime's memory pattern planning (default off: it reserves one block for a whole run's
   * intermediates and keeps it; off, peak RSS at bert-small batch 32 fell from 3178 to 2066 MB and
   * at bert-mini batch 32 from 1617 to 1063 MB, step time unchanged within noise;
   * `npm run bench -- engine --pattern on|off`).
   */
  memoryPattern?: boolean;
  /**
   * float16 mixed precision (torch.autocast + GradScaler, as Trainer's `fp16=True`): matrix
   * products in float16, float32 master weights, dynamic loss scaling, steps with non-finite
   * gradients skipped. For GPUs: when the requested provider falls back to the CPU, training goes
   * on in float32 with a warning (an explicit `cpu` keeps it, for tests: ONNX Runtime's CPU
   * provider runs the float16 nodes through inserted casts).
   */
  mixedPrecision?: 'fp16';
  gradScaler?: Partial<GradScalerOptions>;
  /**
   * Encoder layers on the real tokens only (GraphOptions.packTokens; default on): the same values
   * without the work on padding. Random batches of waimai reviews (23% real tokens) trained 3.1x
   * faster per step with 40% less memory; length-grouped batches (81% real) no slower.
   */
  packTokens?: boolean;
  /**
   * The gradient graph hands out the embedding lookups' row gradients and the host adds them into
   * the tables' gradients (GraphOptions.embeddingRowsOut; default on).
   */
  embeddingRowsOut?: boolean;
  /**
   * Dropout sites take float32 noise drawn on the host instead of bool masks the graph casts and
   * scales (GraphOptions.dropoutNoise; default on the CPU provider, where it saves two passes per
   * site; GPU providers keep the masks, a quarter of the bytes to upload). Same values.
   */
  dropoutNoise?: boolean;
  /** Keep ONNX Runtime's optimized form of the graphs in this folder (SessionOptions.cacheDir; see engine/session-cache.ts). */
  sessionCacheDir?: string;
  /** ONNX Runtime's idle intra-op threads spin between ops (SessionOptions.spinning; default: ONNX Runtime's, on). */
  spinning?: boolean;
}

export class TrainingEngine {
  readonly config: ModelConfig;
  readonly mode: StepMode;
  readonly optimizer: AdamW;
  readonly paramNames: string[];
  readonly trainable: string[];
  /** The live weights of every parameter (the fused mode swaps in new buffers each step). */
  private readonly params: Map<string, Float32Array>;
  private readonly shapes = new Map<string, readonly number[]>();
  private readonly sessions = new Map<GraphKind, Promise<Session>>();
  private readonly maskSites = new Map<GraphKind, readonly DropoutMaskInput[]>();
  private readonly embeddingRows = new Map<GraphKind, readonly EmbeddingRows[]>();
  private readonly maskDrawer = new MaskDrawer();
  private runs: number;
  private readonly usesTokenTypes: boolean;
  /** Gradients out + AdamW on the host: the `grads` mode, and every mode's gradient accumulation. */
  private readonly hostGrads: HostGradsStep;
  /** The mode the optimizer steps are delegated to. */
  private readonly step: StepStrategy;
  /** Mixed precision's loss scaler (undefined in float32, or once fp16 was turned off on the CPU). */
  scaler: GradScaler | undefined;
  /** Milliseconds each graph took to build and its session to create (`grads graph`, `grads session`, ...): the fixed costs before a first run. */
  readonly timings: Record<string, number> = {};

  constructor(private readonly opts: EngineOptions) {
    this.config = opts.config;
    this.mode = opts.mode ?? defaultStepMode(opts.executionProvider);
    const arch = architecture(opts.config);
    this.usesTokenTypes = takesTokenTypes(opts.config);
    const specs = arch.paramSpecs(opts.config);
    this.paramNames = specs.map((s) => s.name);
    this.trainable = this.paramNames.filter((n) => opts.trainable?.(n) ?? true);
    // Trainable weights, their gradients and the Adam moments go into one WebAssembly arena
    // (ONNX Runtime reads/writes there directly; AdamW runs in a SIMD kernel) when possible.
    const trainableSet = new Set(this.trainable);
    const sizes = specs.filter((s) => trainableSet.has(s.name)).map((s) => s.shape.reduce((a, b) => a * b, 1));
    const arena = stepsOnHost(this.mode) && opts.wasm !== false ? WasmArena.create([...sizes, ...sizes, ...sizes, ...sizes]) : null;
    const grads = new Map<string, Float32Array>();
    this.params = this.takeWeights(specs, trainableSet, arena, grads);
    this.optimizer = new AdamW(
      { ...ADAMW_DEFAULTS, ...opts.adam },
      this.trainable.map((n) => [n, this.params.get(n)!.length]),
      arena,
    );
    this.runs = opts.runCount ?? 0;
    this.scaler = opts.mixedPrecision === 'fp16' ? new GradScaler(opts.gradScaler) : undefined;
    const ctx = this.stepContext();
    this.hostGrads = new HostGradsStep(ctx, grads, arena);
    this.step = createStepMode(this.mode, ctx, this.hostGrads);
  }

  /**
   * Checks the initial weights against the specs and takes them over; with an arena, the trainable
   * ones are copied into it (next to their gradient buffers, added to `grads`).
   */
  private takeWeights(
    specs: readonly ParamSpec[],
    trainable: ReadonlySet<string>,
    arena: WasmArena | null,
    grads: Map<string, Float32Array>,
  ): Map<string, Float32Array> {
    const params = new Map<string, Float32Array>();
    for (const s of specs) {
      const w = this.opts.weights.get(s.name);
      if (!w) throw new Error(`weights: missing parameter ${s.name}`);
      if (w.dims.join(',') !== s.shape.join(',')) {
        throw new Error(`weights: ${s.name} has shape [${w.dims.join(', ')}], the config needs [${s.shape.join(', ')}]`);
      }
      if (!(w.data instanceof Float32Array)) throw new Error(`weights: ${s.name} must be float32`);
      if (arena && trainable.has(s.name)) {
        const buf = arena.alloc(w.data.length);
        buf.set(w.data);
        params.set(s.name, buf);
        // The caller's map now points at the live buffer (as it does without the arena), so the
        // original array is not kept as a second copy (bert-small: 115 MB).
        this.opts.weights.set(s.name, { dtype: 'float32', dims: w.dims, data: buf });
        grads.set(s.name, arena.alloc(w.data.length));
      } else params.set(s.name, w.data);
      this.shapes.set(s.name, s.shape);
    }
    return params;
  }

  /** What the step modes see of the engine. */
  private stepContext(): StepContext {
    const scaler = (): GradScaler | undefined => this.scaler;
    return {
      trainable: this.trainable,
      shapes: this.shapes,
      optimizer: this.optimizer,
      get scaler() {
        return scaler();
      },
      host: (kind) => (kind === 'param' ? this.params : this.optimizer.state[kind]),
      session: (kind) => this.session(kind),
      embeddingRows: (kind) => this.embeddingRows.get(kind) ?? [],
      forgetSession: (kind) => void this.sessions.delete(kind),
      train: async (kind, batch, run) => {
        const session = await this.session(kind);
        const feeds = this.feeds(batch, true);
        this.addMasks(kind, batch, feeds);
        const out = await run(session, feeds);
        this.runs++;
        return out;
      },
    };
  }

  /** Whether the graphs run in float16 mixed precision. */
  get mixedPrecision(): boolean {
    return this.scaler !== undefined;
  }

  /** `device` mode: weights and moments held on the GPU (3 per trainable parameter after a device step). */
  get deviceResident(): number {
    return this.step.deviceResident;
  }

  /** Training-graph runs so far (each micro-batch is one); saved in checkpoints for dropout. */
  get runCount(): number {
    return this.runs;
  }

  /**
   * Sets the training-run count (resuming): later runs draw the dropout masks an uninterrupted
   * run would (a mask depends on the seed, the run and the site only).
   */
  setRunCount(runs: number): void {
    this.runs = runs;
  }

  /** Adds the dropout keep-masks of training run `this.runs` for the session's graph to `feeds`. */
  private addMasks(kind: GraphKind, batch: Batch, feeds: Feeds): void {
    const sites = this.maskSites.get(kind) ?? [];
    if (sites.length === 0) return;
    let tokens = 0;
    for (const m of batch.attentionMask) if (m !== 0n) tokens++; // as NonZero counts the packed rows
    const symbols = { batch: batch.batch, seq: batch.seq, tokens };
    const dims = sites.map((s) => s.shape.map((d) => evalDim(d, symbols)));
    const sizes = dims.map((d) => d.reduce((a, b) => a * b, 1));
    this.maskDrawer.reset(
      sizes,
      sites.map((s) => s.dtype === 'float32'),
    );
    const seed = this.opts.dropoutSeed ?? 0;
    sites.forEach((s, i) => {
      const [key, threshold] = [maskKey(seed, this.runs, i), keepThreshold(s.ratio)];
      feeds[s.name] =
        s.dtype === 'float32'
          ? { dtype: 'float32', dims: dims[i]!, data: this.maskDrawer.drawNoise(sizes[i]!, key, threshold, noiseScale(s.ratio)) }
          : { dtype: 'bool', dims: dims[i]!, data: this.maskDrawer.draw(sizes[i]!, key, threshold) };
    });
  }

  /** Replaces the weights (e.g. with the best checkpoint's), copying into the live buffers. */
  loadWeights(weights: Weights): void {
    if (this.step.stale) throw new Error('loadWeights: the weights on the GPU are newer than the host copy; call sync() first');
    this.step.release();
    for (const [n, buf] of this.params) {
      const w = weights.get(n);
      if (!w || w.data.length !== buf.length) throw new Error(`loadWeights: missing or mis-sized parameter ${n}`);
      buf.set(w.data as Float32Array);
    }
  }

  /** The current weights (views of the live buffers). In `device` mode, call `sync()` first. */
  get weights(): Weights {
    if (this.step.stale) throw new Error('weights: the weights on the GPU are newer than the host copy; call sync() first');
    const out: Weights = new Map();
    for (const [n, d] of this.params) out.set(n, { dtype: 'float32', dims: [...this.shapes.get(n)!], data: d });
    return out;
  }

  private session(kind: GraphKind): Promise<Session> {
    let s = this.sessions.get(kind);
    if (!s) {
      s = this.createSession(kind);
      this.sessions.set(kind, s);
    }
    return s;
  }

  private async createSession(kind: GraphKind): Promise<Session> {
    const { config } = this;
    const create = async (): Promise<Session> => {
      const t0 = performance.now();
      const built = buildGraph({
        kind,
        config,
        trainable: (n) => this.trainable.includes(n),
        classWeights: !!this.opts.classWeights,
        ...(this.opts.labelSmoothing ? { labelSmoothing: this.opts.labelSmoothing } : {}),
        adam: this.optimizer.options,
        ...(this.scaler ? { mixedPrecision: 'fp16' as const } : {}),
        gpu: this.opts.executionProvider === 'webgpu' || this.opts.executionProvider === 'cuda',
        packTokens: this.opts.packTokens ?? true,
        embeddingRowsOut: this.opts.embeddingRowsOut ?? true,
        dropoutNoise: this.opts.dropoutNoise ?? requestedProvider(this.opts.executionProvider) === 'cpu',
      });
      this.maskSites.set(kind, built.dropoutMasks);
      this.embeddingRows.set(kind, built.embeddingRows);
      const keepOnDevice = this.step.keepOnDevice(kind);
      const t1 = performance.now();
      this.timings[`${kind} graph`] = t1 - t0;
      const session = await createSession(built.model, {
        threads: this.opts.threads,
        executionProvider: this.opts.executionProvider,
        onWarning: this.opts.onWarning,
        ...(this.opts.memoryArena !== undefined ? { memoryArena: this.opts.memoryArena } : {}),
        memoryPattern: this.opts.memoryPattern ?? false,
        ...(this.opts.spinning !== undefined ? { spinning: this.opts.spinning } : {}),
        ...(this.opts.sessionCacheDir ? { cacheDir: this.opts.sessionCacheDir } : {}),
        ...(this.opts.profilePrefix && (kind === 'grads' || kind === 'fused') ? { profilePrefix: this.opts.profilePrefix } : {}),
        ...(keepOnDevice ? { keepOnDevice } : {}),
      });
      this.timings[`${kind} session`] = performance.now() - t1;
      return session;
    };
    const session = await create();
    if (!this.scaler || session.executionProvider !== 'cpu' || (this.opts.executionProvider ?? 'cpu') === 'cpu') return session;
    // The GPU provider fell back to the CPU: float16 there is casts around float32 kernels.
    this.scaler = undefined;
    this.opts.onWarning?.('fp16 mixed precision is off: training runs on the CPU, in float32');
    await session.dispose();
    return create();
  }

  /** The batch's inputs and the weights (the mode's device copies where it holds them). */
  private feeds(batch: Batch, withLabels: boolean): Feeds {
    const dims = [batch.batch, batch.seq];
    const f: Feeds = {
      input_ids: { dtype: 'int64', dims, data: batch.inputIds },
      attention_mask: { dtype: 'int64', dims, data: batch.attentionMask },
    };
    if (this.usesTokenTypes) f.token_type_ids = { dtype: 'int64', dims, data: batch.tokenTypeIds ?? new BigInt64Array(batch.batch * batch.seq) };
    for (const [n, d] of this.params) f[n] = this.step.deviceParam(n) ?? { dtype: 'float32', dims: this.shapes.get(n)!, data: d };
    if (withLabels) {
      if (!batch.labels) throw new Error('batch has no labels');
      const problem = resolveProblemType(this.config);
      f.labels =
        problem === 'single_label_classification'
          ? { dtype: 'int64', dims: [batch.batch], data: batch.labels }
          : problem === 'multi_label_classification'
            ? { dtype: 'float32', dims: [batch.batch, this.config.num_labels], data: batch.labels }
            : { dtype: 'float32', dims: [batch.batch], data: batch.labels };
      if (this.opts.classWeights) f.class_weights = { dtype: 'float32', dims: [this.config.num_labels], data: this.opts.classWeights };
    }
    return f;
  }

  /**
   * Forward + backward on one micro-batch; adds (or, first, writes) loss_scale * gradient into the
   * gradient buffers. In `device` mode the weights and moments come back to the host first.
   */
  async accumulate(batch: Batch, lossScale: number, first: boolean): Promise<{ loss: number; logits: HostTensor }> {
    await this.step.sync();
    this.step.release();
    return this.hostGrads.accumulate(batch, lossScale, first);
  }

  /** The accumulated gradient of a trainable parameter (after `accumulate`), read-only use. */
  gradient(name: string): Float32Array | undefined {
    return this.hostGrads.gradient(name);
  }

  /**
   * Clip + AdamW on the accumulated gradients, in place. Returns the pre-clip gradient norm
   * (mixed precision: unscaled, and not finite when the step was skipped).
   */
  applyGradients(lr: number): number {
    return this.hostGrads.apply(lr);
  }

  /**
   * One optimizer step over one or more micro-batches (gradient accumulation: each contributes
   * 1/n of its mean-loss gradient, as Trainer scales the loss by 1/gradient_accumulation_steps).
   */
  async trainStep(microBatches: readonly Batch[], lr: number): Promise<StepResult> {
    if (microBatches.length === 0) throw new Error('trainStep: no batches');
    return this.step.trainStep(microBatches, lr);
  }

  /**
   * `device` mode: copies the weights and Adam moments from the GPU into the host buffers (before
   * saving or exporting); the GPU copies stay in use. A no-op in the other modes.
   */
  sync(): Promise<void> {
    return this.step.sync();
  }

  /** Loss and logits with dropout off. */
  async evaluate(batch: Batch): Promise<{ loss: number; logits: HostTensor }> {
    const session = await this.session('eval');
    const out = await session.run(this.feeds(batch, true), ['loss', 'logits']);
    return { loss: (out.loss!.data as Float32Array)[0]!, logits: out.logits! };
  }

  /** Logits only. */
  async predict(batch: Batch): Promise<HostTensor> {
    const session = await this.session('infer');
    const out = await session.run(this.feeds(batch, false), ['logits']);
    return out.logits!;
  }

  /** Ends profiling of the training session; returns the profile file. */
  async endProfiling(): Promise<string | undefined> {
    const s = this.sessions.get(this.step.graph) ?? this.sessions.get('grads');
    return s ? (await s).endProfiling() : undefined;
  }

  async dispose(): Promise<void> {
    await this.step.dispose();
    for (const s of this.sessions.values()) await (await s).dispose();
    this.sessions.clear();
  }
}
