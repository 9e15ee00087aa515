// Column choice, dropped rows, task detection, label lists and splits (run_classification.py's
// data handling).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  approximateMode,
  type ClassificationData,
  compareCodePoints,
  detectLabelKind,
  loadClassificationData,
  randomSplit,
  sortLabels,
  stratifiedSplit,
} from '../../../../src/core/data/index.js';
import { fixture, TempFiles } from './helpers.js';

const tmp = new TempFiles();
after(() => tmp.cleanup());

const ids = (d: ClassificationData, split: 'train' | 'validation' | 'test' = 'train'): number[] => {
  const l = d[split]!.labels;
  assert.equal(l?.kind, 'single');
  return Array.from((l as { ids: Int32Array }).ids);
};

describe('columns and dropped rows', () => {
  test('reviews.csv: empty text and empty label rows are dropped and counted', async () => {
    const d = await loadClassificationData({ trainFile: fixture('reviews.csv') });
    assert.equal(d.problemType, 'single_label_classification');
    assert.deepEqual(d.labels, ['neg', 'neutral', 'pos']);
    assert.deepEqual(d.label2id, { neg: 0, neutral: 1, pos: 2 });
    assert.deepEqual(d.id2label, { '0': 'neg', '1': 'neutral', '2': 'pos' });
    assert.deepEqual(d.train.texts, ['Great food,\nfast delivery', 'Cold and late', 'It was "ok"', 'Never again', 'Loved it']);
    assert.deepEqual(ids(d), [2, 0, 1, 0, 2]);
    assert.deepEqual(d.train.rowNumbers, [2, 4, 6, 8, 10]);
    assert.deepEqual(d.train.dropped, { emptyText: 1, emptyLabel: 1 });
    assert.equal(d.train.readRows, 7);
    assert.equal(d.train.emptyLines, 1);
  });

  test('GLUE MRPC pairs: "#1 String" + "#2 String", label "Quality"', async () => {
    const d = await loadClassificationData({
      trainFile: fixture('mrpc_sample.tsv'),
      textColumns: '#1 String',
      pairColumn: '#2 String',
      labelColumn: 'Quality',
    });
    assert.deepEqual(d.labels, ['0', '1']);
    assert.deepEqual(d.columns, { text: ['#1 String'], pair: '#2 String', label: 'Quality' });
    assert.equal(d.train.pairs?.[0], 'On Monday the council passed the budget .');
    assert.deepEqual(ids(d), [1, 0, 1, 0, 1]);
  });

  test('sentence1 / sentence2 are taken as a pair by default; float scores mean regression', async () => {
    const d = await loadClassificationData({ trainFile: fixture('stsb.json'), labelColumn: 'score' });
    assert.equal(d.problemType, 'regression');
    assert.equal(d.numLabels, 1);
    assert.deepEqual(d.labels, []);
    assert.deepEqual(d.columns.text, ['sentence1']);
    assert.equal(d.columns.pair, 'sentence2');
    assert.deepEqual(Array.from((d.train.labels as { values: Float32Array }).values), [4.8, 0.2, 3.75, 5, 4.1].map(Math.fround));
  });

  test('several text columns joined with the delimiter, empty parts left out', async () => {
    const p = tmp.write('tweets.csv', 'id,keyword,location,text,target\n1,,,Forest fire near La Ronge,1\n2,ablaze,London,Just happened,0\n3,,,,1\n');
    const d = await loadClassificationData({ trainFile: p, textColumns: ['keyword', 'location', 'text'], labelColumn: 'target', textColumnDelimiter: ' | ' });
    assert.deepEqual(d.train.texts, ['Forest fire near La Ronge', 'ablaze | London | Just happened']);
    assert.deepEqual(d.train.dropped, { emptyText: 1, emptyLabel: 0 });
  });

  test('header-less TSV selected by index', async () => {
    const p = tmp.write('sms.tsv', 'ham\tGo until jurong point\nspam\tFree entry "now"\nham\tOk lar\n');
    const d = await loadClassificationData({ trainFile: p, hasHeader: false, textColumns: 1, labelColumn: 0 });
    assert.deepEqual(d.labels, ['ham', 'spam']);
    assert.deepEqual(d.columns, { text: ['1'], pair: undefined, label: '0' });
    assert.deepEqual(d.train.texts[1], 'Free entry "now"');
    // and by the names "0" / "1"
    const e = await loadClassificationData({ trainFile: p, hasHeader: false, textColumns: '1', labelColumn: '0' });
    assert.deepEqual(e.train.texts, d.train.texts);
  });

  test('two columns, neither "text" nor "label" named: label + the other (waimai style "label,review")', async () => {
    const p = tmp.write('waimai.csv', 'label,review\n1,很快，好吃\n0,太慢了\n');
    const d = await loadClassificationData({ trainFile: p });
    assert.deepEqual(d.columns.text, ['review']);
    assert.deepEqual(d.train.texts, ['很快，好吃', '太慢了']);
  });

  test('-1 in an integer label column means "no label" (GLUE test files)', async () => {
    const p = tmp.write('neg1.csv', 'label,text\n1,a\n-1,b\n0,c\n');
    const d = await loadClassificationData({ trainFile: p });
    assert.deepEqual(d.labels, ['0', '1']);
    assert.deepEqual(d.train.dropped, { emptyText: 0, emptyLabel: 1 });
  });

  test('a test file without labels is kept whole, unlabelled', async () => {
    const train = tmp.write('t.csv', 'label,text\n1,a\n0,b\n');
    const testFile = tmp.write('u.csv', 'id,text\n7,x\n8,y\n');
    const d = await loadClassificationData({ trainFile: train, testFile });
    assert.equal(d.test?.labels, null);
    assert.deepEqual(d.test?.texts, ['x', 'y']);
    const allEmpty = tmp.write('v.csv', 'label,text\n,x\n,y\n');
    const e = await loadClassificationData({ trainFile: train, testFile: allEmpty });
    assert.equal(e.test?.labels, null);
    assert.equal(e.test?.texts.length, 2);
  });

  test('validation file labels map to the train ids', async () => {
    const train = tmp.write('a.csv', 'label,text\npos,a\nneg,b\nneu,c\n');
    const val = tmp.write('b.csv', 'label,text\nneu,x\npos,y\n');
    const d = await loadClassificationData({ trainFile: train, validationFile: val });
    assert.deepEqual(d.labels, ['neg', 'neu', 'pos']);
    assert.deepEqual(ids(d, 'validation'), [1, 2]);
    assert.equal(d.validation?.source, 'file');
  });

  test('max samples', async () => {
    const p = tmp.write('m.csv', `label,text\n${Array.from({ length: 20 }, (_, i) => `${i % 2},t${i}`).join('\n')}\n`);
    const d = await loadClassificationData({ trainFile: p, maxTrainSamples: 5 });
    assert.deepEqual(d.train.texts, ['t0', 't1', 't2', 't3', 't4']);
  });
});

