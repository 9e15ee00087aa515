// The packaged Finetune extension in a real VS Code (code-server), driven with playwright-core and
// Debian's Chromium. Started by test/e2e/vscode/run.sh, which installs everything, packages and
// installs the VSIX, makes the workspace (reviews.csv, waimai-first60.csv, notes.txt,
// export-target/, tiny-model/), starts the loopback Hub and code-server; this file only drives the
// browser. Steps (screenshots into E2E_OUT; UPDATE_SCREENSHOTS=1 copies the README's into
// docs/screenshots):
//
//  1. first look: the predict box with no model → Choose a Hub model → the model picker searches the
//     loopback Hub → pick → pulled with a progress notification → Predict: every label's probability;
//  2. preview reviews.csv: lengths in words, then Choose… a tokenizer (the cached Hub model): tokens;
//  3. preview waimai-first60.csv (`label,review`, one label): review is the text, label the label,
//     the one-label warning, lengths in words, no empty charts;
//  4. sidebar, "Train on This File", the form, Start → the dashboard until done;
//  5. the run's Predict link → Predict; notes.txt → "Classify Selection" → the decoration agrees;
//  6. Re-run: the run's settings back in the form, epochs edited, Start → a second run, done;
//  7. Compare runs: both in the table;
//  8. pair prediction: Choose… the Hub's NLI model → the second text field → three labels;
//  9. Export Model into export-target/ (someone's files): refused whole, exported into a new folder
//     inside it, the files there unchanged;
// 10. the walkthrough, and its short sample run.
//
// Webview text lives two iframes down (iframe.webview → #active-frame); each page's body says
// which page it is (data-page="sidebar|dataset|dashboard|predict"), which is how the right
// webview is found among several.
import { chromium } from 'playwright-core';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorsTable, findLabelErrors } from './steps-know-your-model.mjs';
import { classifyHover, explainInPredictBox, longTextFields, previewLongRows } from './steps-explain.mjs';

const URL = process.env.VSCODE_URL ?? die('VSCODE_URL is not set (run test/e2e/vscode/run.sh)');
const WS = process.env.WS ?? die('WS is not set');
const OUT = process.env.E2E_OUT ?? '.test-output/e2e';
const TOTAL_TIMEOUT = Number(process.env.E2E_TIMEOUT_S ?? 600) * 1000;
const MODEL = join(WS, 'tiny-model');
const CSV = join(WS, 'reviews.csv');
const HF_CACHE = process.env.HF_CACHE ?? die('HF_CACHE is not set');
const SHOTS_DIR = 'docs/screenshots';
/** Screenshots the README shows (copied into docs/screenshots with UPDATE_SCREENSHOTS=1). */
const README_SHOTS = [
  'first-look',
  'preview-label-review',
  'preview-tokens',
  'form-filled',
  'dashboard-done',
  'compare-runs',
  'pair-prediction',
  'walkthrough',
  'dashboard-errors',
  'label-issues',
  'predict-explain',
];
mkdirSync(OUT, { recursive: true });
const CONSOLE_LOG = join(OUT, 'browser-console.log');
writeFileSync(CONSOLE_LOG, '');

function die(msg) {
  console.error(msg);
  process.exit(2);
}

