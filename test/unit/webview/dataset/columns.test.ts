import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { columnShares, gridColumns } from '../../../../webview/dataset/columns.js';

describe('data table column widths', () => {
  const cases: { name: string; columns: string[]; rows: string[][]; shares: number[] }[] = [
    {
      name: 'a label column stays narrow beside a text column',
      columns: ['label', 'text'],
      rows: [
        ['ham', 'Go until jurong point, crazy.. Available only in bugis n great world la e buffet'],
        ['spam', 'Free entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005'],
        ['ham', 'Ok lar... Joking wif u oni...'],
      ],
      shares: [4, 60],
    },
    { name: 'the header counts (one short cell)', columns: ['sentence'], rows: [['ok']], shares: [8] },
    { name: 'no rows: the header alone, at least 4', columns: ['y', 'premise'], rows: [], shares: [4, 7] },
    { name: 'missing cells count as empty (ragged rows)', columns: ['a', 'b'], rows: [['x'], ['y'], ['z']], shares: [4, 4] },
    { name: 'characters, not UTF-16 units', columns: ['t'], rows: [['😀😀😀😀😀😀'], ['😀😀😀😀😀😀']], shares: [6] },
    { name: 'the median, not a single long outlier', columns: ['t'], rows: [['aaaaa'], ['aaaaa'], ['a'.repeat(5000)]], shares: [5] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(columnShares(c.columns, c.rows), c.shares));

  test('only the first 200 rows are read', () => {
    const rows = [...Array.from({ length: 200 }, () => ['short']), ...Array.from({ length: 1000 }, () => ['a'.repeat(50)])];
    assert.deepEqual(columnShares(['t'], rows), [5]);
  });

  test('template: the row number, then each share with a minimum (wider for text columns)', () => {
    assert.deepEqual(gridColumns([5, 60]), { template: '4em minmax(6em, 5fr) minmax(10em, 60fr)', minWidth: '20em' });
    assert.deepEqual(gridColumns([]), { template: '4em', minWidth: '4em' });
  });
});
