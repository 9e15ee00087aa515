/**
 * The host side of the worker protocol: forks the worker process, starts and cancels runs, sends
 * prediction requests, and reports a crashed worker as an error event (the host keeps working).
 * No vscode import: the extension adapts it (CancellationToken, notifications).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { TrainingEvent } from '../core/contract/events.js';
import type { DatasetPreviewState } from '../protocol/webview.js';
import {
  type AnalyzeRequest,
  type HostToWorker,
  type LabelErrorsPlan,
  type Prediction,
  type RunEstimate,
  type WorkerToHost,
  parseWorkerMessage,
} from '../protocol/worker.js';
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

/** Who follows a job that is not a training run (find-label-errors): its events, the cost to confirm, its end. */
export interface JobListener {
  onEvent: (event: TrainingEvent) => void;
  /** The cost, before the first fold trains: true goes on, false stops it with nothing written. */
  confirm: (plan: LabelErrorsPlan) => Promise<boolean>;
  /** 0 done, 130 cancelled (or not confirmed), 1 failed, -1 the worker died. */
  onExit: (code: number) => void;
}

export class WorkerClient {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private currentRun: string | undefined;
  private nextRequest = 1;
  private readonly pending = new Map<number, { resolve: (p: never) => void; reject: (e: Error) => void }>();
  private readonly jobs = new Map<string, JobListener>();

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
        if (m.type === 'ready') resolve();
        else this.dispatch(m);
      });
      child.once('exit', (code, signal) => {
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`the training worker ${why} before it started${tail ? `: ${tail}` : ''}`));
        this.exited(why, tail);
      });
    });
    return this.ready;
  }

  /** A message from the worker: a run's or job's event or end, a cost to confirm, a request's answer. */
  private dispatch(m: Exclude<WorkerToHost, { type: 'ready' }>): void {
    switch (m.type) {
      case 'event':
        if (this.jobs.has(m.runId)) this.jobs.get(m.runId)!.onEvent(m.event);
        else this.o.onEvent(m.runId, m.event);
        break;
      case 'exit':
        if (this.currentRun === m.runId) this.currentRun = undefined;
        if (this.jobs.has(m.runId)) this.endJob(m.runId, m.code);
        else this.o.onExit?.(m.runId, m.code);
        break;
      case 'confirm': {
        const runId = m.runId;
        const job = this.jobs.get(runId);
        void (job ? job.confirm(m.plan) : Promise.resolve(false)).then(
          (go) => this.child?.send({ type: 'proceed', runId, go } satisfies HostToWorker),
          () => this.child?.send({ type: 'proceed', runId, go: false } satisfies HostToWorker),
        );
        break;
      }
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
  }

  /** The worker process ended: the run or job in progress ends with an error, pending requests fail, the next call starts a new one. */
  private exited(why: string, tail: string): void {
    const run = this.currentRun;
    this.currentRun = undefined;
    this.child = undefined;
    this.ready = undefined;
    if (run && this.jobs.has(run)) {
      this.jobs.get(run)!.onEvent({ type: 'error', message: `the worker ${why}${tail ? ` (${tail})` : ''}; nothing was written` });
      this.endJob(run, -1);
    } else if (run) {
      this.o.onEvent(run, {
        type: 'error',
        message: `the training worker ${why}${tail ? ` (${tail})` : ''}; the run stopped. Its last checkpoint can be resumed.`,
      });
      this.o.onExit?.(run, -1);
    }
    for (const [, p] of this.pending) p.reject(new Error(`the worker ${why}`));
    this.pending.clear();
  }

  private async send(m: HostToWorker): Promise<void> {
    await this.start();
    this.child!.send(m);
  }

  async train(runId: string, args: RunArgs, opts: { token?: string; saveOnCancel?: boolean } = {}): Promise<void> {
    if (this.currentRun) throw new Error(`${this.running()} is already in progress; cancel it first`);
    this.currentRun = runId;
    try {
      await this.send({ type: 'train', runId, args, ...opts });
    } catch (e) {
      this.currentRun = undefined;
      throw e;
    }
  }

  /**
   * find-label-errors on `args.train_file` (K-fold cross-validation + confident learning) in the
   * worker, one job at a time with training runs; `listener` gets its events, confirms its cost,
   * hears its end. Cancel it with `cancel(false)`.
   */
  async findLabelErrors(args: RunArgs, folds: number, listener: JobListener, token?: string): Promise<string> {
    if (this.currentRun) throw new Error(`${this.running()} is in progress: find label errors when it has finished`);
    const runId = `label-errors-${Date.now()}`;
    this.currentRun = runId;
    this.jobs.set(runId, listener);
    try {
      await this.send({ type: 'findLabelErrors', runId, args, folds, ...(token ? { token } : {}) });
    } catch (e) {
      this.currentRun = undefined;
      this.jobs.delete(runId);
      throw e;
    }
    return runId;
  }

  /** What the worker is busy with, in words. */
  private running(): string {
    return this.currentRun && this.jobs.has(this.currentRun) ? 'Find Label Errors' : `a training run (${this.currentRun})`;
  }

  private endJob(runId: string, code: number): void {
    const job = this.jobs.get(runId);
    this.jobs.delete(runId);
    job?.onExit(code);
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
    if (this.currentRun) throw new Error(`${this.running()} is in progress: estimate when it has finished`);
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
