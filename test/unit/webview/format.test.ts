/** The pages' text helpers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseName, count, percent, shortModel } from '../../../webview/format.js';

test('percent', () => {
  assert.equal(percent(0.05), '5.0%');
  assert.equal(percent(1 / 3, 2), '33.33%');
});

test('baseName, either separator', () => {
  assert.equal(baseName('/ws/data/a.csv'), 'a.csv');
  assert.equal(baseName('C:\\data\\b.tsv'), 'b.tsv');
  assert.equal(baseName('c.json'), 'c.json');
});

test('shortModel: Hub ids as they are, folders by their name', () => {
  const table: [string, string][] = [
    ['hfl/rbt3', 'hfl/rbt3'],
    ['preset:bert-tiny', 'preset:bert-tiny'],
    ['/ws/models/bert-mini', 'bert-mini'],
    ['./models/x/', 'x'],
  ];
  for (const [m, want] of table) assert.equal(shortModel(m), want, m);
});

test('count', () => assert.equal(count(11987), '11,987'));
