import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenizerError } from '../../../../src/core/tokenizer/errors.js';
import { truncateIds, type TruncationStrategy } from '../../../../src/core/tokenizer/truncation.js';

const seq = (n: number, start = 0) => Array.from({ length: n }, (_, i) => start + i);

describe('longest_first on pairs, budget 7', () => {
  // [len A, len B, fast (Rust tokenizers' own unit test table), slow (Python, one token at a time)]
  const table: [number, number, [number, number], [number, number]][] = [
    [0, 0, [0, 0], [0, 0]],
    [0, 2, [0, 2], [0, 2]],
    [0, 4, [0, 4], [0, 4]],
    [0, 8, [0, 7], [0, 7]],
    [2, 0, [2, 0], [2, 0]],
    [2, 2, [2, 2], [2, 2]],
    [2, 4, [2, 4], [2, 4]],
    [2, 8, [2, 5], [2, 5]],
    [4, 0, [4, 0], [4, 0]],
    [4, 2, [4, 2], [4, 2]],
    [4, 4, [3, 4], [4, 3]],
    [4, 8, [3, 4], [4, 3]],
    [8, 0, [7, 0], [7, 0]],
    [8, 2, [5, 2], [5, 2]],
    [8, 4, [4, 3], [4, 3]],
    [8, 8, [3, 4], [4, 3]],
  ];
  for (const [na, nb, fast, slow] of table) {
    test(`A=${na} B=${nb}: fast ${fast.join('+')}, slow ${slow.join('+')}`, () => {
      const a = seq(na);
      const b = seq(nb, 100);
      const f = truncateIds(a, b, 7, 'longest_first', 'right', 'fast');
      assert.deepEqual(f, { a: a.slice(0, fast[0]), b: b.slice(0, fast[1]) });
      const s = truncateIds(a, b, 7, 'longest_first', 'right', 'slow');
      assert.deepEqual(s, { a: a.slice(0, slow[0]), b: b.slice(0, slow[1]) });
    });
  }
});

describe('strategies', () => {
  const cases: {
    name: string;
    a: number;
    b: number | null;
    budget: number;
    strategy: TruncationStrategy;
    side?: 'left' | 'right';
    expected: { a: number[]; b: number[] | null };
  }[] = [
    { name: 'single longest_first', a: 10, b: null, budget: 4, strategy: 'longest_first', expected: { a: [0, 1, 2, 3], b: null } },
    { name: 'single longest_first, left', a: 10, b: null, budget: 4, strategy: 'longest_first', side: 'left', expected: { a: [6, 7, 8, 9], b: null } },
    { name: 'single fits', a: 3, b: null, budget: 4, strategy: 'only_first', expected: { a: [0, 1, 2], b: null } },
    { name: 'only_first', a: 6, b: 3, budget: 5, strategy: 'only_first', expected: { a: [0, 1], b: [100, 101, 102] } },
    { name: 'only_second', a: 3, b: 6, budget: 5, strategy: 'only_second', expected: { a: [0, 1, 2], b: [100, 101] } },
    { name: 'only_second, left', a: 3, b: 6, budget: 5, strategy: 'only_second', side: 'left', expected: { a: [0, 1, 2], b: [104, 105] } },
    { name: 'pair longest_first, left', a: 6, b: 6, budget: 6, strategy: 'longest_first', side: 'left', expected: { a: [3, 4, 5], b: [103, 104, 105] } },
    { name: 'budget 0 empties both (Rust special case)', a: 3, b: 2, budget: 0, strategy: 'only_first', expected: { a: [], b: [] } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const b = c.b === null ? null : seq(c.b, 100);
      assert.deepEqual(truncateIds(seq(c.a), b, c.budget, c.strategy, c.side ?? 'right', 'fast'), c.expected);
    });
  }

  const errors: { name: string; a: number; b: number | null; strategy: TruncationStrategy; re: RegExp }[] = [
    { name: 'only_first, first too short', a: 2, b: 8, strategy: 'only_first', re: /too short/ },
    { name: 'only_first, first exactly as long as the excess', a: 3, b: 7, strategy: 'only_first', re: /too short/ },
    { name: 'only_second, second too short', a: 8, b: 2, strategy: 'only_second', re: /too short/ },
    { name: 'only_second without a pair', a: 9, b: null, strategy: 'only_second', re: /Second sequence not provided/ },
  ];
  for (const c of errors) {
    test(`fast raises: ${c.name}`, () => {
      const b = c.b === null ? null : seq(c.b, 100);
      assert.throws(
        () => truncateIds(seq(c.a), b, 7, c.strategy, 'right', 'fast'),
        (e: unknown) => e instanceof TokenizerError && e.code === 'truncation' && c.re.test(e.message),
      );
      // slow (Python) logs an error and returns the ids untouched
      assert.deepEqual(truncateIds(seq(c.a), b, 7, c.strategy, 'right', 'slow'), { a: seq(c.a), b });
    });
  }

  test('inputs are not modified and results are copies', () => {
    const a = seq(5);
    const b = seq(5, 100);
    const r = truncateIds(a, b, 20, 'longest_first');
    assert.notEqual(r.a, a);
    r.a.push(99);
    assert.deepEqual(a, seq(5));
  });
});
