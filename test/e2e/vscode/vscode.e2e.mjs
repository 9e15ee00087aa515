// The packaged Finetune extension in a real VS Code (code-server), driven with playwright-core and
// Debian's Chromium. Started by test/e2e/vscode/run.sh, which installs everything, packages and
// installs the VSIX, makes the workspace (reviews.csv, notes.txt, tiny-model/) and starts
// code-server; this file only drives the browser.
//
// Steps (a screenshot each, into E2E_OUT): workbench → explorer right-click reviews.csv →
// "Preview Dataset" (rows in the table) → Finetune activity bar → explorer right-click →
// "Train on This File" (the sidebar gets the file) → form (model, 2 epochs, batch 4,
// max_seq_length 32, lr 1e-3) → Start → dashboard (step counter advances, loss chart gets points,
// an evaluation, status done) → "Finetune: Open Predict Box" → Predict (both labels with %) →
// notes.txt, select a line, right-click → "Classify Selection" → the `⟶ label NN.N%` decoration.
//
// Webview text lives two iframes down (iframe.webview → #active-frame); each page's body says
// which page it is (data-page="sidebar|dataset|dashboard|predict"), which is how the right
// webview is found among several.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

const URL = process.env.VSCODE_URL ?? die('VSCODE_URL is not set (run test/e2e/vscode/run.sh)');
const WS = process.env.WS ?? die('WS is not set');
const OUT = process.env.E2E_OUT ?? '.test-output/e2e';
const TOTAL_TIMEOUT = Number(process.env.E2E_TIMEOUT_S ?? 600) * 1000;
const MODEL = join(WS, 'tiny-model');
const CSV = join(WS, 'reviews.csv');
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

