/**
 * The page end of the typed host <-> webview protocol (src/protocol/webviews/), with no DOM:
 * `command()` posts a command, `request()` posts a request with a fresh `requestId` and resolves
 * with the `result` of the matching `response` (rejects with the host's message when `ok` is
 * false), `on()` handles a notification (bootstrap included), `ready()` announces the page.
 * Every call is a constant of the page's protocol, so the compiler checks params and results.
 */
import { type PageKind, Ready } from '../src/protocol/webviews/base.js';
import {
  type AnyPage,
  type PageCommand,
  type PageNotification,
  type PageRequest,
  type ParamsOf,
  type ResultOf,
  message,
  requestMessage,
} from '../src/protocol/webviews/ipc.js';

/** Where messages to the host go (VS Code's webview API, or a fake in tests). */
export interface Port {
  postMessage(message: unknown): void;
}

type Handler = { accepts?: (m: Record<string, unknown>) => boolean; fn: (params: never) => void };

export class IpcClient<P extends AnyPage> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, Handler[]>();

  constructor(
    readonly protocol: P,
    private readonly port: Port,
  ) {}

  /** Sends a command (fire and forget). */
  command<C extends PageCommand<P>>(c: C, params: ParamsOf<C>): void {
    this.port.postMessage(message(c, params));
  }

  /** Sends a request; resolves with the host's result, rejects with its message. */
  request<R extends PageRequest<P>>(r: R, params: ParamsOf<R>): Promise<ResultOf<R>> {
    const requestId = this.nextId++;
    return new Promise<ResultOf<R>>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage(requestMessage(r, requestId, params));
    });
  }

  /** Handles a notification of this page's protocol (`protocol.bootstrap` for the bootstrap). */
  on<N extends PageNotification<P>>(n: N, fn: (params: ParamsOf<N>) => void): void {
    const list = this.handlers.get(n.method) ?? [];
    list.push({ ...(n.accepts ? { accepts: n.accepts } : {}), fn });
    this.handlers.set(n.method, list);
  }

  /** Announces the page: the host answers with the bootstrap. */
  ready(): void {
    this.port.postMessage(message(Ready, { page: this.protocol.page as PageKind }));
  }

  /** Takes one message from the host: a response settles its request, anything else goes to its handlers. */
  receive(data: unknown): void {
    if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
    const m = data as Record<string, unknown> & { type: string };
    if (m.type === 'response') return this.settle(m);
    for (const h of this.handlers.get(m.type) ?? []) {
      if (h.accepts && !h.accepts(m)) continue;
      try {
        h.fn(m as never);
      } catch (err) {
        console.error(`finetune webview: handling ${m.type} failed`, err);
      }
    }
  }

  private settle(m: Record<string, unknown>): void {
    const id = m.requestId as number;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(String(m.error)));
  }
}
