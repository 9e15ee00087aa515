// "Know your model" in the real VS Code, as steps vscode.e2e.mjs calls with its helpers (`t`):
//
//  - errorsTable: the first run's dashboard has the errors table of its final evaluation and the
//    reliability diagram; a confusion cell filters the table; a row opens reviews.csv at its line;
//  - findLabelErrors: Find Label Errors on flipped-labels.csv (the sidebar's tiny model, 1 epoch,
//    finetune.labelErrorFolds = 2): the cost in a modal → Start → the Label Issues view; a row opens
//    the file at its line; the editor's quick fix relabels it (the line changes, Ctrl+Z restores it);
//    Mark Reviewed hides a row, Show Reviewed brings it back.
//
// `t` holds: page, WS, webview, until, check, shot, lap, runCommand, explorerMenu, chooseMenuEntry,
// notificationTexts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The line where the editor's cursor is (the status bar's "Ln N, Col M"). */
async function cursorLine(t) {
  const texts = await t.page
    .locator('.statusbar-item')
    .allInnerTexts()
    .catch(() => []);
  const m = texts.map((s) => /Ln (\d+), Col \d+/.exec(s)).find(Boolean);
  return m ? Number(m[1]) : undefined;
}

/** The text of the editor's line that holds `needle` (Monaco draws spaces as no-break spaces). */
async function editorLine(t, needle) {
  const lines = await t.page.locator('.monaco-editor .view-lines .view-line').allInnerTexts();
  return lines.map((l) => l.replace(/\u00a0/g, ' ')).find((l) => l.includes(needle));
}

/** Waits until an editor shows `name` with the cursor on `line` (a message with what is on screen when it does not). */
async function openedAt(t, name, line) {
  await t.until(
    `${name} open at line ${line}`,
    async () => {
      const [tab, at] = [await hasTab(t, name), await cursorLine(t)];
      if (tab && at === line) return true;
      const tabs = await t.page
        .locator('.tab .label-name')
        .allInnerTexts()
        .catch(() => []);
      throw new Error(`tabs ${JSON.stringify(tabs)}, cursor on line ${at}`);
    },
    30_000,
  );
}

/** The editor tabs' names (a tab's aria-label is its file name, then ", Preview" and such). */
function tabNames(t) {
  return t.page
    .locator('.tab')
    .evaluateAll((tabs) => tabs.map((x) => (x.getAttribute('aria-label') ?? '').split(',')[0].trim()))
    .catch(() => []);
}

/** Whether an editor tab is the file `name`. */
async function hasTab(t, name) {
  return (await tabNames(t)).includes(name);
}

