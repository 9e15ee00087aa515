/**
 * The e2e workspace: `reviews.csv` (200 seeded, labelled English sentences, columns text,label with
 * labels neg / pos) and `notes.txt` (sentences to classify in an editor).
 * Usage: node --import tsx test/e2e/vscode/make-workspace.ts <folder>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sentimentSentences } from '../../helpers/sentences.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: make-workspace.ts <folder>');
mkdirSync(dir, { recursive: true });
const csv = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const rows = sentimentSentences(200, 2024).map((r) => `${csv(r.text)},${r.label ? 'pos' : 'neg'}`);
writeFileSync(join(dir, 'reviews.csv'), ['text,label', ...rows].join('\n') + '\n');
writeFileSync(join(dir, 'notes.txt'), ['the food was really wonderful', 'the service was so terrible today', ''].join('\n'));
console.log(`workspace: ${dir} (reviews.csv: ${rows.length} rows; notes.txt)`);