const t0 = Date.now();
const lap = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
  lap(`ok: ${msg}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: process.env.HEADED !== '1',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ],
});
const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
const page = await context.newPage();
page.setDefaultTimeout(30_000);
page.on('pageerror', (e) => appendFileSync(CONSOLE_LOG, `[pageerror] ${e.message}\n`));
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') appendFileSync(CONSOLE_LOG, `[${m.type()}] ${m.text().slice(0, 500)}\n`);
});

let shotNo = 0;
const shots = [];
async function shot(name) {
  const file = join(OUT, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  shots.push(file);
  if (process.env.UPDATE_SCREENSHOTS === '1' && README_SHOTS.includes(name)) {
    mkdirSync(SHOTS_DIR, { recursive: true });
    copyFileSync(file, join(SHOTS_DIR, `${name}.png`));
  }
  lap(`screenshot ${file}`);
}

/** Polls `fn` until it returns a truthy value; throws `what` after `timeout` ms. */
async function until(what, fn, timeout = 30_000, every = 200) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e?.fatal) throw e;
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await page.waitForTimeout(every);
  }
}

/** The webview frame showing one of the extension's pages (the one `accept` takes, when several are open). */
async function webview(kind, timeout = 60_000, accept = async () => true) {
  return until(
    `the ${kind} webview`,
    async () => {
      for (const f of page.frames()) {
        if (f.isDetached() || f === page.mainFrame()) continue;
        const k = await f.evaluate(() => document.body?.dataset.page).catch(() => undefined);
        if (k === kind && (await accept(f).catch(() => false))) return f;
      }
      return undefined;
    },
    timeout,
    250,
  );
}

/** The value of a form control (vscode-single-select, vscode-textfield) in a webview. */
const valueOf = (frame, selector) => frame.locator(selector).evaluate((el) => el.value);

/**
 * Picks in the quick pick on screen (the model picker, an input's list): types `typed`, waits for a
 * row with `rowText` (the Hub search answers after a moment) and clicks it.
 */
async function quickPick(typed, rowText, timeout = 60_000) {
  const row = await quickPickRow(typed, rowText, timeout);
  await row.click();
  lap(`quick pick: "${typed}" → ${rowText}`);
}

/** Types into the quick pick and waits until it shows a row with `rowText` and its list holds still (the Hub search answered). */
async function quickPickRow(typed, rowText, timeout = 60_000) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(typed);
  // not the picker's 'Use "typed"' entry, which also holds the typed text
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).filter({ hasNotText: 'Use "' }).first();
  await row.waitFor({ state: 'visible', timeout });
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  let before = '';
  await until(
    'the quick pick to hold still',
    async () => {
      const now = (await rows.allInnerTexts()).join('|');
      const still =
        now === before &&
        !(await page
          .locator('.quick-input-widget .quick-input-progress.active')
          .isVisible()
          .catch(() => false));
      before = now;
      return still;
    },
    30_000,
    400,
  );
  return row;
}

/** Types into the input box on screen and presses Enter. */
async function inputBox(value) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(value);
  await page.keyboard.press('Enter');
  lap(`input box: ${value}`);
}

/** The predictions on screen: label and percentage of each row. */
async function predictions(frame) {
  return frame.locator('#results .result').evaluateAll((els) => els.map((e) => ({ label: e.dataset.label, pct: e.querySelector('.pct')?.textContent ?? '' })));
}

/** Every label shown once, each with a percentage, adding up to 100. */
function checkPercentages(results, labels, what) {
  check(
    results
      .map((r) => r.label)
      .sort()
      .join(',') === [...labels].sort().join(','),
    `${what}: every label shown (${results.map((r) => r.label).join(', ')})`,
  );
  check(
    results.every((r) => /^\d{1,3}\.\d%$/.test(r.pct)),
    `${what}: each label has a percentage`,
  );
  const sum = results.reduce((a, r) => a + Number.parseFloat(r.pct), 0);
  check(Math.abs(sum - 100) < 0.3, `${what}: percentages add up to 100 (${sum.toFixed(1)})`);
}

/** Runs a palette command (retried: right after start-up contributions may not be registered yet). */
async function runCommand(label, deadline = 60_000) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  const end = Date.now() + deadline;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('>' + label);
    try {
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      await page.keyboard.press('Enter');
      lap(`palette: ${label}`);
      return;
    } catch {
      await page.keyboard.press('Escape');
      if (Date.now() > end) throw new Error(`command "${label}" not found in the palette after ${attempt} attempts`);
      await page.waitForTimeout(500);
    }
  }
}

async function showExplorer() {
  const rows = page.locator('.explorer-folders-view .monaco-list-row');
  if (
    !(await rows
      .first()
      .isVisible()
      .catch(() => false))
  )
    await runCommand('View: Show Explorer');
  await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
}

/**
 * Right-click a file in the explorer and pick a context-menu entry. Retried: for a few seconds
 * after the explorer shows, the menus lack the extension's entries (contributions not registered yet).
 */
async function explorerMenu(file, item, deadline = 60_000) {
  await showExplorer();
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  const entry = page.getByRole('menuitem', { name: item, exact: true });
  const end = Date.now() + deadline;
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    if (
      await entry.waitFor({ state: 'visible', timeout: 2_000 }).then(
        () => true,
        () => false,
      )
    )
      break;
    await page.keyboard.press('Escape');
    if (Date.now() > end) throw new Error(`"${item}" is not in the explorer's context menu of ${file} after ${attempt} attempts`);
    await page.waitForTimeout(1_000);
  }
  await chooseMenuEntry(entry);
  lap(`explorer: ${file} → ${item}`);
}

