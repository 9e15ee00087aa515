/** The typed webview IPC: field checks, page definitions, call tables, parsing, wire forms. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PAGE_KINDS, Ready } from '../../../../src/protocol/webviews/base.js';
import {
  type Field,
  callTable,
  command,
  definePage,
  message,
  notification,
  number,
  oneOf,
  optional,
  parseMessage,
  record,
  request,
  requestMessage,
  response,
  shape,
  string,
} from '../../../../src/protocol/webviews/ipc.js';
import { PROTOCOLS } from '../../../../src/protocol/webview.js';

describe('field checks', () => {
  const cases: { name: string; f: Field<unknown>; ok: unknown[]; bad: [unknown, RegExp][] }[] = [
    {
      name: 'string',
      f: string(),
      ok: ['', 'x'],
      bad: [
        [1, /Error: k must be a string$/],
        [undefined, /must be a string/],
      ],
    },
    { name: 'string max 3', f: string({ maxLength: 3 }), ok: ['abc'], bad: [['abcd', /Error: k is too long \(3 characters at most\)$/]] },
    { name: 'number', f: number(), ok: [0, -1.5], bad: [['1', /Error: k must be a number$/]] },
    {
      name: 'number min 2',
      f: number({ min: 2 }),
      ok: [2, 512],
      bad: [
        [1, /Error: k must be a number >= 2$/],
        [null, /number >= 2/],
      ],
    },
    { name: 'oneOf', f: oneOf(['a', 'b']), ok: ['a', 'b'], bad: [['c', /Error: k must be a or b$/]] },
    { name: 'oneOf, own message', f: oneOf(['a'], (v) => `no ${String(v)}`), ok: ['a'], bad: [['z', /Error: no z$/]] },
    {
      name: 'record',
      f: record(),
      ok: [{}, { a: 1 }],
      bad: [
        [[], /Error: k must be an object$/],
        [null, /object/],
        ['x', /object/],
      ],
    },
    {
      name: 'optional string',
      f: optional(string()),
      ok: [undefined, 'x'],
      bad: [
        [null, /must be a string/],
        [3, /must be a string/],
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      for (const v of c.ok) assert.doesNotThrow(() => c.f.check(v, 'k'), `${JSON.stringify(v)} passes`);
      for (const [v, re] of c.bad) assert.throws(() => c.f.check(v, 'k'), re);
      assert.equal(c.f.optional, c.name.startsWith('optional'));
    });
  }
});

describe('wire forms', () => {
  const Ping = command('ping', { n: number() });
  const Ask = request('ask', { q: string() }, shape<string>());
  const Told = notification('told', shape<{ what: string }>());

  test('commands and notifications are flat, requests add requestId', () => {
    assert.deepEqual(message(Ping, { n: 1 }), { type: 'ping', n: 1 });
    assert.deepEqual(message(Told, { what: 'x' }), { type: 'told', what: 'x' });
    assert.deepEqual(requestMessage(Ask, 7, { q: 'why' }), { type: 'ask', requestId: 7, q: 'why' });
    // params cannot overwrite the method
    assert.equal(message(Ping, { n: 1, type: 'evil' } as never).type, 'ping');
  });

  test('responses', () => {
    assert.deepEqual(response(3, { result: [1] }), { type: 'response', requestId: 3, ok: true, result: [1] });
    assert.deepEqual(response(4, { error: 'no' }), { type: 'response', requestId: 4, ok: false, error: 'no' });
  });
});

describe('pages', () => {
  const A = command('a', {});
  const B = request('b', { x: string() }, shape<number>());

  test('a table key must be its call method, and a method is used once', () => {
    const state = shape<{ n: number }>();
    assert.throws(() => definePage({ page: 'p', state, commands: { x: A }, requests: {}, notifications: {} }), /"x" names the method "a"/);
    assert.throws(
      () => definePage({ page: 'p', state, commands: { a: A }, requests: { a: request('a', {}, shape()) }, notifications: {} }),
      /"a" is defined twice/,
    );
    assert.throws(
      () => definePage({ page: 'p', state, commands: {}, requests: {}, notifications: { bootstrap: notification('bootstrap', shape()) } }),
      /defined twice/,
    );
    const p = definePage({ page: 'p', state, commands: { a: A }, requests: { b: B }, notifications: {} });
    assert.equal(p.bootstrap.method, 'bootstrap');
    assert.equal(p.bootstrap.accepts?.({ type: 'bootstrap', page: 'p' }), true);
    assert.equal(p.bootstrap.accepts?.({ type: 'bootstrap', page: 'q' }), false);
  });

  test('two pages cannot define one method differently', () => {
    const state = shape<null>();
    const p = definePage({ page: 'p', state, commands: { a: A }, requests: {}, notifications: {} });
    const q = definePage({ page: 'q', state, commands: { a: command('a', { y: string() }) }, requests: {}, notifications: {} });
    const r = definePage({ page: 'r', state, commands: { a: A }, requests: {}, notifications: {} });
    assert.throws(() => callTable([p, q]), /"a" is defined differently by two pages/);
    assert.deepEqual([...callTable([p, r]).keys()], ['a']);
  });

  test('parsing against one page: its calls only, each checked by its schema', () => {
    const p = definePage({ page: 'p', state: shape<null>(), commands: { a: A }, requests: { b: B }, notifications: {} });
    const table = callTable([p]);
    const m = { type: 'b', requestId: 1, x: 'y' };
    assert.equal(parseMessage(table, m).message, m);
    assert.equal(parseMessage(table, m).call, B);
    assert.throws(() => parseMessage(table, { type: 'ready', page: 'sidebar' }), /unknown type "ready"/);
    assert.throws(() => parseMessage(table, { type: 'b', requestId: 1.5, x: 'y' }), /^Error: webview message b: requestId must be an integer$/);
    assert.throws(() => parseMessage(table, { type: 'b', requestId: 1 }), /^Error: webview message b: x must be a string$/);
    assert.throws(() => parseMessage(table, [{ type: 'a' }]), /not an object/);
  });

  test('every page starts with Ready, and the pages are the page kinds', () => {
    assert.deepEqual(Object.keys(PROTOCOLS), [...PAGE_KINDS]);
    for (const [kind, p] of Object.entries(PROTOCOLS)) {
      assert.equal(p.page, kind);
      assert.equal(p.commands.ready, Ready, `${kind} has Ready`);
      assert.equal(p.bootstrap.accepts?.({ page: kind }), true);
    }
    // one table over every page: shared commands are the same constants
    assert.deepEqual([...callTable(Object.values(PROTOCOLS)).keys()].sort(), [
      'analyze',
      'cancelRun',
      'chooseModel',
      'compareRuns',
      'errorRows',
      'estimate',
      'explain',
      'formChanged',
      'openDashboard',
      'openPredict',
      'openRow',
      'overlay',
      'pickDataset',
      'pickFolder',
      'pickModel',
      'pickTokenizer',
      'predict',
      'previewDataset',
      'reRun',
      'ready',
      'resumeRun',
      'startRun',
      'trainOnThis',
    ]);
  });
});
