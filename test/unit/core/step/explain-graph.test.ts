// The Integrated Gradients graph of every architecture (float64): its per-token attributions are the
// gradient of the target logit along the path, times the embedding difference, from the autodiff —
// checked against central differences of the logit in alpha; at alpha = 1 its logits are the model's
// (to 1e-6: a model that computes a part in float32, as DeBERTa's relative positions, rounds e(b) + (e(x) - e(b)) there).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSession } from '../../../../src/core/engine/runtime.js';
import type { HostTensor } from '../../../../src/core/engine/tensor.js';
import { ARCHITECTURES } from '../../../../src/core/model/architectures/index.js';
import type { ModelConfig, ModelType } from '../../../../src/core/model/config.js';
import { initWeights } from '../../../../src/core/model/init.js';
import { PRESETS, type PresetName, presetConfig } from '../../../../src/core/model/presets.js';
import { EXPLAIN_IO, buildExplainGraph, buildGraph } from '../../../../src/core/step/graphs.js';

/** A tiny config of each model type: its preset when there is one, else bert-tiny's sizes under that type. */
function tinyConfig(type: ModelType): ModelConfig {
  const preset = (Object.keys(PRESETS) as PresetName[]).find((p) => ((PRESETS[p] as { model_type?: string }).model_type ?? 'bert') === type);
  const roberta = type === 'roberta' || type === 'xlm-roberta';
  return presetConfig({
    preset: preset ?? 'bert-tiny',
    vocabSize: 50,
    numLabels: 3,
    padTokenId: roberta ? 1 : 0,
    overrides: {
      ...(preset ? {} : { model_type: type }),
      ...(type === 'electra' ? { embedding_size: 64 } : {}),
      hidden_dropout_prob: 0.1,
      initializer_range: 0.2,
    },
  });
}

const f64 = (w: HostTensor): HostTensor => ({ dtype: 'float64', dims: w.dims, data: Float64Array.from(w.data as Float32Array) });
const ids = [2, 17, 33, 9, 41, 17, 3];
const S = ids.length;

function feedsFor(config: ModelConfig, alphas: number[], weights: Map<string, HostTensor>, usesTypes: boolean): Record<string, HostTensor> {
  const B = alphas.length;
  const rows = (f: (s: number) => number): BigInt64Array => BigInt64Array.from({ length: B * S }, (_, k) => BigInt(f(k % S)));
  const feeds: Record<string, HostTensor> = {
    input_ids: { dtype: 'int64', dims: [B, S], data: rows((s) => ids[s]!) },
    attention_mask: { dtype: 'int64', dims: [B, S], data: rows(() => 1) },
    [EXPLAIN_IO.baseline]: { dtype: 'int64', dims: [B, S], data: rows((s) => (s === 0 || s === S - 1 ? ids[s]! : config.pad_token_id)) },
    [EXPLAIN_IO.alphas]: { dtype: 'float64', dims: [B], data: Float64Array.from(alphas) },
    [EXPLAIN_IO.target]: { dtype: 'float64', dims: [config.num_labels], data: Float64Array.from({ length: config.num_labels }, (_, k) => (k === 1 ? 1 : 0)) },
  };
  if (usesTypes) feeds.token_type_ids = { dtype: 'int64', dims: [B, S], data: rows(() => 0) };
  for (const [n, w] of weights) feeds[n] = f64(w);
  return feeds;
}

describe('explanation graph (Integrated Gradients on the input embeddings)', () => {
  for (const type of Object.keys(ARCHITECTURES) as ModelType[]) {
    test(`${type}: attributions sum to d logit / d alpha; special tokens get none; alpha 1 gives the model's logits`, async () => {
      const config = tinyConfig(type);
      const weights = initWeights(config, 3);
      const session = await createSession(buildExplainGraph({ config, dtype: 'float64' }).model, { threads: 1 });
      const types = session.inputNames.includes('token_type_ids');
      const h = 1e-5;
      const alphas = [0.3 - h, 0.3, 0.3 + h, 1];
      const out = await session.run(feedsFor(config, alphas, weights, types), [EXPLAIN_IO.logits, EXPLAIN_IO.attributions]);
      const z = out[EXPLAIN_IO.logits]!.data as Float64Array;
      const a = out[EXPLAIN_IO.attributions]!.data as Float64Array;
      const C = config.num_labels;
      const slope = (z[2 * C + 1]! - z[0 * C + 1]!) / (2 * h);
      const sum = a.subarray(S, 2 * S).reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(slope - sum) <= 1e-5 * Math.abs(slope), `${type}: d logit/d alpha ${slope} vs attributions ${sum}`);
      assert.ok(
        a.subarray(S + 1, 2 * S - 1).every((x) => Math.abs(x) > 1e-9),
        'every text token has an attribution',
      );
      assert.equal(a[S]!, 0, '[CLS] keeps its embedding: no attribution');
      assert.equal(a[2 * S - 1]!, 0, '[SEP] keeps its embedding: no attribution');
      await session.dispose();

      const infer = await createSession(buildGraph({ kind: 'infer', config, dtype: 'float64' }).model, { threads: 1 });
      const f = feedsFor(config, [1], weights, types);
      const feeds: Record<string, HostTensor> = { input_ids: f.input_ids!, attention_mask: f.attention_mask! };
      if (types) feeds.token_type_ids = f.token_type_ids!;
      for (const [n, w] of weights) feeds[n] = f64(w);
      const plain = (await infer.run(feeds, ['logits'])).logits!.data as Float64Array;
      for (let k = 0; k < C; k++) assert.ok(Math.abs(plain[k]! - z[3 * C + k]!) < 1e-6 * Math.max(1, Math.abs(plain[k]!)), `${type}: logit ${k} at alpha 1`);
      await infer.dispose();
    });
  }
});
