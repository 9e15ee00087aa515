// Long texts and explanations in the real VS Code (called from vscode.e2e.mjs, which passes its
// helpers as `h`: page, WS, webview, until, check, shot, lap, valueOf, explorerMenu, runCommand):
//
//  - previewLongRows: a workspace file with long rows → Preview Dataset → the model's tokenizer →
//    the rows over max_seq_length and what each long_text mode reads of them;
//  - longTextFields: the form's Long text = sliding_window shows doc_stride and chunk_aggregation;
//    the run trains with them (training_args.json keeps them);
//  - explainInPredictBox: a text longer than max_seq_length → "Read in N chunks", Explain → every
//    word of the whole text shaded by the sign of its attribution, the legend, the completeness
//    check; another label;
//  - classifyHover: hovering a classified line → its scores and top words.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A review of `n` words (seeded, so the file is the same every run). */
function review(n, seed) {
  const words = [
    'the',
    'food',
    'was',
    'really',
    'good',
    'but',
    'delivery',
    'took',
    'an',
    'hour',
    'and',
    'soup',
    'came',
    'cold',
    'again',
    'staff',
    'were',
    'kind',
  ];
  return Array.from({ length: n }, (_, i) => words[(i * 7 + seed * 3) % words.length]).join(' ');
}

// (The file's name must not contain another workspace file's name: the explorer steps find rows by text.)

/** Preview a file whose rows run past max_seq_length: with the model's tokenizer, the long-text counts under the histogram. */
export async function previewLongRows(h) {
  const rows = [12, 40, 150, 260, 30, 400, 90, 180].map((n, i) => `${review(n, i)},${i % 2 ? 'pos' : 'neg'}`);
  writeFileSync(join(h.WS, 'long-essays.csv'), ['text,label', ...rows].join('\n') + '\n');
  await h.explorerMenu('long-essays.csv', 'Preview Dataset');
  const ds = await h.webview('dataset', 60_000, async (f) => (await f.locator('#file-name').innerText()) === 'long-essays.csv');
  await h.until('the preview of long-essays.csv', async () => /8 rows/.test(await ds.locator('#file-info').innerText()), 60_000);
  await ds.locator('#tokenizer input').fill(join(h.WS, 'tiny-model'));
  await ds.locator('#tokenizer input').press('Enter');
  const summary = ds.locator('#long-text-summary');
  await h.until('the long-text counts', async () => /are longer than max_seq_length 128/.test(await summary.innerText().catch(() => '')), 90_000);
  const text = await summary.innerText();
  const over = Number(/^(\d+) rows/.exec(text)?.[1]);
  h.check(over >= 3 && over <= 5, `the preview counts the rows over max_seq_length: ${text.slice(0, 60)}…`);
  const table = await ds.locator('#long-text-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  h.check(table.map((r) => r[0]).join(',') === 'truncate,head_tail,sliding_window', `one row per long_text mode: ${JSON.stringify(table)}`);
  const windows = Number(/^([\d,]+) \(/.exec(table[2][2])?.[1].replace(/,/g, ''));
  h.check(windows > 8 && /all of them/.test(table[2][1]), `sliding_window reads every token in ${windows} model inputs for 8 rows`);
  h.check(/^\d+% of their tokens \(the first\)$/.test(table[0][1]), `truncate reads part of the long rows: ${table[0][1]}`);
  await ds.locator('#long-text').scrollIntoViewIfNeeded();
  await h.shot('preview-long-text');
}

/** The form's long-text fields: sliding_window shows doc_stride and chunk_aggregation; the run takes them. */
export async function longTextFields(h, sidebar) {
  h.check(!(await sidebar.locator('[data-row="field-doc_stride"]').isVisible()), 'doc_stride is hidden until long_text is sliding_window');
  await sidebar.locator('#field-long_text').click();
  await sidebar.locator('#field-long_text').getByRole('option', { name: 'sliding_window', exact: true }).click();
  await h.until('long_text = sliding_window', async () => (await h.valueOf(sidebar, '#field-long_text')) === 'sliding_window', 10_000);
  await sidebar.locator('[data-row="field-doc_stride"]').waitFor({ state: 'visible', timeout: 10_000 });
  await sidebar.locator('#field-doc_stride input').fill('8');
  h.check(await sidebar.locator('[data-row="field-chunk_aggregation"]').isVisible(), 'sliding_window shows doc_stride and chunk_aggregation');
}

/** The shaded words on screen: text, attribution, sign class, background alpha. */
async function shadedWords(predict) {
  return predict.locator('#explain-texts mark.xw').evaluateAll((els) =>
    els.map((e) => {
      const bg = getComputedStyle(e).backgroundColor;
      const m = /\/ ([\d.e-]+)\)$/.exec(bg) ?? /rgba\([^)]*, ([\d.]+)\)$/.exec(bg);
      return {
        text: e.textContent,
        a: Number(e.dataset.attribution),
        cls: e.className,
        alpha: m ? Number(m[1]) : bg.startsWith('rgb(') ? 1 : 0,
        title: e.title,
      };
    }),
  );
}

