/**
 * The host end of one webview: validates what the page sends, answers `ready` with a bootstrap,
 * routes requests to handlers and sends exactly one response per request. Owned by its panel or
 * view (disposed with it).
 */
import * as vscode from 'vscode';
import { type HostMessage, type ViewMessage, parseViewMessage } from '../../protocol/webview.js';

export type RequestMessage = Extract<ViewMessage, { requestId: number }>;

export interface PageHandlers {
  bootstrap(): Promise<HostMessage> | HostMessage;
  /** Requests: the returned value is the response's result; a thrown Error its message. */
  request?(m: RequestMessage): Promise<unknown>;
  /** Commands (fire and forget). */
  command?(m: Exclude<ViewMessage, { requestId: number } | { type: 'ready' }>): void | Promise<void>;
}

export class WebviewHost implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  constructor(
    readonly webview: vscode.Webview,
    private readonly handlers: PageHandlers,
    private readonly log: (message: string) => void,
  ) {
    this.disposables.push(webview.onDidReceiveMessage((raw) => void this.receive(raw)));
  }

  get isReady(): boolean {
    return this.ready;
  }

  post(m: HostMessage): void {
    if (this.ready) void this.webview.postMessage(m);
  }

  private async receive(raw: unknown): Promise<void> {
    let m: ViewMessage;
    try {
      m = parseViewMessage(raw);
    } catch (e) {
      this.log(`ignored a malformed webview message: ${(e as Error).message}`);
      return;
    }
    if (m.type === 'ready') {
      this.ready = true;
      await this.webview.postMessage(await this.handlers.bootstrap());
      return;
    }
    if ('requestId' in m) {
      try {
        const result = await (this.handlers.request?.(m) ?? Promise.reject(new Error(`${m.type} is not handled here`)));
        await this.webview.postMessage({ type: 'response', requestId: m.requestId, ok: true, result } satisfies HostMessage);
      } catch (e) {
        await this.webview.postMessage({ type: 'response', requestId: m.requestId, ok: false, error: (e as Error).message } satisfies HostMessage);
      }
      return;
    }
    try {
      await this.handlers.command?.(m);
    } catch (e) {
      void vscode.window.showErrorMessage(`Finetune: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
