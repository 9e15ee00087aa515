/**
 * Progress of long hub operations, as a discriminated union (the shape the CLI prints and the
 * extension adapts to `withProgress`). Byte counts are of the transfer itself: a file served from
 * the cache, or already on the Hub, reports `file-done` with `cached: true` and no bytes.
 */

export type HubProgressEvent =
  /** Bytes of one file so far (`loaded` includes bytes resumed from a partial download). */
  | { type: 'file-progress'; file: string; loaded: number; total: number }
  /** Bytes of all files being transferred by this operation so far. */
  | { type: 'total-progress'; loaded: number; total: number }
  /** One file is in place (downloaded and verified, or uploaded); `cached` when no bytes moved. */
  | { type: 'file-done'; file: string; cached: boolean }
  /** Something a user may want to read: a retry, a fallback, a phase. Never contains the token. */
  | { type: 'log'; message: string };

export type HubProgressCallback = (event: HubProgressEvent) => void;

/**
 * Keeps per-file and total byte counts and emits events, at most one `file-progress` +
 * `total-progress` pair per `intervalMs` per file (the first and the last always go out).
 */
export class ProgressTracker {
  private readonly files = new Map<string, { loaded: number; total: number; lastEmit: number }>();
  private total = 0;

  constructor(
    private readonly emit: HubProgressCallback | undefined,
    private readonly intervalMs = 100,
  ) {}

  /** Declares a file that will be transferred; adds its size to the total. */
  addFile(file: string, total: number): void {
    const old = this.files.get(file);
    if (old) this.total -= old.total;
    this.files.set(file, { loaded: old?.loaded ?? 0, total, lastEmit: 0 });
    this.total += total;
  }

  update(file: string, loaded: number, force = false): void {
    const entry = this.files.get(file);
    if (!entry) return;
    entry.loaded = Math.min(loaded, entry.total);
    const now = Date.now();
    const done = entry.loaded >= entry.total;
    if (!force && !done && now - entry.lastEmit < this.intervalMs) return;
    entry.lastEmit = now;
    this.emit?.({ type: 'file-progress', file, loaded: entry.loaded, total: entry.total });
    this.emit?.({ type: 'total-progress', loaded: this.loaded(), total: this.total });
  }

  done(file: string, cached: boolean): void {
    this.emit?.({ type: 'file-done', file, cached });
  }

  log(message: string): void {
    this.emit?.({ type: 'log', message });
  }

  loaded(): number {
    let sum = 0;
    for (const f of this.files.values()) sum += f.loaded;
    return sum;
  }

  totalBytes(): number {
    return this.total;
  }
}
