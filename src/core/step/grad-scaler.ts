/**
 * Dynamic loss scaling for float16 mixed precision, with torch.amp.GradScaler's semantics and
 * defaults: the loss is multiplied by `scale` before the backward pass (so small float16 gradients
 * do not flush to zero); the optimizer unscales. A step whose gradients are not finite is skipped
 * (weights, moments, the AdamW step count and the LR schedule stay) and the scale is multiplied by
 * `backoffFactor`; after `growthInterval` finite steps in a row it is multiplied by `growthFactor`.
 */

export interface GradScalerOptions {
  initScale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
}

export const GRAD_SCALER_DEFAULTS: GradScalerOptions = { initScale: 2 ** 16, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000 };

/** torch's GradScaler.state_dict() keys, as `scaler.json` in a checkpoint holds them. */
export interface GradScalerState {
  scale: number;
  growth_factor: number;
  backoff_factor: number;
  growth_interval: number;
  _growth_tracker: number;
}

export class GradScaler {
  readonly options: GradScalerOptions;
  private current: number;
  private tracker = 0;

  constructor(options: Partial<GradScalerOptions> = {}) {
    this.options = { ...GRAD_SCALER_DEFAULTS, ...options };
    this.current = this.options.initScale;
  }

  get scale(): number {
    return this.current;
  }

  /** After a step: `foundInf` backs the scale off, a run of finite steps grows it (torch's _amp_update_scale_). */
  update(foundInf: boolean): void {
    if (foundInf) {
      this.current *= this.options.backoffFactor;
      this.tracker = 0;
      return;
    }
    const successful = this.tracker + 1;
    if (successful === this.options.growthInterval) {
      const grown = Math.fround(this.current * this.options.growthFactor);
      if (Number.isFinite(grown)) this.current = grown;
      this.tracker = 0;
    } else this.tracker = successful;
  }

  stateDict(): GradScalerState {
    const o = this.options;
    return {
      scale: this.current,
      growth_factor: o.growthFactor,
      backoff_factor: o.backoffFactor,
      growth_interval: o.growthInterval,
      _growth_tracker: this.tracker,
    };
  }

  loadStateDict(s: GradScalerState): void {
    if (!(s.scale > 0) || !Number.isFinite(s.scale) || !Number.isInteger(s._growth_tracker) || s._growth_tracker < 0) {
      throw new Error(`scaler state: scale ${s.scale} / growth tracker ${s._growth_tracker} are not a valid GradScaler state`);
    }
    this.current = s.scale;
    this.tracker = s._growth_tracker;
  }
}