describe('labels and task detection', () => {
  const table: { values: unknown[]; delimiter?: string; want: string }[] = [
    { values: ['0', '1', '1', ''], want: 'single_label_classification' },
    { values: ['pos', 'neg'], want: 'single_label_classification' },
    { values: [0, 1, 2], want: 'single_label_classification' },
    { values: [true, false], want: 'single_label_classification' },
    { values: ['0.5', '1', '3.25'], want: 'regression' },
    { values: [0.5, 1, 2], want: 'regression' },
    { values: ['1e-3', '2'], want: 'regression' },
    { values: [['a'], ['a', 'b']], want: 'multi_label_classification' },
    { values: ['["a"]', '["a", "b"]', '[]'], want: 'multi_label_classification' },
    { values: ['a|b', 'c'], delimiter: '|', want: 'multi_label_classification' },
    { values: ['1.5', 'x'], want: 'single_label_classification' },
  ];
  for (const row of table) {
    test(`${JSON.stringify(row.values)} -> ${row.want}`, () => assert.equal(detectLabelKind(row.values, 'auto', row.delimiter).problemType, row.want));
  }

  test('override: integers as regression', async () => {
    const p = tmp.write('int.csv', 'label,text\n1,a\n5,b\n3,c\n');
    const d = await loadClassificationData({ trainFile: p, task: 'regression' });
    assert.equal(d.problemType, 'regression');
    assert.deepEqual(Array.from((d.train.labels as { values: Float32Array }).values), [1, 5, 3]);
  });

  test('integer labels sort numerically ("natural"); lexicographic as run_classification.py', async () => {
    const p = tmp.write('ints.csv', 'label,text\n10,a\n2,b\n1,c\n02,d\n');
    const d = await loadClassificationData({ trainFile: p });
    assert.deepEqual(d.labels, ['1', '2', '10']); // "02" is the integer 2, as pandas reads it
    assert.deepEqual(ids(d), [2, 1, 0, 1]);
    const e = await loadClassificationData({ trainFile: p, labelSort: 'lexicographic' });
    assert.deepEqual(e.labels, ['1', '10', '2']);
  });

  test('string labels sort by code point (Python order), stable across files', () => {
    assert.deepEqual(sortLabels(['b', 'B', 'a', 'é', 'Z']), ['B', 'Z', 'a', 'b', 'é']);
    assert.ok(compareCodePoints('\u{1F600}', '\uFFFF') > 0); // UTF-16 order would say otherwise
    assert.deepEqual(sortLabels(['-1', '3', '-10']), ['-10', '-1', '3']);
  });

  test('a given label list fixes the order', async () => {
    const p = tmp.write('fixed.csv', 'label,text\npos,a\nneg,b\n');
    const d = await loadClassificationData({ trainFile: p, labelList: ['pos', 'neg'] });
    assert.deepEqual(d.labels, ['pos', 'neg']);
    assert.deepEqual(ids(d), [0, 1]);
  });

  test('multi-label from JSON lists (JSONL), [] is a valid all-zero target', async () => {
    const d = await loadClassificationData({ trainFile: fixture('topics.jsonl'), labelColumn: 'labels' });
    assert.equal(d.problemType, 'multi_label_classification');
    assert.deepEqual(d.labels, ['finance', 'health', 'politics']);
    const l = d.train.labels as { kind: string; multiHot: Uint8Array };
    assert.equal(l.kind, 'multi');
    assert.deepEqual(Array.from(l.multiHot), [1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  test('multi-label from a delimited column; an empty cell is an empty label (dropped)', async () => {
    const d = await loadClassificationData({ trainFile: fixture('topics_delim.csv'), textColumns: 'headline', labelColumn: 'topics', labelDelimiter: '|' });
    assert.equal(d.problemType, 'multi_label_classification');
    assert.deepEqual(d.labels, ['finance', 'health', 'politics']);
    assert.deepEqual(Array.from((d.train.labels as { multiHot: Uint8Array }).multiHot), [1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]);
    assert.deepEqual(d.train.dropped, { emptyText: 0, emptyLabel: 1 });
  });

  test('multi-label from JSON lists in CSV cells', async () => {
    const p = tmp.write('jl.csv', 'text,label\na,"[""x"", ""y""]"\nb,"[""y""]"\n');
    const d = await loadClassificationData({ trainFile: p });
    assert.equal(d.problemType, 'multi_label_classification');
    assert.deepEqual(Array.from((d.train.labels as { multiHot: Uint8Array }).multiHot), [1, 1, 0, 1]);
  });
});

describe('splits', () => {
  test('approximate mode (scikit-learn): floors, then largest remainders', () => {
    const rng = { next: () => 0.5 } as unknown as Parameters<typeof approximateMode>[2];
    // counts 6:3:1 drawing 5 -> 3, 1.5, 0.5 -> floors 3,1,0 and one more to one of the .5 remainders
    const got = approximateMode([6, 3, 1], 5, rng);
    assert.equal(
      got.reduce((a, b) => a + b, 0),
      5,
    );
    assert.equal(got[0], 3);
    // 10 rows of one class, 4 of another, draw 7 -> 5 and 2 exactly
    assert.deepEqual(approximateMode([10, 4], 7, rng), [5, 2]);
  });

  test('stratified: sizes ceil(p * n), per-class proportions, file order, deterministic per seed', () => {
    const labels = Int32Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // 150 : 50
    const a = stratifiedSplit(labels, 2, { validation: 0.1, test: 0 }, 7);
    assert.equal(a.validation.length, 20);
    assert.equal(a.train.length, 180);
    assert.equal(a.validation.filter((i) => labels[i] === 1).length, 5);
    assert.deepEqual(
      [...a.train, ...a.validation].sort((x, y) => x - y),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.deepEqual(
      a.train,
      [...a.train].sort((x, y) => x - y),
    );
    assert.deepEqual(stratifiedSplit(labels, 2, { validation: 0.1, test: 0 }, 7), a);
    assert.notDeepEqual(stratifiedSplit(labels, 2, { validation: 0.1, test: 0 }, 8).validation, a.validation);
  });

  test('stratified three-way; every class keeps a training row', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
    const s = stratifiedSplit(labels, 3, { validation: 0.3, test: 0.3 }, 1);
    for (const c of [0, 1, 2])
      assert.ok(
        s.train.some((i) => labels[i] === c),
        `class ${c} in train`,
      );
    assert.equal(s.train.length + s.validation.length + s.test.length, 11);
    assert.deepEqual(new Set([...s.train, ...s.validation, ...s.test]).size, 11);
  });

  test('random split for regression / multi-label', () => {
    const s = randomSplit(10, { validation: 0.2, test: 0.1 }, 3);
    assert.equal(s.validation.length, 2);
    assert.equal(s.test.length, 1);
    assert.equal(s.train.length, 7);
    assert.deepEqual(randomSplit(10, { validation: 0.2, test: 0.1 }, 3), s);
  });

  test('validation carved out of the train file (stratified), rows and labels travel together', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 5 === 0 ? 'spam' : 'ham'},message ${i}`);
    const p = tmp.write('split.csv', `label,text\n${rows.join('\n')}\n`);
    const d = await loadClassificationData({ trainFile: p, validationSplitPercentage: 25, testSplitPercentage: 10, seed: 5 });
    assert.equal(d.validation?.source, 'train-split');
    assert.equal(d.validation?.texts.length, 10);
    assert.equal(d.test?.texts.length, 4);
    assert.equal(d.train.texts.length, 26);
    for (const s of [d.train, d.validation!, d.test!]) {
      (s.labels as { ids: Int32Array }).ids.forEach((id, k) => {
        const n = Number(s.texts[k]!.split(' ')[1]);
        assert.equal(d.labels[id], n % 5 === 0 ? 'spam' : 'ham');
        assert.equal(s.rowNumbers[k], n + 2);
      });
    }
    // stratified: spam is 1/5 of every part (within rounding)
    assert.equal(ids(d, 'validation').filter((x) => x === 1).length, 2);
    const again = await loadClassificationData({ trainFile: p, validationSplitPercentage: 25, testSplitPercentage: 10, seed: 5 });
    assert.deepEqual(again.validation?.texts, d.validation?.texts);
  });
});
