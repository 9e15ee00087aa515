/**
 * The webview side of the host <-> webview protocol (src/protocol/webview.ts).
 *
 * - `post()` sends a command (fire and forget);
 * - `request()` sends a request with a fresh `requestId` and resolves with the `result` of the
 *   matching `response` (rejects with the host's message when `ok` is false);
 * - `start()` installs the message listener and sends `ready`; the host answers with `bootstrap`.
 *
 * The host owns data and metrics; `getState()` / `setState()` keep only UI state (form edits,
 * the chosen overlay, the predict box's text) across a reload of the view.
 */
import type { DatasetInfo, DatasetPreviewState, HostMessage, LabelScore, PageKind, ViewMessage } from '../src/protocol/webview.js';
import type { TrainingEvent } from '../src/protocol/events.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

type RequestMessage = Extract<ViewMessage, { requestId: number }>;
type RequestType = RequestMessage['type'];
type WithoutId<T> = T extends unknown ? Omit<T, 'requestId'> : never;
export type RequestParams<K extends RequestType> = WithoutId<Extract<RequestMessage, { type: K }>>;

/** What each request's `response.result` holds (the protocol leaves `result` as `unknown`). */
export interface RequestResults {
  /** The chosen file's columns, or nothing when the person cancelled the dialog. */
  pickDataset: DatasetInfo | null | undefined;
  /** The chosen folder, or nothing when cancelled. */
  pickFolder: string | null | undefined;
  startRun: { runId?: string } | null | undefined;
  overlay: { events: TrainingEvent[] };
  analyze: DatasetPreviewState;
  predict: LabelScore[];
}

/** A host message of one `type`. */
export type HostMessageOf<K extends HostMessage['type']> = Extract<HostMessage, { type: K }>;
export type Bootstrap<P extends PageKind> = Extract<HostMessage, { type: 'bootstrap'; page: P }>;

export class Api<UiState extends object = Record<string, unknown>> {
  private readonly vscode: VsCodeApi;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers: ((m: HostMessage) => void)[] = [];
  private started = false;

  constructor(vscode: VsCodeApi = acquireVsCodeApi()) {
    this.vscode = vscode;
  }

  post(message: ViewMessage): void {
    this.vscode.postMessage(message);
  }

  request<K extends RequestType>(message: RequestParams<K>): Promise<RequestResults[K]> {
    const requestId = this.nextId++;
    return new Promise<RequestResults[K]>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ ...message, requestId } as ViewMessage);
    });
  }

  /** Handlers see every host message except responses (those resolve `request()`s). */
  onMessage(handler: (m: HostMessage) => void): void {
    this.handlers.push(handler);
  }

  /** Listens for host messages, then announces the page (`ready`): the host answers `bootstrap`. */
  start(page: PageKind): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.dispatch(e.data));
    this.post({ type: 'ready', page });
  }

  getState(): Partial<UiState> {
    const s = this.vscode.getState();
    return typeof s === 'object' && s !== null ? (s as Partial<UiState>) : {};
  }

  /** Merges `patch` into the saved UI state. */
  patchState(patch: Partial<UiState>): void {
    this.vscode.setState({ ...this.getState(), ...patch });
  }

  private dispatch(data: unknown): void {
    if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
    const m = data as HostMessage;
    if (m.type === 'response') {
      const p = this.pending.get(m.requestId);
      if (!p) return;
      this.pending.delete(m.requestId);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
      return;
    }
    for (const h of this.handlers) {
      try {
        h(m);
      } catch (err) {
        console.error(`finetune webview: handling ${m.type} failed`, err);
      }
    }
  }
}
