/** The errors table's sorting, filtering and caption, and the reliability diagram's points, with no DOM. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CalibrationEvent } from '../../../../src/core/contract/events.js';
import type { ErrorRow, ErrorTable } from '../../../../src/protocol/webviews/dashboard.js';
import {
  type CellFilter,
  type Sort,
  type SortKey,
  errorsCaption,
  filterRows,
  nextSort,
  predictedText,
  reliabilityView,
  sortRows,
} from '../../../../webview/dashboard/errors-view-model.js';

const r = (line: number, text: string, label: string, predicted: string, score: number, kind: ErrorRow['kind'] = 'wrong'): ErrorRow => ({
  index: line - 2,
  line,
  text,
  label,
  predicted,
  score,
  kind,
});

const rows = [
  r(9, 'b text', 'neg', 'pos', 0.9),
  r(3, 'a text', 'pos', 'neg', 0.7),
  r(12, 'C text', 'neg', 'pos', 0.7),
  r(5, 'text 10', 'pos', 'pos', 0.5, 'unsure'),
];

describe('sortRows', () => {
  const table: [string, Sort | undefined, number[]][] = [
    ["none: the host's order", undefined, [9, 3, 12, 5]],
    ['score, high to low (ties by line)', { key: 'score', dir: 'desc' }, [9, 3, 12, 5]],
    ['score, low to high', { key: 'score', dir: 'asc' }, [5, 3, 12, 9]],
    ['line', { key: 'line', dir: 'asc' }, [3, 5, 9, 12]],
    ['text: case-insensitive', { key: 'text', dir: 'asc' }, [3, 9, 12, 5]],
    ['label, Z to A (ties by line)', { key: 'label', dir: 'desc' }, [3, 5, 9, 12]],
    ['predicted', { key: 'predicted', dir: 'asc' }, [3, 5, 9, 12]],
  ];
  for (const [name, sort, want] of table)
    test(name, () =>
      assert.deepEqual(
        sortRows(rows, sort).map((x) => x.line),
        want,
      ),
    );
  test('the rows given are not reordered', () => {
    sortRows(rows, { key: 'line', dir: 'asc' });
    assert.deepEqual(
      rows.map((x) => x.line),
      [9, 3, 12, 5],
    );
  });
});

describe('nextSort', () => {
  const table: [Sort | undefined, SortKey, Sort][] = [
    [undefined, 'score', { key: 'score', dir: 'desc' }],
    [undefined, 'text', { key: 'text', dir: 'asc' }],
    [{ key: 'score', dir: 'desc' }, 'score', { key: 'score', dir: 'asc' }],
    [{ key: 'text', dir: 'asc' }, 'text', { key: 'text', dir: 'desc' }],
    [{ key: 'text', dir: 'desc' }, 'line', { key: 'line', dir: 'asc' }],
  ];
  for (const [cur, key, want] of table) test(`${JSON.stringify(cur)} + ${key}`, () => assert.deepEqual(nextSort(cur, key), want));
});

describe('filterRows', () => {
  const table: [CellFilter | undefined, number[]][] = [
    [undefined, [9, 3, 12, 5]],
    [{ label: 'neg', predicted: 'pos' }, [9, 12]],
    [{ label: 'pos', predicted: 'neg' }, [3]],
    [{ label: 'pos', predicted: 'pos' }, [5]],
    [{ label: 'neg', predicted: 'neg' }, []],
  ];
  for (const [f, want] of table)
    test(JSON.stringify(f), () =>
      assert.deepEqual(
        filterRows(rows, f).map((x) => x.line),
        want,
      ),
    );
});

describe('errorsCaption', () => {
  const t = (over: Partial<ErrorTable>): ErrorTable => ({
    path: '/o/eval_predictions.csv',
    dataFile: '/d.csv',
    labels: ['neg', 'pos'],
    rows,
    total: 40,
    wrong: 3,
    abstained: 0,
    leftOut: 0,
    unsure: 1,
    ...over,
  });
  const table: [string, ErrorTable, number, CellFilter | undefined, string][] = [
    ['everything', t({}), 4, undefined, '3 wrong of 40 rows (7.5%). Showing every mistake and the 1 least confident right predictions.'],
    ['no right rows', t({ unsure: 0 }), 3, undefined, '3 wrong of 40 rows (7.5%). Showing every mistake.'],
    [
      'capped, abstained',
      t({ total: 12_000, wrong: 900, abstained: 20, leftOut: 420, unsure: 50 }),
      4,
      undefined,
      '900 wrong of 12,000 rows (7.5%), 20 abstained. Showing the 500 most confident mistakes (420 more in eval_predictions.csv) and the 50 least confident right predictions.',
    ],
    [
      'filtered',
      t({}),
      1,
      { label: 'pos', predicted: 'neg' },
      '3 wrong of 40 rows (7.5%). Showing every mistake and the 1 least confident right predictions. Filtered to pos → neg: 1 row.',
    ],
    ['no rows', t({ total: 0, wrong: 0, unsure: 0 }), 0, undefined, '0 wrong of 0 rows (0.0%). Showing every mistake.'],
  ];
  for (const [name, tab, shown, f, want] of table) test(name, () => assert.equal(errorsCaption(tab, shown, f), want));
  test('an abstained row says so instead of a label', () => {
    assert.equal(predictedText(r(1, 't', 'neg', '', 0.4, 'abstained')), 'abstained');
    assert.equal(predictedText(r(1, 't', 'neg', 'pos', 0.4)), 'pos');
  });
});

describe('reliabilityView', () => {
  const bin = (lower: number, count: number, confidence: number, accuracy: number): CalibrationEvent['before']['bins'][number] => ({
    lower,
    upper: lower + 0.5,
    count,
    confidence,
    accuracy,
  });
  const e: CalibrationEvent = {
    type: 'calibration',
    split: 'eval',
    fitted: true,
    path: '/o/calibration.json',
    temperature: 1.5,
    before: { ece: 0.1, nll: 0.5, bins: [bin(0, 0, 0, 0), bin(0.5, 10, 0.9, 0.8)] },
    after: { ece: 0.02, nll: 0.45, bins: [bin(0, 2, 0.45, 0.5), bin(0.5, 8, 0.82, 0.8)] },
  };
  test('non-empty bins at (confidence, accuracy), the figures as text', () => {
    assert.deepEqual(reliabilityView(e), {
      title: 'Reliability — validation set, 10 predictions',
      before: [{ x: 0.9, y: 0.8, n: 10 }],
      after: [
        { x: 0.45, y: 0.5, n: 2 },
        { x: 0.82, y: 0.8, n: 8 },
      ],
      summary: 'T = 1.500 · ECE 0.1000 → 0.0200 · NLL 0.5000 → 0.4500',
      abstain: '',
    });
  });
  test('a test split with an abstain rule', () => {
    const v = reliabilityView({ ...e, split: 'test', abstain: { threshold: 0.9, target_precision: 0.99, precision: 0.991, coverage: 0.4 } });
    assert.equal(v.title, 'Reliability — test set, 10 predictions');
    assert.equal(v.abstain, 'Abstains below 90.0% confidence: precision 99.1% (target 99%) on the 40% of rows it answers.');
  });
});