/** The webview frame showing one of the extension's pages. */
async function webview(kind, timeout = 60_000) {
  return until(
    `the ${kind} webview`,
    async () => {
      for (const f of page.frames()) {
        if (f.isDetached() || f === page.mainFrame()) continue;
        const k = await f.evaluate(() => document.body?.dataset.page).catch(() => undefined);
        if (k === kind) return f;
      }
      return undefined;
    },
    timeout,
    250,
  );
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

let exitCode = 0;
const watchdog = setTimeout(async () => {
  console.error(`E2E FAIL: over the ${TOTAL_TIMEOUT / 1000}s limit`);
  await page.screenshot({ path: join(OUT, '99-timeout.png') }).catch(() => {});
  process.exit(1);
}, TOTAL_TIMEOUT);

try {
  // ---- workbench ---------------------------------------------------------------------------
  await page.goto(URL, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'reviews.csv' }).first().waitFor({ state: 'visible', timeout: 60_000 });
  lap('workbench ready (explorer lists reviews.csv)');
  await shot('workbench');

  // ---- dataset preview from the explorer ------------------------------------------------------
  await explorerMenu('reviews.csv', 'Preview Dataset');
  const dataset = await webview('dataset');
  const firstRow = readFileSync(CSV, 'utf8').split('\n')[1].split(',');
  const row0 = dataset.locator('#rows .vrow[data-index="0"]');
  await row0.waitFor({ state: 'visible', timeout: 60_000 });
  await until('the file info to say 200 rows', async () => /200 rows/.test(await dataset.locator('#file-info').innerText()), 30_000);
  const cells = await row0.locator('.vcell').allInnerTexts();
  check(cells[1] === firstRow[0] && cells[2] === firstRow[1], `preview row 1 is the CSV's first row (${cells.slice(1).join(' | ')})`);
  check((await dataset.locator('#rows-title').textContent()) === 'Rows (200)', 'preview says "Rows (200)"');
  check((await dataset.locator('#rows .vrow[data-index]').count()) >= 10, 'the preview table draws at least 10 rows');
  await shot('dataset-preview');

  // ---- the Finetune sidebar, then "Train on This File" ------------------------------------------
  const finetuneIcon = page
    .locator('.activitybar .action-item[role="tab"]', { has: page.locator('[aria-label^="Finetune"]') })
    .or(page.locator('.activitybar [role="tab"][aria-label^="Finetune"]'))
    .first();
  await finetuneIcon.click({ timeout: 30_000 });
  const sidebar = await webview('sidebar');
  await sidebar.locator('#train-form').waitFor({ state: 'visible', timeout: 60_000 });
  lap('sidebar form shown (activity bar)');
  await shot('sidebar');

  const sidebarHasCsv = async () => (await sidebar.locator('#dataset-file').evaluate((el) => el.value)) === CSV;
  await explorerMenu('reviews.csv', 'Train on This File');
  // One more try if the first menu pick was lost.
  if (
    !(await until('the sidebar to get reviews.csv', sidebarHasCsv, 15_000).then(
      () => true,
      () => false,
    ))
  ) {
    await explorerMenu('reviews.csv', 'Train on This File');
    await until('the sidebar to get reviews.csv', sidebarHasCsv, 30_000);
  }
  check(/reviews\.csv/.test(await sidebar.locator('#dataset-info').innerText()), `sidebar data file: ${await sidebar.locator('#dataset-info').innerText()}`);
  check((await sidebar.locator('#text-column').evaluate((el) => el.value)) === 'text', 'text column = text');
  check((await sidebar.locator('#label-column').evaluate((el) => el.value)) === 'label', 'label column = label');

  // ---- the form -------------------------------------------------------------------------------
  await sidebar.locator('#model input').fill(MODEL);
  await sidebar.locator('#field-num_train_epochs input').fill('2');
  await sidebar.locator('#field-per_device_train_batch_size input').fill('4');
  await sidebar.locator('#field-max_seq_length input').fill('32');
  await sidebar.locator('#field-learning_rate input').fill('1e-3');
  check((await sidebar.locator('#model').evaluate((el) => el.value)) === MODEL, 'model = the tiny model folder');
  check((await sidebar.locator('#field-eval_strategy').evaluate((el) => el.value)) === 'epoch', 'eval strategy = epoch');
  await sidebar.locator('#start').scrollIntoViewIfNeeded();
  await shot('form-filled');
  await sidebar.locator('#start').click();
  lap('Start pressed');

  // ---- the dashboard --------------------------------------------------------------------------
  const dash = await webview('dashboard', 60_000);
  const err = sidebar.locator('#form-error');
  if (await err.isVisible().catch(() => false)) throw new Error(`the form says: ${await err.innerText()}`);
  const seen = new Set();
  let midShot = false;
  let midPoints = 0;
  let total = 0;
  const status = await until(
    'the run to finish (status done)',
    async () => {
      const step = (await dash.locator('#step').innerText()).trim();
      const st = (await dash.locator('#status').innerText()).trim();
      const m = /^(\d+) \/ (\d+)$/.exec(step);
      if (m) {
        seen.add(Number(m[1]));
        total = Number(m[2]);
        if (!midShot && Number(m[1]) >= total / 2 && Number(m[1]) < total) {
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
  lap(`step values seen: ${steps.join(', ')} of ${total}`);
  check(status === 'done', 'dashboard status: done');
  check(total > 0 && steps.at(-1) === total, `step counter reached ${total} / ${total}`);
  check(steps.filter((s) => s > 0 && s < total).length >= 2, 'the step counter was seen at several values between 0 and the total (it advanced live)');
  check(midShot && midPoints > 0 && midPoints < total, `the loss chart had points while the run was going (${midPoints} at mid-run)`);
  const points = await dash.evaluate(() => {
    const c = window.__finetune?.charts ?? {};
    const n = (ch) => (ch?.data.datasets ?? []).map((d) => ({ label: d.label, n: d.data.length }));
    return { loss: n(c.loss), eval: n(c.eval) };
  });
  lap(`chart points: ${JSON.stringify(points)}`);
  const stepLoss = points.loss.find((d) => d.label === 'loss');
  check(stepLoss && stepLoss.n >= total, `loss chart has a point per step (${stepLoss?.n})`);
  check(points.loss.find((d) => d.label === 'eval loss')?.n >= 1, 'loss chart has eval loss points');
  check(
    points.eval.some((d) => d.n >= 1),
    'evaluation chart has points',
  );
  await dash.locator('[data-metric="eval_accuracy"]').waitFor({ state: 'visible', timeout: 10_000 });
  check(true, `eval metrics shown: ${(await dash.locator('#metrics').innerText()).replace(/\s+/g, ' ')}`);
  await dash.locator('[data-testid="confusion-table"]').waitFor({ state: 'visible', timeout: 10_000 });
  const logText = await dash.locator('#log').innerText();
  check(/eval_loss|eval_accuracy/.test(logText), 'the log has the evaluation line');
  await shot('dashboard-done');

  // ---- predict box ----------------------------------------------------------------------------
  await page.keyboard.press('Escape'); // a toast (run finished) may hold focus
  await runCommand('Finetune: Open Predict Box');
  const predict = await webview('predict');
  await until('a model in the predict box', async () => ((await predict.locator('#model').evaluate((el) => el.value)) || '').length > 0, 30_000);
  lap(`predict model: ${await predict.locator('#model').evaluate((el) => el.value)}`);
  await predict.locator('#text textarea').fill('the food was really wonderful');
  await predict.locator('#predict').click();
  await predict.locator('#results .result').nth(1).waitFor({ state: 'visible', timeout: 60_000 });
  const results = await predict
    .locator('#results .result')
    .evaluateAll((els) => els.map((e) => ({ label: e.dataset.label, pct: e.querySelector('.pct')?.textContent ?? '' })));
  lap(`predictions: ${JSON.stringify(results)}`);
  check(
    results.length === 2 &&
      results
        .map((r) => r.label)
        .sort()
        .join(',') === 'neg,pos',
    'both labels shown',
  );
  check(
    results.every((r) => /^\d{1,3}\.\d%$/.test(r.pct)),
    'each label has a percentage',
  );
  const sum = results.reduce((a, r) => a + Number.parseFloat(r.pct), 0);
  check(Math.abs(sum - 100) < 0.2, `percentages add up to 100 (${sum.toFixed(1)})`);
  await shot('predict');

  // ---- classify selection in an editor ----------------------------------------------------------
  await showExplorer();
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.txt' }).first().click();
  const token = page.locator('.monaco-editor .view-line span span', { hasText: 'wonderful' }).first();
  await token.waitFor({ state: 'visible', timeout: 30_000 });
  // Select the line; the status bar's "(N selected)" says the editor (not the explorer) took the keys.
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
  ) {
    await chooseMenuEntry(menuItem);
    lap('editor: right-click → Classify Selection');
  } else {
    await page.keyboard.press('Escape');
    await runCommand('Finetune: Classify Selection');
  }
  const deco = await until(
    'the classification decoration',
    async () => (await decorationTexts()).find((d) => /^⟶ (neg|pos) \d{1,3}\.\d%$/.test(d.text)),
    60_000,
  ).catch(async (e) => {
    // Say what the window showed instead: the status bar has the result when the command ran.
    const bar = await page
      .locator('.statusbar-item')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(`${e.message}; status bar: ${JSON.stringify(bar.filter((t) => t.trim()))}`);
  });
  check(true, `decoration after the line: "${deco.text}" (${deco.via})`);
  const top = results[0];
  check(deco.text === `⟶ ${top.label} ${top.pct}`, `the decoration agrees with the predict box for the same sentence and model (${top.label} ${top.pct})`);
  await shot('classify-selection');

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
