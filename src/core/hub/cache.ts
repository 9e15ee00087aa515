/**
 * The Hugging Face cache layout, exactly as Python's `huggingface_hub` writes and reads it:
 *
 *   <cache>/models--org--name/
 *     blobs/<etag>                       file content; etag = LFS sha256, else the git blob sha1
 *     blobs/<etag>.incomplete            a download in progress (resumed with an HTTP Range)
 *     refs/<revision>                    the commit sha the revision pointed at (no newline)
 *     snapshots/<commit>/<path>          symlink to ../../blobs/<etag> (a copy where symlinks fail)
 */
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { COMMIT_SHA, repoFolderName, type HubRepoType } from './paths.js';

export function repoCacheDir(cacheDir: string, repoId: string, type: HubRepoType = 'model'): string {
  return join(cacheDir, repoFolderName(repoId, type));
}

export function blobPath(repoDir: string, etag: string): string {
  return join(repoDir, 'blobs', etag);
}

export function snapshotDir(repoDir: string, commit: string): string {
  return join(repoDir, 'snapshots', commit);
}

export function snapshotFile(repoDir: string, commit: string, file: string): string {
  return join(snapshotDir(repoDir, commit), ...file.split('/'));
}

export async function exists(path: string, followSymlinks = true): Promise<boolean> {
  try {
    await (followSymlinks ? stat(path) : lstat(path));
    return true;
  } catch {
    return false;
  }
}

export async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** The commit a revision points at in the cache: the revision itself when it is a commit sha, else `refs/<revision>`. */
export async function readRef(repoDir: string, revision: string): Promise<string | undefined> {
  if (COMMIT_SHA.test(revision)) return revision;
  try {
    const text = (await readFile(join(repoDir, 'refs', ...revision.split('/')), 'utf8')).trim();
    return COMMIT_SHA.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `refs/<revision>` (not for a revision that is itself the commit, as huggingface_hub does). */
export async function writeRef(repoDir: string, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  const path = join(repoDir, 'refs', ...revision.split('/'));
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, commit);
  await rename(tmp, path);
}

/**
 * Makes `snapshots/<commit>/<file>` point at `blobs/<etag>`: a relative symlink (so the cache can
 * be moved), or a copy where the file system refuses symlinks (Windows without developer mode).
 */
export async function linkSnapshotFile(repoDir: string, commit: string, file: string, etag: string): Promise<'symlink' | 'copy'> {
  const blob = blobPath(repoDir, etag);
  const dst = snapshotFile(repoDir, commit, file);
  await mkdir(dirname(dst), { recursive: true });
  await rm(dst, { force: true });
  try {
    await symlink(relative(dirname(dst), blob), dst);
    return 'symlink';
  } catch {
    await copyFile(blob, dst, constants.COPYFILE_FICLONE);
    return 'copy';
  }
}

/** Relative POSIX paths of the readable files of a snapshot folder (dangling symlinks left out). */
export async function listSnapshotFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(full, rel);
      else if (e.isFile()) out.push(rel);
      else if (e.isSymbolicLink()) {
        try {
          if ((await stat(full)).isFile()) out.push(rel);
        } catch {
          // dangling link: the blob is gone
        }
      }
    }
  }
  await walk(folder, '');
  return out.sort();
}

/** The cached snapshot of `revision`, when the ref (or the commit itself) and its folder exist. */
export async function resolveCachedSnapshot(
  cacheDir: string,
  repoId: string,
  revision: string,
  type: HubRepoType = 'model',
): Promise<{ commit: string; folder: string } | undefined> {
  const repoDir = repoCacheDir(cacheDir, repoId, type);
  const commit = await readRef(repoDir, revision);
  if (!commit) return undefined;
  const folder = snapshotDir(repoDir, commit);
  try {
    if (!(await stat(folder)).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  return { commit, folder };
}
