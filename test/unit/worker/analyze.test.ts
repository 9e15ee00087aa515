/**
 * The dataset preview's analysis of whole files: the first 60 rows of waimai_10k (`label,review`,
 * every label 1) get the roles the CLI would choose, label counts, lengths in words and a one-label
 * warning instead of an error; a tokenizer gives lengths in tokens and the rows over max_seq_length.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { datasetStats, encodeDataset, loadClassificationData } from '../../../src/core/data/index.js';
import { Tokenizer } from '../../../src/core/tokenizer/index.js';
import { analyzeDataset } from '../../../src/worker/analyze.js';

const WAIMAI = 'test/fixtures/data/waimai-first60.csv';
const TOKENIZER = 'test/fixtures/tokenizers/bert-base-uncased';

describe('analyzeDataset', () => {
  test('label,review with one label: review is the text, label the label; one-label warning; lengths in words', async () => {
    const s = await analyzeDataset({ file: WAIMAI });
    assert.equal(s.textColumn, 'review');
    assert.equal(s.labelColumn, 'label');
    assert.deepEqual(s.labelCounts, { '1': 60 });
    assert.equal(s.error, undefined);
    const one = s.warnings.find((w) => w.kind === 'one-label');
    assert.ok(one, JSON.stringify(s.warnings));
    assert.equal(one.count, 60);
    assert.equal(s.lengths?.unit, 'words');
    assert.equal(
      s.lengths!.counts.reduce((a, b) => a + b, 0),
      60,
    );
    assert.equal(s.totalRows, 60);
  });

  test('a tokenizer: lengths in tokens, the share over max_seq_length and the truncation warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finetune-analyze-'));
    try {
      const file = join(dir, 'd.csv');
      const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
      writeFileSync(file, `text,label\nshort one,a\n${long},b\nanother short,a\nyet another,b\n`);
      const s = await analyzeDataset({ file, tokenizer: TOKENIZER, maxSeqLength: 16 });
      assert.equal(s.lengths?.unit, 'tokens');
      assert.equal(s.lengths?.tokenizer, TOKENIZER);
      assert.equal(s.lengths?.maxSeqLength, 16);
      assert.equal(s.lengths?.truncatedShare, 0.25);
      const t = s.warnings.find((w) => w.kind === 'truncated');
      assert.equal(t?.count, 1);
      assert.equal(s.problemType, 'single_label_classification');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the long-text counts: as `finetune inspect` counts them (the encoder's plan), texts and pairs, with the doc_stride given", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finetune-analyze-'));
    try {
      const words = (n: number, k: number): string => Array.from({ length: n }, (_, i) => `w${(i * k) % 97}`).join(' ');
      const file = join(dir, 'long.csv');
      const rows = [3, 40, 12, 90, 7, 25].map((n, i) => `${words(n, i + 1)},${words(5 + i * 4, 3)},${i % 2 ? 'a' : 'b'}`);
      writeFileSync(file, `text,other,label\n${rows.join('\n')}\n`);
      const tok = await Tokenizer.fromFolder(TOKENIZER);
      for (const pair of [undefined, 'other']) {
        for (const docStride of [undefined, 3]) {
          const s = await analyzeDataset({
            file,
            textColumn: 'text',
            labelColumn: 'label',
            ...(pair ? { pairColumn: pair } : {}),
            tokenizer: TOKENIZER,
            maxSeqLength: 16,
            ...(docStride !== undefined ? { docStride } : {}),
          });
          const data = await loadClassificationData({
            trainFile: file,
            textColumns: ['text'],
            ...(pair ? { pairColumn: pair } : {}),
            labelColumn: 'label',
            validationSplitPercentage: 0,
          });
          const enc = await encodeDataset(data, tok, { maxSeqLength: 16, longText: { mode: 'truncate', ...(docStride !== undefined ? { docStride } : {}) } });
          const { mode: _mode, ...want } = datasetStats(data, enc).train.longText!;
          assert.deepEqual(s.lengths?.longText, want, `pair ${pair}, doc_stride ${docStride}`);
        }
      }
      const s = await analyzeDataset({ file, tokenizer: TOKENIZER, maxSeqLength: 16 });
      const l = s.lengths!.longText!;
      assert.equal(l.rowsOverLength, 4);
      assert.equal(l.docStride, 4);
      assert.ok(l.modes.sliding_window.inputs > 6 && l.modes.sliding_window.keptTokenShareOfLongRows === 1);
      assert.ok(l.modes.truncate.keptTokenShareOfLongRows < 0.5);
      // a doc_stride too wide for max_seq_length: the default instead
      assert.equal((await analyzeDataset({ file, tokenizer: TOKENIZER, maxSeqLength: 16, docStride: 8 })).lengths!.longText!.docStride, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('duplicates and leakage into the 10% validation split, with examples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finetune-analyze-'));
    try {
      const file = join(dir, 'd.csv');
      const rows = Array.from({ length: 40 }, (_, i) => `text number ${i % 20},${i % 2 ? 'pos' : 'neg'}`);
      writeFileSync(file, `text,label\n${rows.join('\n')}\n`);
      const s = await analyzeDataset({ file });
      assert.equal(s.warnings.find((w) => w.kind === 'duplicates')?.count, 20);
      const leak = s.warnings.find((w) => w.kind === 'leakage');
      assert.ok(leak && leak.count! > 0, JSON.stringify(s.warnings));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a tokenizer that cannot be read: lengths in words and a warning saying so', async () => {
    const s = await analyzeDataset({ file: WAIMAI, tokenizer: '/no/such/tokenizer' });
    assert.equal(s.lengths?.unit, 'words');
    assert.ok(s.warnings.some((w) => w.message.startsWith('Tokenizer /no/such/tokenizer')));
  });
});
