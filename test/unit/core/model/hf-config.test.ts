/** config.json label maps as transformers 4.x and 5.x write them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseHfConfig, toHfConfig } from '../../../../src/core/model/hf-config.js';

describe('id2label names', () => {
  const cases: { name: string; id2label: Record<string, unknown>; names: string[] }[] = [
    { name: 'strings', id2label: { 0: 'neg', 1: 'pos' }, names: ['neg', 'pos'] },
    { name: "integers (run_classification.py's integer labels)", id2label: { 0: 0, 1: 1 }, names: ['0', '1'] },
    { name: 'negative and large integers', id2label: { 0: -1, 1: 10 }, names: ['-1', '10'] },
    { name: 'floats', id2label: { 0: 0.5, 1: 2.5 }, names: ['0.5', '2.5'] },
    { name: "booleans (Python's str: True / False)", id2label: { 0: false, 1: true }, names: ['False', 'True'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const cfg = parseHfConfig({ model_type: 'bert', id2label: c.id2label });
      assert.deepEqual(Object.values(cfg.id2label), c.names);
      assert.deepEqual(cfg.label2id, Object.fromEntries(c.names.map((n, i) => [n, i])));
      assert.equal(cfg.num_labels, c.names.length);
    });
  }

  test('a config saved with integer names writes them back as integers (the labels unchanged)', () => {
    const raw = { model_type: 'bert', id2label: { 0: 0, 1: 1 }, label2id: { 0: 0, 1: 1 } };
    const out = toHfConfig(parseHfConfig(raw));
    assert.deepEqual(out.id2label, { 0: 0, 1: 1 });
    assert.deepEqual(out.label2id, { 0: 0, 1: 1 });
  });

  test('changed labels are written as the new names', () => {
    const cfg = parseHfConfig({ model_type: 'bert', id2label: { 0: 0, 1: 1 }, label2id: { 0: 0, 1: 1 } });
    const out = toHfConfig({ ...cfg, id2label: { 0: 'a', 1: 'b' }, label2id: { a: 0, b: 1 } });
    assert.deepEqual(out.id2label, { 0: 'a', 1: 'b' });
  });

  test('objects and repeated names are refused with the file named', () => {
    assert.throws(
      () => parseHfConfig({ model_type: 'bert', id2label: { 0: { x: 1 }, 1: 'b' } }, 'm/config.json'),
      (e: unknown) => e instanceof ConfigError && /m\/config.json: "id2label"\["0"\] must be a label name/.test(e.message),
    );
    assert.throws(() => parseHfConfig({ model_type: 'bert', id2label: { 0: 1, 1: '1' } }), /names the same label twice/);
  });
});
