/** The CLI's error triage: a UserError is the user's to fix (its message, its exit status); anything else is a bug. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { report } from '../../../src/cli/main.js';
import { DataError } from '../../../src/core/data/index.js';
import { ArgError, UsageError, UserError } from '../../../src/core/errors.js';
import { HubError } from '../../../src/core/hub/index.js';
import { ConfigError } from '../../../src/core/model/hf-config.js';
import { TokenizerError } from '../../../src/core/tokenizer/index.js';

function capture(): { io: { out: Writable; err: Writable }; text: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  const w = (f: (s: string) => void) => new Writable({ write: (c, _e, done) => (f(c.toString()), done()) });
  return { io: { out: w((s) => (out += s)), err: w((s) => (err += s)) }, text: () => ({ out, err }) };
}

describe('report', () => {
  const userErrors: [string, UserError, number][] = [
    ['ArgError', new ArgError('--lr', '--lr: bad'), 2],
    ['UsageError', new UsageError('unknown command "x"'), 2],
    ['DataError', new DataError('bad-label', 'f.csv', 'f.csv, line 3: bad label'), 1],
    ['ConfigError', new ConfigError('m/config.json', 'bad'), 1],
    ['TokenizerError', new TokenizerError('missing-path', 'No tokenizer in m'), 1],
    ['HubError', new HubError('not-found', 'no such repo'), 1],
  ];
  for (const [name, e, code] of userErrors) {
    test(`${name}: its message as it is, exit ${code}`, () => {
      const c = capture();
      assert.equal(report(e, c.io, { json: false, debug: false }), code);
      assert.equal(c.text().err, `error: ${e.message}\n`);
    });
  }

  test('any other error is unexpected: said so, with how to get the details', () => {
    const c = capture();
    assert.equal(report(new TypeError("Cannot read properties of undefined (reading 'x')"), c.io, { json: true, debug: false }), 1);
    assert.match(c.text().err, /^error: unexpected error: Cannot read properties of undefined \(reading 'x'\) \(rerun with --debug for details\)\n$/);
    const line = JSON.parse(c.text().out) as { type: string; message: string; detail?: string };
    assert.equal(line.type, 'error');
    assert.equal(line.detail, undefined, 'no stack trace without --debug');
  });

  test('--debug adds the stack trace', () => {
    const c = capture();
    report(new Error('boom'), c.io, { json: false, debug: true });
    assert.match(c.text().err, /at /);
  });
});
