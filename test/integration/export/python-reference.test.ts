/**
 * The config.json and model.safetensors Finetune writes, read back by the Python reference the
 * parity tests are made with (scripts/make_reference_fixtures.py: transformers' classes re-written
 * in PyTorch): the class config.json's `architectures` names is built from the config as written,
 * every parameter key matches (none missing, none left over), and its float64 logits equal the
 * reference fixture's. Skipped without Debian's python3-torch (the project's tests must not need it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadPretrained } from '../../../src/core/model/load.js';
import { saveModel } from '../../../src/core/model/save.js';

const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const root = mkdtempSync(join(tmpdir(), 'finetune-pyref-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Fixture {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  logits: number[][];
}

describe('saved folders load in the Python reference with the same logits', { skip: hasTorch ? false : 'python3-torch is not installed' }, () => {
  for (const c of ['bert-single', 'bert-multi', 'bert-regression', 'roberta-single', 'xlm-roberta-single', 'distilbert-single', 'electra-single']) {
    test(c, async () => {
      const src = join('test/fixtures/reference', c);
      const fx = JSON.parse(readFileSync(join(src, 'fixture.json'), 'utf8')) as Fixture;
      const model = await loadPretrained(src);
      const out = join(root, c);
      await saveModel(out, model);
      const inputs = join(root, `${c}-inputs.json`);
      writeFileSync(
        inputs,
        JSON.stringify({ input_ids: fx.input_ids, attention_mask: fx.attention_mask, ...(fx.token_type_ids ? { token_type_ids: fx.token_type_ids } : {}) }),
      );
      const r = spawnSync(PY, ['scripts/make_reference_fixtures.py', '--load', out, inputs], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as { logits: number[][]; labels: string[]; num_labels: number };
      assert.deepEqual(got.labels, Object.values(model.config.id2label));
      const want = fx.logits.flat();
      const scale = Math.max(...want.map(Math.abs));
      got.logits.flat().forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-12 * scale, `logit ${i}: ${v} vs ${want[i]}`));
    });
  }
});
