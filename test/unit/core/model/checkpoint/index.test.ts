import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tensor } from '../../../../../src/core/engine/tensor.js';
import { findCheckpoint, loadCheckpoint, writeSafetensors } from '../../../../../src/core/model/checkpoint/index.js';
import { FIXTURES, assertCheckpointError, assertMatchesExpected, tempDir } from './helpers.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

test('loadCheckpoint reads every layout, floating weights as float32', async () => {
  const layouts: [string, string][] = [
    ['safetensors', 'safetensors'],
    ['sharded', 'safetensors-sharded'],
    ['pytorch', 'pytorch'],
    ['pytorch-sharded', 'pytorch-sharded'],
  ];
  for (const [folder, format] of layouts) {
    assert.equal((await findCheckpoint(join(FIXTURES, folder)))?.format, format, folder);
    assertMatchesExpected(await loadCheckpoint(join(FIXTURES, folder)), true);
  }
  // Opting out keeps float16 / float64.
  assertMatchesExpected(await loadCheckpoint(join(FIXTURES, 'pytorch'), { toFloat32: false }));
});

test('model.safetensors is preferred over pytorch_model.bin', async () => {
  const both = join(dir, 'both');
  await mkdir(both);
  await copyFile(join(FIXTURES, 'pytorch', 'pytorch_model.bin'), join(both, 'pytorch_model.bin'));
  await writeSafetensors(join(both, 'model.safetensors'), { only: tensor('float32', [1], [1]) });
  assert.deepEqual([...(await loadCheckpoint(both)).keys()], ['only']);
});

test('a folder without a checkpoint, or no folder at all, is an error naming it', async () => {
  const empty = join(dir, 'empty');
  await mkdir(empty);
  await assertCheckpointError(
    () => loadCheckpoint(empty),
    empty,
    /no checkpoint in this folder: looked for model\.safetensors, model\.safetensors\.index\.json, pytorch_model\.bin, pytorch_model\.bin\.index\.json/,
  );
  const missing = join(dir, 'missing');
  await assertCheckpointError(() => loadCheckpoint(missing), missing, /checkpoint folder does not exist/);
});

test('a malicious pytorch_model.bin in a model folder is refused', async () => {
  const path = join(FIXTURES, 'malicious', 'pytorch_model.bin');
  await assertCheckpointError(() => loadCheckpoint(join(FIXTURES, 'malicious')), path, /refusing to load: .* references os\.system/);
});