/** Clicks an open context-menu entry and waits for the menu to close. */
async function chooseMenuEntry(entry) {
  await entry.click();
  // Under load the menu sometimes swallows the click and stays open: choose it with the keyboard then.
  if (
    !(await entry.waitFor({ state: 'hidden', timeout: 3_000 }).then(
      () => true,
      () => false,
    ))
  ) {
    lap('the menu stayed open after the click: choosing the entry with Enter');
    await entry.hover();
    await page.keyboard.press('Enter');
    if (
      !(await entry.waitFor({ state: 'hidden', timeout: 5_000 }).then(
        () => true,
        () => false,
      ))
    ) {
      await page.keyboard.press('Escape');
      throw new Error('the context menu ignored both a click and Enter on its entry');
    }
  }
}

/** The texts of the notifications on screen (shown with a failure: an error the extension raised). */
async function notificationTexts() {
  return page
    .locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message')
    .allInnerTexts()
    .catch(() => []);
}

/** Texts a decoration shows after the line: Monaco renders `after.contentText` as a span's ::after content (or as text). */
async function decorationTexts() {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('.monaco-editor .view-lines span')) {
      for (const pseudo of ['::after', '::before']) {
        const c = getComputedStyle(el, pseudo).content;
        if (c && c !== 'none' && c !== 'normal' && c.includes('⟶')) out.push({ text: c.replace(/^"|"$/g, ''), via: `${pseudo} of span.${el.className}` });
      }
      if (el.childElementCount === 0 && el.textContent?.includes('⟶')) out.push({ text: el.textContent, via: `text of span.${el.className}` });
    }
    return out;
  });
}

// ---- steps ----------------------------------------------------------------------------------------

/** 1. First look: a Hub classifier in the predict box, as it is, before any training. */
async function firstLook() {
  await runCommand('Finetune: Open Predict Box');
  const predict = await webview('predict');
  await predict.locator('#no-models').waitFor({ state: 'visible', timeout: 30_000 });
  check(true, `the empty predict box says: ${(await predict.locator('#no-models').innerText()).replace(/\s+/g, ' ')}`);
  await predict.locator('#choose-model-empty').click();
  // before anything is typed the Hub search offers classifiers and fill-mask models, most downloaded
  // first, not other tasks (once something is typed, VS Code orders the matches itself)
  await quickPickRow('', 'finetune-test/tiny-sentiment');
  const offered = (await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).filter((t) => t.includes('finetune-test/'));
  lap(`Hub search rows: ${JSON.stringify(offered)}`);
  const order = ['tiny-bert-mlm', 'tiny-sentiment', 'tiny-nli'].map((id) => offered.findIndex((t) => t.includes(`finetune-test/${id}`)));
  check(
    order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
    'the Hub search lists the fill-mask and classifier models by downloads',
  );
  check(!offered.some((t) => t.includes('tiny-gpt')), 'the Hub search leaves out a text-generation model');
  await shot('model-picker');
  await quickPick('tiny-sentiment', 'finetune-test/tiny-sentiment');
  await until('the Hub model to be pulled and chosen', async () => (await valueOf(predict, '#model')) === 'finetune-test/tiny-sentiment', 90_000);
  check(existsSync(join(HF_CACHE, 'models--finetune-test--tiny-sentiment', 'refs', 'main')), 'the Hub model is in the Hugging Face cache (refs/main)');
  await predict.locator('#text textarea').fill('the food was really wonderful');
  await predict.locator('#predict').click();
  await predict.locator('#results .result').nth(1).waitFor({ state: 'visible', timeout: 90_000 });
  const results = await predictions(predict);
  lap(`first look: ${JSON.stringify(results)}`);
  checkPercentages(results, ['neg', 'pos'], 'Hub model as it is');
  check(/Hugging Face Hub/.test(await predict.locator('#model-note').innerText()), 'the note says the model is from the Hub, as it is');
  await shot('first-look');
}

