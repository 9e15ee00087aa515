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
 */
import { DeviceDownloader } from '../engine/device.js';
import { type DropoutMaskInput, evalDim } from '../engine/graph.js';
import { createSession, type ProviderChoice, type Session } from '../engine/runtime.js';
import { type DeviceTensor, type HostTensor, isDeviceTensor } from '../engine/tensor.js';
import { architecture, takesTokenTypes } from '../model/architectures/index.js';
import { type ModelConfig, resolveProblemType } from '../model/config.js';
import type { Weights } from '../model/params.js';
import { buildGraph, type GraphKind, gradName, mName, newMName, newParamName, newVName, vName } from './graphs.js';
import { MaskDrawer, keepThreshold, maskKey } from './dropout-masks.js';
import { GradScaler, type GradScalerOptions } from './grad-scaler.js';
import { ADAMW_DEFAULTS, AdamW, type AdamWOptions, adamwScalars } from './optimizer.js';
import { WasmArena } from './wasm-kernels.js';

export interface Batch {
  batch: number;
  seq: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds?: BigInt64Array;
  /** int64 class ids (single-label), float32 [batch, labels] multi-hot (multi-label) or float32 targets (regression). */
  labels?: BigInt64Array | Float32Array;
}

/**
 * - `grads`: gradients out, AdamW in place on the host (the CPU default);
 * - `fused`: clip + AdamW in the graph, weights and moments in and out every step;
 * - `device`: the fused graph with its new weights and moments kept on the GPU (WebGPU) and fed
 *   back as the next step's inputs: between steps only ids, masks, labels, scalars and the loss
 *   cross (with the dropout keep-masks, drawn on the host: see ./dropout-masks.ts). The default on
 *   WebGPU. Gradient accumulation (more than one micro-batch per step) runs the `grads`
 *   graph on host copies instead.
 */
export type StepMode = 'grads' | 'fused' | 'device';

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
}

export interface StepResult {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping (unscaled; not finite on a skipped step). */
  gradNorm: number;
  /** Mixed precision: the gradients were not finite, so the optimizer step was skipped. */
  skipped: boolean;
}

export class TrainingEngine {
  readonly config: ModelConfig;
  readonly mode: StepMode;
  readonly optimizer: AdamW;
  readonly paramNames: string[];
  readonly trainable: string[];
  private params: Map<string, Float32Array>;
  private spare: Map<string, Float32Array> | undefined;
  private grads = new Map<string, Float32Array>();
  private readonly arena: WasmArena | null;
  private scratch: Map<string, Float32Array> | undefined;
  private readonly shapes = new Map<string, readonly number[]>();
  private readonly sessions = new Map<GraphKind, Promise<Session>>();
  private readonly maskSites = new Map<GraphKind, readonly DropoutMaskInput[]>();
  private readonly maskDrawer = new MaskDrawer();
  private runs: number;
  private readonly usesTokenTypes: boolean;
  /** `device` mode: the GPU copies of weights and moments (newer than the host buffers while `stale`). */
  private readonly device = new Map<string, DeviceTensor>();
  private stale = false;
  private downloader: DeviceDownloader | undefined;
  private deviceFallback = false;
  /** Mixed precision's loss scaler (undefined in float32, or once fp16 was turned off on the CPU). */
  scaler: GradScaler | undefined;

  constructor(private readonly opts: EngineOptions) {
    this.config = opts.config;
    this.mode = opts.mode ?? (opts.executionProvider === 'webgpu' ? 'device' : 'grads');
    const arch = architecture(opts.config);
    this.usesTokenTypes = takesTokenTypes(opts.config);
    const specs = arch.paramSpecs(opts.config);
    this.paramNames = specs.map((s) => s.name);
    this.trainable = this.paramNames.filter((n) => opts.trainable?.(n) ?? true);
    this.params = new Map();
    // Trainable weights, their gradients and the Adam moments go into one WebAssembly arena
    // (ONNX Runtime reads/writes there directly; AdamW runs in a SIMD kernel) when possible.
    const trainableSet = new Set(this.trainable);
    const sizes = specs.filter((s) => trainableSet.has(s.name)).map((s) => s.shape.reduce((a, b) => a * b, 1));
    this.arena = this.mode === 'grads' && opts.wasm !== false ? WasmArena.create([...sizes, ...sizes, ...sizes, ...sizes]) : null;
    for (const s of specs) {
      const w = opts.weights.get(s.name);
      if (!w) throw new Error(`weights: missing parameter ${s.name}`);
      if (w.dims.join(',') !== s.shape.join(',')) {
        throw new Error(`weights: ${s.name} has shape [${w.dims.join(', ')}], the config needs [${s.shape.join(', ')}]`);
      }
      if (!(w.data instanceof Float32Array)) throw new Error(`weights: ${s.name} must be float32`);
      if (this.arena && trainableSet.has(s.name)) {
        const buf = this.arena.alloc(w.data.length);
        buf.set(w.data);
        this.params.set(s.name, buf);
        // The caller's map now points at the live buffer (as it does without the arena), so the
        // original array is not kept as a second copy (bert-small: 115 MB).
        opts.weights.set(s.name, { dtype: 'float32', dims: w.dims, data: buf });
        this.grads.set(s.name, this.arena.alloc(w.data.length));
      } else this.params.set(s.name, w.data);
      this.shapes.set(s.name, s.shape);
    }
    this.optimizer = new AdamW(
      { ...ADAMW_DEFAULTS, ...opts.adam },
      this.trainable.map((n) => [n, this.params.get(n)!.length]),
      this.arena,
    );
    this.runs = opts.runCount ?? 0;
    this.scaler = opts.mixedPrecision === 'fp16' ? new GradScaler(opts.gradScaler) : undefined;
  }

