import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HubError } from '../../../../src/core/hub/errors.js';
import {
  assertSafeRepoPath,
  encodeRepoPath,
  repoFolderName,
  repoUrlPath,
  unsafeReason,
  validateRepoId,
  validateRevision,
} from '../../../../src/core/hub/paths.js';

describe('repo file names', () => {
  const unsafe: [string, string][] = [
    ['', 'empty name'],
    ['../config.json', '".." segment'],
    ['a/../../etc/passwd', '".." segment'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/x', 'drive letter'],
    ['c:evil', 'drive letter'],
    ['a\\b.txt', 'backslash'],
    ['..\\..\\x', 'backslash'],
    ['a\0b', 'NUL byte'],
    ['a//b', 'empty path segment'],
    ['a/', 'empty path segment'],
    ['./a', '"." segment'],
    ['a\nb', 'control character'],
  ];
  for (const [name, reason] of unsafe) {
    test(`refuses ${JSON.stringify(name)} (${reason})`, () => {
      assert.equal(unsafeReason(name), reason);
      assert.throws(
        () => assertSafeRepoPath(name, { repoId: 'org/m', where: 'listed' }),
        (err: unknown) => err instanceof HubError && err.kind === 'unsafe-path' && err.message.includes(reason),
      );
    });
  }
  for (const name of ['config.json', 'onnx/model.onnx', 'a/b/c.txt', '..a', 'a..b', '.gitattributes', 'x y.txt']) {
    test(`accepts ${JSON.stringify(name)}`, () => assert.equal(unsafeReason(name), undefined));
  }
});

describe('repo ids and revisions', () => {
  for (const id of ['org/name', 'bert-base-uncased', 'hfl/rbt3', 'google-bert/bert-base-uncased', 'a/b.c_d-e']) {
    test(`valid repo id ${id}`, () => assert.equal(validateRepoId(id), id));
  }
  for (const id of ['', 'a/b/c', '../x', 'org/..', 'org/na--me', '-org/name', 'org/name.', 'org/na me', 'org/name.git', 'a\\b', `${'x'.repeat(97)}/y`]) {
    test(`invalid repo id ${JSON.stringify(id)}`, () =>
      assert.throws(
        () => validateRepoId(id),
        (err: unknown) => err instanceof HubError && err.kind === 'invalid-argument',
      ));
  }
  for (const rev of ['main', 'v1.0', 'refs/pr/1', 'a'.repeat(40)]) {
    test(`valid revision ${rev}`, () => assert.equal(validateRevision(rev), rev));
  }
  for (const rev of ['', '../main', 'a/../../b', '/main', 'a\\b', 'a:b']) {
    test(`invalid revision ${JSON.stringify(rev)}`, () =>
      assert.throws(
        () => validateRevision(rev),
        (err: unknown) => err instanceof HubError && err.kind === 'invalid-argument',
      ));
  }
});

describe('cache and URL names', () => {
  test('cache folder names as huggingface_hub', () => {
    assert.equal(repoFolderName('hfl/rbt3'), 'models--hfl--rbt3');
    assert.equal(repoFolderName('bert-base-uncased'), 'models--bert-base-uncased');
    assert.equal(repoFolderName('org/demo', 'space'), 'spaces--org--demo');
  });
  test('URL paths', () => {
    assert.equal(encodeRepoPath('onnx/model file#1.onnx'), 'onnx/model%20file%231.onnx');
    assert.equal(repoUrlPath('org/m'), 'org/m');
    assert.equal(repoUrlPath('org/s', 'space'), 'spaces/org/s');
  });
});
