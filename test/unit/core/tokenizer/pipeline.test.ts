import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNormalizer, createPreTokenizer, metaspaceDecodeChain, splitOnChars } from '../../../../src/core/tokenizer/pipeline.js';

const M = '\u2581';

describe('splitOnChars (Rust NormalizedString::split with a char pattern)', () => {
  // The table of Rust's own split test on "The-final--countdown".
  const rows = [
    ['removed', ['The', 'final', 'countdown']],
    ['isolated', ['The', '-', 'final', '-', '-', 'countdown']],
    ['merged_with_previous', ['The-', 'final-', '-', 'countdown']],
    ['merged_with_next', ['The', '-final', '-', '-countdown']],
    ['contiguous', ['The', '-', 'final', '--', 'countdown']],
  ] as const;
  for (const [behavior, expected] of rows) {
    test(behavior, () =>
      assert.deepEqual(
        splitOnChars('The-final--countdown', (c) => c === '-', behavior),
        expected,
      ),
    );
  }
  test('match at the end, and no text', () => {
    assert.deepEqual(
      splitOnChars('a-', (c) => c === '-', 'merged_with_next'),
      ['a', '-'],
    );
    assert.deepEqual(
      splitOnChars('', (c) => c === '-', 'isolated'),
      [],
    );
  });
});

describe('createNormalizer', () => {
  const run = (json: unknown, text: string) => (createNormalizer(json, 'tokenizer.json') as (t: string) => string)(text);
  const rows: { name: string; json: unknown; text: string; out: string }[] = [
    {
      name: 'Strip trims White_Space (U+0085 yes, U+FEFF no)',
      json: { type: 'Strip', strip_left: true, strip_right: true },
      text: '\u0085\u3000 a \u00a0\ufeff',
      out: 'a \u00a0\ufeff',
    },
    { name: 'Strip right only', json: { type: 'Strip', strip_left: false, strip_right: true }, text: '  a  ', out: '  a' },
    { name: 'Lowercase char by char: no final sigma', json: { type: 'Lowercase' }, text: 'ΟΔΟΣ', out: 'οδοσ' },
    { name: 'Replace regex', json: { type: 'Replace', pattern: { Regex: ' {2,}' }, content: M }, text: 'a  b   c d', out: `a${M}b${M}c d` },
    { name: 'Replace string', json: { type: 'Replace', pattern: { String: '``' }, content: '"' }, text: '``a``', out: '"a"' },
    { name: 'Prepend leaves an empty text empty', json: { type: 'Prepend', prepend: M }, text: '', out: '' },
    { name: 'Prepend', json: { type: 'Prepend', prepend: M }, text: 'a', out: `${M}a` },
    { name: 'NFKC', json: { type: 'NFKC' }, text: 'ﬁ①', out: 'fi1' },
    { name: 'StripAccents drops marks', json: { type: 'StripAccents' }, text: 'e\u0301', out: 'e' },
    {
      name: 'Sequence in order',
      json: { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'Strip', strip_left: true, strip_right: true }] },
      text: ' AB ',
      out: 'ab',
    },
    { name: 'null: identity', json: null, text: ' A ', out: ' A ' },
  ];
  for (const r of rows) test(r.name, () => assert.equal(run(r.json, r.text), r.out));

  test('a component it does not know: null (the library keeps its own)', () => {
    assert.equal(createNormalizer({ type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'ByteLevel' }] }, 'x'), null);
    assert.equal(createNormalizer({ type: 'Replace', pattern: { Regex: '(' }, content: '' }, 'x'), null);
  });
});

describe('createPreTokenizer', () => {
  const run = (json: unknown, text: string, section = 0) => (createPreTokenizer(json) as (t: string, s: number) => string[])(text, section);
  const metaspace = { type: 'Metaspace', replacement: M, prepend_scheme: 'always', split: true };
  const rows: { name: string; json: unknown; text: string; section?: number; out: string[] }[] = [
    { name: 'Metaspace splits before each ▁', json: metaspace, text: 'Hello  big world', out: [`${M}Hello`, M, `${M}big`, `${M}world`] },
    { name: 'Metaspace keeps a trailing space as ▁', json: metaspace, text: 'a ', out: [`${M}a`, M] },
    { name: 'Metaspace: no prepend when the text starts with ▁', json: metaspace, text: ' a', out: [`${M}a`] },
    { name: 'Metaspace on an empty text', json: metaspace, text: '', out: [] },
    { name: 'Metaspace split false', json: { ...metaspace, split: false }, text: 'a b', out: [`${M}a${M}b`] },
    {
      name: 'Metaspace without split: split defaults to true',
      json: { type: 'Metaspace', replacement: M, add_prefix_space: true },
      text: 'a b',
      out: [`${M}a`, `${M}b`],
    },
    { name: 'prepend_scheme first: only the first section', json: { ...metaspace, prepend_scheme: 'first' }, text: 'a', section: 1, out: ['a'] },
    { name: 'add_prefix_space false: never', json: { type: 'Metaspace', replacement: M, add_prefix_space: false }, text: 'a b', out: ['a', `${M}b`] },
    { name: 'Punctuation isolates each mark', json: { type: 'Punctuation', behavior: 'Isolated' }, text: 'Hi!?, ok', out: ['Hi', '!', '?', ',', ' ok'] },
    {
      name: 'Punctuation then Metaspace (DeBERTa split_by_punct): each piece gets its ▁',
      json: { type: 'Sequence', pretokenizers: [{ type: 'Punctuation', behavior: 'Isolated' }, metaspace] },
      text: 'temp = 21.5',
      out: [`${M}temp`, M, `${M}=`, `${M}21`, `${M}.`, `${M}5`],
    },
    { name: 'WhitespaceSplit', json: { type: 'WhitespaceSplit' }, text: ' a\u3000b\n', out: ['a', 'b'] },
  ];
  for (const r of rows) test(r.name, () => assert.deepEqual(run(r.json, r.text, r.section), r.out));

  test('a pre-tokenizer it does not know: null', () => {
    assert.equal(createPreTokenizer({ type: 'ByteLevel' }), null);
    assert.equal(createPreTokenizer({ type: 'Metaspace', replacement: 'ab' }), null);
  });
});

describe('metaspaceDecodeChain', () => {
  test('every ▁ of the first token is dropped, later ones become spaces', () => {
    const chain = metaspaceDecodeChain({ type: 'Metaspace', replacement: M, prepend_scheme: 'always', split: true });
    assert.deepEqual(chain?.([`${M}${M}Hi`, `${M}there`, '!']), ['Hi', ' there', '!']);
  });
  test("prepend_scheme never keeps the first token's spaces", () => {
    const chain = metaspaceDecodeChain({ type: 'Metaspace', replacement: M, prepend_scheme: 'never', split: true });
    assert.deepEqual(chain?.([`${M}Hi`]), [' Hi']);
  });
  test('not a Metaspace decoder: null', () => assert.equal(metaspaceDecodeChain({ type: 'WordPiece' }), null));
});