/** The predict box: a text longer than max_seq_length read in chunks; Explain shades the whole text; another label. */
export async function explainInPredictBox(h) {
  const predict = await h.webview('predict');
  // about 45 tokens, longer than the run's max_seq_length of 32, with words of both labels
  const text =
    'the food was really delicious and the staff were lovely, but the delivery was so slow and the pizza came cold. ' +
    'honestly the dessert was perfect and the wine was excellent, only the music was a bit boring';
  await predict.locator('#text textarea').fill(text);
  await predict.locator('#predict').click();
  const note = predict.locator('#read-note');
  await h.until(
    'the reading note',
    async () => /^Read in \d+ chunks of 32 tokens \(sliding_window, mean of the chunks\)\.$/.test(await note.innerText().catch(() => '')),
    60_000,
  );
  h.check(true, `the model's own long-text setting: ${await note.innerText()}`);
  const predicted = (await predict.locator('#results .result.top').getAttribute('data-label')) ?? '';
  await predict.locator('#explain').click();
  await predict.locator('#explanation').waitFor({ state: 'visible', timeout: 120_000 });
  const words = await shadedWords(predict);
  const expected = text.match(/\w+|[^\w\s]/g);
  h.check(words.length === expected.length, `every word of the whole text is shaded (${words.length} of ${expected.length}, over its chunks)`);
  h.check(
    words.every((w) => w.cls === `xw ${w.a < 0 ? 'against' : 'for'}`),
    'each word has the colour of its attribution’s sign',
  );
  const theme = await predict.evaluate(() =>
    ['--vscode-charts-blue', '--vscode-charts-orange'].map((v) => `${v}: ${getComputedStyle(document.documentElement).getPropertyValue(v).trim()}`).join(', '),
  );
  h.lap(`theme colours in the webview: ${theme}`);
  const max = Math.max(...words.map((w) => Math.abs(w.a)));
  const strongest = words.find((w) => Math.abs(w.a) === max);
  h.check(
    max > 0 && Math.abs(strongest.alpha - 0.55) < 0.02,
    `the strongest word "${strongest.text}" (${strongest.a.toFixed(4)}) is fully shaded (alpha ${strongest.alpha})`,
  );
  const legend = await predict.locator('#explain-legend .legend-item').allInnerTexts();
  h.check(legend.join('|') === `toward ${predicted}|against ${predicted}`, `the legend: ${legend.join(', ')}`);
  const small = await predict.locator('#explain-note').innerText();
  h.check(
    /^Integrated Gradients over \d+ chunks: attributions sum to -?\d+\.\d{3}, the logit gap is -?\d+\.\d{3} \(delta [+−]\d+\.\d{3}; 32 steps\)/.test(small),
    `small print: ${small}`,
  );
  h.check(/^“.+”: [+−]\d\.\d{3} (toward|against) /.test(strongest.title), `a word's tooltip: ${strongest.title}`);
  await predict.locator('#explain-box').scrollIntoViewIfNeeded();
  await h.shot('predict-explain');
  const other = predicted === 'pos' ? 'neg' : 'pos';
  await predict.locator('#explain-label').click();
  await predict.locator('#explain-label').getByRole('option', { name: other, exact: true }).click();
  await h.until(
    `the explanation toward ${other}`,
    async () => (await predict.locator('#explain-legend .legend-item').first().innerText()) === `toward ${other}`,
    120_000,
  );
  const flipped = await shadedWords(predict);
  h.check(flipped.length === words.length, `explained toward ${other} as well (${flipped.length} words)`);
}

/** Hovering a classified line in the editor: its scores and the top words toward the predicted label. */
export async function classifyHover(h) {
  const token = h.page.locator('.monaco-editor .view-line span span', { hasText: 'wonderful' }).first();
  const hover = h.page.locator('.monaco-hover', { hasText: 'Finetune' }).filter({ hasText: 'Integrated Gradients' });
  const shown = () =>
    hover
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 })
      .then(
        () => true,
        () => false,
      );
  // the mouse is on the token already (the right-click): move it away, then over the token
  await h.page.mouse.move(5, 5);
  await token.hover();
  if (!(await shown())) {
    h.lap('no hover from the mouse: Show or Focus Hover with the cursor on the line');
    await token.click();
    await h.runCommand('Show or Focus Hover');
    if (!(await shown())) throw new Error('no Finetune hover on the classified line');
  }
  const md = await hover.first().innerText();
  h.lap(`hover: ${md.replace(/\s+/g, ' ')}`);
  h.check(/^(neg|pos) \d{1,3}\.\d% · (neg|pos) \d{1,3}\.\d% — Finetune/.test(md.trim()), 'the hover has the scores');
  h.check(/Top words toward (neg|pos): .*[+]\d\.\d{3}|No word pushes toward/.test(md), 'the hover has the top words toward the predicted label');
  await h.shot('classify-hover');
}
