/** The page end of the protocol in Node: ready, commands, requests matched to responses, notifications. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelRun } from '../../../src/protocol/webviews/base.js';
import { Events, Overlay, dashboardProtocol } from '../../../src/protocol/webviews/dashboard.js';
import { sidebarProtocol } from '../../../src/protocol/webviews/sidebar.js';
import { IpcClient } from '../../../webview/ipc.js';
import { runSummary } from '../../helpers/webview-fixtures.js';

function client<P extends typeof dashboardProtocol | typeof sidebarProtocol>(protocol: P): { c: IpcClient<P>; posted: unknown[] } {
  const posted: unknown[] = [];
  return { c: new IpcClient(protocol, { postMessage: (m) => posted.push(m) }), posted };
}

describe('IpcClient', () => {
  test('ready names the page; commands go out flat', () => {
    const { c, posted } = client(dashboardProtocol);
    c.ready();
    c.command(CancelRun, { runId: 'r' });
    assert.deepEqual(posted, [
      { type: 'ready', page: 'dashboard' },
      { type: 'cancelRun', runId: 'r' },
    ]);
  });

  test('requests get fresh ids; each response settles its own request, once', async () => {
    const { c, posted } = client(dashboardProtocol);
    const first = c.request(Overlay, { runId: 'a' });
    const second = c.request(Overlay, { runId: 'b' });
    assert.deepEqual(posted, [
      { type: 'overlay', requestId: 1, runId: 'a' },
      { type: 'overlay', requestId: 2, runId: 'b' },
    ]);
    c.receive({ type: 'response', requestId: 2, ok: false, error: 'run b has no events file' });
    c.receive({ type: 'response', requestId: 1, ok: true, result: { events: [] } });
    // a second answer, and an answer to nothing, are ignored
    c.receive({ type: 'response', requestId: 1, ok: false, error: 'late' });
    c.receive({ type: 'response', requestId: 99, ok: true, result: 1 });
    assert.deepEqual(await first, { events: [] });
    await assert.rejects(second, /run b has no events file/);
  });

  test('notifications reach their handlers; bootstrap only of this page; junk is dropped', () => {
    const { c } = client(dashboardProtocol);
    const seen: string[] = [];
    c.on(dashboardProtocol.bootstrap, ({ state }) => seen.push(`bootstrap ${state.run.runId}`));
    c.on(Events, ({ runId, events }) => seen.push(`events ${runId} ${events.length}`));
    c.on(Events, () => seen.push('second handler'));
    const state = { run: runSummary(), events: [], otherRuns: [] };
    c.receive({ type: 'bootstrap', page: 'sidebar', state });
    c.receive({ type: 'bootstrap', page: 'dashboard', state });
    c.receive({ type: 'events', runId: 'run-a', events: [{ type: 'info', message: 'x' }] });
    for (const junk of [null, 'events', { type: 3 }, { type: 'runs', runs: [] }]) c.receive(junk);
    assert.deepEqual(seen, ['bootstrap run-a', 'events run-a 1', 'second handler']);
  });

  test('a failing handler does not stop the others', () => {
    const { c } = client(sidebarProtocol);
    const seen: number[] = [];
    const error = console.error;
    console.error = () => {};
    try {
      c.on(sidebarProtocol.bootstrap, () => {
        throw new Error('boom');
      });
      c.on(sidebarProtocol.bootstrap, () => seen.push(1));
      c.receive({ type: 'bootstrap', page: 'sidebar', state: { fields: [], recentModels: [], runs: [] } });
    } finally {
      console.error = error;
    }
    assert.deepEqual(seen, [1]);
  });
});
