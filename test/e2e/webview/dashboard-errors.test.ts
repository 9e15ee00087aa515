/** The dashboard's errors table (sort, confusion-cell filter, open a row) and reliability diagram, in real Chromium under the host's CSP. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CalibrationEvent, PredictionsEvent, TrainingEvent } from '../../../src/core/contract/events.js';
import type { DashboardState } from '../../../src/protocol/webview.js';
import type { ErrorRow, ErrorTable } from '../../../src/protocol/webviews/dashboard.js';
import { WebviewHarness, type WebviewPage } from '../../helpers/webview-harness.js';
import { LABELS, runEvents, runSummary } from '../../helpers/webview-fixtures.js';

const predictions: PredictionsEvent = {
  type: 'predictions',
  split: 'eval',
  step: 12,
  path: '/ws/out/rbt3-waimai/eval_predictions.csv',
  dataFile: '/ws/data/waimai_10k.csv',
  labels: LABELS,
  rows: 40,
  errors: 4,
  abstained: 0,
  calibrated: true,
};

const bins = (acc: (c: number) => number): CalibrationEvent['before']['bins'] =>
  Array.from({ length: 15 }, (_, i) => {
    const lower = i / 15;
    const upper = (i + 1) / 15;
    const c = (lower + upper) / 2;
    return i < 7 ? { lower, upper, count: 0, confidence: 0, accuracy: 0 } : { lower, upper, count: i, confidence: c, accuracy: acc(c) };
  });

const calibration: CalibrationEvent = {
  type: 'calibration',
  split: 'eval',
  fitted: true,
  path: '/ws/out/rbt3-waimai/calibration.json',
  temperature: 1.37,
  before: { ece: 0.0812, nll: 0.4123, bins: bins((c) => c - 0.1) },
  after: { ece: 0.0231, nll: 0.3561, bins: bins((c) => c - 0.02) },
};

const row = (line: number, label: string, predicted: string, score: number, kind: ErrorRow['kind'], text = `review on line ${line}`): ErrorRow => ({
  index: line - 2,
  line,
  text,
  label,
  predicted,
  score,
  kind,
});

const table: ErrorTable = {
  path: predictions.path,
  dataFile: predictions.dataFile,
  labels: LABELS,
  rows: [
    row(31, 'negative', 'positive', 0.97, 'wrong', 'Cold fries, never again — but the driver was lovely'),
    row(12, 'positive', 'negative', 0.91, 'wrong'),
    row(7, 'negative', 'positive', 0.64, 'wrong'),
    row(25, 'positive', 'negative', 0.55, 'wrong'),
    row(40, 'positive', 'positive', 0.51, 'unsure'),
    row(3, 'negative', 'negative', 0.53, 'unsure'),
  ],
  total: 40,
  wrong: 4,
  abstained: 0,
  leftOut: 0,
  unsure: 2,
};

function state(events: TrainingEvent[]): DashboardState {
  return { run: runSummary({ status: 'done' }), events, otherRuns: [] };
}

describe('dashboard: errors table and reliability diagram', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  const lines = (p: WebviewPage): Promise<string[]> => p.texts('#errors tbody td.line');

  it('a predictions event asks for the errors table; sort by column; a confusion cell filters it; a row opens its line', () =>
    h.withPage('dashboard', {}, async (p) => {
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(runEvents(12)) });
      await p.page.locator('[data-testid="confusion-table"]').waitFor();
      assert.equal(await p.page.locator('.errors-box').isVisible(), false, 'no errors table before the final evaluation');
      assert.equal(await p.page.locator('td.count.pickable').count(), 0, 'cells do not filter before there is a table');

      await p.send({ type: 'events', runId: 'run-a', events: [predictions, calibration] });
      const req = await p.next('errorRows');
      assert.equal(req.runId, 'run-a');
      await p.respond(req, table);
      await p.page.locator('[data-testid="errors-table"]').waitFor();
      // the host's order: confident mistakes first, then the least confident right ones
      assert.deepEqual(await lines(p), ['31', '12', '7', '25', '40', '3']);
      assert.deepEqual(await p.texts('#errors tbody tr:first-child td'), [
        '31',
        'Cold fries, never again — but the driver was lovely',
        'negative',
        'positive',
        '97.0%',
      ]);
      assert.match(
        (await p.texts('#errors-caption'))[0]!,
        /^4 wrong of 40 rows \(10\.0%\)\. Showing every mistake and the 2 least confident right predictions\.$/,
      );

      // sort: score (high to low, then low to high), line, label
      await p.page.locator('th[data-key=score] button').click();
      assert.deepEqual(await lines(p), ['31', '12', '7', '25', '3', '40']);
      assert.equal(await p.page.locator('th[data-key=score]').getAttribute('aria-sort'), 'descending');
      await p.page.locator('th[data-key=score] button').click();
      assert.deepEqual(await lines(p), ['40', '3', '25', '7', '12', '31']);
      await p.page.locator('th[data-key=line] button').click();
      assert.deepEqual(await lines(p), ['3', '7', '12', '25', '31', '40']);
      await p.page.locator('th[data-key=label] button').click();
      assert.deepEqual(await lines(p), ['3', '7', '31', '12', '25', '40']);

      // the (true negative, predicted positive) cell: row 0, column 1
      const cell = p.page.locator('#confusion td.count[data-row="0"][data-col="1"]');
      await cell.click();
      assert.deepEqual(await lines(p), ['7', '31']);
      assert.equal(await cell.getAttribute('aria-pressed'), 'true');
      assert.match((await p.texts('#errors-filter'))[0]!, /Label negative predicted as positive/);
      assert.match((await p.texts('#errors-caption'))[0]!, /Filtered to negative → positive: 2 rows\.$/);
      // another cell, then the same cell again clears it
      await p.page.locator('#confusion td.count[data-row="1"][data-col="0"]').click();
      assert.deepEqual(await lines(p), ['12', '25']);
      await p.page.locator('#confusion td.count[data-row="1"][data-col="0"]').click();
      assert.equal(await p.page.locator('#confusion td.selected').count(), 0);
      assert.equal((await lines(p)).length, 6);
      // a diagonal cell: the right predictions shown; the clear button
      await p.page.locator('#confusion td.count[data-row="1"][data-col="1"]').click();
      assert.deepEqual(await lines(p), ['40']);
      await p.page.locator('#clear-filter').click();
      assert.equal((await lines(p)).length, 6);
      assert.equal(await p.page.locator('#errors-filter').isVisible(), false);
      assert.equal(await p.page.locator('#confusion td.selected').count(), 0);

      // a row (click or Enter) opens the data file at its line
      await p.page.locator('#errors tbody tr[data-line="12"]').click();
      assert.deepEqual(await p.next('openRow'), { type: 'openRow', runId: 'run-a', line: 12 });
      await p.page.locator('#errors tbody tr[data-line="25"]').focus();
      await p.page.keyboard.press('Enter');
      assert.deepEqual(await p.next('openRow'), { type: 'openRow', runId: 'run-a', line: 25 });

      // the reliability diagram: the diagonal, the bins before and after, the figures as text
      await p.waitForDrawn('reliability', 'after (T = 1.37)', 8);
      const rel = await p.chart('reliability');
      assert.deepEqual(
        rel.datasets.map((d) => d.label),
        ['perfect calibration', 'before (T = 1)', 'after (T = 1.37)'],
      );
      assert.deepEqual(rel.datasets[0]!.data, [
        { x: 0, y: 0, n: 0 },
        { x: 1, y: 1, n: 0 },
      ]);
      assert.equal(rel.datasets[1]!.data.length, 8, 'empty bins are left out');
      assert.deepEqual(rel.datasets[2]!.data[0], { x: 7.5 / 15, y: 7.5 / 15 - 0.02, n: 7 });
      assert.equal((await p.texts('#reliability-summary'))[0], 'T = 1.370 · ECE 0.0812 → 0.0231 · NLL 0.4123 → 0.3561');
      assert.equal((await p.texts('#reliability-title'))[0], 'Reliability — validation set, 84 predictions');
      await p.page.setViewportSize({ width: 1100, height: 1500 });
      await p.screenshot('dashboard-errors-reliability');
    }));

  it('a capped table says how many were left out; a failed read says why; a bootstrap with the events asks again', () =>
    h.withPage('dashboard', { theme: 'light' }, async (p) => {
      const events = [
        ...runEvents(12),
        predictions,
        { ...calibration, abstain: { threshold: 0.87, target_precision: 0.95, precision: 0.951, coverage: 0.62 } },
      ];
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(events) });
      await p.respond(await p.next('errorRows'), { ...table, total: 9000, wrong: 1700, abstained: 40, leftOut: 1240, unsure: 2 });
      await p.page.locator('[data-testid="errors-table"]').waitFor();
      assert.equal(
        (await p.texts('#errors-caption'))[0],
        '1,700 wrong of 9,000 rows (18.9%), 40 abstained. Showing the 500 most confident mistakes (1,240 more in eval_predictions.csv) and the 2 least confident right predictions.',
      );
      assert.equal((await p.texts('#reliability-abstain'))[0], 'Abstains below 87.0% confidence: precision 95.1% (target 95%) on the 62% of rows it answers.');
      await p.screenshot('dashboard-errors-light');

      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(events) });
      await p.fail(await p.next('errorRows'), '/ws/out/rbt3-waimai/eval_predictions.csv: no such file');
      await p.page.locator('#errors-caption', { hasText: 'could not be read: /ws/out/rbt3-waimai/eval_predictions.csv: no such file' }).waitFor();
      assert.equal(await p.page.locator('td.count.pickable').count(), 0);
    }));
});
