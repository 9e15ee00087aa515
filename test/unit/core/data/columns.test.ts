/** The one column-role rule shared by the CLI, the dataset preview and the training form. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ColumnRoles, detectColumns, headerLooksLikeData } from '../../../../src/core/data/columns.js';

const reviews = (n: number, label: (i: number) => unknown): unknown[][] => Array.from({ length: n }, (_, i) => [label(i), `很好吃 送餐也快 第${i}次点了`]);

describe('detectColumns', () => {
  const cases: { name: string; columns: string[]; rows?: unknown[][]; given?: ColumnRoles; expect: ColumnRoles }[] = [
    {
      // waimai_10k starts with 60 positive rows: the label column has one value there, still the label.
      name: 'label,review with one label value in the first rows (waimai_10k)',
      columns: ['label', 'review'],
      rows: reviews(60, () => 1),
      expect: { label: 'label', text: 'review' },
    },
    { name: 'text,label', columns: ['text', 'label'], expect: { text: 'text', label: 'label' } },
    { name: 'labels (multi-label)', columns: ['text', 'labels'], expect: { text: 'text', label: 'labels' } },
    {
      name: 'Kaggle disaster tweets: id,keyword,location,text,target',
      columns: ['id', 'keyword', 'location', 'text', 'target'],
      rows: [[1, 'ablaze', 'London', 'Forest fire near La Ronge', 1]],
      expect: { text: 'text', label: 'target' },
    },
    { name: 'sentiment,content', columns: ['sentiment', 'content'], expect: { label: 'sentiment', text: 'content' } },
    { name: 'category,headline', columns: ['category', 'headline'], expect: { label: 'category', text: 'headline' } },
    {
      name: 'GLUE pairs: sentence1,sentence2,label',
      columns: ['sentence1', 'sentence2', 'label'],
      expect: { text: 'sentence1', pair: 'sentence2', label: 'label' },
    },
    {
      name: 'MRPC: Quality,#1 ID,#2 ID,#1 String,#2 String',
      columns: ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'],
      rows: [[1, 1, 2, 'a b', 'c d']],
      expect: { text: '#1 String', pair: '#2 String', label: 'Quality' },
    },
    { name: 'NLI: premise,hypothesis,label', columns: ['premise', 'hypothesis', 'label'], expect: { text: 'premise', pair: 'hypothesis', label: 'label' } },
    {
      name: 'no header (sms_spam.tsv): the columns 0 and 1 told apart by their values',
      columns: ['0', '1'],
      rows: [
        ['ham', 'Go until jurong point, crazy.. Available only in bugis'],
        ['spam', 'Free entry in 2 a wkly comp to win FA Cup final tkts'],
        ['ham', 'U dun say so early hor... U c already then say...'],
      ],
      expect: { text: '1', label: '0' },
    },
    {
      name: 'unknown names: running text and a few classes',
      columns: ['Unnamed: 0', 'verdict', 'opinion'],
      rows: [
        [0, 'good', 'I liked the soup very much'],
        [1, 'bad', 'The service was slow and rude'],
        [2, 'good', 'Great view from the terrace'],
        [3, 'bad', 'Cold fries again'],
      ],
      expect: { label: 'verdict', text: 'opinion' },
    },
    {
      name: 'given roles are kept; the rest detected',
      columns: ['review', 'stars', 'label'],
      given: { label: 'stars' },
      expect: { label: 'stars', text: 'review' },
    },
    {
      name: 'a given text column is never the label: the other one is',
      columns: ['label', 'text'],
      given: { text: 'label' },
      expect: { text: 'label', label: 'text' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(detectColumns(c.columns, c.rows ?? [], c.given ?? {}), c.expect);
    });
  }
});

describe('headerLooksLikeData', () => {
  const spam = Array.from({ length: 20 }, (_, i) => [i % 3 ? 'ham' : 'spam', `message number ${i}`]);
  test('a header cell that is also a value of its column (sms_spam.tsv without a header)', () => {
    assert.match(headerLooksLikeData(['ham', 'Go until jurong point'], spam) ?? '', /"ham" is also a value in 13 of its first 20 rows/);
  });
  test('a header cell that reads like running text', () => {
    assert.match(headerLooksLikeData(['label', 'Free entry in 2 a wkly comp to win FA Cup final tkts 21st May'], []) ?? '', /reads like text/);
  });
  test('a real header is left alone', () => {
    assert.equal(
      headerLooksLikeData(
        ['label', 'text'],
        spam.map(([l, t]) => [l, t]),
      ),
      undefined,
    );
  });
});
