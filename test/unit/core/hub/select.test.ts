import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HubError } from '../../../../src/core/hub/errors.js';
import { selectClassifierFiles, shardsFromIndex } from '../../../../src/core/hub/select.js';

const TOKENIZER = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];
const NOISE = ['.gitattributes', 'README.md', 'tf_model.h5', 'flax_model.msgpack', 'rust_model.ot', 'onnx/model.onnx', 'model.onnx', 'coreml/model.mlmodel'];

describe('selectClassifierFiles', () => {
  const cases: { name: string; listing: string[]; files: string[]; weights: string; index?: string }[] = [
    {
      name: 'safetensors preferred over pytorch_model.bin; TF/Flax/ONNX/Rust never chosen',
      listing: ['config.json', ...TOKENIZER, 'model.safetensors', 'pytorch_model.bin', ...NOISE],
      files: ['config.json', ...TOKENIZER, 'model.safetensors'],
      weights: 'safetensors',
    },
    {
      name: 'sharded safetensors index',
      listing: [
        'config.json',
        'vocab.txt',
        'model.safetensors.index.json',
        'model-00001-of-00002.safetensors',
        'model-00002-of-00002.safetensors',
        'pytorch_model.bin',
      ],
      files: ['config.json', 'vocab.txt', 'model.safetensors.index.json'],
      weights: 'safetensors-sharded',
      index: 'model.safetensors.index.json',
    },
    {
      name: 'pytorch_model.bin when there is no safetensors',
      listing: ['config.json', 'vocab.json', 'merges.txt', 'pytorch_model.bin', 'tf_model.h5'],
      files: ['config.json', 'vocab.json', 'merges.txt', 'pytorch_model.bin'],
      weights: 'pytorch',
    },
    {
      name: 'sharded pytorch index last',
      listing: ['config.json', 'sentencepiece.bpe.model', 'added_tokens.json', 'pytorch_model.bin.index.json', 'pytorch_model-00001-of-00002.bin'],
      files: ['config.json', 'sentencepiece.bpe.model', 'added_tokens.json', 'pytorch_model.bin.index.json'],
      weights: 'pytorch-sharded',
      index: 'pytorch_model.bin.index.json',
    },
    {
      name: 'only root-level files count',
      listing: ['config.json', 'sub/vocab.txt', 'model.safetensors', 'onnx/tokenizer.json'],
      files: ['config.json', 'model.safetensors'],
      weights: 'safetensors',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const sel = selectClassifierFiles(c.listing, 'org/m');
      assert.deepEqual(sel.files, c.files);
      assert.equal(sel.weights, c.weights);
      assert.equal(sel.index, c.index);
    });
  }
  test('no config.json: unsupported', () =>
    assert.throws(
      () => selectClassifierFiles(['model.safetensors'], 'org/m'),
      (e: unknown) => e instanceof HubError && e.kind === 'unsupported' && /config\.json/.test(e.message),
    ));
  test('TF/Flax/ONNX only: unsupported', () =>
    assert.throws(
      () => selectClassifierFiles(['config.json', 'tf_model.h5', 'flax_model.msgpack', 'onnx/model.onnx'], 'org/m'),
      (e: unknown) => e instanceof HubError && e.kind === 'unsupported' && /TensorFlow, Flax and ONNX/.test(e.message),
    ));
});

describe('shardsFromIndex', () => {
  const listing = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'tf_model.h5'];
  const index = (map: Record<string, string>) => JSON.stringify({ metadata: { total_size: 1 }, weight_map: map });
  test('unique, sorted shard names', () =>
    assert.deepEqual(
      shardsFromIndex(
        index({ a: 'model-00002-of-00002.safetensors', b: 'model-00001-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' }),
        'model.safetensors.index.json',
        listing,
      ),
      ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'],
    ));
  const bad: [string, Record<string, string>, string][] = [
    ['path traversal', { a: '../../../.bashrc.safetensors' }, 'unsafe-path'],
    ['absolute path', { a: '/etc/x.safetensors' }, 'unsafe-path'],
    ['backslash', { a: '..\\x.safetensors' }, 'unsafe-path'],
    ['wrong extension', { a: 'tf_model.h5' }, 'unsupported'],
    ['not in the repo', { a: 'model-00003-of-00003.safetensors' }, 'unsupported'],
  ];
  for (const [name, map, kind] of bad) {
    test(`refuses ${name}`, () =>
      assert.throws(
        () => shardsFromIndex(index(map), 'model.safetensors.index.json', listing, 'org/m'),
        (e: unknown) => e instanceof HubError && e.kind === kind,
      ));
  }
  test('refuses malformed JSON and missing weight_map', () => {
    assert.throws(
      () => shardsFromIndex('{', 'model.safetensors.index.json', listing),
      (e: unknown) => e instanceof HubError && e.kind === 'unsupported',
    );
    assert.throws(
      () => shardsFromIndex('{}', 'model.safetensors.index.json', listing),
      (e: unknown) => e instanceof HubError && /weight_map/.test(e.message),
    );
  });
});