  /** Whether the graphs run in float16 mixed precision. */
  get mixedPrecision(): boolean {
    return this.scaler !== undefined;
  }

  /** The factor gradients carry (the loss scale; 1 in float32). */
  private get gradScale(): number {
    return this.scaler?.scale ?? 1;
  }

  /** `device` mode: weights and moments held on the GPU (3 per trainable parameter after a device step). */
  get deviceResident(): number {
    return this.device.size;
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
  private addMasks(kind: GraphKind, batch: Batch, feeds: Record<string, HostTensor | DeviceTensor>): void {
    const sites = this.maskSites.get(kind) ?? [];
    if (sites.length === 0) return;
    let tokens = 0;
    for (const m of batch.attentionMask) if (m !== 0n) tokens++; // as NonZero counts the packed rows
    const symbols = { batch: batch.batch, seq: batch.seq, tokens };
    const dims = sites.map((s) => s.shape.map((d) => evalDim(d, symbols)));
    const sizes = dims.map((d) => d.reduce((a, b) => a * b, 1));
    this.maskDrawer.reset(sizes);
    const seed = this.opts.dropoutSeed ?? 0;
    sites.forEach((s, i) => {
      feeds[s.name] = { dtype: 'bool', dims: dims[i]!, data: this.maskDrawer.draw(sizes[i]!, maskKey(seed, this.runs, i), keepThreshold(s.ratio)) };
    });
  }

  /** Replaces the weights (e.g. with the best checkpoint's), copying into the live buffers. */
  loadWeights(weights: Weights): void {
    if (this.stale) throw new Error('loadWeights: the weights on the GPU are newer than the host copy; call sync() first');
    this.dropDevice();
    for (const [n, buf] of this.params) {
      const w = weights.get(n);
      if (!w || w.data.length !== buf.length) throw new Error(`loadWeights: missing or mis-sized parameter ${n}`);
      buf.set(w.data as Float32Array);
    }
  }

  /** The current weights (views of the live buffers). In `device` mode, call `sync()` first. */
  get weights(): Weights {
    if (this.stale) throw new Error('weights: the weights on the GPU are newer than the host copy; call sync() first');
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
    const create = (): Promise<Session> => {
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
      });
      this.maskSites.set(kind, built.dropoutMasks);
      return createSession(built.model, {
        threads: this.opts.threads,
        executionProvider: this.opts.executionProvider,
        onWarning: this.opts.onWarning,
        ...(this.opts.memoryArena !== undefined ? { memoryArena: this.opts.memoryArena } : {}),
        memoryPattern: this.opts.memoryPattern ?? false,
        ...(this.opts.profilePrefix && (kind === 'grads' || kind === 'fused') ? { profilePrefix: this.opts.profilePrefix } : {}),
        ...(kind === 'fused' && this.mode === 'device' ? { keepOnDevice: built.trainable.flatMap((n) => [newParamName(n), newMName(n), newVName(n)]) } : {}),
      });
    };
    const session = await create();
    if (!this.scaler || session.executionProvider !== 'cpu' || (this.opts.executionProvider ?? 'cpu') === 'cpu') return session;
    // The GPU provider fell back to the CPU: float16 there is casts around float32 kernels.
    this.scaler = undefined;
    this.opts.onWarning?.('fp16 mixed precision is off: training runs on the CPU, in float32');
    await session.dispose();
    return create();
  }

  private feeds(batch: Batch, withLabels: boolean): Record<string, HostTensor | DeviceTensor> {
    const dims = [batch.batch, batch.seq];
    const f: Record<string, HostTensor | DeviceTensor> = {
      input_ids: { dtype: 'int64', dims, data: batch.inputIds },
      attention_mask: { dtype: 'int64', dims, data: batch.attentionMask },
    };
    if (this.usesTokenTypes) f.token_type_ids = { dtype: 'int64', dims, data: batch.tokenTypeIds ?? new BigInt64Array(batch.batch * batch.seq) };
    for (const [n, d] of this.params) f[n] = this.device.get(`p:${n}`) ?? { dtype: 'float32', dims: this.shapes.get(n)!, data: d };
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

  private buffers(target: Map<string, Float32Array>): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    for (const n of this.trainable) {
      let b = target.get(n);
      if (!b) {
        b = new Float32Array(this.params.get(n)!.length);
        target.set(n, b);
      }
      out[gradName(n)] = { dtype: 'float32', dims: this.shapes.get(n)!, data: b };
    }
    return out;
  }

  /**
   * Forward + backward on one micro-batch; adds (or, first, writes) loss_scale * gradient into the
   * gradient buffers.
   */
  async accumulate(batch: Batch, lossScale: number, first: boolean): Promise<{ loss: number; logits: HostTensor }> {
    if (this.device.size) {
      await this.sync();
      this.dropDevice();
    }
    const feeds = this.feeds(batch, true);
    const session = await this.session('grads');
    this.addMasks('grads', batch, feeds);
    feeds.loss_scale = { dtype: 'float32', dims: [], data: Float32Array.of(lossScale * this.gradScale) };
    let into: Record<string, HostTensor>;
    if (first) into = this.buffers(this.grads);
    else {
      this.scratch ??= new Map();
      into = this.buffers(this.scratch);
    }
    const out = await session.run(feeds, ['loss', 'logits', ...Object.keys(into)], into);
    this.runs++;
    if (!first) {
      for (const n of this.trainable) {
        const acc = this.grads.get(n)!;
        const add = this.scratch!.get(n)!;
        if (this.arena?.owns(acc) && this.arena.owns(add)) this.arena.accumulate(acc, add);
        else for (let i = 0; i < acc.length; i++) acc[i]! += add[i]!;
      }
    }
    return { loss: (out.loss!.data as Float32Array)[0]!, logits: out.logits! };
  }

  /** The accumulated gradient of a trainable parameter (after `accumulate`), read-only use. */
  gradient(name: string): Float32Array | undefined {
    return this.grads.get(name);
  }

  /**
   * Clip + AdamW on the accumulated gradients, in place. Returns the pre-clip gradient norm
   * (mixed precision: unscaled, and not finite when the step was skipped).
   */
  applyGradients(lr: number): number {
    const grads = new Map(this.trainable.map((n) => [n, this.grads.get(n)!]));
    const norm = this.optimizer.step(this.params, grads, lr, this.gradScale);
    this.scaler?.update(!Number.isFinite(norm));
    return norm;
  }

  /**
   * One optimizer step over one or more micro-batches (gradient accumulation: each contributes
   * 1/n of its mean-loss gradient, as Trainer scales the loss by 1/gradient_accumulation_steps).
   */
  async trainStep(microBatches: readonly Batch[], lr: number): Promise<StepResult> {
    if (microBatches.length === 0) throw new Error('trainStep: no batches');
    if (this.mode !== 'grads' && microBatches.length === 1 && (await this.fusedUsable())) return this.fusedStep(microBatches[0]!, lr);
    let loss = 0;
    for (const [i, b] of microBatches.entries()) {
      loss += (await this.accumulate(b, 1 / microBatches.length, i === 0)).loss / microBatches.length;
    }
    const gradNorm = this.applyGradients(lr);
    return { loss, gradNorm, skipped: this.mixedPrecision && !Number.isFinite(gradNorm) };
  }

  /**
   * `device` mode keeps the fused graph only while it runs on a GPU: when the provider fell back
   * to the CPU (no adapter), gradients-out with the in-place optimizer is the faster CPU design.
   */
  private async fusedUsable(): Promise<boolean> {
    if (this.mode === 'fused') return true;
    if (this.deviceFallback) return false;
    const session = await this.session('fused');
    if (session.executionProvider !== 'cpu') return true;
    this.deviceFallback = true;
    this.sessions.delete('fused');
    await session.dispose();
    return false;
  }

  private async fusedStep(batch: Batch, lr: number): Promise<StepResult> {
    const session = await this.session('fused');
    const st = this.optimizer.state;
    const scalars = adamwScalars(this.optimizer.options, lr, st.step + 1);
    const feeds = this.feeds(batch, true);
    this.addMasks('fused', batch, feeds);
    const sc = (v: number): HostTensor => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
    const gradScale = this.gradScale;
    feeds.loss_scale = sc(gradScale);
    if (this.scaler) feeds.grad_unscale = sc(1 / gradScale);
    feeds.adam_step_size = sc(scalars.stepSize);
    feeds.adam_bc2_sqrt = sc(scalars.bc2Sqrt);
    feeds.adam_decay_factor = sc(scalars.decayFactor);
    for (const n of this.trainable) {
      const dims = this.shapes.get(n)!;
      feeds[mName(n)] = this.device.get(`m:${n}`) ?? { dtype: 'float32', dims, data: st.m.get(n)! };
      feeds[vName(n)] = this.device.get(`v:${n}`) ?? { dtype: 'float32', dims, data: st.v.get(n)! };
    }
    const news = this.trainable.flatMap((n) => [newParamName(n), newMName(n), newVName(n)]);
    if (this.mode === 'device') {
      const out = await session.runOnDevice(feeds, ['loss', 'grad_norm', ...news]);
      this.runs++;
      const gradNorm = scalarOf(out.grad_norm!);
      const skipped = this.stepSkipped(gradNorm);
      for (const n of this.trainable) {
        for (const [key, name, host] of [
          [`p:${n}`, newParamName(n), this.params.get(n)!],
          [`m:${n}`, newMName(n), st.m.get(n)!],
          [`v:${n}`, newVName(n), st.v.get(n)!],
        ] as const) {
          const t = out[name]!;
          this.device.get(key)?.dispose();
          if (isDeviceTensor(t)) {
            this.device.set(key, t);
            this.stale = true;
          } else {
            // Produced by a node ONNX Runtime placed on the CPU, or the provider fell back to the CPU.
            host.set(t.data as Float32Array);
            this.device.delete(key);
          }
        }
      }
      return { loss: scalarOf(out.loss!), gradNorm, skipped };
    }
    // Double buffers: this step reads params/m/v and writes their successors into spare buffers.
    this.spare ??= new Map();
    const into: Record<string, HostTensor> = {};
    for (const n of this.trainable) {
      const dims = this.shapes.get(n)!;
      const len = this.params.get(n)!.length;
      for (const [key, name] of [
        [`p.${n}`, newParamName(n)],
        [`m.${n}`, newMName(n)],
        [`v.${n}`, newVName(n)],
      ] as const) {
        let b = this.spare.get(key);
        if (!b) {
          b = new Float32Array(len);
          this.spare.set(key, b);
        }
        into[name] = { dtype: 'float32', dims, data: b };
      }
    }
    const out = await session.run(feeds, ['loss', 'grad_norm', ...news], into);
    this.runs++;
    const gradNorm = scalarOf(out.grad_norm!);
    const skipped = this.stepSkipped(gradNorm);
    for (const n of this.trainable) {
      const [p, m, v] = [this.params.get(n)!, st.m.get(n)!, st.v.get(n)!];
      this.params.set(n, into[newParamName(n)]!.data as Float32Array);
      st.m.set(n, into[newMName(n)]!.data as Float32Array);
      st.v.set(n, into[newVName(n)]!.data as Float32Array);
      this.spare.set(`p.${n}`, p);
      this.spare.set(`m.${n}`, m);
      this.spare.set(`v.${n}`, v);
    }
    return { loss: scalarOf(out.loss!), gradNorm, skipped };
  }

  /** After a fused step: counts it, or (mixed precision, non-finite gradients) records the skip. */
  private stepSkipped(gradNorm: number): boolean {
    const skipped = this.scaler !== undefined && !Number.isFinite(gradNorm);
    this.scaler?.update(skipped);
    if (!skipped) this.optimizer.state.step++;
    return skipped;
  }

  /**
   * `device` mode: copies the weights and Adam moments from the GPU into the host buffers (before
   * saving or exporting); the GPU copies stay in use. A no-op in the other modes.
   */
  async sync(): Promise<void> {
    if (!this.stale) return;
    const st = this.optimizer.state;
    const session = await this.session('fused');
    this.downloader ??= new DeviceDownloader(session.executionProvider);
    const keys = [...this.device.keys()];
    const copies = await this.downloader.download(keys.map((k) => this.device.get(k)!));
    keys.forEach((key, i) => {
      const [kind, n] = [key.slice(0, 1), key.slice(2)];
      const host = kind === 'p' ? this.params.get(n)! : kind === 'm' ? st.m.get(n)! : st.v.get(n)!;
      host.set(copies[i]!.data as Float32Array);
    });
    this.stale = false;
  }

  /** Frees the GPU copies (the host buffers must be current). */
  private dropDevice(): void {
    for (const t of this.device.values()) t.dispose();
    this.device.clear();
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
    const s = this.sessions.get(this.mode === 'grads' ? 'grads' : 'fused') ?? this.sessions.get('grads');
    return s ? (await s).endProfiling() : undefined;
  }

  async dispose(): Promise<void> {
    this.dropDevice();
    this.stale = false;
    await this.downloader?.dispose();
    for (const s of this.sessions.values()) await (await s).dispose();
    this.sessions.clear();
  }
}

function scalarOf(t: HostTensor | DeviceTensor): number {
  if (isDeviceTensor(t)) throw new Error('expected a host scalar');
  return (t.data as Float32Array)[0]!;
}