/** 2. Preview reviews.csv: lengths in words until a tokenizer is chosen with the model picker, then tokens. */
async function previewReviews() {
  await explorerMenu('reviews.csv', 'Preview Dataset');
  const dataset = await webview('dataset', 60_000, async (f) => (await f.locator('#file-name').innerText()) === 'reviews.csv');
  const firstRow = readFileSync(CSV, 'utf8').split('\n')[1].split(',');
  const row0 = dataset.locator('#rows .vrow[data-index="0"]');
  await row0.waitFor({ state: 'visible', timeout: 60_000 });
  await until('the file info to say 200 rows', async () => /200 rows/.test(await dataset.locator('#file-info').innerText()), 30_000);
  const cells = await row0.locator('.vcell').allInnerTexts();
  check(cells[1] === firstRow[0] && cells[2] === firstRow[1], `preview row 1 is the CSV's first row (${cells.slice(1).join(' | ')})`);
  check((await dataset.locator('#rows-title').textContent()) === 'Rows (200)', 'preview says "Rows (200)"');
  check((await dataset.locator('#length-title').textContent()) === 'Text lengths in words', 'lengths in words before a tokenizer is chosen');
  check(
    (await dataset.evaluate(() => window.__finetune.charts.lengths.data.datasets[0].data.reduce((a, b) => a + b, 0))) === 200,
    'the word-length histogram counts the 200 rows',
  );
  await dataset.locator('#choose-tokenizer').click();
  await quickPick('tiny-sentiment', 'finetune-test/tiny-sentiment');
  await until(
    'lengths in tokens',
    async () => /^Token lengths \(finetune-test\/tiny-sentiment\)$/.test(await dataset.locator('#length-title').textContent()),
    60_000,
  );
  const summary = await dataset.locator('#length-summary').innerText();
  check(/max_seq_length 128: \d+\.\d% of rows truncated/.test(summary), `token lengths with the share truncated: ${summary}`);
  await shot('preview-tokens');
}

/** 3. Preview a `label,review` file whose rows all have one label: the roles, the warning, no empty charts. */
async function previewWaimai() {
  await explorerMenu('waimai-first60.csv', 'Preview Dataset');
  const ds = await webview('dataset', 60_000, async (f) => (await f.locator('#file-name').innerText()) === 'waimai-first60.csv');
  await until('the preview of waimai-first60.csv', async () => /60 rows/.test(await ds.locator('#file-info').innerText()), 60_000);
  check((await valueOf(ds, '#text-column')) === 'review', 'text column = review');
  check((await valueOf(ds, '#label-column')) === 'label', 'label column = label');
  const warning = ds.locator('#warnings [data-kind="one-label"]');
  await warning.waitFor({ state: 'visible', timeout: 10_000 });
  check(
    /Every row has the label "1" in the column "label"/.test(await warning.innerText()),
    `the one-label warning: ${(await warning.innerText()).replace(/\s+/g, ' ')}`,
  );
  check(/Only one label \("1", 60 rows\)/.test(await ds.locator('#label-summary').innerText()), 'the label chart says: only one label');
  check((await ds.locator('#length-title').textContent()) === 'Text lengths in words', 'lengths in words');
  check(!(await ds.locator('#error').isVisible()), 'no error banner contradicting the roles');
  await shot('preview-label-review');
}

