/**
 * The host side of the worker protocol: forks the worker process, starts and cancels runs, sends
 * prediction requests, and reports a crashed worker as an error event (the host keeps working).
 * No vscode import: the extension adapts it (CancellationToken, notifications).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { TrainingEvent } from '../core/contract/events.js';
import type { DatasetPreviewState } from '../protocol/webview.js';
import { type AnalyzeRequest, type HostToWorker, type Prediction, type RunEstimate, parseWorkerMessage } from '../protocol/worker.js';
import type { RunArgs } from '../core/contract/args.js';
import type { TextExplanation } from '../protocol/explain.js';

export interface WorkerClientOptions {
  /** The worker entry: dist/worker.cjs, or src/worker/main.ts with execArgv ['--import', 'tsx']. */
  modulePath: string;
  execArgv?: string[];
  /** The Node binary (default: this process's). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  onEvent: (runId: string, event: TrainingEvent) => void;
  /** A run ended (code 0 done, 130 cancelled, 1 failed, -1 the worker died). */
  onExit?: (runId: string, code: number) => void;
  onStderr?: (text: string) => void;
}

export class WorkerClient {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private currentRun: string | undefined;
  private nextRequest = 1;
  private readonly pending = new Map<number, { resolve: (p: never) => void; reject: (e: Error) => void }>();

  constructor(private readonly o: WorkerClientOptions) {}

  get busy(): boolean {
    return this.currentRun !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(this.o.modulePath, [], {
      execArgv: this.o.execArgv ?? [],
      ...(this.o.execPath ? { execPath: this.o.execPath } : {}),
      env: { ...process.env, ...this.o.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      this.o.onStderr?.(d.toString());
    });
    child.stdout?.on('data', (d: Buffer) => this.o.onStderr?.(d.toString()));
    this.ready = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (raw) => {
        let m;
        try {
          m = parseWorkerMessage(raw);
        } catch (e) {
          this.o.onStderr?.(`${(e as Error).message}\n`);
          return;
        }
        switch (m.type) {
          case 'ready':
            resolve();
            break;
          case 'event':
            this.o.onEvent(m.runId, m.event);
            break;
          case 'exit':
            if (this.currentRun === m.runId) this.currentRun = undefined;
            this.o.onExit?.(m.runId, m.code);
            break;
          case 'predictResult':
            this.pending.get(m.requestId)?.resolve(m.predictions as never);
            this.pending.delete(m.requestId);
            break;
          case 'result':
            this.pending.get(m.requestId)?.resolve(m.value as never);
            this.pending.delete(m.requestId);
            break;
          case 'predictError':
          case 'failure':
            this.pending.get(m.requestId)?.reject(new Error(m.message));
            this.pending.delete(m.requestId);
            break;
        }
      });
      child.once('exit', (code, signal) => {
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`the training worker ${why} before it started${tail ? `: ${tail}` : ''}`));
        const run = this.currentRun;
        this.currentRun = undefined;
        this.child = undefined;
        this.ready = undefined;
        if (run) {
          this.o.onEvent(run, {
            type: 'error',
            message: `the training worker ${why}${tail ? ` (${tail})` : ''}; the run stopped. Its last checkpoint can be resumed.`,
          });
          this.o.onExit?.(run, -1);
        }
        for (const [, p] of this.pending) p.reject(new Error(`the worker ${why}`));
        this.pending.clear();
      });
    });
    return this.ready;
  }

  private async send(m: HostToWorker): Promise<void> {
    await this.start();
    this.child!.send(m);
  }

  async train(runId: string, args: RunArgs, opts: { token?: string; saveOnCancel?: boolean } = {}): Promise<void> {
    if (this.currentRun) throw new Error(`a training run (${this.currentRun}) is already in progress; cancel it first`);
    this.currentRun = runId;
    try {
      await this.send({ type: 'train', runId, args, ...opts });
    } catch (e) {
      this.currentRun = undefined;
      throw e;
    }
  }

  cancel(save = true): void {
    if (this.child && this.currentRun) this.child.send({ type: 'cancel', save } satisfies HostToWorker);
  }

  async predict(model: string, texts: string[], pairs?: string[], opts: { maxLength?: number; token?: string } = {}): Promise<Prediction[]> {
    return this.request<Prediction[]>((requestId) => ({ type: 'predict', requestId, model, texts, ...(pairs ? { pairs } : {}), ...opts }));
  }

  /** Integrated Gradients attributions of a text (and pair) toward a label (default: the predicted one), per word. */
  async explain(model: string, text: string, opts: { pair?: string; label?: string; steps?: number; token?: string } = {}): Promise<TextExplanation> {
    return this.request<TextExplanation>((requestId) => ({ type: 'explain', requestId, model, text, ...opts }));
  }

  /** Dataset preview analysis, in the worker. */
  async analyze(options: AnalyzeRequest): Promise<DatasetPreviewState> {
    return this.request<DatasetPreviewState>((requestId) => ({ type: 'analyze', requestId, options }));
  }

  /** Times a few training steps of `args` on this machine (nothing is written into its output folder). */
  async estimate(args: RunArgs, token?: string): Promise<RunEstimate> {
    if (this.currentRun) throw new Error(`a training run (${this.currentRun}) is in progress: estimate when it has finished`);
    return this.request<RunEstimate>((requestId) => ({ type: 'estimate', requestId, args, ...(token ? { token } : {}) }));
  }

  /** Writes a model folder with ONNX (in the worker: building and serializing the graph is CPU work). */
  async exportModel(model: string, outputDir: string, onnx = true): Promise<string[]> {
    return this.request<string[]>((requestId) => ({ type: 'export', requestId, model, outputDir, onnx }));
  }

  private async request<T>(make: (requestId: number) => HostToWorker): Promise<T> {
    await this.start();
    const requestId = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: never) => void, reject });
      this.child!.send(make(requestId));
    });
  }

  /** Stops the worker (a running training run is cancelled without saving). */
  async dispose(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        child.send({ type: 'shutdown' } satisfies HostToWorker);
      } catch {
        child.kill('SIGKILL');
      }
    });
  }

  /** For tests: kill the worker process abruptly. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }
}
