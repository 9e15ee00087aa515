/**
 * A page's connection to VS Code: the typed protocol client (ipc.ts) on `acquireVsCodeApi()`,
 * plus the UI state.
 *
 * - `start()` installs the message listener and sends `ready`; the host answers with `bootstrap`.
 * - The host owns data and metrics; `getState()` / `patchState()` keep only UI state (form edits,
 *   the chosen overlay, the predict box's text) across a reload of the view.
 */
import type { AnyPage } from '../src/protocol/webviews/ipc.js';
import { IpcClient } from './ipc.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

export class Api<P extends AnyPage, UiState extends object = Record<string, unknown>> extends IpcClient<P> {
  private readonly vscode: VsCodeApi;
  private started = false;

  constructor(protocol: P, vscode: VsCodeApi = acquireVsCodeApi()) {
    super(protocol, vscode);
    this.vscode = vscode;
  }

  /** Listens for host messages, then announces the page (`ready`): the host answers `bootstrap`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.receive(e.data));
    this.ready();
  }

  getState(): Partial<UiState> {
    const s = this.vscode.getState();
    return typeof s === 'object' && s !== null ? (s as Partial<UiState>) : {};
  }

  /** Merges `patch` into the saved UI state. */
  patchState(patch: Partial<UiState>): void {
    this.vscode.setState({ ...this.getState(), ...patch });
  }
}