/** 4. The sidebar form from "Train on This File", Start, the dashboard until done; returns the run's name. */
async function trainFirstRun() {
  const finetuneIcon = page
    .locator('.activitybar .action-item[role="tab"]', { has: page.locator('[aria-label^="Finetune"]') })
    .or(page.locator('.activitybar [role="tab"][aria-label^="Finetune"]'))
    .first();
  await finetuneIcon.click({ timeout: 30_000 });
  const sidebar = await webview('sidebar');
  await sidebar.locator('#train-form').waitFor({ state: 'visible', timeout: 60_000 });
  lap('sidebar form shown (activity bar)');
  const sidebarHasCsv = async () => (await valueOf(sidebar, '#dataset-file')) === CSV;
  await explorerMenu('reviews.csv', 'Train on This File');
  if (
    !(await until('the sidebar to get reviews.csv', sidebarHasCsv, 15_000).then(
      () => true,
      () => false,
    ))
  ) {
    await explorerMenu('reviews.csv', 'Train on This File');
    await until('the sidebar to get reviews.csv', sidebarHasCsv, 30_000);
  }
  check((await valueOf(sidebar, '#text-column')) === 'text', 'text column = text');
  check((await valueOf(sidebar, '#label-column')) === 'label', 'label column = label');
  await sidebar.locator('#model input').fill(MODEL);
  await sidebar.locator('#field-num_train_epochs input').fill('2');
  await sidebar.locator('#field-per_device_train_batch_size input').fill('4');
  await sidebar.locator('#field-max_seq_length input').fill('32');
  await sidebar.locator('#field-learning_rate input').fill('1e-3');
  await longTextFields(h, sidebar);
  check((await valueOf(sidebar, '#field-eval_strategy')) === 'epoch', 'eval strategy = epoch');
  check(await sidebar.locator('#field-tokenizer_name').isVisible(), 'the form has a tokenizer field');
  check(await sidebar.locator('#field-test_file').isVisible(), 'the form has a test file field');
  check(await sidebar.locator('#field-max_steps').isVisible(), 'the form has a max_steps field');
  await estimate(sidebar);
  await sidebar.locator('#estimate-result').scrollIntoViewIfNeeded();
  await shot('form-filled');
  await sidebar.locator('#start').click();
  lap('Start pressed');
  const err = sidebar.locator('#form-error');
  const dash = await webview('dashboard', 60_000);
  if (await err.isVisible().catch(() => false)) throw new Error(`the form says: ${await err.innerText()}`);
  await watchRun(dash, true);
  await shot('dashboard-done');
  return { sidebar, name: (await dash.locator('#run-name').innerText()).trim() };
}

/** The estimate before Start: time per epoch and peak memory, as ranges, measured here. */
async function estimate(sidebar) {
  await sidebar.locator('#estimate').click();
  const box = sidebar.locator('#estimate-result');
  await until(
    'the estimate',
    async () => {
      const err = sidebar.locator('#form-error');
      if (await err.isVisible()) throw Object.assign(new Error(`the form says: ${await err.innerText()}`), { fatal: true });
      return /Per epoch: .*\d.*steps of/.test(await box.innerText());
    },
    120_000,
  );
  const text = (await box.innerText()).replace(/\n+/g, ' | ');
  check(/Peak memory: \d+ MB–\d+ MB|Peak memory: [\d.]+ GB/.test(text), `estimate: ${text}`);
}

