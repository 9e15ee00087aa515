/**
 * AdamW with PyTorch semantics (torch.optim.AdamW, single-tensor path) and global-norm gradient
 * clipping as torch.nn.utils.clip_grad_norm_, updating float32 buffers in place:
 *
 *   total = ||(||g_1||, ..., ||g_n||)||;  g *= min(1, max_norm / (total + 1e-6))
 *   p *= 1 - lr * wd                       (decoupled weight decay; wd = 0 for biases and LayerNorm)
 *   m = m + (1 - b1) (g - m);  v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
import { decays } from '../model/params.js';
import type { WasmArena } from './wasm-kernels.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Global-norm clipping threshold; 0 or Infinity disables clipping. */
  maxGradNorm: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };

export interface AdamWState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

/** The scalars of one AdamW step, computed in float64 as PyTorch computes them in Python floats. */
export interface AdamWScalars {
  /** lr / (1 - beta1^t) */
  stepSize: number;
  /** sqrt(1 - beta2^t) */
  bc2Sqrt: number;
  /** 1 - lr * weight_decay */
  decayFactor: number;
}

export function adamwScalars(opts: AdamWOptions, lr: number, step: number): AdamWScalars {
  return {
    stepSize: lr / (1 - opts.beta1 ** step),
    bc2Sqrt: Math.sqrt(1 - opts.beta2 ** step),
    decayFactor: 1 - lr * opts.weightDecay,
  };
}

/** torch.nn.utils.clip_grad_norm_'s coefficient for a total norm. */
export function clipCoefficient(totalNorm: number, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) return 1;
  return Math.min(1, maxNorm / (totalNorm + 1e-6));
}

/** The global L2 norm; `known`: sums of squares already at hand for some of the buffers (they are not read). */
export function globalNorm(grads: Iterable<Float32Array>, arena?: WasmArena | null, known?: ReadonlyMap<Float32Array, number>): number {
  let sum = 0;
  for (const g of grads) {
    const k = known?.get(g);
    if (k !== undefined) {
      sum += k;
      continue;
    }
    if (arena?.owns(g)) {
      sum += arena.sumsq(g);
      continue;
    }
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
    sum += s;
  }
  return Math.sqrt(sum);
}

export class AdamW {
  readonly state: AdamWState;

  /**
   * `arena`: where the moments live when the weights and gradients are in a WebAssembly arena
   * too; the update then runs in the SIMD kernel (same float32 arithmetic as torch).
   */
  constructor(
    readonly options: AdamWOptions,
    params: Iterable<[string, number]>,
    private readonly arena: WasmArena | null = null,
  ) {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const [name, n] of params) {
      m.set(name, arena ? arena.alloc(n) : new Float32Array(n));
      v.set(name, arena ? arena.alloc(n) : new Float32Array(n));
    }
    this.state = { step: 0, m, v };
  }

  /** Replaces the moments (resuming), copying into the existing buffers. */
  load(step: number, m: ReadonlyMap<string, Float32Array>, v: ReadonlyMap<string, Float32Array>): void {
    for (const [name, buf] of this.state.m) {
      const mm = m.get(name);
      const vv = v.get(name);
      if (!mm || !vv || mm.length !== buf.length) throw new Error(`optimizer state: missing or mis-sized moments for ${name}`);
      buf.set(mm);
      this.state.v.get(name)!.set(vv);
    }
    this.state.step = step;
  }

  /**
   * Clips `grads` by their global norm and applies one AdamW step to `params` in place.
   * Returns the norm before clipping (what Trainer logs as grad_norm).
   *
   * `gradScale`: the factor the gradients carry (mixed precision's loss scale); they are unscaled
   * on the fly, and when their norm is not finite nothing changes (GradScaler's skipped step: the
   * step count stays) and the non-finite norm is returned. `sumsq`: the sums of squares of some
   * gradients, known without reading them (EmbeddingGrads: a table's rows outside the batch are zero).
   */
  step(
    params: ReadonlyMap<string, Float32Array>,
    grads: ReadonlyMap<string, Float32Array>,
    lr: number,
    gradScale = 1,
    sumsq?: ReadonlyMap<string, number>,
  ): number {
    const known = sumsq && new Map([...sumsq].map(([n, s]) => [grads.get(n)!, s]));
    const norm = globalNorm(grads.values(), this.arena, known) / gradScale;
    if (gradScale !== 1 && !Number.isFinite(norm)) return norm;
    const clip = clipCoefficient(norm, this.options.maxGradNorm) / gradScale;
    this.state.step++;
    const { stepSize, bc2Sqrt, decayFactor } = adamwScalars(this.options, lr, this.state.step);
    const { beta1, beta2, eps } = this.options;
    for (const [name, g] of grads) {
      const p = params.get(name);
      const m = this.state.m.get(name);
      const v = this.state.v.get(name);
      if (!p || !m || !v) throw new Error(`AdamW: no parameter or state named ${name}`);
      const decay = decays(name) ? decayFactor : 1;
      if (this.arena && this.arena.owns(p) && this.arena.owns(g) && this.arena.owns(m) && this.arena.owns(v)) {
        this.arena.adamw(p, g, m, v, { clip, decay, stepSize, bc2Sqrt, eps, beta1, beta2 });
      } else adamwUpdate(p, g, m, v, clip, decay, stepSize, bc2Sqrt, eps, beta1, beta2);
    }
    return norm;
  }
}

/** One parameter's update, a single pass over its four buffers (monomorphic for V8). */
function adamwUpdate(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  clip: number,
  decay: number,
  stepSize: number,
  bc2Sqrt: number,
  eps: number,
  beta1: number,
  beta2: number,
): void {
  const w1 = 1 - beta1;
  const w2 = 1 - beta2;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]! * clip;
    const mo = m[i]!;
    const mi = mo + w1 * (gi - mo);
    const vi = beta2 * v[i]! + w2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! * decay - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
  }
}
