/** The errors table from a prediction table: which rows, in which order, the cap, and which table a run shows. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { PredictionsEvent, TrainingEvent } from '../../../src/core/contract/events.js';
import { errorTable, latestPredictions, readErrorTable } from '../../../src/extension/prediction-rows.js';

const header = ['index', 'line', 'text', 'label', 'predicted', 'score', 'p(neg)', 'p(pos)', 'correct', 'abstained', 'note'];
const rows: string[][] = [
  ['0', '2', 'good', 'pos', 'pos', '0.9', '0.1', '0.9', 'true', 'false', ''],
  ['1', '3', 'bad', 'pos', 'neg', '0.8', '0.8', '0.2', 'false', 'false', ''],
  ['2', '5', 'multi\nline', 'neg', 'pos', '0.95', '0.05', '0.95', 'false', 'false', ''],
  ['3', '6', 'meh', 'neg', '', '0.55', '0.55', '0.45', '', 'true', ''],
  ['4', '7', 'fine', 'neg', 'neg', '0.6', '0.6', '0.4', 'true', 'false', ''],
  ['5', '8', '', '', '', '', '', '', '', '', 'not predicted: empty text'],
  ['6', '9', 'unlabelled', '', 'pos', '0.7', '0.3', '0.7', '', 'false', 'no label'],
  ['7', '10', 'wrong too', 'neg', 'pos', '0.8', '0.2', '0.8', 'false', 'false', ''],
];
const meta = { path: '/o/eval_predictions.csv', dataFile: '/d.csv', labels: ['neg', 'pos'] };

describe('errorTable', () => {
  const table: [string, { wrong: number; unsure: number }, number[], Partial<ReturnType<typeof errorTable>>][] = [
    [
      'wrong (most confident first, ties in file order), abstained, then the least confident right ones',
      { wrong: 500, unsure: 50 },
      [2, 1, 7, 3, 4, 0],
      { total: 6, wrong: 3, abstained: 1, leftOut: 0, unsure: 2 },
    ],
    ['capped: the most confident mistakes kept', { wrong: 2, unsure: 1 }, [2, 1, 4], { total: 6, wrong: 3, abstained: 1, leftOut: 2, unsure: 1 }],
    ['no right rows asked for', { wrong: 500, unsure: 0 }, [2, 1, 7, 3], { unsure: 0, leftOut: 0 }],
  ];
  for (const [name, caps, indices, want] of table) {
    test(name, () => {
      const t = errorTable({ columns: header, rows }, meta, caps);
      assert.deepEqual(
        t.rows.map((x) => x.index),
        indices,
      );
      for (const [k, v] of Object.entries(want)) assert.deepEqual(t[k as keyof typeof t], v, k);
    });
  }
  test('a row as the table shows it', () => {
    const t = errorTable({ columns: header, rows }, meta);
    assert.deepEqual(t.rows[0], { index: 2, line: 5, text: 'multi\nline', label: 'neg', predicted: 'pos', score: 0.95, kind: 'wrong' });
    assert.deepEqual(t.rows[3], { index: 3, line: 6, text: 'meh', label: 'neg', predicted: '', score: 0.55, kind: 'abstained' });
    assert.equal(t.dataFile, '/d.csv');
  });
  test('pairs carry their second text', () => {
    const t = errorTable(
      {
        columns: ['index', 'line', 'text', 'text_pair', 'label', 'predicted', 'score', 'correct', 'note'],
        rows: [['0', '2', 'a', 'b', 'x', 'y', '0.7', 'false', '']],
      },
      meta,
    );
    assert.deepEqual(t.rows[0], { index: 0, line: 2, text: 'a', pair: 'b', label: 'x', predicted: 'y', score: 0.7, kind: 'wrong' });
  });
  test('read from the CSV the run wrote (quoted multi-line text)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finetune-errors-'));
    const path = join(dir, 'eval_predictions.csv');
    const cell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    writeFileSync(path, [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n');
    const e: PredictionsEvent = {
      type: 'predictions',
      split: 'eval',
      step: 3,
      path,
      dataFile: '/d.csv',
      labels: ['neg', 'pos'],
      rows: 7,
      errors: 3,
      abstained: 1,
      calibrated: true,
    };
    const t = await readErrorTable(e);
    assert.deepEqual(
      t.rows.map((x) => [x.line, x.text, x.kind]),
      [
        [5, 'multi\nline', 'wrong'],
        [3, 'bad', 'wrong'],
        [10, 'wrong too', 'wrong'],
        [6, 'meh', 'abstained'],
        [7, 'fine', 'unsure'],
        [2, 'good', 'unsure'],
      ],
    );
  });
});

describe('latestPredictions', () => {
  const p = (split: 'eval' | 'test', step: number): PredictionsEvent => ({
    type: 'predictions',
    split,
    step,
    path: `/o/${split}-${step}.csv`,
    dataFile: '/d.csv',
    labels: [],
    rows: 1,
    errors: 0,
    abstained: 0,
    calibrated: false,
  });
  const table: [string, TrainingEvent[], string | undefined][] = [
    ['none', [{ type: 'info', message: 'x' }], undefined],
    ['the last eval table', [p('eval', 3), p('eval', 6), p('test', 6)], '/o/eval-6.csv'],
    ['a test table when there is no eval one', [p('test', 6)], '/o/test-6.csv'],
  ];
  for (const [name, events, want] of table) test(name, () => assert.equal(latestPredictions(events)?.path, want));
});
