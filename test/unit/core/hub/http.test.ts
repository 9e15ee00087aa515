import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HubError, scrub } from '../../../../src/core/hub/errors.js';
import {
  DEFAULT_RETRY,
  applyAuth,
  errorFromResponse,
  isConnectFailure,
  networkError,
  normalizeToken,
  safeCause,
  parseRetryAfter,
  retryDelay,
  type HubContext,
} from '../../../../src/core/hub/http.js';

const TOKEN = 'hf_secretSecretSecret0123456789';
const ctx = (token?: string): HubContext => ({
  endpoint: 'https://hub.example',
  token,
  signal: undefined,
  retry: DEFAULT_RETRY,
  log: () => undefined,
  repoId: 'org/model',
  revision: 'main',
});

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

describe('retry timing', () => {
  test('Retry-After seconds and HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('0.5'), 500);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
  test('exponential backoff, capped; Retry-After wins; too long a Retry-After gives up', () => {
    const r = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((a) => retryDelay(a, r)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(retryDelay(0, r, '2'), 2000);
    assert.equal(retryDelay(0, r, '60'), undefined);
  });
});

describe('errors say what to do', () => {
  const cases: { name: string; res: () => Response; token?: string; kind: string; says: RegExp }[] = [
    {
      name: '401 without token',
      res: () => json(401, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' }),
      kind: 'unauthorized',
      says: /set a token: HF_TOKEN or Finetune: Set Hugging Face Token/,
    },
    {
      name: '401 with a rejected token',
      token: TOKEN,
      res: () => json(401, { error: `Invalid credentials ${TOKEN}` }),
      kind: 'unauthorized',
      says: /token was rejected.*set a token: HF_TOKEN/,
    },
    {
      name: '403 gated',
      token: TOKEN,
      res: () => json(403, { error: 'Access to model org/model is restricted' }, { 'x-error-code': 'GatedRepo' }),
      kind: 'gated',
      says: /accept the model's conditions at https:\/\/hub\.example\/org\/model/,
    },
    {
      name: '401 gated without token',
      res: () => json(401, { error: 'gated' }, { 'x-error-code': 'GatedRepo' }),
      kind: 'gated',
      says: /accept the model's conditions at .*then set a token/,
    },
    { name: '403 other', token: TOKEN, res: () => json(403, { error: 'no write access' }), kind: 'forbidden', says: /403 Forbidden.*write access/ },
    {
      name: '404 repo',
      token: TOKEN,
      res: () => json(404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' }),
      kind: 'not-found',
      says: /repo not found \(404\): check the repo id and revision/,
    },
    {
      name: '404 revision',
      res: () => json(404, {}, { 'x-error-code': 'RevisionNotFound' }),
      kind: 'not-found',
      says: /revision not found.*check the repo id and revision/,
    },
    { name: '429', res: () => json(429, {}), kind: 'rate-limited', says: /rate limited; retry later/ },
    { name: '503', res: () => new Response('<html>oops</html>', { status: 503 }), kind: 'server', says: /503.*retry later/ },
    { name: '400', res: () => json(400, { error: 'bad' }), kind: 'http', says: /400.*Hub: bad/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const err = await errorFromResponse(c.res(), ctx(c.token), 'https://hub.example/api/models/org/model');
      assert.ok(err instanceof HubError);
      assert.equal(err.kind, c.kind);
      assert.match(err.message, c.says);
      assert.ok(!err.message.includes(TOKEN), 'token in message');
      assert.match(err.message, /^org\/model \(revision main\)/);
    });
  }
  test('network error', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const err = networkError(new TypeError('fetch failed', { cause }), ctx(TOKEN), 'https://hub.example/api/x');
    assert.equal(err.kind, 'network');
    assert.match(
      err.message,
      /could not reach https:\/\/hub\.example \(fetch failed: ECONNREFUSED connect ECONNREFUSED.*check the connection or set HF_HUB_OFFLINE=1 to use the cache/,
    );
  });
  test('scrub', () => assert.equal(scrub(`a ${TOKEN} b ${TOKEN}`, TOKEN), 'a *** b ***'));
});

describe('token goes to the endpoint origin only', () => {
  test('same origin gets Authorization, others lose it', () => {
    const h = new Headers({ Authorization: 'Bearer undefined' });
    applyAuth(h, 'https://hub.example/api/models/x', ctx(TOKEN));
    assert.equal(h.get('authorization'), `Bearer ${TOKEN}`);
    const cdn = new Headers({ Authorization: `Bearer ${TOKEN}` });
    applyAuth(cdn, 'https://cdn.example/lfs/abc', ctx(TOKEN));
    assert.equal(cdn.get('authorization'), null);
    const port = new Headers();
    applyAuth(port, 'https://hub.example:8443/x', ctx(TOKEN));
    assert.equal(port.get('authorization'), null);
    const none = new Headers({ Authorization: 'Bearer undefined' });
    applyAuth(none, 'https://hub.example/x', ctx(undefined));
    assert.equal(none.get('authorization'), null);
  });
});

describe('token hygiene', () => {
  test('trimmed; empty means none; a token a header cannot carry is refused without echoing it', () => {
    assert.equal(normalizeToken(`  ${TOKEN}\n`), TOKEN);
    assert.equal(normalizeToken(''), undefined);
    assert.equal(normalizeToken(undefined), undefined);
    const bad = 'hf_with space inside';
    assert.throws(
      () => normalizeToken(bad),
      (e: unknown) => e instanceof HubError && e.kind === 'invalid-argument' && !e.message.includes(bad) && /set a token/.test(e.message),
    );
  });
  test('a cause that carries the token is dropped', () => {
    const leaky = new TypeError(`Headers.set: "Bearer ${TOKEN}" is an invalid header value`);
    assert.equal(safeCause(leaky, TOKEN), undefined);
    assert.equal(safeCause(new Error('wrap', { cause: leaky }), TOKEN), undefined);
    const clean = new Error('fetch failed');
    assert.equal(safeCause(clean, TOKEN), clean);
  });
  test('connect failures are recognised through the cause chain', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    assert.equal(isConnectFailure(refused), true);
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
    assert.equal(isConnectFailure(reset), false);
  });
});
