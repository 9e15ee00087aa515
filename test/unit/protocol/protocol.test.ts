import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseViewMessage } from '../../../src/protocol/webview.js';
import { parseHostMessage, parseWorkerMessage } from '../../../src/protocol/worker.js';

describe('webview -> host messages are validated', () => {
  const ok: unknown[] = [
    { type: 'ready', page: 'dashboard' },
    { type: 'pickDataset', requestId: 1 },
    { type: 'pickFolder', requestId: 2, purpose: 'output' },
    { type: 'startRun', requestId: 3, args: { learning_rate: '2e-5' } },
    { type: 'cancelRun' },
    { type: 'openDashboard', runId: 'r' },
    { type: 'overlay', requestId: 4, runId: 'r2' },
    { type: 'analyze', requestId: 5, labelColumn: 'label', maxSeqLength: 64 },
    { type: 'predict', requestId: 6, model: '/m', text: 'hello', pair: 'world' },
  ];
  for (const m of ok) test(`accepts ${JSON.stringify(m)}`, () => assert.deepEqual(parseViewMessage(m), m));

  const bad: [unknown, RegExp][] = [
    [null, /not an object/],
    [{ type: 'eval' }, /unknown type "eval"/],
    [{ type: 'ready', page: 'settings' }, /unknown page/],
    [{ type: 'pickDataset' }, /requestId must be an integer/],
    [{ type: 'pickFolder', requestId: 1, purpose: 'home' }, /purpose must be model or output/],
    [{ type: 'startRun', requestId: 1, args: [] }, /args must be an object/],
    [{ type: 'openDashboard' }, /runId must be a string/],
    [{ type: 'analyze', requestId: 1, maxSeqLength: 1 }, /maxSeqLength must be a number >= 2/],
    [{ type: 'predict', requestId: 1, model: '/m', text: 5 }, /text must be a string/],
    [{ type: 'predict', requestId: 1, model: '/m', text: 'x'.repeat(100_001) }, /too long/],
  ];
  for (const [m, re] of bad) test(`rejects ${JSON.stringify(m)?.slice(0, 60)}`, () => assert.throws(() => parseViewMessage(m), re));
});

describe('worker protocol', () => {
  test('host messages', () => {
    assert.deepEqual(parseHostMessage({ type: 'cancel', save: true }), { type: 'cancel', save: true });
    assert.deepEqual(parseHostMessage({ type: 'cancel' }), { type: 'cancel', save: false });
    assert.throws(() => parseHostMessage({ type: 'train', runId: 1 }), /train needs runId and args/);
    assert.throws(() => parseHostMessage({ type: 'predict', requestId: 1, model: 'm', texts: ['a'], pairs: ['x', 'y'] }), /pairs must match texts/);
    assert.throws(() => parseHostMessage({ type: 'export', requestId: 1, model: 'm' }), /export needs requestId, model and outputDir/);
    assert.throws(() => parseHostMessage({ type: 'reboot' }), /unknown message type reboot/);
    assert.equal(parseHostMessage({ type: 'findLabelErrors', runId: 'j', args: {}, folds: 2 }).type, 'findLabelErrors');
    assert.throws(() => parseHostMessage({ type: 'findLabelErrors', runId: 'j', args: {} }), /findLabelErrors needs runId, args and folds/);
    assert.deepEqual(parseHostMessage({ type: 'proceed', runId: 'j', go: 'yes' }), { type: 'proceed', runId: 'j', go: false });
    assert.deepEqual(parseHostMessage({ type: 'proceed', runId: 'j', go: true }), { type: 'proceed', runId: 'j', go: true });
  });
  test('worker messages', () => {
    assert.equal(parseWorkerMessage({ type: 'event', runId: 'r', event: { type: 'progress' } }).type, 'event');
    assert.throws(() => parseWorkerMessage({ type: 'event', runId: 'r', event: { type: 'boom' } }), /malformed event/);
    assert.throws(() => parseWorkerMessage({ type: 'exit', runId: 'r' }), /malformed exit/);
    assert.throws(() => parseWorkerMessage({ type: 'failure', requestId: 1 }), /malformed failure/);
    // the events of "Know your model" reach the host (the dashboard, the Label Issues view)
    for (const type of ['predictions', 'calibration', 'fold', 'label-issues'])
      assert.equal(parseWorkerMessage({ type: 'event', runId: 'r', event: { type } }).type, 'event', type);
    assert.equal(parseWorkerMessage({ type: 'confirm', runId: 'j', plan: { folds: 2 } }).type, 'confirm');
    assert.throws(() => parseWorkerMessage({ type: 'confirm', runId: 'j' }), /malformed confirm/);
  });
});
