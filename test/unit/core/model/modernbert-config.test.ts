/** ModernBERT's config.json: the real ModernBERT-large file, ModernBertConfig's defaults, both config forms, errors, saving. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ARCHITECTURES } from '../../../../src/core/model/architectures/index.js';
import { ConfigError, parseHfConfig, toHfConfig } from '../../../../src/core/model/hf-config.js';
import { decays } from '../../../../src/core/model/params.js';

const REAL = JSON.parse(readFileSync('test/fixtures/tokenizers/modernbert-large/config.json', 'utf8')) as Record<string, unknown>;

describe('ModernBERT config.json', () => {
  test("answerdotai/ModernBERT-large parses with its values; the parameter layout is the checkpoint's", () => {
    const c = parseHfConfig(REAL);
    assert.equal(c.model_type, 'modernbert');
    assert.deepEqual(
      [c.vocab_size, c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.intermediate_size, c.max_position_embeddings, c.pad_token_id],
      [50368, 1024, 28, 16, 2624, 8192, 50283],
    );
    assert.equal(c.layer_norm_eps, 1e-5);
    assert.deepEqual([c.hidden_dropout_prob, c.attention_probs_dropout_prob, c.classifier_dropout], [0, 0, 0]);
    const s = c.modernbert!;
    assert.equal(s.classifier_pooling, 'mean');
    assert.deepEqual([s.local_attention, s.global_attn_every_n_layers, s.global_rope_theta, s.local_rope_theta], [128, 3, 160000, 10000]);
    assert.deepEqual([s.attention_bias, s.mlp_bias, s.norm_bias, s.classifier_bias], [false, false, false, false]);
    assert.deepEqual([s.hidden_activation, s.classifier_activation], ['gelu', 'gelu']);
    assert.deepEqual(s.layer_types.slice(0, 4), ['full_attention', 'sliding_attention', 'sliding_attention', 'full_attention']);
    const specs = new Map(ARCHITECTURES.modernbert.paramSpecs(c).map((p) => [p.name, p.shape]));
    assert.deepEqual(specs.get('model.embeddings.tok_embeddings.weight'), [50368, 1024]);
    assert.deepEqual(specs.get('model.layers.0.attn.Wqkv.weight'), [3072, 1024]);
    assert.deepEqual(specs.get('model.layers.0.mlp.Wi.weight'), [5248, 1024]);
    assert.deepEqual(specs.get('model.layers.27.mlp.Wo.weight'), [1024, 2624]);
    assert.deepEqual(specs.get('classifier.weight'), [2, 1024]);
    assert.deepEqual(specs.get('classifier.bias'), [2]);
    assert.ok(!specs.has('model.layers.0.attn_norm.weight'), 'layer 0 has no attn_norm');
    assert.ok(specs.has('model.layers.1.attn_norm.weight'));
    assert.ok(![...specs.keys()].some((n) => n.endsWith('.bias') && n !== 'classifier.bias'), "no biases but the classifier's");
    // 394.8M body parameters (+ head and classifier): ModernBERT-large's published size.
    const body = [...specs].filter(([n]) => n.startsWith('model.')).reduce((a, [, d]) => a + d.reduce((x, y) => x * y, 1), 0);
    assert.equal(Math.round(body / 1e5) / 10, 394.8);
  });

  test("ModernBertConfig's defaults fill what a config leaves out (ModernBERT-base sizes)", () => {
    const c = parseHfConfig({ model_type: 'modernbert' });
    assert.deepEqual(
      [c.vocab_size, c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.intermediate_size, c.max_position_embeddings, c.pad_token_id],
      [50368, 768, 22, 12, 1152, 8192, 50283],
    );
    assert.equal(c.layer_norm_eps, 1e-5);
    assert.equal(c.classifier_dropout, 0);
    const s = c.modernbert!;
    assert.deepEqual(
      [s.classifier_pooling, s.local_attention, s.global_attn_every_n_layers, s.global_rope_theta, s.local_rope_theta],
      ['cls', 128, 3, 160000, 10000],
    );
    assert.equal(s.initializer_cutoff_factor, 2);
  });

  test('the transformers 5.x form: layer_types and rope_parameters; a null local_rope_theta means the global one (4.x)', () => {
    const c = parseHfConfig({
      model_type: 'modernbert',
      num_hidden_layers: 3,
      global_attn_every_n_layers: 2,
      layer_types: ['full_attention', 'sliding_attention', 'sliding_attention'],
      rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 5000 }, sliding_attention: { rope_type: 'default', rope_theta: 70 } },
      mlp_dropout: 0.2,
      attention_dropout: 0.1,
      norm_eps: 1e-6,
    });
    const s = c.modernbert!;
    assert.deepEqual(s.layer_types, ['full_attention', 'sliding_attention', 'sliding_attention']);
    assert.deepEqual([s.global_rope_theta, s.local_rope_theta], [5000, 70]);
    assert.deepEqual([c.hidden_dropout_prob, c.attention_probs_dropout_prob, c.layer_norm_eps], [0.2, 0.1, 1e-6]);
    const legacy = parseHfConfig({ model_type: 'modernbert', global_rope_theta: 1234, local_rope_theta: null });
    assert.deepEqual([legacy.modernbert!.global_rope_theta, legacy.modernbert!.local_rope_theta], [1234, 1234]);
  });

  test('settings irrelevant to sequence classification are accepted', () => {
    const c = parseHfConfig({
      ...REAL,
      reference_compile: true,
      sparse_prediction: true,
      sparse_pred_ignore_index: -100,
      deterministic_flash_attn: true,
      repad_logits_with_grad: true,
      _attn_implementation: 'flash_attention_2',
      attn_implementation: 'sdpa',
    });
    assert.equal(c.model_type, 'modernbert');
  });

  const ERRORS: [string, Record<string, unknown>, RegExp][] = [
    ['classifier_pooling', { classifier_pooling: 'max' }, /classifier_pooling "max" is not supported/],
    ['hidden_activation', { hidden_activation: 'gelu_fast' }, /hidden_activation "gelu_fast" is not supported/],
    ['classifier_activation', { classifier_activation: 'mish' }, /classifier_activation "mish" is not supported/],
    ['rope_scaling', { rope_scaling: { rope_type: 'linear', factor: 2 } }, /"rope_scaling" is not supported/],
    ['rope_parameters rope_type', { rope_parameters: { full_attention: { rope_type: 'yarn', rope_theta: 1 } } }, /rope_type "yarn" is not supported/],
    ['local_attention', { local_attention: 1 }, /local_attention 1 is not supported/],
    ['global_attn_every_n_layers', { global_attn_every_n_layers: 0 }, /"global_attn_every_n_layers" must be a positive integer/],
    ['layer_types', { num_hidden_layers: 2, layer_types: ['full_attention'] }, /"layer_types" must list/],
    ['head_dim', { head_dim: 32 }, /head_dim 32 is not supported/],
    ['attention_bias', { attention_bias: 'yes' }, /"attention_bias" must be true or false/],
  ];
  for (const [what, over, message] of ERRORS) {
    test(`an unsupported ${what} is one clear error naming the setting and the file`, () => {
      assert.throws(
        () => parseHfConfig({ ...REAL, ...over }, 'm/config.json'),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith('m/config.json: ') && message.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  test('saving writes a ModernBertForSequenceClassification config with ModernBertConfig names', () => {
    const c = parseHfConfig(REAL);
    const out = toHfConfig({ ...c, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.05, classifier_dropout: 0.2 });
    assert.deepEqual(out.architectures, ['ModernBertForSequenceClassification']);
    assert.equal(out.model_type, 'modernbert');
    assert.deepEqual([out.mlp_dropout, out.attention_dropout, out.classifier_dropout], [0.1, 0.05, 0.2]);
    for (const k of ['hidden_act', 'hidden_dropout_prob', 'attention_probs_dropout_prob', 'type_vocab_size']) assert.ok(!(k in out), `no ${k}`);
    assert.deepEqual(
      [out.norm_eps, out.local_attention, out.global_attn_every_n_layers, out.global_rope_theta, out.local_rope_theta, out.classifier_pooling],
      [1e-5, 128, 3, 160000, 10000, 'mean'],
    );
    assert.equal(out.transformers_version, '4.47.0.dev0');
    const again = parseHfConfig(out);
    assert.deepEqual(again.modernbert, c.modernbert);
    assert.equal(again.hidden_dropout_prob, 0.1);
    // A 5.x config keeps its layer_types and rope_parameters (with the thetas in use).
    const v5 = toHfConfig(
      parseHfConfig({
        model_type: 'modernbert',
        num_hidden_layers: 1,
        layer_types: ['full_attention'],
        rope_parameters: { full_attention: { rope_theta: 9 } },
      }),
    );
    assert.deepEqual(v5.layer_types, ['full_attention']);
    assert.deepEqual(v5.rope_parameters, {
      full_attention: { rope_type: 'default', rope_theta: 9 },
      sliding_attention: { rope_type: 'default', rope_theta: 10000 },
    });
  });

  test("ModernBERT's norms get no weight decay (the Trainer skips LayerNorm modules); its weights do", () => {
    for (const n of [
      'model.embeddings.norm.weight',
      'model.layers.1.attn_norm.weight',
      'model.layers.1.mlp_norm.weight',
      'model.final_norm.weight',
      'head.norm.weight',
    ]) {
      assert.equal(decays(n), false, n);
    }
    for (const n of [
      'model.layers.1.attn.Wqkv.weight',
      'model.layers.0.mlp.Wi.weight',
      'head.dense.weight',
      'classifier.weight',
      'model.embeddings.tok_embeddings.weight',
    ]) {
      assert.equal(decays(n), true, n);
    }
  });
});
