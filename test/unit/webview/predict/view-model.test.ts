/** The predict box's model choice, input checks and result rows. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PredictState } from '../../../../src/protocol/webview.js';
import { modelNote, pickModel, predictProblem, resultRows, takesPair } from '../../../../webview/predict/view-model.js';

const MODELS: PredictState = {
  models: [
    { id: 'final', label: 'final', dir: '/o' },
    { id: 'ckpt', label: 'ckpt', dir: '/o/checkpoint-4' },
  ],
};

describe('pickModel', () => {
  const table: [string, PredictState, string, string | undefined, string][] = [
    ["the host's choice first", { ...MODELS, selected: 'ckpt' }, 'final', 'final', 'ckpt'],
    ['else the one shown', MODELS, 'ckpt', 'final', 'ckpt'],
    ['else the saved one', MODELS, '', 'ckpt', 'ckpt'],
    ['models that are gone are skipped', { ...MODELS, selected: 'gone' }, 'old', 'older', 'final'],
    ['no models', { models: [] }, 'final', 'final', ''],
  ];
  for (const [name, s, current, saved, want] of table) test(name, () => assert.equal(pickModel(s, current, saved), want));
});

test('predictProblem', () => {
  assert.equal(predictProblem('', 'x', '', false), 'No model to predict with: choose one (a Hub classifier works as it is), or train one first.');
  assert.equal(predictProblem('m', ' ', '', false), 'Type a text to classify.');
  assert.equal(predictProblem('m', 'x', ' ', true), 'This model takes sentence pairs: type the second text too.');
  assert.equal(predictProblem('m', 'x', '', false), '');
  assert.equal(predictProblem('m', 'x', 'y', true), '');
});

test('resultRows: best first, bars clamped to 0..100%', () => {
  assert.deepEqual(
    resultRows([
      { label: 'neg', score: 0.0712 },
      { label: 'pos', score: 0.8867 },
      { label: 'odd', score: 1.2 },
    ]),
    [
      { label: 'odd', width: '100.00%', percent: '120.0%', top: true },
      { label: 'pos', width: '88.67%', percent: '88.7%', top: false },
      { label: 'neg', width: '7.12%', percent: '7.1%', top: false },
    ],
  );
  assert.deepEqual(resultRows([]), []);
});

test('takesPair: a pair model, or a second text asked for', () => {
  const m = (pairs?: boolean) => ({ id: 'a', label: 'a', dir: 'a', ...(pairs !== undefined ? { pairs } : {}) });
  assert.deepEqual([takesPair(m(true), false), takesPair(m(false), false), takesPair(m(), true), takesPair(undefined, false)], [true, false, true, false]);
});

test('modelNote says where the model comes from', () => {
  assert.match(modelNote({ id: 'org/x', label: 'org/x (Hub)', dir: 'org/x', source: 'hub' }), /^org\/x from the Hugging Face Hub, as it is/);
  assert.match(modelNote({ id: 'org/x', label: 'x', dir: 'org/x', source: 'hub', pairs: true }), /Takes sentence pairs\.$/);
  assert.equal(modelNote({ id: '/m', label: 'm', dir: '/m', source: 'folder' }), 'The model in /m.');
  assert.equal(modelNote(undefined), '');
});
