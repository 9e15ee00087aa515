/**
 * Random initialisation as transformers' `_init_weights`: Linear and Embedding weights from
 * normal(0, initializer_range), biases 0, LayerNorm weight 1 and bias 0, the padding token's
 * embedding row 0. Seeded: the same seed gives the same weights.
 */
import type { HostTensor } from '../engine/tensor.js';
import { architecture } from './architectures/index.js';
import type { ModelConfig } from './config.js';
import type { ParamSpec, Weights } from './params.js';

import { Random } from '../random.js';

export { Random };

export function initParam(spec: ParamSpec, config: ModelConfig, rand: Random): HostTensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (spec.init === 'ones') data.fill(1);
  else if (spec.init === 'normal' || spec.init === 'embedding') {
    const std = spec.std ?? config.initializer_range;
    const bound = spec.cutoff;
    for (let i = 0; i < n; i++) {
      let z = rand.normal();
      if (bound !== undefined) while (Math.abs(z) > bound) z = rand.normal();
      data[i] = z * std;
    }
    if (spec.init === 'embedding' && config.pad_token_id >= 0 && config.pad_token_id < spec.shape[0]!) {
      const w = spec.shape[1]!;
      data.fill(0, config.pad_token_id * w, (config.pad_token_id + 1) * w);
    }
  }
  return { dtype: 'float32', dims: [...spec.shape], data };
}

/** Fresh weights for every parameter of the config's architecture. */
export function initWeights(config: ModelConfig, seed: number): Weights {
  const rand = new Random(seed);
  const weights: Weights = new Map();
  for (const spec of architecture(config).paramSpecs(config)) weights.set(spec.name, initParam(spec, config, rand));
  return weights;
}
