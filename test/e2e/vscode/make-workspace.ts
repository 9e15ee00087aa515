/**
 * The e2e workspace: `reviews.csv` (200 seeded, labelled English sentences, columns text,label with
 * labels neg / pos, every 10th label wrong), `waimai-first60.csv` (the first 60 rows of waimai_10k: header `label,review`,
 * every label 1, from test/fixtures/data), `notes.txt` (sentences to classify in an editor),
 * `export-target/` holding someone's files (an export into it must leave them as they are), and
 * `flipped-labels.csv` (40 other seeded sentences, every 10th label flipped: Find Label Errors).
 * Usage: node --import tsx test/e2e/vscode/make-workspace.ts <folder>
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sentimentSentences } from '../../helpers/sentences.js';

/** The files in export-target/ that are not ours: the test checks they are still there, byte for byte. */
export const FOREIGN_FILES: Record<string, string> = {
  'notes.md': '# my notes\n\nkeep this file\n',
  'data/keep.txt': 'a file in a subfolder\n',
};

const dir = process.argv[2];
if (!dir) throw new Error('usage: make-workspace.ts <folder>');
mkdirSync(dir, { recursive: true });
const csv = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
// every 10th label (from the 6th row) flipped: a run's final evaluation has confident mistakes to show
const rows = sentimentSentences(200, 2024).map((r, i) => `${csv(r.text)},${(i % 10 === 5 ? !r.label : r.label) ? 'pos' : 'neg'}`);
writeFileSync(join(dir, 'reviews.csv'), ['text,label', ...rows].join('\n') + '\n');
copyFileSync('test/fixtures/data/waimai-first60.csv', join(dir, 'waimai-first60.csv'));
const noisy = sentimentSentences(40, 4242).map((r, i) => `${csv(r.text)},${(i % 10 === 9 ? !r.label : r.label) ? 'pos' : 'neg'}`);
writeFileSync(join(dir, 'flipped-labels.csv'), ['text,label', ...noisy].join('\n') + '\n');
writeFileSync(join(dir, 'notes.txt'), ['the food was really wonderful', 'the service was so terrible today', ''].join('\n'));
for (const [rel, text] of Object.entries(FOREIGN_FILES)) {
  mkdirSync(join(dir, 'export-target', rel, '..'), { recursive: true });
  writeFileSync(join(dir, 'export-target', rel), text);
}
console.log(`workspace: ${dir} (reviews.csv: ${rows.length} rows; waimai-first60.csv; notes.txt; export-target/; flipped-labels.csv: ${noisy.length} rows)`);
