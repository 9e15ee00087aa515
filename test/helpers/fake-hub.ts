/**
 * A fake Hugging Face Hub on loopback, for tests that must not touch the network.
 *
 * Two `http.createServer`s on 127.0.0.1 with ephemeral ports: the Hub itself (`url`) and a
 * CDN-like storage host (`cdnUrl`, another origin, as cdn-lfs.hf.co / S3 are) where LFS downloads
 * are redirected and LFS uploads are PUT. It implements the routes that `@huggingface/hub` 2.17 and
 * src/core/hub call (read from the library's source):
 *
 *   GET  /api/whoami-v2
 *   GET  /api/{models|datasets|spaces}/{repo}[/revision/{rev}]      info with sha, siblings (+ sdk)
 *   GET  /api/{type}s/{repo}/tree/{rev}[/{path}]?recursive=&expand=
 *   POST /api/{type}s/{repo}/paths-info/{rev}                       {paths, expand}
 *   GET|HEAD /[{type}s/]{repo}/resolve/{rev}/{path}                  ETag, X-Repo-Commit; Range → 206;
 *                                                                    LFS: 302 to the CDN + X-Linked-Etag/-Size
 *   GET|HEAD /[{type}s/]{repo}/raw/{rev}/{path}                      the file as git holds it (LFS: its pointer)
 *   POST /api/repos/create                                          409 when it exists
 *   POST /api/{type}s/{repo}/preupload/{rev}                        uploadMode lfs | regular
 *   POST /[{type}s/]{repo}.git/info/lfs/objects/batch               transfer: basic, upload hrefs on the CDN
 *   POST /api/{type}s/{repo}/commit/{rev}                           NDJSON header / file / lfsFile / deletedFile
 *   CDN: GET|HEAD /lfs/{sha256} (Range), PUT /upload/{sha256} (sha256 checked)
 *
 * Repos live in memory. `Authorization: Bearer` is checked against the configured users; private,
 * gated and write access are enforced with the Hub's status codes and `X-Error-Code`s. Failures
 * can be injected (`fail`: a status N times, or a body cut after N bytes), a file can be served
 * corrupt (`corrupt`), bodies can be slowed (`throttle`), and every request is recorded.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeRepoType = 'model' | 'dataset' | 'space';

export interface FakeUser {
  name: string;
  orgs?: string[];
  /** Write access (create, commit). Default true. */
  canWrite?: boolean;
}

export interface FakeFile {
  path: string;
  content: Buffer;
  lfs: boolean;
  sha256: string;
  /** Git blob sha1 of the content (regular file) or of the LFS pointer (LFS file). */
  gitOid: string;
  lastCommit: string;
}

export interface FakeCommit {
  oid: string;
  parent: string | undefined;
  title: string;
  description: string;
  date: string;
  files: Map<string, FakeFile>;
}

export interface FakeRepo {
  type: FakeRepoType;
  id: string;
  private: boolean;
  gated: boolean;
  sdk: string | undefined;
  commits: Map<string, FakeCommit>;
  branches: Map<string, string>;
  tags: Map<string, string>;
  /** Users who accepted a gated repo's conditions. */
  accessGranted: Set<string>;
  /** Merged over the info JSON (e.g. a malicious `siblings` or `sha`). */
  infoOverrides: Record<string, unknown>;
}

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  status: number;
  /** Text of JSON / NDJSON request bodies. */
  body?: string;
  /** Size of the request body. */
  bodyBytes: number;
}

export interface FailRule {
  server?: 'hub' | 'cdn';
  method?: string;
  /** Matched against the URL path (a string must be contained in it). */
  path?: string | RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Answer this status instead of the real answer. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Serve the real answer but destroy the connection after this many body bytes. */
  cutAfterBytes?: number;
}

export interface AddRepoOptions {
  type?: FakeRepoType;
  private?: boolean;
  gated?: boolean;
  sdk?: string;
  branch?: string;
  message?: string;
  /** Force LFS (true) or regular (false) storage per path; default: by extension / size / binary content. */
  lfs?: (path: string, content: Buffer) => boolean | undefined;
  infoOverrides?: Record<string, unknown>;
  /** Add the Hub's default .gitattributes (default true). */
  gitattributes?: boolean;
}

export const DEFAULT_TOKEN = 'hf_fakeTokenForTests0123456789abcdefgh';
export const DEFAULT_USER = 'alice';

