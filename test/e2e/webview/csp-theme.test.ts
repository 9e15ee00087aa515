/** All pages: the ready handshake, the strict CSP (and that the harness really enforces it), theme colours. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PageKind } from '../../../src/protocol/webview.js';
import { WebviewHarness, webviewBundle } from '../../helpers/webview-harness.js';
import { datasetState, runEvents, runSummary } from '../../helpers/webview-fixtures.js';

interface ChartsWin {
  __finetune: { charts: Record<string, { data: { datasets: { label: string; borderColor: unknown }[] } }> };
}

describe('webview pages: handshake, CSP, theme', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  it('the bundle needs no eval and loads nothing from outside', async () => {
    const js = await webviewBundle();
    assert.doesNotMatch(js, /\beval\(|new Function\(/);
    assert.doesNotMatch(js, /import\(\s*['"]https?:/);
    assert.doesNotMatch(js, /fonts\.googleapis|cdn\.jsdelivr|unpkg\.com/);
  });

  for (const kind of ['sidebar', 'dashboard', 'dataset', 'predict'] as PageKind[]) {
    it(`${kind}: sends ready once and waits for bootstrap`, async () => {
      const p = await h.open(kind);
      try {
        const posted = await p.posted();
        assert.deepEqual(posted, [{ type: 'ready', page: kind }]);
        assert.equal(await p.page.locator('#app .loading').count(), 1);
        await p.assertClean();
      } finally {
        await p.close();
      }
    });
  }

  it('the harness enforces the CSP: inline scripts and outside URLs are reported', async () => {
    const p = await h.open('predict');
    try {
      await p.page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { createElement(t: string): Record<string, unknown>; body: { append(n: unknown): void } } }).document;
        const s = doc.createElement('script');
        s.textContent = 'window.__inline = 1';
        doc.body.append(s);
        const img = doc.createElement('img');
        img.src = 'https://example.invalid/x.png';
        doc.body.append(img);
      });
      await p.page.waitForFunction(() => (globalThis as unknown as { __csp: string[] }).__csp.length >= 2);
      assert.equal(await p.page.evaluate(() => (globalThis as unknown as { __inline?: number }).__inline), undefined);
      await assert.rejects(p.assertClean(), /CSP violation: script-src-elem[\s\S]*CSP violation: img-src https:\/\/example\.invalid/);
    } finally {
      await p.close();
    }
  });

  it('chart colours come from the --vscode-charts-* variables and follow a theme change', async () => {
    const p = await h.open('dashboard');
    try {
      await p.send({ type: 'bootstrap', page: 'dashboard', state: { run: runSummary(), events: runEvents(8), otherRuns: [] } });
      await p.waitForDrawn('loss', 'loss', 8);
      const colors = (): Promise<Record<string, unknown>> =>
        p.page.evaluate(() => {
          const c = (globalThis as unknown as ChartsWin).__finetune.charts;
          return Object.fromEntries([...c.loss!.data.datasets, ...c.eval!.data.datasets].map((d) => [d.label, d.borderColor]));
        });
      assert.deepEqual(await colors(), {
        loss: '#3794ff',
        'loss (logged)': '#d18616',
        'eval loss': '#89d185',
        accuracy: '#3794ff',
        precision: '#d18616',
        recall: '#89d185',
        f1: '#b180d7',
      });
      // VS Code rewrites the variables on <html style> when the theme changes
      await p.page.evaluate(() => {
        const html = (globalThis as unknown as { document: { documentElement: { style: { setProperty(k: string, v: string): void } } } }).document
          .documentElement;
        html.style.setProperty('--vscode-charts-blue', '#0000ff');
        html.style.setProperty('--vscode-charts-purple', '#800080');
      });
      await p.page.waitForFunction(() => (globalThis as unknown as ChartsWin).__finetune.charts.loss!.data.datasets[0]!.borderColor === '#0000ff');
      const after = await colors();
      assert.equal(after.loss, '#0000ff');
      assert.equal(after.f1, '#800080');
      assert.equal(after['loss (logged)'], '#d18616');
      await p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('a dataset page in the light theme (screenshot)', async () => {
    const p = await h.open('dataset', { theme: 'light', viewport: { width: 1100, height: 900 } });
    try {
      await p.send({ type: 'bootstrap', page: 'dataset', state: datasetState(200) });
      await p.page.locator('#rows .vrow[data-index="0"]').waitFor();
      await p.screenshot('dataset-light');
      await p.assertClean();
    } finally {
      await p.close();
    }
  });
});