/** Follows a run's dashboard until done; `live`: the step counter and the loss chart were seen moving. */
async function watchRun(dash, live) {
  const seen = new Set();
  let midShot = false;
  let midPoints = 0;
  let total = 0;
  const status = await until(
    'the run to finish (status done)',
    async () => {
      const m = /^(\d+) \/ (\d+)$/.exec((await dash.locator('#step').innerText()).trim());
      const st = (await dash.locator('#status').innerText()).trim();
      if (m) {
        seen.add(Number(m[1]));
        total = Number(m[2]);
        if (live && !midShot && Number(m[1]) >= total / 2 && Number(m[1]) < total) {
          midShot = true;
          midPoints = await dash.evaluate(() => window.__finetune?.charts?.loss?.data.datasets.find((d) => d.label === 'loss')?.data.length ?? 0);
          lap(`mid-run: step ${m[1]} / ${total}, ${midPoints} loss points`);
          await shot('dashboard-training');
        }
      }
      if (st === 'failed' || st === 'cancelled')
        throw Object.assign(
          new Error(
            `run ${st}: ${await dash
              .locator('#run-error')
              .innerText()
              .catch(() => '')}`,
          ),
          { fatal: true },
        );
      return st === 'done' ? st : undefined;
    },
    300_000,
    50,
  );
  const steps = [...seen].sort((a, b) => a - b);
  check(status === 'done' && total > 0 && steps.at(-1) === total, `dashboard: done at step ${total} / ${total}`);
  if (!live) return;
  check(steps.filter((s) => s > 0 && s < total).length >= 2, 'the step counter was seen at several values between 0 and the total (it advanced live)');
  check(midShot && midPoints > 0 && midPoints < total, `the loss chart had points while the run was going (${midPoints} at mid-run)`);
  const points = await dash.evaluate(() => {
    const c = window.__finetune?.charts ?? {};
    const n = (ch) => (ch?.data.datasets ?? []).map((d) => ({ label: d.label, n: d.data.length }));
    return { loss: n(c.loss), eval: n(c.eval) };
  });
  check(points.loss.find((d) => d.label === 'loss')?.n >= total, 'loss chart has a point per step');
  check(points.loss.find((d) => d.label === 'eval loss')?.n >= 1, 'loss chart has eval loss points');
  check(
    points.eval.some((d) => d.n >= 1),
    'evaluation chart has points',
  );
  await dash.locator('[data-metric="eval_accuracy"]').waitFor({ state: 'visible', timeout: 10_000 });
  await dash.locator('[data-testid="confusion-table"]').waitFor({ state: 'visible', timeout: 10_000 });
  check(/eval_loss|eval_accuracy/.test(await dash.locator('#log').innerText()), 'the log has the evaluation line');
}

/** 5a. The run's Predict link: its final model in the predict box, both labels with percentages. */
async function predictWithRun(sidebar, runName) {
  await page.keyboard.press('Escape'); // a toast (run finished) may hold focus
  await sidebar.locator('.run', { hasText: runName }).first().locator('.open-predict').click();
  const predict = await webview('predict');
  await until("the run's model in the predict box", async () => ((await valueOf(predict, '#model')) || '').includes(runName), 30_000);
  await predict.locator('#text textarea').fill('the food was really wonderful');
  await predict.locator('#predict').click();
  await until('new predictions', async () => (await predictions(predict)).length === 2 && !(await predict.locator('#busy').isVisible()), 60_000);
  const results = await predictions(predict);
  lap(`predictions: ${JSON.stringify(results)}`);
  checkPercentages(results, ['neg', 'pos'], 'the trained run');
  await shot('predict');
  return results;
}

/** 5b. notes.txt: select a line, right-click → Classify Selection → the decoration agrees with the predict box. */
async function classifySelection(results) {
  await showExplorer();
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.txt' }).first().click();
  const token = page.locator('.monaco-editor .view-line span span', { hasText: 'wonderful' }).first();
  await token.waitFor({ state: 'visible', timeout: 30_000 });
  const selected = page.locator('.statusbar-item', { hasText: /\(\d+ selected\)/ }).first();
  await until(
    'a selection in the editor',
    async () => {
      await token.click();
      await page.keyboard.press('Home');
      await page.keyboard.press('Shift+End');
      return selected.waitFor({ state: 'visible', timeout: 2_000 }).then(
        () => true,
        () => false,
      );
    },
    30_000,
    0,
  );
  await token.click({ button: 'right' });
  const menuItem = page.getByRole('menuitem', { name: 'Classify Selection', exact: true });
  if (
    await menuItem.waitFor({ state: 'visible', timeout: 10_000 }).then(
      () => true,
      () => false,
    )
  )
    await chooseMenuEntry(menuItem);
  else {
    await page.keyboard.press('Escape');
    await runCommand('Finetune: Classify Selection');
  }
  const deco = await until(
    'the classification decoration',
    async () => (await decorationTexts()).find((d) => /^⟶ (neg|pos) \d{1,3}\.\d%$/.test(d.text)),
    60_000,
  ).catch(async (e) => {
    const bar = await page
      .locator('.statusbar-item')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(`${e.message}; status bar: ${JSON.stringify(bar.filter((t) => t.trim()))}`);
  });
  const top = results[0];
  check(deco.text === `⟶ ${top.label} ${top.pct}`, `the decoration "${deco.text}" agrees with the predict box for the same sentence and model`);
  await shot('classify-selection');
}