/** The first run's dashboard: errors table + reliability diagram, a confusion cell's filter, a row opened at its line. */
export async function errorsTable(t, runName, csvFile) {
  const dash = await t.webview('dashboard', 60_000, async (f) => (await f.locator('#run-name').innerText()).trim() === runName);
  await dash.locator('[data-testid="errors-table"]').waitFor({ state: 'visible', timeout: 60_000 });
  const caption = await dash.locator('#errors-caption').innerText();
  t.check(/^\d+ wrong of \d+ rows/.test(caption), `the errors table says what it holds: ${caption}`);
  const reliability = await dash.evaluate(() => window.__finetune?.charts?.reliability?.data.datasets.map((d) => [d.label, d.data.length]));
  t.check(
    reliability?.length === 3 && reliability[0][0] === 'perfect calibration' && reliability[1][1] > 0 && reliability[2][1] > 0,
    `the reliability diagram draws the diagonal and the bins before and after (${JSON.stringify(reliability)})`,
  );
  const summary = await dash.locator('#reliability-summary').innerText();
  t.check(/^T = \d+\.\d{3} · ECE \d\.\d{4} → \d\.\d{4} · NLL/.test(summary), `ECE before / after and T as text: ${summary}`);

  // the off-diagonal cell with the most rows (a confusion the table must hold), else a diagonal one
  const cells = await dash
    .locator('#confusion td.count')
    .evaluateAll((tds) => tds.map((td) => ({ row: Number(td.dataset.row), col: Number(td.dataset.col), n: Number(td.textContent) })));
  const labels = await dash.locator('#confusion thead th.pred').allInnerTexts();
  const off = cells.filter((c) => c.row !== c.col && c.n > 0).sort((a, b) => b.n - a.n)[0];
  const cell = off ?? cells.find((c) => c.n > 0);
  const cellLoc = dash.locator(`#confusion td.count[data-row="${cell.row}"][data-col="${cell.col}"]`);
  await cellLoc.click();
  await dash.locator('#errors-filter').waitFor({ state: 'visible', timeout: 10_000 });
  const rows = await dash.locator('#errors tbody tr[data-line]').evaluateAll((trs) =>
    trs.map((tr) => ({
      line: Number(tr.dataset.line),
      text: tr.querySelector('.clip')?.textContent,
      label: tr.querySelector('.label')?.textContent,
      predicted: tr.querySelector('.predicted')?.textContent,
    })),
  );
  const [want, got] = [labels[cell.row], labels[cell.col]];
  t.check(
    rows.length > 0 && rows.length <= cell.n && rows.every((r) => r.label === want && r.predicted === got),
    `the cell (${want} → ${got}, ${cell.n}) filters the table to ${rows.length} such rows`,
  );
  await dash.evaluate(() => document.querySelector('.analysis')?.scrollIntoView({ block: 'start' }));
  await t.runCommand('Notifications: Clear All Notifications');
  await t.shot('dashboard-errors');

  // a row opens the data file beside the dashboard, its line selected
  const row = rows[0];
  await dash.locator(`#errors tbody tr[data-line="${row.line}"]`).click();
  await openedAt(t, 'reviews.csv', row.line);
  const fileLine = readFileSync(csvFile, 'utf8').split('\n')[row.line - 1];
  t.check(fileLine.includes(row.text.split(' ')[0]) && fileLine.endsWith(`,${want}`), `line ${row.line} of reviews.csv is the row: ${fileLine}`);
  await t.shot('errors-row-opened');
  await cellLoc.click(); // clears the filter again
  await t.runCommand('View: Close Editor');
}

/** The Label Issues view's rows (their labels and descriptions). */
function issueRows(t) {
  return t.page.locator('.pane', { has: t.page.locator('.pane-header', { hasText: 'Label Issues' }) }).locator('.monaco-list-row');
}

/** How many rows the view holds (the list draws only those in sight; each row says the total). */
async function issueCount(t) {
  const rows = issueRows(t);
  if ((await rows.count()) === 0) return 0;
  return Number(await rows.first().getAttribute('aria-setsize'));
}

