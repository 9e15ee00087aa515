/**
 * A tokenizer converted from vocab.json + merges.txt (a RoBERTa folder with no tokenizer.json) is
 * saved as save_pretrained would, and Transformers.js loads the saved folder offline and gives the
 * same ids as Finetune (and as Rust tokenizers on the model's real tokenizer.json, see the fixture).
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Tokenizer } from '../../../src/core/tokenizer/index.js';

const FIXTURE = 'test/fixtures/tokenizers/roberta-base-bpe';

interface Reference {
  singles: { text: string; ids: number[] }[];
  pairs: { a: string; b: string; ids: number[] }[];
}

describe('converted RoBERTa tokenizer: Transformers.js loads the saved folder', () => {
  let root = '';
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('same ids for the reference sentences and pairs', async () => {
    const ref = JSON.parse(await readFile(join(FIXTURE, 'reference.json'), 'utf8')) as Reference;
    const ours = await Tokenizer.fromFolder(FIXTURE);
    root = await mkdtemp(join(tmpdir(), 'finetune-bpe-tjs-'));
    await mkdir(join(root, 'roberta'));
    for (const [name, text] of Object.entries(ours.saveFiles())) await writeFile(join(root, 'roberta', name), text);

    const { AutoTokenizer, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
    const tjs = await AutoTokenizer.from_pretrained('roberta');
    assert.equal(tjs.constructor.name, 'RobertaTokenizer');
    const idsOf = (e: { input_ids: { data: ArrayLike<bigint | number> } }) => Array.from(e.input_ids.data, Number);
    for (const c of ref.singles) {
      assert.deepEqual(idsOf(tjs(c.text)), c.ids, JSON.stringify(c.text));
      assert.deepEqual(idsOf(tjs(c.text)), ours.encode(c.text).inputIds);
    }
    // Transformers.js treats an empty text_pair as no pair at all, so those pairs are left out.
    for (const c of ref.pairs.filter((p) => p.b !== '')) {
      assert.deepEqual(idsOf(tjs(c.a, { text_pair: c.b })), c.ids, JSON.stringify([c.a, c.b]));
    }
  });
});
