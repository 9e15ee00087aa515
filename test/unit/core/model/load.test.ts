import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseHfConfig, toHfConfig } from '../../../../src/core/model/hf-config.js';
import { candidateKeys, loadPretrained } from '../../../../src/core/model/load.js';
import { loadModelAndTokenizer } from '../../../../src/core/model/pretrained.js';
import { createModel } from '../../../../src/core/model/presets.js';
import { saveModel } from '../../../../src/core/model/save.js';
import { Tokenizer } from '../../../../src/core/tokenizer/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'finetune-load-'));

describe('config.json parsing', () => {
  const table: { name: string; json: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    {
      name: 'BertForMaskedLM checkpoint becomes a 2-label classifier with BertConfig defaults',
      json: {
        model_type: 'bert',
        architectures: ['BertForMaskedLM'],
        vocab_size: 100,
        hidden_size: 64,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        intermediate_size: 128,
      },
      expect: { num_labels: 2, layer_norm_eps: 1e-12, type_vocab_size: 2, pad_token_id: 0, max_position_embeddings: 512, classifier_dropout: null },
    },
    {
      name: 'roberta-base style config',
      json: {
        model_type: 'roberta',
        architectures: ['RobertaForMaskedLM'],
        vocab_size: 50265,
        hidden_size: 768,
        num_hidden_layers: 12,
        num_attention_heads: 12,
        intermediate_size: 3072,
        layer_norm_eps: 1e-5,
        max_position_embeddings: 514,
        type_vocab_size: 1,
        pad_token_id: 1,
      },
      expect: { model_type: 'roberta', layer_norm_eps: 1e-5, max_position_embeddings: 514, type_vocab_size: 1, pad_token_id: 1 },
    },
    {
      name: 'distilbert names map to the shared fields',
      json: {
        model_type: 'distilbert',
        dim: 32,
        n_layers: 3,
        n_heads: 4,
        hidden_dim: 64,
        dropout: 0.2,
        attention_dropout: 0.3,
        seq_classif_dropout: 0.4,
        activation: 'gelu',
        vocab_size: 90,
      },
      expect: {
        hidden_size: 32,
        num_hidden_layers: 3,
        num_attention_heads: 4,
        intermediate_size: 64,
        hidden_dropout_prob: 0.2,
        attention_probs_dropout_prob: 0.3,
        classifier_dropout: 0.4,
        type_vocab_size: 0,
        layer_norm_eps: 1e-12,
      },
    },
    {
      name: 'electra-small-discriminator style config keeps embedding_size',
      json: {
        model_type: 'electra',
        architectures: ['ElectraForPreTraining'],
        embedding_size: 128,
        hidden_size: 256,
        num_attention_heads: 4,
        intermediate_size: 1024,
        num_hidden_layers: 12,
        vocab_size: 30522,
      },
      expect: { embedding_size: 128, hidden_size: 256 },
    },
    {
      name: 'id2label decides num_labels; problem_type kept',
      json: {
        model_type: 'bert',
        hidden_size: 8,
        num_attention_heads: 2,
        intermediate_size: 16,
        num_hidden_layers: 1,
        vocab_size: 30,
        id2label: { '1': 'b', '0': 'a', '2': 'c' },
        problem_type: 'multi_label_classification',
      },
      expect: { num_labels: 3, id2label: { '0': 'a', '1': 'b', '2': 'c' }, label2id: { a: 0, b: 1, c: 2 }, problem_type: 'multi_label_classification' },
    },
  ];
  for (const row of table) {
    test(row.name, () => {
      const c = parseHfConfig(row.json, 'x/config.json');
      for (const [k, v] of Object.entries(row.expect)) assert.deepEqual((c as unknown as Record<string, unknown>)[k], v, k);
    });
  }

  const bad: { name: string; json: unknown; message: RegExp }[] = [
    { name: 'not an object', json: [1, 2], message: /x\/config\.json: is not a JSON object/ },
    { name: 'no model_type', json: { hidden_size: 8 }, message: /"model_type" is missing; Finetune supports bert, roberta/ },
    {
      name: 'unsupported architecture',
      json: { model_type: 'gpt2' },
      message: /model_type "gpt2" is not supported \(supported: bert, roberta, xlm-roberta, distilbert, electra, modernbert, deberta-v2\)/,
    },
    {
      name: 'heads do not divide hidden',
      json: { model_type: 'bert', hidden_size: 10, num_attention_heads: 3 },
      message: /hidden_size \(10\) must be a multiple of num_attention_heads \(3\)/,
    },
    { name: 'string where a number belongs', json: { model_type: 'bert', hidden_size: '768' }, message: /"hidden_size" must be a number \(got "768"\)/ },
    {
      name: 'relative positions',
      json: { model_type: 'bert', position_embedding_type: 'relative_key' },
      message: /position_embedding_type "relative_key" is not supported/,
    },
    { name: 'tanh-approximate GELU', json: { model_type: 'bert', hidden_act: 'gelu_new' }, message: /hidden_act "gelu_new" is not supported/ },
    { name: 'bad problem_type', json: { model_type: 'bert', problem_type: 'ranking' }, message: /problem_type "ranking" is not one of/ },
    { name: 'id2label with a gap', json: { model_type: 'bert', id2label: { '0': 'a', '2': 'c' } }, message: /"id2label" ids must be 0\.\.1 \(found "2"\)/ },
  ];
  for (const row of bad) {
    test(`error: ${row.name}`, () => {
      assert.throws(
        () => parseHfConfig(row.json, 'x/config.json'),
        (e: unknown) => e instanceof ConfigError && row.message.test(e.message) && e.message.startsWith('x/config.json'),
      );
    });
  }

  test('toHfConfig writes what transformers needs and keeps unknown fields', () => {
    const c = parseHfConfig({
      model_type: 'distilbert',
      dim: 32,
      n_layers: 1,
      n_heads: 4,
      hidden_dim: 64,
      vocab_size: 90,
      qa_dropout: 0.1,
      id2label: { '0': 'neg', '1': 'pos' },
    });
    const out = toHfConfig(c);
    assert.deepEqual(out.architectures, ['DistilBertForSequenceClassification']);
    assert.equal(out.dim, 32);
    assert.equal(out.n_heads, 4);
    assert.equal(out.qa_dropout, 0.1);
    assert.equal(out.hidden_size, undefined);
    assert.equal(out.num_labels, 2);
    assert.deepEqual(out.label2id, { neg: 0, pos: 1 });
    assert.deepEqual(parseHfConfig(out), { ...c, raw: out, problem_type: 'single_label_classification' });
  });

  test('candidate keys: prefix-less base models and legacy gamma/beta', () => {
    assert.deepEqual(candidateKeys('bert.embeddings.LayerNorm.weight', 'bert'), [
      'bert.embeddings.LayerNorm.weight',
      'embeddings.LayerNorm.weight',
      'bert.embeddings.LayerNorm.gamma',
      'embeddings.LayerNorm.gamma',
    ]);
  });
});