/** flipped-labels.csv: Find Label Errors, the cost modal, the view, the quick fixes. */
export async function findLabelErrors(t, sidebar) {
  const file = join(t.WS, 'flipped-labels.csv');
  const before = readFileSync(file, 'utf8');
  // the sidebar's settings (whatever the last run left there) with the Hub's sentiment model (cached by the
  // first look: a model that knows the task, as people start from), one epoch, batches of 4
  await t.runCommand('Finetune: New Training Run');
  await sidebar.locator('#model input').fill('finetune-test/tiny-sentiment');
  await sidebar.locator('#field-tokenizer_name input').fill('');
  await sidebar.locator('#field-num_train_epochs input').fill('1');
  await sidebar.locator('#field-per_device_train_batch_size input').fill('4');
  await t.explorerMenu('flipped-labels.csv', 'Find Label Errors');
  const dialog = t.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 120_000 });
  const says = (await dialog.innerText()).replace(/\s+/g, ' ');
  t.check(
    /Find label errors in flipped-labels\.csv\? It trains 2 models\./.test(says) &&
      /2 trainings of finetune-test\/tiny-sentiment on about 20 of the 40 rows each, 10 optimizer steps in all/.test(says),
    `the cost comes first: ${says.slice(0, 240)}`,
  );
  await t.shot('label-errors-cost');
  await dialog.locator('.monaco-button', { hasText: 'Start' }).click();
  const rows = issueRows(t);
  await rows.first().waitFor({ state: 'visible', timeout: 180_000 });
  const root = join(t.WS, '.finetune', 'runs', 'label-issues');
  const table = readFileSync(join(root, readdirSync(root)[0], 'label_issues.csv'), 'utf8')
    .trim()
    .split('\n');
  const flagged = table.slice(1).filter((l) => l.split(',')[7] === 'true');
  await t.until('every flagged row in the view', async () => (await issueCount(t)) === flagged.length, 30_000);
  t.check(readFileSync(file, 'utf8') === before, 'finding label errors leaves the data file as it was');
  // make-workspace.ts flipped the label of every 10th row: lines 11, 21, 31, 41
  const lines = flagged.map((l) => Number(l.split(',')[2]));
  const flips = lines.filter((n) => (n - 1) % 10 === 0);
  t.check(flips.includes(lines[0]) && flips.length >= 3, `the flipped rows lead: flagged lines ${lines.join(', ')}`);
  const first = (await rows.first().innerText()).replace(/\s+/g, ' ');
  const [, , line1, , given1, suggested1] = flagged[0].split(',');
  t.check(first.startsWith(`${given1} → ${suggested1}`) && first.includes(`line ${line1}`), `the most suspect row first: ${first}`);
  await t.until('the notification', async () => (await t.notificationTexts()).some((s) => /look mislabelled/.test(s)), 30_000);
  await t.runCommand('Notifications: Clear All Notifications');

  // the row opens the file at its line; the editor's quick fix (Ctrl+.) relabels it
  await rows.first().click();
  const line = Number(line1);
  await openedAt(t, 'flipped-labels.csv', line);
  const text = before.split('\n')[line - 1];
  const needle = text.slice(0, text.lastIndexOf(','));
  await t.page.keyboard.press('Home');
  await t.page.keyboard.press('Control+Period');
  const fix = t.page.locator('.action-widget .monaco-list-row', { hasText: `Relabel as ${suggested1}` }).first();
  await fix.waitFor({ state: 'visible', timeout: 30_000 });
  t.check(
    await t.page.locator('.action-widget .monaco-list-row', { hasText: `Mark reviewed (keep ${given1})` }).isVisible(),
    'the lightbulb offers relabel and mark reviewed',
  );
  await t.shot('label-issues');
  await fix.click();
  await t.until('the line relabelled in the editor', async () => (await editorLine(t, needle)) === `${needle},${suggested1}`, 30_000);
  t.check(readFileSync(file, 'utf8') === before, 'the relabel is an unsaved edit (the file on disk is unchanged until saved)');
  await t.until('the relabelled row leaves the view', async () => !(await rows.first().innerText()).includes(`line ${line} `), 30_000);
  await t.shot('label-issues-relabelled');
  await t.page.locator('.monaco-editor .view-line', { hasText: needle }).first().click();
  await t.page.keyboard.press('Control+Z');
  await t.until('Ctrl+Z restores the label', async () => (await editorLine(t, needle)) === `${needle},${given1}`, 30_000);
  await t.until('the row is back in the view', async () => (await rows.first().innerText()).includes(`line ${line} `), 30_000);

  // Mark Reviewed (inline) hides the row; Show Reviewed shows it again, marked
  const count = await issueCount(t);
  // the inline action shows while the row is hovered; the view re-renders after the undo, so hover and click again until it takes
  await t.until(
    'Mark Reviewed clicked on the first row',
    async () => {
      await rows.first().hover();
      await rows.first().locator('.action-label[aria-label="Mark Reviewed"]').click({ timeout: 2_000 });
      return true;
    },
    30_000,
  );
  await t.until('the reviewed row hidden', async () => (await issueCount(t)) === count - 1, 30_000);
  const header = t.page.locator('.pane-header', { hasText: 'Label Issues' });
  await header.hover();
  await header.locator('.action-label[aria-label="Show Reviewed Label Issues"]').click();
  await t.until('reviewed rows shown', async () => (await issueCount(t)) === count, 30_000);
  t.check(/reviewed/.test(await rows.first().innerText()), `the reviewed row says so: ${(await rows.first().innerText()).replace(/\s+/g, ' ')}`);
  await t.shot('label-issues-reviewed');
}
