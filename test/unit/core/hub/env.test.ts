import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_ENDPOINT, isOfflineEnv, resolveEndpoint, resolveHubCacheDir } from '../../../../src/core/hub/env.js';
import { HubError } from '../../../../src/core/hub/errors.js';

describe('hub cache location (as huggingface_hub)', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['HF_HUB_CACHE first', { HF_HUB_CACHE: '/c/hub', HF_HOME: '/h', XDG_CACHE_HOME: '/x' }, '/c/hub'],
    ['legacy HUGGINGFACE_HUB_CACHE', { HUGGINGFACE_HUB_CACHE: '/legacy', HF_HOME: '/h' }, '/legacy'],
    ['HF_HOME/hub', { HF_HOME: '/h', XDG_CACHE_HOME: '/x' }, join('/h', 'hub')],
    ['XDG_CACHE_HOME/huggingface/hub', { XDG_CACHE_HOME: '/x' }, join('/x', 'huggingface', 'hub')],
    ['~/.cache/huggingface/hub', {}, join(homedir(), '.cache', 'huggingface', 'hub')],
    ['~ expanded', { HF_HOME: '~/hf' }, join(homedir(), 'hf', 'hub')],
    ['empty values ignored', { HF_HUB_CACHE: '', HF_HOME: '/h' }, join('/h', 'hub')],
  ];
  for (const [name, env, expected] of cases) test(name, () => assert.equal(resolveHubCacheDir(env), expected));
});

describe('endpoint and offline mode', () => {
  test('HF_ENDPOINT, default, trailing slash removed', () => {
    assert.equal(resolveEndpoint({}), DEFAULT_ENDPOINT);
    assert.equal(resolveEndpoint({ HF_ENDPOINT: 'https://hf-mirror.com/' }), 'https://hf-mirror.com');
    assert.equal(resolveEndpoint({ HF_ENDPOINT: 'http://127.0.0.1:8080' }), 'http://127.0.0.1:8080');
  });
  test('bad endpoints refused', () => {
    for (const e of ['not a url', 'ftp://x', 'https://user:pw@host'])
      assert.throws(
        () => resolveEndpoint({ HF_ENDPOINT: e }),
        (err: unknown) => err instanceof HubError && err.kind === 'invalid-argument',
      );
  });
  test('HF_HUB_OFFLINE truthy values', () => {
    for (const v of ['1', 'true', 'TRUE', 'yes', 'On']) assert.equal(isOfflineEnv({ HF_HUB_OFFLINE: v }), true, v);
    for (const v of ['0', 'false', '', 'no']) assert.equal(isOfflineEnv({ HF_HUB_OFFLINE: v }), false, v);
    assert.equal(isOfflineEnv({}), false);
  });
});
