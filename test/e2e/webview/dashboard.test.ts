/** The run dashboard in real Chromium under the host's CSP: live charts, confusion matrix, log, overlay. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TrainingEvent } from '../../../src/core/contract/events.js';
import type { DashboardState } from '../../../src/protocol/webview.js';
import { WebviewHarness, type ChartSnapshot, type WebviewPage } from '../../helpers/webview-harness.js';
import { evalEvent, logEvent, progress, runEvents, runSummary, startEvent } from '../../helpers/webview-fixtures.js';

function state(events: TrainingEvent[], over: Partial<DashboardState> = {}): DashboardState {
  return { run: runSummary(), events, otherRuns: [runSummary({ runId: 'run-b', name: 'bert-mini', status: 'done' })], ...over };
}

const byLabel = (c: ChartSnapshot, label: string): ChartSnapshot['datasets'][number] => {
  const d = c.datasets.find((x) => x.label === label);
  assert.ok(d, `dataset "${label}" in ${c.datasets.map((x) => x.label).join(', ')}`);
  return d;
};

describe('dashboard page', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  const withPage = (fn: (p: WebviewPage) => Promise<void>, theme: 'dark' | 'light' = 'dark'): Promise<void> => h.withPage('dashboard', { theme }, fn);

  it('updates the charts, progress, confusion matrix and log from progress / log / eval events, incrementally', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state([{ type: 'stage', stage: 'tokenize', message: 'Tokenized 280 rows' }, startEvent()]) });
      await p.page.locator('#step', { hasText: '0 / 12' }).waitFor();
      assert.equal((await p.texts('#status'))[0], 'running');
      assert.equal(await p.page.locator('#cancel').isVisible(), true);
      // tag the chart objects: an incremental update keeps them
      await p.page.evaluate(() => {
        const charts = (globalThis as unknown as { __finetune: { charts: Record<string, Record<string, unknown>> } }).__finetune.charts;
        for (const c of Object.values(charts)) c.__tag = 'first';
      });

      await p.send({ type: 'events', runId: 'run-a', events: [progress(1), progress(2), logEvent(2), progress(3), progress(4), logEvent(4)] });
      await p.waitForDrawn('loss', 'loss', 4);
      await p.waitForDrawn('lr', 'learning rate', 2);
      const loss = await p.chart('loss');
      assert.deepEqual(byLabel(loss, 'loss').data, [
        { x: 1, y: 0.66 },
        { x: 2, y: 0.62 },
        { x: 3, y: 0.58 },
        { x: 4, y: 0.54 },
      ]);
      assert.deepEqual(byLabel(loss, 'loss (logged)').data, [
        { x: 2, y: 0.63 },
        { x: 4, y: 0.55 },
      ]);
      assert.equal(byLabel(loss, 'eval loss').data.length, 0);
      const lr = await p.chart('lr');
      assert.deepEqual(byLabel(lr, 'learning rate').data, [
        { x: 2, y: 2e-5 * (1 - 2 / 12) },
        { x: 4, y: 2e-5 * (1 - 4 / 12) },
      ]);
      assert.deepEqual(byLabel(lr, 'grad norm').data, [
        { x: 2, y: 1.85 },
        { x: 4, y: 1.65 },
      ]);
      assert.equal((await p.texts('#step'))[0], '4 / 12');
      assert.equal((await p.texts('#epoch'))[0], '1.00 / 3');
      assert.equal((await p.texts('#eta'))[0], '00:12');
      assert.equal(await p.prop('#progress', 'value'), 4);
      assert.equal(await p.prop('#progress', 'max'), 12);

      await p.send({
        type: 'events',
        runId: 'run-a',
        events: [evalEvent(1), { type: 'checkpoint', step: 4, path: '/ws/out/rbt3-waimai/checkpoint-4', removed: [] }],
      });
      await p.waitForDrawn('eval', 'f1', 1);
      const ev = await p.chart('eval');
      assert.deepEqual(
        ev.datasets.map((d) => d.label),
        ['accuracy', 'precision', 'recall', 'f1'],
      );
      assert.deepEqual(byLabel(ev, 'accuracy').data, [{ x: 4, y: 0.75 }]);
      assert.deepEqual(byLabel(await p.chart('loss'), 'eval loss').data, [{ x: 4, y: 0.5 }]);
      // confusion matrix: rows true, columns predicted (tn fp / fn tp = 14 6 / 4 16), per-class scores
      assert.deepEqual(await p.texts('#confusion tbody td.count'), ['14', '6', '4', '16']);
      assert.deepEqual(await p.texts('#confusion tbody th.true'), ['negative', 'positive']);
      assert.deepEqual(await p.texts('#confusion tbody tr[data-label=positive] td.score'), ['0.727', '0.800', '0.762', '20']);
      assert.match((await p.texts('#confusion-title'))[0]!, /step 4/);
      assert.deepEqual(await p.texts('#metrics [data-metric=eval_accuracy] .metric-value'), ['0.75']);

      const log = await p.texts('#log .line');
      assert.ok(log.includes("{'loss': 0.63, 'grad_norm': 1.85, 'learning_rate': 1.6666666666666667e-05, 'epoch': 0.5}"), log.join('\n'));
      assert.ok(log.includes('Saving model checkpoint to /ws/out/rbt3-waimai/checkpoint-4'));
      assert.ok(log.some((l) => l.startsWith("{'eval_loss': 0.5, 'eval_accuracy': 0.75,")));
      assert.ok(log.includes('  Total optimization steps = 12'));

      // more events: same chart objects, points appended
      await p.send({ type: 'events', runId: 'run-a', events: [progress(5)] });
      await p.waitForDrawn('loss', 'loss', 5);
      const tags = await p.page.evaluate(() =>
        Object.values((globalThis as unknown as { __finetune: { charts: Record<string, Record<string, unknown>> } }).__finetune.charts).map((c) => c.__tag),
      );
      assert.deepEqual(tags, ['first', 'first', 'first']);
      // events of another run are not this dashboard's
      await p.send({ type: 'events', runId: 'run-b', events: [progress(6)] });
      await p.send({ type: 'events', runId: 'run-a', events: [progress(6)] });
      await p.waitForDrawn('loss', 'loss', 6);
      assert.equal((await p.texts('#step'))[0], '6 / 12');
    }));

  it('a new bootstrap with the whole history redraws the same data', () =>
    withPage(async (p) => {
      const all = runEvents(12);
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(all.slice(0, 2)) });
      await p.page.locator('#step', { hasText: '0 / 12' }).waitFor();
      for (let i = 2; i < all.length; i += 5) await p.send({ type: 'events', runId: 'run-a', events: all.slice(i, i + 5) });
      await p.waitForDrawn('loss', 'loss', 12);
      await p.waitForDrawn('eval', 'f1', 3);
      const snap = async (): Promise<unknown> => ({
        loss: await p.chart('loss'),
        lr: await p.chart('lr'),
        eval: await p.chart('eval'),
        step: await p.texts('#step'),
        confusion: await p.texts('#confusion td'),
        log: await p.texts('#log .line'),
      });
      const incremental = await snap();

      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(all) });
      await p.waitForDrawn('loss', 'loss', 12);
      await p.waitForDrawn('eval', 'f1', 3);
      assert.deepEqual(await snap(), incremental);
      assert.deepEqual(await p.texts('#confusion tbody td.count'), ['18', '2', '0', '20']);

      // a reload of the view: ready again, then the history
      await p.reload();
      await p.next('ready');
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(all) });
      await p.waitForDrawn('loss', 'loss', 12);
      await p.waitForDrawn('eval', 'f1', 3);
      assert.deepEqual(await snap(), incremental);
    }));

  it('Cancel posts cancelRun; done and error events end the run', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(runEvents(5)) });
      await p.page.locator('#cancel').click();
      assert.deepEqual(await p.next('cancelRun'), { type: 'cancelRun', runId: 'run-a' });
      await p.send({
        type: 'events',
        runId: 'run-a',
        events: [
          {
            type: 'done',
            outputDir: '/ws/out/rbt3-waimai',
            modelDir: '/ws/out/rbt3-waimai',
            results: { train_loss: 0.41, eval_f1: 0.8571 },
            bestCheckpoint: null,
            stoppedEarly: false,
            cancelled: true,
          },
        ],
      });
      await p.page.locator('#status', { hasText: 'cancelled' }).waitFor();
      assert.equal(await p.page.locator('#cancel').isVisible(), false);
      assert.equal((await p.texts('#eta'))[0], 'cancelled');
      assert.ok((await p.texts('#log .line')).includes('Training cancelled.'));

      // a failed run: the message under the header and in the log
      await p.send({
        type: 'bootstrap',
        page: 'dashboard',
        state: state([startEvent(), { type: 'error', message: 'out of memory: lower --per_device_train_batch_size' }], {
          run: runSummary({ status: 'failed' }),
        }),
      });
      await p.page.locator('#run-error', { hasText: 'out of memory' }).waitFor();
      assert.equal((await p.texts('#status'))[0], 'failed');
      assert.ok((await p.texts('#log .line.l-error')).includes('error: out of memory: lower --per_device_train_batch_size'));
      // the host's run summary wins for the status
      await p.send({ type: 'run', run: runSummary({ status: 'done', bestMetric: { name: 'eval_f1', value: 0.9 } }) });
      await p.page.locator('#status', { hasText: 'done' }).waitFor();
    }));

  it('overlays another run dashed (overlay request) and clears it', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state(runEvents(8)) });
      await p.waitForDrawn('loss', 'loss', 8);
      await p.choose('#overlay-run', 'bert-mini');
      const req = await p.next('overlay');
      assert.equal(req.runId, 'run-b');
      const other = runEvents(12).map((e) => (e.type === 'log' ? { ...e, loss: e.loss + 0.1 } : e));
      await p.respond(req, { events: other });
      await p.waitForDrawn('loss', 'bert-mini: loss', 6);
      const loss = await p.chart('loss');
      assert.equal(byLabel(loss, 'bert-mini: loss').dashed, true);
      assert.equal(byLabel(loss, 'loss').dashed, false);
      assert.deepEqual(byLabel(loss, 'bert-mini: loss').data[0], { x: 2, y: 0.73 });
      assert.equal(byLabel(loss, 'bert-mini: eval loss').data.length, 3);
      const ev = await p.chart('eval');
      assert.deepEqual(
        ev.datasets.map((d) => [d.label, d.dashed]),
        [
          ['accuracy', false],
          ['precision', false],
          ['recall', false],
          ['f1', false],
          ['bert-mini: accuracy', true],
          ['bert-mini: precision', true],
          ['bert-mini: recall', true],
          ['bert-mini: f1', true],
        ],
      );
      // the overlay does not take the run's own events
      await p.send({ type: 'events', runId: 'run-a', events: [progress(9)] });
      await p.waitForDrawn('loss', 'loss', 9);
      assert.equal(byLabel(await p.chart('loss'), 'bert-mini: loss').data.length, 6);
      await p.screenshot('dashboard-dark');

      await p.page.locator('#clear-overlay').click();
      await p.page.waitForFunction(() => {
        const c = (globalThis as unknown as { __finetune: { charts: Record<string, { data: { datasets: { label: string }[] } }> } }).__finetune.charts;
        return c.loss!.data.datasets.length === 3 && c.eval!.data.datasets.length === 4;
      });

      // a failed overlay request: the message next to the select
      await p.choose('#overlay-run', 'bert-mini');
      await p.fail(await p.next('overlay'), 'run bert-mini has no events file');
      await p.page.locator('#overlay-status', { hasText: 'no events file' }).waitFor();
    }));

  it('regression runs: mse / r2 curves and no confusion matrix', () =>
    withPage(async (p) => {
      const start = startEvent({ labels: [], problemType: 'regression' });
      const evals: TrainingEvent[] = [1, 2].map((e) => ({
        type: 'eval',
        step: 4 * e,
        epoch: e,
        metrics: { eval_loss: 0.5 / e, eval_mse: 0.5 / e, eval_mae: 0.6 / e, eval_r2: 0.3 * e, eval_pearson: 0.6 + 0.1 * e },
      }));
      await p.send({ type: 'bootstrap', page: 'dashboard', state: state([start, progress(4), evals[0]!, progress(8), evals[1]!]) });
      await p.waitForDrawn('eval', 'r2', 2);
      const ev = await p.chart('eval');
      assert.deepEqual(
        ev.datasets.map((d) => d.label),
        ['mse', 'mae', 'r2', 'pearson'],
      );
      assert.deepEqual(byLabel(ev, 'r2').data, [
        { x: 4, y: 0.3 },
        { x: 8, y: 0.6 },
      ]);
      assert.equal((await p.texts('#confusion'))[0], 'Regression: no confusion matrix.');
      await p.screenshot('dashboard-regression-light');
    }, 'light'));
});
