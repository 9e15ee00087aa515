/**
 * The dashboard's errors table from a run's prediction table (eval_predictions.csv, written by the
 * final evaluation; columns in core/predict/predictions.ts). No vscode: unit-tested. A big
 * evaluation set can have thousands of errors, so what goes to the webview is capped: the most
 * confident wrong predictions (the likeliest label errors or systematic mistakes) first, then the
 * abstained rows, then the least-confident right ones; the table says how many were left out.
 */
import type { PredictionsEvent, TrainingEvent } from '../core/contract/events.js';
import { readTable } from '../core/data/index.js';
import type { ErrorRow, ErrorTable } from '../protocol/webviews/dashboard.js';

/** Wrong + abstained rows sent at most, and right rows among the least confident. */
export const CAPS = { wrong: 500, unsure: 50 };

/** The prediction table the dashboard shows: the latest of the final evaluation, else of a labelled test file. */
export function latestPredictions(events: readonly TrainingEvent[]): PredictionsEvent | undefined {
  const all = events.filter((e): e is PredictionsEvent => e.type === 'predictions');
  return all.filter((e) => e.split === 'eval').at(-1) ?? all.at(-1);
}

/** The rows of a parsed prediction table as the errors table shows them (see the module comment). */
export function errorTable(
  table: { columns: readonly string[]; rows: readonly (readonly unknown[])[] },
  meta: { path: string; dataFile: string; labels: string[] },
  caps: { wrong: number; unsure: number } = CAPS,
): ErrorTable {
  const col = (name: string): number => table.columns.indexOf(name);
  const [iIndex, iLine, iText, iPair, iLabel, iPred, iScore, iCorrect, iAbst, iNote] = [
    'index',
    'line',
    'text',
    'text_pair',
    'label',
    'predicted',
    'score',
    'correct',
    'abstained',
    'note',
  ].map(col) as [number, number, number, number, number, number, number, number, number, number];
  const cell = (r: readonly unknown[], i: number): string => (i >= 0 && r[i] !== undefined && r[i] !== null ? String(r[i]) : '');
  const wrong: ErrorRow[] = [];
  const abstained: ErrorRow[] = [];
  const right: ErrorRow[] = [];
  for (const r of table.rows) {
    const label = cell(r, iLabel);
    if (label === '' || cell(r, iNote) !== '') continue;
    const row: ErrorRow = {
      index: Number(cell(r, iIndex)),
      line: Number(cell(r, iLine)),
      text: cell(r, iText),
      ...(iPair >= 0 ? { pair: cell(r, iPair) } : {}),
      label,
      predicted: cell(r, iPred),
      score: Number(cell(r, iScore)),
      kind: 'unsure',
    };
    if (cell(r, iAbst) === 'true') abstained.push({ ...row, kind: 'abstained' });
    else if (cell(r, iCorrect) === 'false') wrong.push({ ...row, kind: 'wrong' });
    else if (cell(r, iCorrect) === 'true') right.push(row);
  }
  wrong.sort((a, b) => b.score - a.score || a.index - b.index);
  abstained.sort((a, b) => a.score - b.score || a.index - b.index);
  right.sort((a, b) => a.score - b.score || a.index - b.index);
  const kept = [...wrong, ...abstained].slice(0, caps.wrong);
  const unsure = right.slice(0, caps.unsure);
  return {
    ...meta,
    rows: [...kept, ...unsure],
    total: wrong.length + abstained.length + right.length,
    wrong: wrong.length,
    abstained: abstained.length,
    leftOut: wrong.length + abstained.length - kept.length,
    unsure: unsure.length,
  };
}

/** Reads a prediction table announced by a `predictions` event. */
export async function readErrorTable(e: PredictionsEvent, caps = CAPS): Promise<ErrorTable> {
  const t = await readTable(e.path, { format: 'csv' });
  return errorTable(t, { path: e.path, dataFile: e.dataFile, labels: e.labels }, caps);
}
