/** The run comparison in real Chromium under the host's CSP: the table, the best run, the overlaid curves. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CompareRun } from '../../../src/protocol/webview.js';
import { WebviewHarness, type WebviewPage } from '../../helpers/webview-harness.js';
import { runSummary } from '../../helpers/webview-fixtures.js';

function row(runId: string, name: string, f1: number[], over: Partial<CompareRun> = {}): CompareRun {
  return {
    run: runSummary({ runId, name, status: 'done', model: 'hfl/rbt3' }),
    final: { eval_f1: f1.at(-1)!, eval_loss: 0.3 },
    best: { eval_f1: Math.max(...f1), eval_loss: 0.3 },
    seconds: 95,
    hyper: { learning_rate: 2e-5, num_train_epochs: f1.length, per_device_train_batch_size: 16, max_seq_length: 128, max_steps: -1 },
    loss: [
      { x: 10, y: 0.7 },
      { x: 20, y: 0.5 },
    ],
    metric: f1.map((y, i) => ({ x: 10 * (i + 1), y })),
    metricName: 'eval_f1',
    ...over,
  };
}

describe('compare runs page', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  it('a row per run with the best highlighted; the curves of the ticked runs; a name opens the dashboard', () =>
    h.withPage('compare', { viewport: { width: 1200, height: 800 } }, async (p: WebviewPage) => {
      await p.send({ type: 'bootstrap', page: 'compare', state: { runs: [row('a', 'first', [0.8, 0.85]), row('b', 'second', [0.82, 0.9, 0.88])] } });
      await p.page.locator('#compare-table tbody tr[data-run-id]').first().waitFor();
      assert.deepEqual(await p.texts('#compare-table thead th'), [
        '',
        'run',
        'status',
        'model',
        'best f1',
        'final f1',
        'final eval loss',
        'time',
        'lr',
        'epochs',
        'batch',
        'max len',
      ]);
      assert.deepEqual(await p.texts('#compare-table tr[data-run-id=b] td[data-col=best], #compare-table tr[data-run-id=b] td[data-col=final]'), [
        '0.9',
        '0.88',
      ]);
      assert.deepEqual(await p.texts('#compare-table tr.best td[data-col=run]'), ['second']);
      assert.deepEqual(await p.texts('#compare-table tr[data-run-id=a] td[data-col=time]'), ['01:35']);
      await p.page.waitForFunction(
        () =>
          (globalThis as unknown as { __finetune: { charts: Record<string, { data: { datasets: unknown[] } }> } }).__finetune.charts.compareMetric!.data
            .datasets.length === 2,
      );
      await p.page.locator('#compare-table tr[data-run-id=a] input[type=checkbox]').click();
      await p.page.waitForFunction(
        () =>
          (globalThis as unknown as { __finetune: { charts: Record<string, { data: { datasets: unknown[] } }> } }).__finetune.charts.compareLoss!.data.datasets
            .length === 1,
      );
      await p.page.locator('#compare-table tr[data-run-id=b] a').click();
      assert.deepEqual(await p.next('openDashboard'), { type: 'openDashboard', runId: 'b' });
      await p.send({
        type: 'compareUpdate',
        state: { runs: [row('c', 'third', [0.5]), row('a', 'first', [0.8, 0.85]), row('b', 'second', [0.82, 0.9, 0.88])] },
      });
      await p.page.locator('#compare-table tr[data-run-id=c]').waitFor();
      // the new run is drawn, the one unticked stays off
      assert.equal(await p.prop('#compare-table tr[data-run-id=c] input', 'checked'), true);
      assert.equal(await p.prop('#compare-table tr[data-run-id=a] input', 'checked'), false);
      assert.deepEqual(await p.texts('#compare-table tr[data-run-id=c] td[data-col="hyper:learning_rate"]'), ['2e-5']);
      await p.screenshot('compare-dark');
      await p.assertClean();
    }));
});