const LFS_EXTENSIONS = [
  '.7z',
  '.arrow',
  '.bin',
  '.bz2',
  '.ckpt',
  '.ftz',
  '.gz',
  '.h5',
  '.joblib',
  '.mlmodel',
  '.model',
  '.msgpack',
  '.npy',
  '.npz',
  '.onnx',
  '.ot',
  '.parquet',
  '.pb',
  '.pickle',
  '.pkl',
  '.pt',
  '.pth',
  '.rar',
  '.safetensors',
  '.tar',
  '.tflite',
  '.tgz',
  '.wasm',
  '.xz',
  '.zip',
  '.zst',
];

export const DEFAULT_GITATTRIBUTES = LFS_EXTENSIONS.map((e) => `*${e} filter=lfs diff=lfs merge=lfs -text`).join('\n') + '\n';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function gitBlobSha1(data: Uint8Array): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

/** Deterministic pseudo-random bytes (for fake weights). */
export function seededBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function toBuffer(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

export function defaultIsLfs(path: string, content: Buffer, threshold = 10 * 1024 * 1024): boolean {
  if (LFS_EXTENSIONS.some((e) => path.endsWith(e))) return true;
  if (content.length >= threshold) return true;
  return content.subarray(0, 8000).includes(0);
}

function isSafePath(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    !path.includes('\0') &&
    path.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
  );
}

function matches(rule: FailRule, server: 'hub' | 'cdn', method: string, path: string): boolean {
  if (rule.server && rule.server !== server) return false;
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.path instanceof RegExp) return rule.path.test(path);
  if (typeof rule.path === 'string') return path.includes(rule.path);
  return true;
}

interface ServeOptions {
  cutAfterBytes?: number;
}

export class FakeHub {
  /** The Hub endpoint, e.g. http://127.0.0.1:40123 (pass as `endpoint` / HF_ENDPOINT). */
  url = '';
  /** The CDN / storage origin. */
  cdnUrl = '';
  readonly requests: RecordedRequest[] = [];
  readonly repos = new Map<string, FakeRepo>();
  /** LFS objects by sha256 (seeded repos and uploads). */
  readonly lfsObjects = new Map<string, Buffer>();
  readonly users = new Map<string, FakeUser>();
  /** Slow down response bodies: `chunkBytes` at a time, `delayMs` between chunks. */
  throttle: { chunkBytes: number; delayMs: number } | undefined;
  /** Files larger than this are LFS even without an LFS extension. */
  lfsThreshold = 10 * 1024 * 1024;

  private readonly rules: (FailRule & { left: number })[] = [];
  private readonly corrupted = new Set<string>();
  private hubServer: http.Server | undefined;
  private cdnServer: http.Server | undefined;
  private counter = 0;

  static async start(options: { users?: Record<string, FakeUser> } = {}): Promise<FakeHub> {
    const hub = new FakeHub();
    const users = options.users ?? { [DEFAULT_TOKEN]: { name: DEFAULT_USER, orgs: ['finetune-org'] } };
    for (const [token, user] of Object.entries(users)) hub.users.set(token, user);
    hub.hubServer = http.createServer((req, res) => void hub.handle('hub', req, res));
    hub.cdnServer = http.createServer((req, res) => void hub.handle('cdn', req, res));
    hub.url = await listen(hub.hubServer);
    hub.cdnUrl = await listen(hub.cdnServer);
    return hub;
  }

