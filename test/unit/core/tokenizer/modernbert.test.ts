/**
 * ModernBERT's real tokenizer.json (byte-level BPE, NFC, `[CLS] A [SEP]` template) loads through the
 * tokenizer module and gives the ids Transformers.js gives on the same folder.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Tokenizer } from '../../../../src/core/tokenizer/index.js';

const DIR = 'test/fixtures/tokenizers/modernbert-large';

// Expected ids: Transformers.js 4.3.1 AutoTokenizer on the same folder.
const SINGLES: [string, number[]][] = [
  ['Hello world!', [50281, 12092, 1533, 2, 50282]],
  ['The food was great, but the service was slow.', [50281, 510, 2739, 369, 1270, 13, 533, 253, 2579, 369, 3468, 15, 50282]],
  ['  leading spaces and émojis 😀', [50281, 50276, 16378, 8470, 285, 3974, 6972, 75, 261, 49042, 211, 50282]],
  ['外卖很好吃', [50281, 35489, 12363, 233, 45091, 34439, 7719, 214, 50282]],
  ['ModernBERT handles 8,192 tokens.', [50281, 33824, 35, 6366, 22139, 854, 13, 14403, 21761, 15, 50282]],
  ['tab\there\nnewline', [50281, 8476, 186, 1568, 187, 1826, 1282, 50282]],
  ['[MASK] is special', [50281, 50284, 310, 2714, 50282]],
];
const PAIRS: [string, string, number[]][] = [
  ['first part', 'second part', [50281, 7053, 629, 50282, 9815, 629, 50282]],
  ['Is it good?', 'Yes.', [50281, 2513, 352, 1175, 32, 50282, 4374, 15, 50282]],
];

describe('ModernBERT tokenizer (answerdotai/ModernBERT-large tokenizer.json)', () => {
  test('special tokens, vocabulary size and padding id match config.json', async () => {
    const tok = await Tokenizer.fromFolder(DIR);
    assert.equal(tok.vocabSize, 50368);
    assert.equal(tok.padTokenId, 50283);
    assert.equal(tok.tokenToId('[CLS]'), 50281);
    assert.equal(tok.tokenToId('[SEP]'), 50282);
    assert.equal(tok.tokenToId('[MASK]'), 50284);
  });

  test('single texts: [CLS] A [SEP]', async () => {
    const tok = await Tokenizer.fromFolder(DIR);
    for (const [text, ids] of SINGLES) {
      const e = tok.encode(text);
      assert.deepEqual(e.inputIds, ids, JSON.stringify(text));
      assert.deepEqual(e.tokenTypeIds, new Array<number>(ids.length).fill(0));
    }
  });

  test('pairs: [CLS] A [SEP] B [SEP], every type id 0; truncation keeps the template', async () => {
    const tok = await Tokenizer.fromFolder(DIR);
    for (const [a, b, ids] of PAIRS) {
      const e = tok.encode(a, b);
      assert.deepEqual(e.inputIds, ids, JSON.stringify([a, b]));
      assert.deepEqual(e.tokenTypeIds, new Array<number>(ids.length).fill(0));
    }
    const cut = tok.encode('The food was great, but the service was slow.', null, { maxLength: 6 });
    assert.deepEqual(cut.inputIds, [50281, 510, 2739, 369, 1270, 50282]);
  });
});
