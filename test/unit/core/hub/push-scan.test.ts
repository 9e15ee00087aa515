import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { blobContains, listFolderFiles } from '../../../../src/core/hub/push.js';

const TOKEN = 'hf_abcdefghijklmnopqrstuvwxyz012345';

describe('blobContains (token scan)', () => {
  test('finds the token anywhere, including across chunk borders', async () => {
    for (const at of [0, 1, 65535 - 10, 65536 - 5, 65536, 200_000]) {
      const buf = Buffer.alloc(300_000, 0x61);
      buf.write(TOKEN, at, 'utf8');
      assert.equal(await blobContains(new Blob([buf]), TOKEN), true, `at ${at}`);
    }
  });
  test('no false positives', async () => {
    assert.equal(await blobContains(new Blob([Buffer.alloc(200_000, 0x61)]), TOKEN), false);
    assert.equal(await blobContains(new Blob([TOKEN.slice(0, -1)]), TOKEN), false);
    assert.equal(await blobContains(new Blob([]), TOKEN), false);
  });
});

describe('listFolderFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finetune-push-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  test('recursive POSIX paths; .git and .cache/huggingface skipped; symlinked files followed', async () => {
    mkdirSync(join(dir, 'onnx'));
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, '.cache', 'huggingface'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{}');
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'x');
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
    writeFileSync(join(dir, '.cache', 'huggingface', 'x.lock'), '');
    writeFileSync(join(dir, '.gitattributes'), '');
    symlinkSync(join(dir, 'config.json'), join(dir, 'linked.json'));
    const files = (await listFolderFiles(dir)).map((f) => f.path);
    assert.deepEqual(files, ['.gitattributes', 'config.json', 'linked.json', 'onnx/model.onnx']);
  });
});