  async close(): Promise<void> {
    for (const s of [this.hubServer, this.cdnServer]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Injects a failure for the next `times` matching requests. */
  fail(rule: FailRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  clearFailures(): void {
    this.rules.length = 0;
  }

  /** Forgets injected failures, corruptions, throttling and recorded requests (repos stay). */
  reset(): void {
    this.rules.length = 0;
    this.corrupted.clear();
    this.throttle = undefined;
    this.requests.length = 0;
  }

  /**
   * Serves `path` of a repo with one byte flipped while the listing still advertises the true
   * hashes. (Keyed by content: every file with the same bytes is served corrupt until `reset`.)
   */
  corrupt(repoId: string, path: string, revision = 'main', type: FakeRepoType = 'model'): void {
    const file = this.fileEntry(repoId, path, revision, type);
    if (!file) throw new Error(`fake hub: no ${path} in ${repoId}`);
    this.corrupted.add(file.sha256);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Requests to a path containing `fragment` (and, if given, with this method). */
  requestsTo(fragment: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => (typeof fragment === 'string' ? r.path.includes(fragment) : fragment.test(r.path)) && (!method || r.method === method));
  }

  grantAccess(repoId: string, user: string, type: FakeRepoType = 'model'): void {
    this.mustRepo(repoId, type).accessGranted.add(user);
  }

  // ---- repo contents -------------------------------------------------------------------------

  /** Creates a repo with one commit on `branch` (default main) holding `files`; returns the commit sha. */
  addRepo(repoId: string, files: Record<string, string | Uint8Array>, options: AddRepoOptions = {}): string {
    const type = options.type ?? 'model';
    const key = `${type}:${repoId}`;
    if (this.repos.has(key)) throw new Error(`fake hub: ${repoId} exists`);
    this.repos.set(key, {
      type,
      id: repoId,
      private: options.private ?? false,
      gated: options.gated ?? false,
      sdk: options.sdk ?? (type === 'space' ? 'static' : undefined),
      commits: new Map(),
      branches: new Map(),
      tags: new Map(),
      accessGranted: new Set(),
      infoOverrides: options.infoOverrides ?? {},
    });
    const all: Record<string, string | Uint8Array> = options.gitattributes === false ? { ...files } : { '.gitattributes': DEFAULT_GITATTRIBUTES, ...files };
    return this.commitFiles(repoId, all, { type, branch: options.branch ?? 'main', message: options.message ?? 'initial commit', lfs: options.lfs });
  }

  addModel(repoId: string, files: Record<string, string | Uint8Array>, options: Omit<AddRepoOptions, 'type'> = {}): string {
    return this.addRepo(repoId, files, { ...options, type: 'model' });
  }

  /** Commits `files` (added or replaced; `null` deletes) on a branch; returns the new commit sha. */
  commitFiles(
    repoId: string,
    files: Record<string, string | Uint8Array | null>,
    options: { type?: FakeRepoType; branch?: string; message?: string; lfs?: AddRepoOptions['lfs'] } = {},
  ): string {
    const repo = this.mustRepo(repoId, options.type ?? 'model');
    const branch = options.branch ?? 'main';
    const parentOid = repo.branches.get(branch) ?? repo.branches.get('main');
    const parent = parentOid ? repo.commits.get(parentOid) : undefined;
    const oid = this.newCommitOid(repo, parentOid);
    const next = new Map(parent?.files ?? []);
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        next.delete(path);
        continue;
      }
      const buf = toBuffer(content);
      const lfs = options.lfs?.(path, buf) ?? defaultIsLfs(path, buf, this.lfsThreshold);
      next.set(path, this.makeFile(path, buf, lfs, oid));
    }
    this.storeCommit(repo, branch, {
      oid,
      parent: parentOid,
      title: options.message ?? 'update',
      description: '',
      date: new Date().toISOString(),
      files: next,
    });
    return oid;
  }

  createTag(repoId: string, tag: string, revision = 'main', type: FakeRepoType = 'model'): string {
    const repo = this.mustRepo(repoId, type);
    const oid = this.resolveRevision(repo, revision);
    if (!oid) throw new Error(`fake hub: no revision ${revision}`);
    repo.tags.set(tag, oid);
    return oid;
  }

  createBranch(repoId: string, branch: string, revision = 'main', type: FakeRepoType = 'model'): string {
    const repo = this.mustRepo(repoId, type);
    const oid = this.resolveRevision(repo, revision);
    if (!oid) throw new Error(`fake hub: no revision ${revision}`);
    repo.branches.set(branch, oid);
    return oid;
  }

  repo(repoId: string, type: FakeRepoType = 'model'): FakeRepo | undefined {
    return this.repos.get(`${type}:${repoId}`);
  }

  /** The head commit sha of a branch. */
  head(repoId: string, branch = 'main', type: FakeRepoType = 'model'): string | undefined {
    return this.repo(repoId, type)?.branches.get(branch);
  }

  fileEntry(repoId: string, path: string, revision = 'main', type: FakeRepoType = 'model'): FakeFile | undefined {
    const repo = this.repo(repoId, type);
    if (!repo) return undefined;
    const oid = this.resolveRevision(repo, revision);
    return oid ? repo.commits.get(oid)?.files.get(path) : undefined;
  }

  fileAt(repoId: string, path: string, revision = 'main', type: FakeRepoType = 'model'): Buffer | undefined {
    return this.fileEntry(repoId, path, revision, type)?.content;
  }

  listFiles(repoId: string, revision = 'main', type: FakeRepoType = 'model'): string[] {
    const repo = this.mustRepo(repoId, type);
    const oid = this.resolveRevision(repo, revision);
    return oid ? [...(repo.commits.get(oid)?.files.keys() ?? [])].sort() : [];
  }

  // ---- internals -----------------------------------------------------------------------------

  private mustRepo(repoId: string, type: FakeRepoType): FakeRepo {
    const repo = this.repos.get(`${type}:${repoId}`);
    if (!repo) throw new Error(`fake hub: no ${type} ${repoId}`);
    return repo;
  }

  private newCommitOid(repo: FakeRepo, parent: string | undefined): string {
    return createHash('sha1')
      .update(`${repo.type}:${repo.id}:${parent ?? ''}:${++this.counter}:${Math.random()}`)
      .digest('hex');
  }

  private makeFile(path: string, content: Buffer, lfs: boolean, commit: string): FakeFile {
    const sha256 = sha256Hex(content);
    if (lfs) this.lfsObjects.set(sha256, content);
    const gitOid = lfs ? gitBlobSha1(Buffer.from(lfsPointer(sha256, content.length))) : gitBlobSha1(content);
    return { path, content, lfs, sha256, gitOid, lastCommit: commit };
  }

  private storeCommit(repo: FakeRepo, branch: string, commit: FakeCommit): void {
    // Files that did not change keep their last commit.
    const parent = commit.parent ? repo.commits.get(commit.parent) : undefined;
    for (const [path, file] of commit.files) {
      const old = parent?.files.get(path);
      if (old && old.sha256 === file.sha256) commit.files.set(path, old);
    }
    repo.commits.set(commit.oid, commit);
    repo.branches.set(branch, commit.oid);
  }

  private resolveRevision(repo: FakeRepo, revision: string): string | undefined {
    if (revision === 'HEAD') return repo.branches.get('main');
    return repo.branches.get(revision) ?? repo.tags.get(revision) ?? (repo.commits.has(revision) ? revision : undefined);
  }

  private userOf(req: http.IncomingMessage): { user?: FakeUser; invalid: boolean; given: boolean } {
    const auth = req.headers['authorization'];
    if (!auth) return { invalid: false, given: false };
    const m = /^Bearer (.+)$/.exec(auth);
    const user = m?.[1] ? this.users.get(m[1]) : undefined;
    return user ? { user, invalid: false, given: true } : { invalid: true, given: true };
  }

  private owns(user: FakeUser | undefined, repoId: string): boolean {
    if (!user) return false;
    const ns = repoId.includes('/') ? repoId.split('/')[0] : user.name;
    return ns === user.name || (user.orgs ?? []).includes(ns ?? '');
  }

  private async handle(server: 'hub' | 'cdn', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const ct = headers['content-type'] ?? '';
    const record: RecordedRequest = {
      server,
      method,
      path: decodeURIComponent(url.pathname),
      query: url.search,
      headers,
      status: 0,
      bodyBytes: body.length,
      ...(/json|ndjson/.test(ct) ? { body: body.toString('utf8') } : {}),
    };
    this.requests.push(record);
    res.on('close', () => {
      record.status = res.statusCode;
    });
    try {
      const rule = this.rules.find((r) => r.left > 0 && matches(r, server, method, url.pathname));
      const serve: ServeOptions = {};
      if (rule) {
        rule.left--;
        if (rule.status !== undefined) {
          sendJson(res, rule.status, rule.body ?? { error: `injected ${rule.status}` }, rule.headers);
          return;
        }
        if (rule.cutAfterBytes !== undefined) serve.cutAfterBytes = rule.cutAfterBytes;
      }
      if (server === 'cdn') await this.routeCdn(req, res, method, url, body, serve);
      else await this.routeHub(req, res, method, url, body, serve);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: `fake hub error: ${err instanceof Error ? err.message : String(err)}` });
      else res.destroy();
    }
  }

  private async routeCdn(req: http.IncomingMessage, res: http.ServerResponse, method: string, url: URL, body: Buffer, serve: ServeOptions) {
    const get = /^\/lfs\/([0-9a-f]{64})$/.exec(url.pathname);
    if (get?.[1] && (method === 'GET' || method === 'HEAD')) {
      const data = this.lfsObjects.get(get[1]);
      if (!data) return sendJson(res, 404, { error: 'no such object' });
      return this.serveBytes(req, res, data, get[1], { 'Content-Type': 'application/octet-stream', ETag: `"${get[1]}"` }, serve);
    }
    const put = /^\/upload\/([0-9a-f]{64})$/.exec(url.pathname);
    if (put?.[1] && method === 'PUT') {
      if (sha256Hex(body) !== put[1]) return sendJson(res, 400, { error: 'sha256 of the uploaded bytes does not match the oid' });
      this.lfsObjects.set(put[1], body);
      res.writeHead(200, { ETag: `"${put[1]}"` });
      res.end();
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  }

  private async routeHub(req: http.IncomingMessage, res: http.ServerResponse, method: string, url: URL, body: Buffer, serve: ServeOptions) {
    const auth = this.userOf(req);
    if (auth.invalid) return sendJson(res, 401, { error: 'Invalid credentials in Authorization header' });
    const path = url.pathname;

    if (path === '/api/whoami-v2' && method === 'GET') {
      if (!auth.user) return sendJson(res, 401, { error: 'Invalid credentials in Authorization header' });
      return sendJson(res, 200, {
        type: 'user',
        id: 'fake-user-id',
        name: auth.user.name,
        fullname: auth.user.name,
        email: `${auth.user.name}@example.invalid`,
        emailVerified: true,
        isPro: false,
        canPay: false,
        orgs: (auth.user.orgs ?? []).map((o) => ({ type: 'org', name: o, fullname: o })),
        auth: { type: 'access_token', accessToken: { displayName: 'fake', role: auth.user.canWrite === false ? 'read' : 'write' } },
      });
    }

    if (path === '/api/repos/create' && method === 'POST') return this.createRepo(res, auth.user, body);
    if (path === '/api/models' && method === 'GET') return sendJson(res, 200, this.searchModels(auth.user, url.searchParams));

    const api = /^\/api\/(models|datasets|spaces)\/(.+)$/.exec(path);
    if (api?.[1] && api[2] !== undefined) {
      const type = api[1].slice(0, -1) as FakeRepoType;
      const segs = api[2].split('/');
      const KEYS = ['revision', 'tree', 'paths-info', 'preupload', 'commit'];
      const idLen = segs.length >= 2 && !KEYS.includes(segs[1] ?? '') ? 2 : 1;
      const repoId = segs.slice(0, idLen).join('/');
      const action = segs[idLen];
      const rest = segs.slice(idLen + 1);
      const repo = this.repo(repoId, type);
      if (action === 'preupload' || action === 'commit') {
        if (!repo) return notFound(res, auth.given, 'RepoNotFound', 'Repository not found');
        if (!auth.user) return sendJson(res, 401, { error: 'You must be authenticated to write' }, { 'X-Error-Code': 'RepoNotFound' });
        if (!this.owns(auth.user, repoId) || auth.user.canWrite === false)
          return sendJson(res, 403, { error: `You don't have the rights to write to ${repoId}` });
        const branch = decodeURIComponent(rest.join('/') || 'main');
        return action === 'preupload' ? this.preupload(res, body) : this.commit(res, repo, branch, body, url);
      }
      if (!repo || (repo.private && !this.owns(auth.user, repoId))) return notFound(res, auth.given, 'RepoNotFound', 'Repository not found');
      if (method === 'GET' && (action === undefined || action === 'revision')) {
        const rev = action === 'revision' ? decodeURIComponent(rest.join('/')) : 'HEAD';
        const oid = this.resolveRevision(repo, rev);
        if (!oid) return sendJson(res, 404, { error: `Invalid rev id: ${rev}` }, { 'X-Error-Code': 'RevisionNotFound' });
        return sendJson(res, 200, this.info(repo, oid));
      }
      if (method === 'GET' && action === 'tree') {
        // listFiles puts the revision in the path unencoded: take the first segment.
        const rev = decodeURIComponent(rest[0] ?? 'main');
        const oid = this.resolveRevision(repo, rev);
        if (!oid) return sendJson(res, 404, { error: `Invalid rev id: ${rev}` }, { 'X-Error-Code': 'RevisionNotFound' });
        const prefix = rest.slice(1).map(decodeURIComponent).join('/');
        return sendJson(res, 200, this.tree(repo, oid, prefix, url.searchParams.get('recursive') === 'true', url.searchParams.get('expand') === 'true'));
      }
      if (method === 'POST' && action === 'paths-info') {
        const rev = decodeURIComponent(rest.join('/') || 'main');
        const oid = this.resolveRevision(repo, rev);
        if (!oid) return sendJson(res, 404, { error: `Invalid rev id: ${rev}` }, { 'X-Error-Code': 'RevisionNotFound' });
        const req2 = JSON.parse(body.toString('utf8') || '{}') as { paths?: string[]; expand?: boolean };
        const commit = repo.commits.get(oid);
        const out = [];
        for (const p of req2.paths ?? []) {
          const f = commit?.files.get(p);
          if (f) out.push(this.entry(repo, f, !!req2.expand));
          else if ([...(commit?.files.keys() ?? [])].some((k) => k.startsWith(`${p}/`)))
            out.push({ type: 'directory', oid: gitBlobSha1(Buffer.from(p)), size: 0, path: p });
        }
        return sendJson(res, 200, out);
      }
      return sendJson(res, 404, { error: 'unknown route' });
    }

    const lfsBatch = /^\/(?:(datasets|spaces)\/)?(.+)\.git\/info\/lfs\/objects\/batch$/.exec(path);
    if (lfsBatch?.[2] && method === 'POST') {
      const type = (lfsBatch[1]?.slice(0, -1) ?? 'model') as FakeRepoType;
      const repoId = lfsBatch[2];
      if (!this.repo(repoId, type)) return notFound(res, auth.given, 'RepoNotFound', 'Repository not found');
      if (!auth.user) return sendJson(res, 401, { message: 'Authentication required' });
      if (!this.owns(auth.user, repoId) || auth.user.canWrite === false) return sendJson(res, 403, { message: 'Forbidden' });
      const batch = JSON.parse(body.toString('utf8')) as { operation: string; objects: { oid: string; size: number }[] };
      const objects = batch.objects.map((o) =>
        this.lfsObjects.has(o.oid)
          ? { oid: o.oid, size: o.size }
          : { oid: o.oid, size: o.size, authenticated: true, actions: { upload: { href: `${this.cdnUrl}/upload/${o.oid}`, expires_in: 3600 } } },
      );
      res.writeHead(200, { 'Content-Type': 'application/vnd.git-lfs+json' });
      res.end(JSON.stringify({ transfer: 'basic', objects }));
      return;
    }

    const resolve = /^\/(?:(datasets|spaces)\/)?(.+?)\/(resolve|raw)\/([^/]+)\/(.+)$/.exec(path);
    if (resolve?.[2] && resolve[4] && resolve[5] && (method === 'GET' || method === 'HEAD')) {
      const type = (resolve[1]?.slice(0, -1) ?? 'model') as FakeRepoType;
      const repoId = resolve[2];
      const raw = resolve[3] === 'raw';
      const repo = this.repo(repoId, type);
      if (!repo || (repo.private && !this.owns(auth.user, repoId))) return notFound(res, auth.given, 'RepoNotFound', 'Repository not found');
      if (repo.gated && !this.owns(auth.user, repoId) && !(auth.user && repo.accessGranted.has(auth.user.name))) {
        const msg = `Access to model ${repoId} is restricted and you are not in the authorized list. Visit ${this.url}/${repoId} to ask for access.`;
        return sendJson(res, auth.user ? 403 : 401, { error: msg }, { 'X-Error-Code': 'GatedRepo', 'X-Error-Message': msg });
      }
      const rev = decodeURIComponent(resolve[4]);
      const oid = this.resolveRevision(repo, rev);
      if (!oid) return sendJson(res, 404, { error: `Invalid rev id: ${rev}` }, { 'X-Error-Code': 'RevisionNotFound' });
      const file = repo.commits.get(oid)?.files.get(decodeURIComponent(resolve[5]));
      if (!file) return sendJson(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
      const common = { 'X-Repo-Commit': oid, 'Accept-Ranges': 'bytes' };
      if (raw && file.lfs) {
        const pointer = Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${file.sha256}\nsize ${file.content.length}\n`);
        return this.serveBytes(
          req,
          res,
          pointer,
          createHash('sha256').update(pointer).digest('hex'),
          { ...common, 'Content-Type': 'text/plain; charset=utf-8' },
          serve,
        );
      }
      if (file.lfs) {
        res.writeHead(302, {
          ...common,
          Location: `${this.cdnUrl}/lfs/${file.sha256}?filename=${encodeURIComponent(file.path)}`,
          ETag: `"${file.gitOid}"`,
          'X-Linked-Etag': `"${file.sha256}"`,
          'X-Linked-Size': String(file.content.length),
          'Content-Length': '0',
        });
        res.end();
        return;
      }
      return this.serveBytes(req, res, file.content, file.sha256, { ...common, ETag: `"${file.gitOid}"`, 'Content-Type': 'text/plain; charset=utf-8' }, serve);
    }

    sendJson(res, 404, { error: 'unknown route' });
  }

  private info(repo: FakeRepo, oid: string): Record<string, unknown> {
    const commit = repo.commits.get(oid);
    const ns = repo.id.includes('/') ? repo.id.split('/')[0] : undefined;
    return {
      _id: createHash('sha1').update(`${repo.type}:${repo.id}`).digest('hex').slice(0, 24),
      id: repo.id,
      ...(repo.type === 'model' ? { modelId: repo.id, library_name: 'transformers', pipeline_tag: 'text-classification' } : {}),
      ...(repo.type === 'space' ? { sdk: repo.sdk, runtime: { stage: 'BUILDING' } } : {}),
      author: ns,
      sha: oid,
      lastModified: commit?.date,
      createdAt: commit?.date,
      private: repo.private,
      gated: repo.gated ? 'manual' : false,
      disabled: false,
      downloads: 0,
      likes: 0,
      tags: [],
      siblings: [...(commit?.files.keys() ?? [])].sort().map((rfilename) => ({ rfilename })),
      ...repo.infoOverrides,
    };
  }

  /**
   * GET /api/models: the models the caller may see whose id contains `search` (any case), with
   * `pipeline_tag` when given, sorted by `sort` (downloads or likes, descending), at most `limit`.
   * A repo's task and downloads come from its info (`infoOverrides: { pipeline_tag, downloads }`).
   */
  private searchModels(user: FakeUser | undefined, q: URLSearchParams): Record<string, unknown>[] {
    const query = (q.get('search') ?? '').toLowerCase();
    const task = q.get('pipeline_tag');
    const sort = q.get('sort');
    const hits: Record<string, unknown>[] = [];
    for (const repo of this.repos.values()) {
      if (repo.type !== 'model' || (repo.private && !this.owns(user, repo.id))) continue;
      const oid = repo.branches.get('main');
      if (!oid || !repo.id.toLowerCase().includes(query)) continue;
      const info = this.info(repo, oid);
      if (task && info.pipeline_tag !== task) continue;
      const { siblings: _siblings, ...rest } = info;
      hits.push(rest);
    }
    if (sort === 'downloads' || sort === 'likes') hits.sort((a, b) => Number(b[sort] ?? 0) - Number(a[sort] ?? 0));
    return hits.slice(0, Number(q.get('limit') ?? 500));
  }

  private entry(repo: FakeRepo, f: FakeFile, expand: boolean): Record<string, unknown> {
    const lastCommit = repo.commits.get(f.lastCommit);
    return {
      type: 'file',
      oid: f.gitOid,
      size: f.content.length,
      path: f.path,
      ...(f.lfs ? { lfs: { oid: f.sha256, size: f.content.length, pointerSize: lfsPointer(f.sha256, f.content.length).length } } : {}),
      ...(expand && lastCommit
        ? { lastCommit: { id: lastCommit.oid, title: lastCommit.title, date: lastCommit.date }, securityFileStatus: { status: 'safe' } }
        : {}),
    };
  }

  private tree(repo: FakeRepo, oid: string, prefix: string, recursive: boolean, expand: boolean): unknown[] {
    const commit = repo.commits.get(oid);
    const base = prefix ? `${prefix}/` : '';
    const out: unknown[] = [];
    const dirs = new Set<string>();
    for (const f of [...(commit?.files.values() ?? [])].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      if (!f.path.startsWith(base)) continue;
      const rel = f.path.slice(base.length);
      const parts = rel.split('/');
      for (let i = 1; i < parts.length; i++) {
        if (!recursive && i > 1) break;
        dirs.add(base + parts.slice(0, i).join('/'));
      }
      if (!recursive && parts.length > 1) continue;
      out.push(this.entry(repo, f, expand));
    }
    for (const d of [...dirs].sort()) out.unshift({ type: 'directory', oid: gitBlobSha1(Buffer.from(d)), size: 0, path: d });
    return out;
  }

  private createRepo(res: http.ServerResponse, user: FakeUser | undefined, body: Buffer): void {
    if (!user) return sendJson(res, 401, { error: 'You must be authenticated to create a repo' });
    const req = JSON.parse(body.toString('utf8')) as {
      name?: string;
      organization?: string;
      type?: FakeRepoType;
      private?: boolean;
      visibility?: string;
      sdk?: string;
    };
    const type = req.type ?? 'model';
    const ns = req.organization ?? user.name;
    const repoId = `${ns}/${req.name ?? ''}`;
    if (!req.name || !/^[A-Za-z0-9][\w.-]*$/.test(req.name)) return sendJson(res, 400, { error: 'Invalid repo name' });
    if (ns !== user.name && !(user.orgs ?? []).includes(ns)) return sendJson(res, 403, { error: `You don't have the rights to create a repo under ${ns}` });
    if (user.canWrite === false) return sendJson(res, 403, { error: 'This token is read-only' });
    if (type === 'space' && !req.sdk) return sendJson(res, 400, { error: 'sdk is required for a Space' });
    const webUrl = `${this.url}/${type === 'model' ? '' : `${type}s/`}${repoId}`;
    if (this.repo(repoId, type)) return sendJson(res, 409, { error: `You already created this ${type} repo`, url: webUrl });
    this.addRepo(
      repoId,
      {},
      {
        type,
        private: req.visibility === 'private' || req.private === true,
        ...(req.sdk ? { sdk: req.sdk } : {}),
      },
    );
    sendJson(res, 200, { url: webUrl, name: repoId, id: createHash('sha1').update(repoId).digest('hex').slice(0, 24) });
  }

  private preupload(res: http.ServerResponse, body: Buffer): void {
    const req = JSON.parse(body.toString('utf8')) as { files: { path: string; size: number; sample: string }[] };
    const files = req.files.map((f) => {
      const sample = Buffer.from(f.sample, 'base64');
      const lfs = LFS_EXTENSIONS.some((e) => f.path.endsWith(e)) || f.size >= this.lfsThreshold || sample.includes(0);
      return { path: f.path, uploadMode: lfs ? 'lfs' : 'regular', shouldIgnore: false };
    });
    sendJson(res, 200, { files });
  }

  private commit(res: http.ServerResponse, repo: FakeRepo, branch: string, body: Buffer, url: URL): void {
    const lines = body
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { key: string; value: Record<string, unknown> });
    const header = lines.find((l) => l.key === 'header')?.value ?? {};
    const headOid = repo.branches.get(branch) ?? repo.branches.get('main');
    if (typeof header['parentCommit'] === 'string' && header['parentCommit'] !== headOid) {
      return sendJson(res, 412, { error: 'A commit has happened since. Please refresh and try again.' });
    }
    const parent = headOid ? repo.commits.get(headOid) : undefined;
    const oid = this.newCommitOid(repo, headOid);
    const files = new Map(parent?.files ?? []);
    for (const { key, value } of lines) {
      if (key === 'header') continue;
      const path = String(value['path'] ?? '');
      if (!isSafePath(path)) return sendJson(res, 400, { error: `Invalid path: ${path}` });
      if (key === 'file') {
        const content =
          value['encoding'] === 'base64' ? Buffer.from(String(value['content'] ?? ''), 'base64') : Buffer.from(String(value['content'] ?? ''), 'utf8');
        if (LFS_EXTENSIONS.some((e) => path.endsWith(e)) || content.includes(0)) {
          return sendJson(res, 422, { error: `Your push was rejected: ${path} is a binary file and must be stored with LFS` });
        }
        files.set(path, this.makeFile(path, content, false, oid));
      } else if (key === 'lfsFile') {
        const sha = String(value['oid'] ?? '');
        const data = this.lfsObjects.get(sha);
        if (!data || data.length !== Number(value['size'])) return sendJson(res, 422, { error: `LFS object ${sha} of ${path} was not uploaded` });
        files.set(path, this.makeFile(path, data, true, oid));
      } else if (key === 'deletedFile') {
        files.delete(path);
      } else {
        return sendJson(res, 400, { error: `unknown operation ${key}` });
      }
    }
    this.storeCommit(repo, branch, {
      oid,
      parent: headOid,
      title: String(header['summary'] ?? ''),
      description: String(header['description'] ?? ''),
      date: new Date().toISOString(),
      files,
    });
    const prefix = repo.type === 'model' ? '' : `${repo.type}s/`;
    sendJson(res, 200, {
      success: true,
      commitOid: oid,
      commitUrl: `${this.url}/${prefix}${repo.id}/commit/${oid}`,
      hookOutput: '',
      ...(url.searchParams.get('create_pr') ? { pullRequestUrl: `${this.url}/${prefix}${repo.id}/discussions/1` } : {}),
    });
  }

  private async serveBytes(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    original: Buffer,
    sha256: string,
    headers: Record<string, string>,
    serve: ServeOptions,
  ): Promise<void> {
    let data = original;
    if (this.corrupted.has(sha256) && data.length > 0) {
      data = Buffer.from(original);
      const i = Math.floor(data.length / 2);
      data[i] = (data[i] ?? 0) ^ 0xff;
    }
    const size = data.length;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.headers['range'];
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (m) {
        if (m[1] === '' && m[2] !== '') {
          start = Math.max(0, size - Number(m[2]));
        } else {
          start = Number(m[1]);
          if (m[2] !== '' && m[2] !== undefined) end = Math.min(end, Number(m[2]));
        }
        if (start >= size || start > end) {
          res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
          res.end();
          return;
        }
        status = 206;
      }
    }
    const slice = data.subarray(start, end + 1);
    res.writeHead(status, {
      ...headers,
      'Content-Length': String(slice.length),
      ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const cut = serve.cutAfterBytes;
    const body = cut !== undefined ? slice.subarray(0, Math.min(cut, slice.length)) : slice;
    const step = this.throttle?.chunkBytes ?? body.length;
    for (let off = 0; off < body.length; off += Math.max(1, step)) {
      if (res.destroyed) return;
      await new Promise<void>((resolve) => res.write(body.subarray(off, off + Math.max(1, step)), () => resolve()));
      if (this.throttle && off + step < body.length) await new Promise((r) => setTimeout(r, this.throttle?.delayMs ?? 0));
    }
    if (cut !== undefined && cut < slice.length) {
      res.socket?.destroy();
      return;
    }
    res.end();
  }
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** The Hub answers 401 for a missing or private repo without a token, 404 with one. */
function notFound(res: http.ServerResponse, authenticated: boolean, code: string, message: string): void {
  sendJson(res, authenticated ? 404 : 401, { error: message }, { 'X-Error-Code': code, 'X-Error-Message': message });
}
