import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UnigramModel } from '../../../../src/core/tokenizer/unigram.js';

const tokens = (m: UnigramModel, text: string) => m.tokenize(text).map((p) => p.token);
const ids = (m: UnigramModel, text: string) => m.tokenize(text).map((p) => p.id);

describe('UnigramModel (Rust tokenizers semantics)', () => {
  // The example of Rust's `Unigram::encode` documentation.
  const doc = new UnigramModel(
    [
      ['<unk>', 0],
      ['a', 0],
      ['b', 0],
      ['c', 0],
      ['d', 0],
      ['cd', 1],
      ['ab', 2],
      ['abc', 5],
      ['abcd', 10],
    ],
    0,
    false,
  );

  test("Rust's documented example: best path, unknown run fused", () => {
    assert.deepEqual(tokens(doc, 'abcdacdxx'), ['abcd', 'a', 'cd', 'xx']);
    assert.deepEqual(ids(doc, 'abcdacdxx'), [8, 1, 5, 0]);
  });

  test('empty text has no pieces', () => {
    assert.deepEqual(doc.tokenize(''), []);
  });

  const vocab: [string, number][] = [
    ['<unk>', 0],
    ['\u2581', -2],
    ['\u2581a', -3],
    ['b', -4],
    ['bb', -8], // the same score as b + b
    ['<0xF0>', 0],
    ['<0x9F>', 0],
    ['<0x98>', 0],
    ['<0x80>', 0],
    ['\u{1F600}', -1], // an astral character in the vocabulary
  ];
  const plain = new UnigramModel(vocab, 0, false);

  const cases: { name: string; text: string; plain: string[] }[] = [
    { name: 'vocabulary pieces', text: '\u2581ab', plain: ['\u2581a', 'b'] },
    // Candidates for an end position are tried by start position: bb (from 0) comes before b (from 1).
    { name: 'a tie keeps the candidate found first', text: 'bb', plain: ['bb'] },
    { name: 'unknown characters fused into one piece', text: 'xyz', plain: ['xyz'] },
    { name: 'astral characters are one position', text: '\u{1F600}b', plain: ['\u{1F600}', 'b'] },
    { name: 'an unknown astral character', text: '\u2581\u{1F610}', plain: ['\u2581', '\u{1F610}'] },
    {
      name: 'control/byte pieces in the text match like any entry (Rust does; SentencePiece does not)',
      text: '<0xF0>',
      plain: ['<0xF0>'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(tokens(plain, c.text), c.plain);
    });
  }

  test('byte fallback gives the byte pieces when every byte is in the vocabulary', () => {
    const full = new UnigramModel([...vocab, ['<0x90>', 0]], 0, true);
    assert.deepEqual(tokens(full, '\u2581\u{1F610}'), ['\u2581', '<0xF0>', '<0x9F>', '<0x98>', '<0x90>']);
    assert.deepEqual(ids(full, '\u2581\u{1F610}'), [1, 5, 6, 7, 10]);
    // A byte missing from the vocabulary (<0x90>): no fallback, the piece is unk.
    assert.deepEqual(ids(new UnigramModel(vocab, 0, true), '\u2581\u{1F610}'), [1, 0]);
    // Without fallback the unknown text is one unk piece.
    assert.deepEqual(ids(plain, 'x\u{1F610}y'), [0]);
  });
});
