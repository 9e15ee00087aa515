/** The walkthrough's sample: copied into a folder without ever replacing a file; the short run's settings. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formFromArgs } from '../../../src/extension/form.js';
import { copySample, sampleRunForm, writeNewFile } from '../../../src/extension/sample.js';
import { defaultArgs } from '../../../src/core/contract/args.js';

const dir = mkdtempSync(join(tmpdir(), 'finetune-sample-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('writeNewFile: a new file; the same bytes again reuse it; other bytes there are kept and the new ones get a new name', async () => {
  const f = join(dir, 'a', 'data.csv');
  assert.equal(await writeNewFile(f, Buffer.from('x,y\n')), f);
  assert.equal(await writeNewFile(f, Buffer.from('x,y\n')), f);
  writeFileSync(join(dir, 'a', 'data-1.csv'), 'mine');
  assert.equal(await writeNewFile(f, Buffer.from('other\n')), join(dir, 'a', 'data-2.csv'));
  assert.equal(readFileSync(f, 'utf8'), 'x,y\n');
  assert.equal(readFileSync(join(dir, 'a', 'data-1.csv'), 'utf8'), 'mine');
  assert.deepEqual(readdirSync(join(dir, 'a')).sort(), ['data-1.csv', 'data-2.csv', 'data.csv']);
});

test('copySample: the shipped SMS sample into finetune-sample/ of the workspace', async () => {
  const ws = join(dir, 'ws');
  mkdirSync(join(ws, 'finetune-sample'), { recursive: true });
  writeFileSync(join(ws, 'finetune-sample', 'sms-spam.csv'), 'my own file');
  const file = await copySample(process.cwd(), ws);
  assert.equal(file, join(ws, 'finetune-sample', 'sms-spam-1.csv'));
  assert.equal(readFileSync(join(ws, 'finetune-sample', 'sms-spam.csv'), 'utf8'), 'my own file');
  assert.equal(readFileSync(file, 'utf8'), readFileSync('examples/sms-spam/train.csv', 'utf8'));
  const form = sampleRunForm(process.cwd(), file);
  assert.equal(form.model_name_or_path, 'preset:bert-tiny');
  assert.equal(form.class_weights, 'auto');
});

test('formFromArgs: a run of an older version back in the form (its folder is in the output folder)', () => {
  const f = formFromArgs({ ...defaultArgs(), model_name_or_path: 'hfl/rbt3', train_file: '/d/t.csv', output_dir: '/ws/runs/rbt3-t', num_train_epochs: 5 });
  assert.equal(f.model_name_or_path, 'hfl/rbt3');
  assert.equal(f.output_dir, '/ws/runs');
  assert.equal(f.num_train_epochs, 5);
  assert.ok(!('threads' in f));
});
