/**
 * The host end of one webview: validates what the page sends, answers `ready` with a bootstrap,
 * routes commands and requests to a typed handler map (one handler per call of the page's
 * protocol, checked by the compiler) and sends exactly one response per request. Owned by its
 * panel or view (disposed with it).
 */
import * as vscode from 'vscode';
import { type ViewMessage, parseViewMessage } from '../../protocol/webview.js';
import {
  type AnyPage,
  type CallTable,
  type PageNotification,
  type ParamsOf,
  type ResultOf,
  type StateOf,
  callTable,
  message,
  response,
} from '../../protocol/webviews/ipc.js';

type Awaitable<T> = T | Promise<T>;

/** One handler per request of page `P`: the returned value is the response's result; a thrown Error its message. */
export type RequestHandlers<P extends AnyPage> = {
  [K in keyof P['requests']]: (params: ParamsOf<P['requests'][K]>) => Awaitable<ResultOf<P['requests'][K]>>;
};

/** One handler per command of page `P` (fire and forget; a thrown Error is shown to the person). */
export type CommandHandlers<P extends AnyPage> = {
  [K in Exclude<keyof P['commands'], 'ready'>]: (params: ParamsOf<P['commands'][K]>) => Awaitable<void>;
};

export interface PageHandlers<P extends AnyPage> {
  /** The whole state the page renders after `ready`. */
  bootstrap(): Awaitable<StateOf<P>>;
  requests: RequestHandlers<P>;
  commands: CommandHandlers<P>;
}

type AnyHandler = (params: unknown) => Awaitable<unknown>;

export class WebviewHost<P extends AnyPage> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly calls: CallTable;
  private ready = false;

  constructor(
    readonly webview: vscode.Webview,
    private readonly protocol: P,
    private readonly handlers: PageHandlers<P>,
    private readonly log: (message: string) => void,
  ) {
    this.calls = callTable([protocol]);
    this.disposables.push(webview.onDidReceiveMessage((raw) => void this.receive(raw)));
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Sends a notification of this page's protocol (once the page is ready: it gets the rest in its bootstrap). */
  notify<N extends PageNotification<P>>(n: N, params: ParamsOf<N>): void {
    if (this.ready) void this.webview.postMessage(message(n, params));
  }

  private async receive(raw: unknown): Promise<void> {
    let m: ViewMessage;
    try {
      // every page's calls share one table: a message of another page is well-formed, and not handled here
      m = parseViewMessage(raw);
    } catch (e) {
      this.log(`ignored a malformed webview message: ${(e as Error).message}`);
      return;
    }
    if (m.type === 'ready') return this.bootstrap();
    const own = this.calls.has(m.type);
    if ('requestId' in m) return this.answer(m, own ? (this.handlers.requests as Record<string, AnyHandler>)[m.type] : undefined);
    try {
      if (own) await (this.handlers.commands as Record<string, AnyHandler>)[m.type]?.(m);
    } catch (e) {
      void vscode.window.showErrorMessage(`Finetune: ${(e as Error).message}`);
    }
  }

  private async bootstrap(): Promise<void> {
    this.ready = true;
    const state = await this.handlers.bootstrap();
    await this.webview.postMessage(message(this.protocol.bootstrap, { page: this.protocol.page, state }));
  }

  private async answer(m: { type: string; requestId: number }, handler: AnyHandler | undefined): Promise<void> {
    try {
      if (!handler) throw new Error(`${m.type} is not handled by the ${this.protocol.page}`);
      const result = await handler(m);
      await this.webview.postMessage(response(m.requestId, { result }));
    } catch (e) {
      await this.webview.postMessage(response(m.requestId, { error: (e as Error).message }));
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
