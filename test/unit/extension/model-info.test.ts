/** Whether a model takes sentence pairs: its run's text columns, else its label names. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { takesPairs } from '../../../src/extension/model-info.js';

const dir = mkdtempSync(join(tmpdir(), 'finetune-model-info-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function folder(name: string, files: Record<string, unknown>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(d, f), JSON.stringify(v));
  return d;
}

const cases: [string, Record<string, unknown>, boolean][] = [
  ['two text columns, no delimiter: a pair', { 'training_args.json': { text_column_names: ['premise', 'hypothesis'], text_column_delimiter: null } }, true],
  ['two text columns joined by a delimiter: one text', { 'training_args.json': { text_column_names: ['title', 'body'], text_column_delimiter: ' ' } }, false],
  ['one text column', { 'training_args.json': { text_column_names: ['text'] }, 'config.json': { id2label: { 0: 'entailment' } } }, false],
  ['no run: NLI labels', { 'config.json': { id2label: { 0: 'entailment', 1: 'neutral', 2: 'contradiction' } } }, true],
  ['no run: sentiment labels', { 'config.json': { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' } } }, false],
  ['nothing', {}, false],
];
for (const [name, files, want] of cases) test(name, async () => assert.equal(await takesPairs(folder(name.replace(/\W+/g, '-'), files)), want));

test("a checkpoint reads its run's training_args.json", async () => {
  const run = folder('run', { 'training_args.json': { text_column_names: ['q1', 'q2'] } });
  mkdirSync(join(run, 'checkpoint-10'));
  assert.equal(await takesPairs(join(run, 'checkpoint-10')), true);
});
