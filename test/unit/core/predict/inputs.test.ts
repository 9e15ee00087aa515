// How the predictor reads a text: model inputs under each long-text mode with the source of every
// position (special tokens none), and the settings it takes from the flags and training_args.json.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { textInputs } from '../../../../src/core/predict/inputs.js';
import { longTextSettings, trainedLongTextFlags } from '../../../../src/core/predict/long-text-settings.js';
import { Tokenizer } from '../../../../src/core/tokenizer/index.js';

const FIXTURES = new URL('../../../fixtures/tokenizers/', import.meta.url).pathname;

describe('text inputs', () => {
  let bert: Tokenizer;
  let roberta: Tokenizer;
  before(async () => {
    bert = await Tokenizer.fromFolder(`${FIXTURES}bert-base-uncased`);
    roberta = await Tokenizer.fromFolder(`${FIXTURES}roberta-base-bpe`);
  });

  test('sliding windows: each chunk [CLS] window [SEP], positions mapped to the text', () => {
    // a..j: 1037..1046
    const r = textInputs(bert, 'a b c d e f g h i j', null, 6, { mode: 'sliding_window', docStride: 1 });
    assert.equal(r.inputs.length, 3);
    assert.equal(r.tokensRead, 10);
    assert.deepEqual(r.inputs[1]!.inputIds, [101, 1040, 1041, 1042, 1043, 102]);
    assert.deepEqual(r.inputs[1]!.source, [null, [0, 3], [0, 4], [0, 5], [0, 6], null]);
  });

  test("pairs: the first text in every chunk, the window over the second; RoBERTa's </s></s> are special", () => {
    const r = textInputs(roberta, 'one two', 'a b c d e f g h i j k l', 9, { mode: 'sliding_window', docStride: 1 });
    const first = r.inputs[0]!;
    assert.equal(first.inputIds.length, 9);
    // <s> one two </s> </s> b0 b1 b2 </s>
    assert.deepEqual(first.source, [null, [0, 0], [0, 1], null, null, [1, 0], [1, 1], [1, 2], null]);
    assert.deepEqual(r.inputs[1]!.source.slice(5, 8), [
      [1, 2],
      [1, 3],
      [1, 4],
    ]);
    assert.equal(r.tokensRead, r.a.length + r.b!.length);
  });

  test('head_tail and truncate read one input', () => {
    const h = textInputs(bert, 'a b c d e f g h i j', null, 8, { mode: 'head_tail' });
    assert.deepEqual(h.inputs[0]!.inputIds, [101, 1037, 1038, 1043, 1044, 1045, 1046, 102]);
    assert.equal(h.tokensRead, 6);
    const t = textInputs(bert, 'a b c d e f g h i j', null, 8, { mode: 'truncate' });
    assert.deepEqual(t.inputs[0]!.inputIds, bert.encode('a b c d e f g h i j', null, { maxLength: 8 }).inputIds);
  });
});

describe('long-text settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finetune-settings-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('given flags win, then training_args.json, then the defaults; a trained stride too wide for a shorter length gives way', async () => {
    assert.deepEqual(await trainedLongTextFlags(dir), {});
    writeFileSync(
      join(dir, 'training_args.json'),
      JSON.stringify({ long_text: 'sliding_window', doc_stride: 40, chunk_aggregation: 'max', max_seq_length: 256, seed: 1 }),
    );
    const trained = await trainedLongTextFlags(dir);
    assert.deepEqual(trained, { long_text: 'sliding_window', doc_stride: 40, chunk_aggregation: 'max', max_seq_length: 256 });
    assert.deepEqual(longTextSettings({}, trained), { longText: { mode: 'sliding_window', docStride: 40 }, aggregation: 'max', maxLength: 256 });
    assert.deepEqual(longTextSettings({ long_text: 'head_tail', max_seq_length: 64 }, trained), {
      longText: { mode: 'head_tail' },
      aggregation: 'max',
      maxLength: 64,
    });
    assert.deepEqual(longTextSettings({}), { longText: { mode: 'truncate' }, aggregation: 'mean', maxLength: 128 });
  });
});