describe('model folders', () => {
  test('create -> save -> load gives the same weights; a new label set re-initialises only the head, with a log line', async () => {
    const m = createModel({ preset: 'bert-tiny', vocabSize: 50, labels: ['a', 'b', 'c'], seed: 3 });
    const dir = join(tmp(), 'm');
    await saveModel(dir, m);
    const back = await loadPretrained(dir);
    assert.deepEqual(back.config.id2label, m.config.id2label);
    for (const [n, w] of m.weights) assert.deepEqual(back.weights.get(n)!.data, w.data, n);
    const logs: string[] = [];
    const relabelled = await loadPretrained(dir, { labels: ['x', 'y'], log: (s) => logs.push(s) });
    assert.equal(logs.length, 1);
    assert.match(
      logs[0]!,
      /newly initialized: \[classifier\.weight: found shape \[3, 128\] in the checkpoint and \[2, 128\] in the model instantiated, classifier\.bias/,
    );
    assert.deepEqual(relabelled.weights.get('bert.pooler.dense.weight')!.data, m.weights.get('bert.pooler.dense.weight')!.data);
  });

  test('saving over a good model replaces it whole; a failed save leaves the old one', async () => {
    const m = createModel({ preset: 'bert-tiny', vocabSize: 50, seed: 3 });
    const dir = join(tmp(), 'm');
    await saveModel(dir, m);
    const before = readFileSync(join(dir, 'model.safetensors'));
    await assert.rejects(saveModel(dir, { ...m, files: { '../escape.txt': 'x' } }), /refusing to write outside the folder/);
    assert.deepEqual(readFileSync(join(dir, 'model.safetensors')), before);
  });

  const errors: { name: string; setup: (dir: string) => void; message: RegExp }[] = [
    { name: 'missing folder', setup: () => undefined, message: /model folder does not exist/ },
    {
      name: 'folder without config.json',
      setup: (d) => cpSync('test/fixtures/tokenizers/bert-base-uncased', d, { recursive: true }),
      message: /config\.json: not found/,
    },
    {
      name: 'config.json not JSON',
      setup: (d) => {
        cpSync('test/fixtures/reference/bert-single', d, { recursive: true });
        writeFileSync(join(d, 'config.json'), '{ nope');
      },
      message: /config\.json: is not valid JSON/,
    },
    {
      name: 'no weights file',
      setup: (d) => {
        cpSync('test/fixtures/reference/bert-single', d, { recursive: true });
        writeFileSync(join(d, 'model.safetensors'), '');
      },
      message: /model\.safetensors/,
    },
    {
      name: 'config does not match the weights',
      setup: (d) => {
        cpSync('test/fixtures/reference/bert-single', d, { recursive: true });
        const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
        writeFileSync(join(d, 'config.json'), JSON.stringify({ ...c, intermediate_size: 48 }));
      },
      message: /weight bert\.encoder\.layer\.0\.intermediate\.dense\.weight has shape \[24, 12\] but config\.json implies \[48, 12\]/,
    },
  ];
  for (const row of errors) {
    test(`error: ${row.name}`, async () => {
      const dir = join(tmp(), 'model');
      row.setup(dir);
      await assert.rejects(loadPretrained(dir), (e: Error) => row.message.test(e.message) && e.message.includes(dir));
    });
  }

  test('error: a tokenizer bigger than the model vocabulary', async () => {
    const dir = join(tmp(), 'model');
    const m = createModel({ preset: 'bert-tiny', vocabSize: 1000, seed: 1 });
    const tok = await Tokenizer.fromFolder('test/fixtures/tokenizers/bert-base-uncased');
    await saveModel(dir, { ...m, files: { ...tok.saveFiles() } });
    await assert.rejects(loadModelAndTokenizer(dir), /config\.json: vocab_size is 1000 but the tokenizer .* has 30522 tokens/);
  });
});