/** 6. Re-run: the run's settings back in the form, epochs edited, a second run; returns its name. */
async function reRun(sidebar, runName) {
  await runCommand('Finetune: New Training Run');
  await sidebar.locator('.run', { hasText: runName }).first().locator('.re-run').click();
  await until(
    "the run's settings in the form",
    async () => (await valueOf(sidebar, '#field-num_train_epochs')) === '2' && (await valueOf(sidebar, '#model')) === MODEL,
    30_000,
  );
  check((await valueOf(sidebar, '#field-max_seq_length')) === '32', 'Re-run: max_seq_length 32 is back');
  check((await valueOf(sidebar, '#dataset-file')) === CSV, 'Re-run: the data file is back');
  check((await valueOf(sidebar, '#label-column')) === 'label', 'Re-run: the label column is back');
  await sidebar.locator('#field-num_train_epochs input').fill('3');
  await sidebar.locator('#start').scrollIntoViewIfNeeded();
  await shot('re-run-form');
  await sidebar.locator('#start').click();
  const dash = await webview('dashboard', 60_000, async (f) => {
    const n = (await f.locator('#run-name').innerText()).trim();
    return n !== '' && n !== runName;
  });
  await watchRun(dash, false);
  return (await dash.locator('#run-name').innerText()).trim();
}

/** 7. Compare runs: both runs in the table, their curves drawn. */
async function compareRuns(sidebar, names) {
  await runCommand('Finetune: New Training Run');
  await sidebar.locator('.compare-runs').click();
  const cmp = await webview('compare');
  await until('both runs in the comparison', async () => (await cmp.locator('#compare-table tbody tr[data-run-id]').count()) === 2, 30_000);
  const table = await cmp.locator('#compare-table').innerText();
  for (const n of names) check(table.includes(n), `the comparison lists ${n}`);
  check(/best f1|best accuracy/.test(table), 'the comparison has the best metric column');
  const drawn = await cmp.evaluate(() => window.__finetune.charts.compareLoss.data.datasets.length);
  check(drawn === 2, "both runs' loss curves are drawn");
  await shot('compare-runs');
}

/** 8. A sentence-pair model from the Hub: the second text field appears; three labels. */
async function pairPrediction() {
  await runCommand('Finetune: Open Predict Box');
  const predict = await webview('predict');
  await predict.locator('#choose-model').click();
  await quickPick('tiny-nli', 'finetune-test/tiny-nli');
  await until('the pair model chosen', async () => (await valueOf(predict, '#model')) === 'finetune-test/tiny-nli', 90_000);
  await predict.locator('#pair-row').waitFor({ state: 'visible', timeout: 10_000 });
  check(true, 'a pair model gets the second text field');
  await predict.locator('#text textarea').fill('A man is playing a guitar on stage.');
  await predict.locator('#pair textarea').fill('Someone is making music.');
  await predict.locator('#predict').click();
  await until('three labels', async () => (await predictions(predict)).length === 3, 90_000);
  checkPercentages(await predictions(predict), ['entailment', 'neutral', 'contradiction'], 'the pair model');
  await shot('pair-prediction');
}

