/**
 * Validation of everything that becomes part of a local path or a Hub URL: repo ids, revisions and
 * repo file names. A name that is refused here never reaches the file system.
 */
import { HubError } from './errors.js';

export type HubRepoType = 'model' | 'space' | 'dataset';

const REPO_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * Checks a repo id (`name` or `namespace/name`) against the Hub's rules: letters, digits, `-`, `_`,
 * `.`; no `--` or `..`; no leading or trailing `-`/`.`; at most 96 characters per part.
 */
export function validateRepoId(repoId: string): string {
  const parts = repoId.split('/');
  const ok =
    parts.length >= 1 &&
    parts.length <= 2 &&
    parts.every((p) => p.length <= 96 && REPO_PART.test(p) && !p.includes('--') && !p.includes('..')) &&
    !repoId.endsWith('.git');
  if (!ok) {
    throw new HubError('invalid-argument', `"${repoId}" is not a valid repo id: use "namespace/name" with letters, digits, "-", "_" and "."`, { repoId });
  }
  return repoId;
}

/** Why a relative repo path is unsafe, or undefined when it is safe. */
export function unsafeReason(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'empty name';
  if (path.includes('\0')) return 'NUL byte';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control character';
  if (path.includes('\\')) return 'backslash';
  if (path.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'drive letter';
  const segments = path.split('/');
  if (segments.some((s) => s === '')) return 'empty path segment';
  if (segments.some((s) => s === '..')) return '".." segment';
  if (segments.some((s) => s === '.')) return '"." segment';
  return undefined;
}

export function isSafeRepoPath(path: string): boolean {
  return unsafeReason(path) === undefined;
}

/** Throws an `unsafe-path` HubError when `path` could escape the folder it is joined onto. */
export function assertSafeRepoPath(path: string, context: { repoId?: string; where: string }): string {
  const reason = unsafeReason(path);
  if (reason !== undefined) {
    throw new HubError(
      'unsafe-path',
      `refusing ${context.where} file name ${JSON.stringify(path)}${context.repoId ? ` in ${context.repoId}` : ''}: ${reason}; ` +
        'a file name must be a relative path without "..", ".", empty segments, backslashes or NUL',
      { repoId: context.repoId, file: path },
    );
  }
  return path;
}

/** A revision (branch, tag, commit sha, `refs/pr/1`): it names a file under `refs/`, so it is checked too. */
export function validateRevision(revision: string): string {
  if (revision.length > 255 || unsafeReason(revision) !== undefined || revision.includes(':')) {
    throw new HubError('invalid-argument', `"${revision}" is not a valid revision: use a branch, a tag or a commit sha`, {
      revision,
    });
  }
  return revision;
}

export const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** `models--org--name`, the cache folder of a repo (as `huggingface_hub` names it). */
export function repoFolderName(repoId: string, type: HubRepoType = 'model'): string {
  return [`${type}s`, ...repoId.split('/')].join('--');
}

/** A repo path with each segment percent-encoded for a URL. */
export function encodeRepoPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The URL prefix of a repo's web and git routes: `org/name`, `spaces/org/name`, `datasets/org/name`. */
export function repoUrlPath(repoId: string, type: HubRepoType = 'model'): string {
  return type === 'model' ? repoId : `${type}s/${repoId}`;
}
