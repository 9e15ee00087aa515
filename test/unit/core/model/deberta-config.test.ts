/**
 * deberta-v2 config.json in and out: the real microsoft/deberta-v3-small config (tabs, CRLF,
 * pos_att_type "p2c|c2p", no architectures, no pad_token_id), DebertaV2Config's defaults, cls_dropout,
 * what is written back (as save_pretrained writes it), and the settings refused with the setting named.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { architecture, takesTokenTypes } from '../../../../src/core/model/architectures/index.js';
import { relativeSpan } from '../../../../src/core/model/architectures/deberta-positions.js';
import { hasClassificationHead } from '../../../../src/core/model/head.js';
import { ConfigError, parseHfConfig, toHfConfig } from '../../../../src/core/model/hf-config.js';
import { readModelConfig } from '../../../../src/core/model/load.js';

const V3_SMALL = 'test/fixtures/configs/microsoft__deberta-v3-small';

describe('deberta-v2 config.json', () => {
  test('microsoft/deberta-v3-small as published (tab-indented, CRLF) parses with its v3 settings', async () => {
    assert.match(readFileSync(`${V3_SMALL}/config.json`, 'utf8'), /^\{\r\n\t\t"model_type": "deberta-v2",\r\n/);
    const c = await readModelConfig(V3_SMALL);
    assert.equal(c.model_type, 'deberta-v2');
    assert.deepEqual(
      [
        c.vocab_size,
        c.hidden_size,
        c.num_hidden_layers,
        c.num_attention_heads,
        c.intermediate_size,
        c.max_position_embeddings,
        c.type_vocab_size,
        c.layer_norm_eps,
      ],
      [128100, 768, 6, 12, 3072, 512, 0, 1e-7],
    );
    assert.equal(c.pad_token_id, 0, 'no pad_token_id: DebertaV2Config defaults to 0');
    assert.equal(c.num_labels, 2);
    assert.equal(c.classifier_dropout, null, 'no cls_dropout: the classifier dropout is hidden_dropout_prob');
    assert.deepEqual(c.deberta, {
      relative_attention: true,
      max_relative_positions: -1,
      position_buckets: 256,
      pos_att_type: ['c2p', 'p2c'],
      share_att_key: true,
      norm_rel_ebd: 'layer_norm',
      position_biased_input: false,
      pooler_dropout: 0,
      pooler_hidden_act: 'gelu',
      conv_kernel_size: 0,
      conv_act: 'tanh',
    });
    assert.equal(hasClassificationHead(c), false, 'no architectures: a new head');
    assert.equal(takesTokenTypes(c), false, 'type_vocab_size 0: no token_type_ids input');
    assert.deepEqual(relativeSpan(c), { span: 256, maxRelative: 512, buckets: 256 });
  });

  test("its parameters are transformers' (names, shapes, 141,896,450 in all with 2 labels)", async () => {
    const c = await readModelConfig(V3_SMALL);
    const specs = architecture(c).paramSpecs(c);
    const shapes = new Map(specs.map((s) => [s.name, s.shape]));
    assert.equal(specs.length, 106);
    assert.equal(
      specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
      141_896_450,
    );
    assert.deepEqual(shapes.get('deberta.embeddings.word_embeddings.weight'), [128100, 768]);
    assert.deepEqual(shapes.get('deberta.encoder.rel_embeddings.weight'), [512, 768]);
    assert.deepEqual(shapes.get('deberta.encoder.LayerNorm.weight'), [768]);
    assert.deepEqual(shapes.get('deberta.encoder.layer.5.attention.self.query_proj.weight'), [768, 768]);
    assert.deepEqual(shapes.get('pooler.dense.weight'), [768, 768]);
    assert.deepEqual(shapes.get('classifier.weight'), [2, 768]);
    for (const absent of [
      'deberta.embeddings.position_embeddings.weight',
      'deberta.embeddings.token_type_embeddings.weight',
      'deberta.encoder.layer.0.attention.self.pos_key_proj.weight',
    ])
      assert.ok(!shapes.has(absent), absent);
  });

  test("DebertaV2Config's defaults where config.json says nothing", () => {
    const c = parseHfConfig({ model_type: 'deberta-v2' });
    assert.deepEqual(
      [c.vocab_size, c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.intermediate_size, c.type_vocab_size, c.layer_norm_eps, c.pad_token_id],
      [128100, 1536, 24, 24, 6144, 0, 1e-7, 0],
    );
    assert.equal(c.deberta!.relative_attention, false);
    assert.equal(c.deberta!.position_biased_input, true);
    assert.deepEqual(c.deberta!.pos_att_type, []);
  });

  const posAttTypes: [unknown, string[]][] = [
    ['p2c|c2p', ['c2p', 'p2c']],
    [' C2P | p2c ', ['c2p', 'p2c']],
    [['c2p'], ['c2p']],
    [
      ['p2c', 'c2p', 'p2p'],
      ['c2p', 'p2c'],
    ],
    [null, []],
  ];
  for (const [raw, want] of posAttTypes) {
    test(`pos_att_type ${JSON.stringify(raw)} -> ${JSON.stringify(want)}`, () => {
      assert.deepEqual(parseHfConfig({ model_type: 'deberta-v2', pos_att_type: raw }).deberta!.pos_att_type, want);
    });
  }

  test('cls_dropout is the classifier dropout (classifier_dropout is not a DebertaV2Config field)', () => {
    assert.equal(parseHfConfig({ model_type: 'deberta-v2', cls_dropout: 0.25, classifier_dropout: 0.5 }).classifier_dropout, 0.25);
    assert.equal(parseHfConfig({ model_type: 'deberta-v2', classifier_dropout: 0.5 }).classifier_dropout, null);
  });

  test('written back as save_pretrained writes a DebertaV2ForSequenceClassification, and read again unchanged', async () => {
    const c = await readModelConfig(V3_SMALL);
    const out = toHfConfig({ ...c, classifier_dropout: 0.2 });
    assert.deepEqual(out.architectures, ['DebertaV2ForSequenceClassification']);
    assert.deepEqual(out.pos_att_type, ['p2c', 'c2p'], 'the list DebertaV2Config holds, in the file order');
    assert.equal(out.cls_dropout, 0.2);
    assert.ok(!('classifier_dropout' in out) && !('position_embedding_type' in out), 'no BERT-only fields');
    assert.equal(out.pooler_hidden_size, 768);
    assert.equal(out.pad_token_id, 0);
    assert.ok(!('conv_kernel_size' in out));
    const again = parseHfConfig(out);
    assert.deepEqual(again.deberta, c.deberta);
    assert.equal(again.classifier_dropout, 0.2);
    assert.ok(!('cls_dropout' in toHfConfig(c)), 'no cls_dropout written when none is set');
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['an even conv kernel', { conv_kernel_size: 2 }, /"conv_kernel_size" 2 must be odd/],
    ['grouped convolutions', { conv_kernel_size: 3, conv_groups: 4 }, /"conv_groups" 4 is not supported/],
    ['an activation Finetune lacks', { pooler_hidden_act: 'gelu_new' }, /"pooler_hidden_act" "gelu_new" is not supported/],
    ['conv_act likewise', { conv_kernel_size: 3, conv_act: 'swish' }, /"conv_act" "swish" is not supported/],
    ['attention_head_size that breaks the output projection', { hidden_size: 64, num_attention_heads: 4, attention_head_size: 32 }, /"attention_head_size" 32/],
    ['pooler_hidden_size != hidden_size', { pooler_hidden_size: 10 }, /"pooler_hidden_size" 10/],
    [
      'buckets beyond the relative range',
      { relative_attention: true, position_buckets: 256, max_relative_positions: 100 },
      /"position_buckets" 256 needs max_relative_positions/,
    ],
    ['pos_att_type of the wrong type', { pos_att_type: 5 }, /"pos_att_type" must be a list/],
    ['a non-boolean switch', { relative_attention: 'yes' }, /"relative_attention" must be true or false/],
  ];
  for (const [name, fields, message] of refused) {
    test(`refused with the setting named: ${name}`, () => {
      assert.throws(
        () => parseHfConfig({ model_type: 'deberta-v2', ...fields }, 'm/config.json'),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith('m/config.json: ') && message.test(e.message),
      );
    });
  }
});
