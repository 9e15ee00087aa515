import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import { planFromPostProcessor } from '../../../../src/core/tokenizer/postprocess.js';

const template = {
  type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
  pair: [
    { SpecialToken: { id: '[CLS]', type_id: 0 } },
    { Sequence: { id: 'A', type_id: 0 } },
    { SpecialToken: { id: '[SEP]', type_id: 0 } },
    { Sequence: { id: 'B', type_id: 1 } },
    { SpecialToken: { id: '[SEP]', type_id: 1 } },
  ],
  special_tokens: { '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] } },
};
const A = [1, 2];
const B = [3];

describe('special-token plans', () => {
  const cases: {
    name: string;
    pp: unknown;
    added: [number, number];
    single: [number[], number[]];
    pair: [number[], number[]];
    pairNoSpecial: [number[], number[]];
  }[] = [
    {
      name: 'TemplateProcessing (BERT)',
      pp: template,
      added: [2, 3],
      single: [
        [101, 1, 2, 102],
        [0, 0, 0, 0],
      ],
      pair: [
        [101, 1, 2, 102, 3, 102],
        [0, 0, 0, 0, 1, 1],
      ],
      pairNoSpecial: [
        [1, 2, 3],
        [0, 0, 1],
      ],
    },
    {
      name: 'BertProcessing',
      pp: { type: 'BertProcessing', cls: ['[CLS]', 101], sep: ['[SEP]', 102] },
      added: [2, 3],
      single: [
        [101, 1, 2, 102],
        [0, 0, 0, 0],
      ],
      pair: [
        [101, 1, 2, 102, 3, 102],
        [0, 0, 0, 0, 1, 1],
      ],
      pairNoSpecial: [
        [1, 2, 3],
        [0, 0, 1],
      ],
    },
    {
      name: 'RobertaProcessing (all type ids 0)',
      pp: { type: 'RobertaProcessing', cls: ['<s>', 0], sep: ['</s>', 2], trim_offsets: true, add_prefix_space: true },
      added: [2, 4],
      single: [
        [0, 1, 2, 2],
        [0, 0, 0, 0],
      ],
      pair: [
        [0, 1, 2, 2, 2, 3, 2],
        [0, 0, 0, 0, 0, 0, 0],
      ],
      pairNoSpecial: [
        [1, 2, 3],
        [0, 0, 0],
      ],
    },
    {
      name: 'Sequence [ByteLevel, TemplateProcessing]',
      pp: { type: 'Sequence', processors: [{ type: 'ByteLevel', trim_offsets: false }, template] },
      added: [2, 3],
      single: [
        [101, 1, 2, 102],
        [0, 0, 0, 0],
      ],
      pair: [
        [101, 1, 2, 102, 3, 102],
        [0, 0, 0, 0, 1, 1],
      ],
      pairNoSpecial: [
        [1, 2, 3],
        [0, 0, 1],
      ],
    },
    {
      name: 'no post_processor',
      pp: null,
      added: [0, 0],
      single: [
        [1, 2],
        [0, 0],
      ],
      pair: [
        [1, 2, 3],
        [0, 0, 0],
      ],
      pairNoSpecial: [
        [1, 2, 3],
        [0, 0, 0],
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planFromPostProcessor(c.pp, 'tokenizer.json');
      assert.deepEqual([plan.numAdded(false), plan.numAdded(true)], c.added);
      const single = plan.build(A, null, true, 'fast');
      assert.deepEqual([single.ids, single.typeIds], c.single);
      const pair = plan.build(A, B, true, 'fast');
      assert.deepEqual([pair.ids, pair.typeIds], c.pair);
      const none = plan.build(A, B, false, 'fast');
      assert.deepEqual([none.ids, none.typeIds], c.pairNoSpecial);
      // slow (Python) without special tokens: all type ids 0
      assert.deepEqual(plan.build(A, B, false, 'slow').typeIds, [0, 0, 0]);
    });
  }

  test('multi-id special tokens count fully', () => {
    const pp = {
      ...template,
      special_tokens: { ...template.special_tokens, '[CLS]': { id: '[CLS]', ids: [7, 8], tokens: ['x', 'y'] } },
    };
    const plan = planFromPostProcessor(pp, 'tokenizer.json');
    assert.equal(plan.numAdded(false), 3);
    assert.deepEqual(plan.build([1], null, true, 'fast').ids, [7, 8, 1, 102]);
  });

  const bad: { name: string; pp: unknown; code: string }[] = [
    { name: 'template uses an undefined special token', pp: { ...template, special_tokens: {} }, code: 'malformed-file' },
    { name: 'template is not an array', pp: { ...template, single: 'x' }, code: 'malformed-file' },
    { name: 'BertProcessing without ids', pp: { type: 'BertProcessing', cls: ['[CLS]'], sep: ['[SEP]', 102] }, code: 'malformed-file' },
    { name: 'unknown type', pp: { type: 'Whatever' }, code: 'unsupported' },
  ];
  for (const c of bad) {
    test(`error: ${c.name} (names the file)`, () => {
      assert.throws(
        () => planFromPostProcessor(c.pp, '/m/tokenizer.json'),
        (e: unknown) => e instanceof TokenizerError && e.code === c.code && e.path === '/m/tokenizer.json' && e.message.includes('/m/tokenizer.json'),
      );
    });
  }
});