/** 9. Export into a folder with someone's files: it is not replaced; a new folder inside it gets the model. */
async function exportKeepsFiles(runName) {
  const target = join(WS, 'export-target');
  const before = Object.fromEntries(['notes.md', 'data/keep.txt'].map((f) => [f, readFileSync(join(target, f), 'utf8')]));
  await runCommand('Finetune: Export Model');
  await quickPick(runName, runName);
  await inputBox(target);
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  const says = (await dialog.innerText()).replace(/\s+/g, ' ');
  check(
    /holds data, notes\.md, which is not a model/.test(says) && /nothing in it is touched/.test(says),
    `the export refuses to replace the folder: ${says.slice(0, 200)}`,
  );
  await shot('export-refused');
  await dialog.locator('.monaco-button', { hasText: 'Export into export-target/' }).click();
  const into = join(target, `${runName}-export`);
  await until('the exported model', async () => existsSync(join(into, 'onnx', 'model.onnx')) && existsSync(join(into, 'config.json')), 120_000);
  for (const [f, text] of Object.entries(before)) check(readFileSync(join(target, f), 'utf8') === text, `export-target/${f} is still there, unchanged`);
  check(
    readdirSync(target).sort().join(',') === ['data', 'notes.md', `${runName}-export`].sort().join(','),
    `export-target holds its files and the new folder only`,
  );
  await until('the export notification', async () => (await notificationTexts()).some((t) => /exported \d+ files/.test(t)), 30_000);
  // the explorer shows the folder: the person's files and the new folder beside them
  await showExplorer();
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'export-target' }).first().click();
  await page
    .locator('.explorer-folders-view .monaco-list-row', { hasText: `${runName}-export` })
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 });
  await shot('export-kept-files');
}

/** 10. The walkthrough, then its short sample run (sample data copied into the workspace, a run that finishes). */
async function walkthrough() {
  await runCommand('Welcome: Open Walkthrough...');
  await quickPick('Fine-tune your first classifier', 'Fine-tune your first classifier');
  await page.locator('.gettingStartedContainer', { hasText: 'Open the sample data' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  check(true, 'the walkthrough "Fine-tune your first classifier" opens with its steps');
  await shot('walkthrough');
  await runCommand('Finetune: Start a Short Sample Run');
  const dash = await webview('dashboard', 60_000, async (f) => (await f.locator('#run-source').innerText()).includes('sms-spam.csv'));
  await watchRun(dash, false);
  check(existsSync(join(WS, 'finetune-sample', 'sms-spam.csv')), 'the sample data was copied into the workspace');
  await shot('sample-run-done');
}

/** What the step modules use of this file (steps-explain.mjs). */
const h = { page, WS, webview, until, check, shot, lap, valueOf, explorerMenu, runCommand, chooseMenuEntry, notificationTexts };

let exitCode = 0;
const watchdog = setTimeout(async () => {
  console.error(`E2E FAIL: over the ${TOTAL_TIMEOUT / 1000}s limit`);
  await page.screenshot({ path: join(OUT, '99-timeout.png') }).catch(() => {});
  process.exit(1);
}, TOTAL_TIMEOUT);

try {
  await page.goto(URL, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'reviews.csv' }).first().waitFor({ state: 'visible', timeout: 60_000 });
  lap('workbench ready (explorer lists reviews.csv)');
  await shot('workbench');
  await firstLook();
  await previewReviews();
  await previewWaimai();
  await previewLongRows(h);
  const { sidebar, name } = await trainFirstRun();
  await errorsTable(h, name, CSV);
  const results = await predictWithRun(sidebar, name);
  await explainInPredictBox(h);
  await classifySelection(results);
  await classifyHover(h);
  const second = await reRun(sidebar, name);
  await compareRuns(sidebar, [name, second]);
  await pairPrediction();
  await exportKeepsFiles(name);
  await walkthrough();
  await findLabelErrors(h, sidebar);
  console.log(`E2E PASS (${((Date.now() - t0) / 1000).toFixed(1)}s; ${shots.length} screenshots in ${OUT})`);
} catch (e) {
  exitCode = 1;
  console.error('E2E FAIL:', e);
  const notes = await notificationTexts();
  if (notes.length > 0) console.error(`notifications on screen: ${JSON.stringify(notes)}`);
  await page.screenshot({ path: join(OUT, '99-failure.png') }).catch(() => {});
  console.error(`screenshot: ${join(OUT, '99-failure.png')}; browser console: ${CONSOLE_LOG}`);
} finally {
  clearTimeout(watchdog);
  await browser.close().catch(() => {});
  process.exit(exitCode);
}
