/** The dataset preview in real Chromium under the host's CSP. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebviewHarness, type WebviewPage } from '../../helpers/webview-harness.js';
import { LONG_TEXT, datasetState } from '../../helpers/webview-fixtures.js';

describe('dataset preview page', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  const withPage = (fn: (p: WebviewPage) => Promise<void>): Promise<void> => h.withPage('dataset', { viewport: { width: 1100, height: 1100 } }, fn);

  it('renders the rows (virtualised), the column profiles, the label and token-length charts and the warnings', () =>
    withPage(async (p) => {
      const s = datasetState(10_000);
      await p.send({ type: 'bootstrap', page: 'dataset', state: s });
      await p.page.locator('#rows .vbody .vrow[data-index="0"]').waitFor();
      assert.equal((await p.texts('#file-name'))[0], 'waimai_10k.csv');
      assert.equal((await p.texts('#file-info'))[0], '12,000 rows · 4 columns · single_label_classification');
      assert.equal((await p.texts('#rows-title'))[0], 'Rows (first 10,000 of 12,000)');
      assert.deepEqual(await p.texts('#rows .vhead .vcell'), ['#', 'id', 'review', 'title', 'label']);
      assert.deepEqual(await p.texts('#rows .vrow[data-index="0"] .vcell'), ['1', '0', '很快，好吃，味道足，量大', 'title 0', '0']);
      assert.deepEqual(await p.texts('#rows .vrow[data-index="3"] .vcell'), ['4', '3', 'Cold fries, never again', 'title 3', '0']);
      // only the rows in view are in the DOM
      const drawn = await p.page.locator('#rows .vbody .vrow').count();
      assert.ok(drawn > 10 && drawn < 80, `${drawn} rows in the DOM`);
      await p.page.locator('#rows').evaluate((el) => {
        (el as unknown as { scrollTop: number; scrollHeight: number }).scrollTop = (el as unknown as { scrollHeight: number }).scrollHeight;
      });
      await p.page.locator('#rows .vrow[data-index="9999"]').waitFor();
      assert.deepEqual((await p.texts('#rows .vrow[data-index="9999"] .vcell')).slice(0, 2), ['10000', '9999']);
      assert.ok((await p.page.locator('#rows .vbody .vrow').count()) < 80);
      assert.equal(await p.page.locator('#rows .vrow[data-index="0"]').count(), 0);

      // column profiles with their roles
      assert.deepEqual(await p.texts('#columns tbody tr[data-column=review] td'), ['review', 'text', '12', '9870', 'text']);
      assert.deepEqual(await p.texts('#columns tbody td.role'), ['', 'text', '', 'label']);
      await p.waitForProp('#text-column', 'value', 'review');
      await p.waitForProp('#label-column', 'value', 'label');
      await p.waitForProp('#pair-column', 'value', '');
      await p.waitForProp('#tokenizer', 'value', 'bert-base-chinese');
      await p.waitForProp('#max-seq-length', 'value', '128');

      const labels = await p.chart('labels');
      assert.deepEqual(labels.labels, ['0', '1']);
      assert.deepEqual(labels.datasets[0]!.data, [4000, 8000]);
      assert.equal(labels.datasets[0]!.drawn, 2);
      const lengths = await p.chart('lengths');
      assert.deepEqual(lengths.labels, ['≤16', '17–32', '33–64', '65–128', '129–256', '257–512']);
      assert.deepEqual(lengths.datasets[0]!.data, [3100, 4200, 2900, 1200, 450, 150]);
      assert.equal((await p.texts('#length-summary'))[0], 'max_seq_length 128: 5.0% of rows truncated · median 28 · p95 150 · longest 498 tokens');
      assert.equal((await p.texts('#label-summary'))[0], '2 labels · 0 33.3% · 1 66.7%');
      // the warnings: each with its count and examples
      assert.deepEqual(
        await p.texts('#warnings > li .warning-message'),
        s.warnings.map((w) => w.message),
      );
      assert.deepEqual(await p.texts('#warnings > li .warning-count'), ['4,000', '37', '12']);
      assert.deepEqual(await p.texts('#warnings > li[data-kind=duplicates] .warning-examples li'), ['很快，好吃，味道足，量大']);
      await p.page.locator('#rows').evaluate((el) => {
        (el as unknown as { scrollTop: number }).scrollTop = 0;
      });
      await p.page.locator('#rows .vrow[data-index="0"]').waitFor();
      await p.screenshot('dataset-dark');
    }));

  it('sends analyze when a column role, the tokenizer or max_seq_length changes, and renders the result', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'dataset', state: datasetState(50) });
      await p.waitForProp('#text-column', 'value', 'review');
      assert.deepEqual(await p.options('#pair-column'), ['', 'id', 'review', 'title', 'label']);

      await p.choose('#pair-column', 'title');
      const req = await p.next('analyze');
      assert.deepEqual(req, {
        type: 'analyze',
        requestId: req.requestId,
        textColumn: 'review',
        pairColumn: 'title',
        labelColumn: 'label',
        tokenizer: 'bert-base-chinese',
        maxSeqLength: 128,
      });
      await p.respond(req, datasetState(50, { pairColumn: 'title', labelCounts: { neg: 10, neu: 20, pos: 30 }, warnings: [] }));
      await p.page.waitForFunction(() => {
        const c = (globalThis as unknown as { __finetune: { charts: Record<string, { data: { datasets: { data: number[] }[] } }> } }).__finetune.charts;
        return c.labels!.data.datasets[0]!.data.length === 3;
      });
      const labels = await p.chart('labels');
      assert.deepEqual(labels.labels, ['neg', 'neu', 'pos']);
      assert.deepEqual(labels.datasets[0]!.data, [10, 20, 30]);
      assert.deepEqual(await p.texts('#columns tbody td.role'), ['', 'text', 'pair', 'label']);
      assert.equal(await p.page.locator('#warnings-box').isVisible(), false);

      await p.page.locator('#max-seq-length input').fill('64');
      await p.page.locator('#max-seq-length input').press('Tab');
      const req2 = await p.next('analyze');
      assert.equal(req2.maxSeqLength, 64);
      assert.equal(req2.pairColumn, 'title');
      await p.fail(req2, 'tokenizer bert-base-chinese: not in the cache (pull it first)');
      await p.page.locator('#error', { hasText: 'not in the cache' }).waitFor();

      await p.page.locator('#tokenizer input').fill('hfl/rbt3');
      await p.page.locator('#analyze').click();
      const req3 = await p.next('analyze');
      assert.equal(req3.tokenizer, 'hfl/rbt3');
      await p.respond(
        req3,
        datasetState(50, {
          pairColumn: 'title',
          lengths: {
            unit: 'tokens',
            buckets: [32, 64, 128],
            counts: [10, 30, 10],
            maxSeqLength: 64,
            truncatedShare: 0.2,
            p50: 40,
            p95: 100,
            max: 120,
            tokenizer: 'hfl/rbt3',
          },
        }),
      );
      await p.page.locator('#length-summary', { hasText: '20.0% of rows truncated' }).waitFor();
      assert.equal((await p.texts('#length-title'))[0]!.toLowerCase(), 'token lengths (hfl/rbt3)');
      assert.equal(await p.page.locator('#error').isVisible(), false);
      assert.deepEqual((await p.chart('lengths')).labels, ['≤32', '33–64', '65–128']);

      // the host pushes a new preview (e.g. the file changed)
      await p.send({ type: 'preview', state: datasetState(5, { file: '/ws/data/other.csv', totalRows: 5 }) });
      await p.page.locator('#file-name', { hasText: 'other.csv' }).waitFor();
      assert.equal((await p.texts('#rows-title'))[0], 'Rows (5)');
      assert.equal(await p.page.locator('#rows .vbody .vrow').count(), 5);

      await p.page.locator('#train').click();
      assert.deepEqual(await p.next('trainOnThis'), { type: 'trainOnThis' });
    }));

  it('one label and lengths in words: the charts say so; Choose… a tokenizer asks the host, then analyzes with it', () =>
    withPage(async (p) => {
      const words = { unit: 'words' as const, buckets: [4, 8, 12], counts: [10, 40, 10], p50: 6, p95: 11, max: 12 };
      const oneLabel = {
        kind: 'one-label' as const,
        message: 'Every row has the label "1" in the column "label": a classifier needs rows of at least two labels.',
        count: 60,
        examples: ['1: 60 of 60 rows'],
      };
      await p.send({ type: 'bootstrap', page: 'dataset', state: datasetState(60, { labelCounts: { '1': 60 }, lengths: words, warnings: [oneLabel] }) });
      await p.page.locator('#label-summary', { hasText: 'Only one label ("1", 60 rows)' }).waitFor();
      assert.equal((await p.texts('#length-title'))[0]!.toLowerCase(), 'text lengths in words');
      assert.match((await p.texts('#length-summary'))[0]!, /^median 6 · p95 11 · longest 12 words\. Choose the model’s tokenizer/);
      assert.deepEqual((await p.chart('lengths')).labels, ['≤4', '5–8', '9–12']);
      assert.equal(await p.prop('#tokenizer', 'value'), '');
      assert.deepEqual(await p.texts('#warnings > li[data-kind=one-label] .warning-count'), ['60']);

      // no label column: the card says what to do instead of drawing empty axes
      await p.send({ type: 'preview', state: datasetState(60, { labelCounts: undefined, labelColumn: undefined, lengths: words, warnings: [] }) });
      await p.page.locator('#label-summary', { hasText: 'No label column yet' }).waitFor();
      assert.equal(await p.page.locator('#label-chart').isVisible(), false);

      await p.page.locator('#choose-tokenizer').click();
      await p.respond(await p.next('pickTokenizer'), 'hfl/rbt3');
      const req = await p.next('analyze');
      assert.equal(req.tokenizer, 'hfl/rbt3');
      await p.waitForProp('#tokenizer', 'value', 'hfl/rbt3');
      await p.screenshot('dataset-words');
    }));

  it('the long-text counts under the histogram: rows over max_seq_length, what each long_text mode reads; doc_stride asks again', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'dataset', state: datasetState(20) });
      await p.page.locator('#long-text-table').waitFor();
      assert.equal(
        (await p.texts('#long-text-summary'))[0],
        '600 rows (5.0%) are longer than max_seq_length 128. What each long_text mode reads of them, and the model inputs it makes of all the rows (training and prediction time grow with them):',
      );
      const rows = await p.page
        .locator('#long-text-table tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...(tr as unknown as { children: { textContent: string }[] }).children].map((c) => c.textContent)));
      assert.deepEqual(rows, [
        ['truncate', '55% of their tokens (the first)', '12,000 (one per row)'],
        ['head_tail', '55% of their tokens (the first and the last)', '12,000 (one per row)'],
        ['sliding_window', 'all of them, in chunks overlapping by 32 tokens (doc_stride)', '13,100 (1.09 per row, at most 6)'],
      ]);
      await p.page.locator('#long-text').scrollIntoViewIfNeeded();
      await p.screenshot('dataset-long-text');

      await p.page.locator('#doc-stride input').fill('16');
      await p.page.locator('#doc-stride input').press('Tab');
      const req = await p.next('analyze');
      assert.equal(req.docStride, 16);
      const base = datasetState(20);
      const none = { ...LONG_TEXT, rowsOverLength: 0, rowsOverLengthShare: 0 };
      await p.respond(req, { ...base, lengths: { ...base.lengths!, longText: none } });
      await p.page.locator('#long-text-summary', { hasText: 'No row is longer than max_seq_length 128' }).waitFor();
      assert.equal(await p.page.locator('#long-text-table').isVisible(), false);
      // lengths in words: no counts
      await p.send({ type: 'preview', state: { ...base, lengths: { unit: 'words', buckets: [4], counts: [20], p50: 3, p95: 4, max: 4 } } });
      await p.page.locator('#long-text').waitFor({ state: 'hidden' });
    }));
});
