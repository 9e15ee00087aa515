/**
 * Training runs of this workspace: starts them in the worker, keeps every run's events (the host
 * owns data and metrics), persists the run list, rebuilds a past run's history from its
 * trainer_state.json, and tells the views. Owns the worker client and the status-bar item.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TextReporter } from '../cli/format.js';
import { listCheckpoints } from '../core/train/checkpoint.js';
import type { RunArgs } from '../core/contract/args.js';
import type { TrainingEvent } from '../core/contract/events.js';
import type { RunSummary } from '../protocol/webview.js';
import { WorkerClient } from '../worker/client.js';
import { COMMAND_IDS, PREFIX } from './command-ids.js';

const STATE_KEY = 'finetune.runs';
const ARGS_KEY = 'finetune.runArgs';
/** Per run, its `predictions` and `calibration` events (trainer_state.json does not hold them): a reloaded dashboard shows them again. */
const RESULTS_KEY = 'finetune.runResults';
const MAX_EVENTS = 50_000;
const MAX_RUNS = 100;

/** What a run was started with: its arguments (a resume starts again from them) and the form's values (a re-run loads them). */
export interface RunSettings {
  args: RunArgs;
  form?: Record<string, unknown>;
}

export interface RunsDeps {
  memento: vscode.Memento;
  workerPath: string;
  output: vscode.OutputChannel;
  workerEnv: () => NodeJS.ProcessEnv;
}

export class RunManager implements vscode.Disposable {
  private runs: RunSummary[];
  private readonly events = new Map<string, TrainingEvent[]>();
  private readonly changed = new vscode.EventEmitter<RunSummary[]>();
  private readonly appended = new vscode.EventEmitter<{ runId: string; events: TrainingEvent[] }>();
  readonly onDidChangeRuns = this.changed.event;
  readonly onDidAppendEvents = this.appended.event;
  private worker: WorkerClient | undefined;
  private readonly status: vscode.StatusBarItem;
  private readonly reporters = new Map<string, TextReporter>();
  private activeRunId: string | undefined;
  private lastProgressFire = 0;

  constructor(private readonly deps: RunsDeps) {
    this.runs = (deps.memento.get<RunSummary[]>(STATE_KEY) ?? []).map((r) =>
      r.status === 'running' ? { ...r, status: 'failed', error: 'VS Code closed while it ran' } : r,
    );
    this.status = vscode.window.createStatusBarItem(`${PREFIX}.run`, vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Finetune training';
    this.status.command = COMMAND_IDS.openDashboard;
  }

  get active(): RunSummary | undefined {
    return this.runs.find((r) => r.runId === this.activeRunId);
  }

  list(): RunSummary[] {
    return [...this.runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  get(runId: string): RunSummary | undefined {
    return this.runs.find((r) => r.runId === runId);
  }

  /** The worker (started on first use); predictions and dataset analysis use it too. */
  client(): WorkerClient {
    this.worker ??= new WorkerClient({
      modulePath: this.deps.workerPath,
      env: this.deps.workerEnv(),
      onEvent: (runId, e) => this.onEvent(runId, e),
      onExit: (runId, code) => this.onExit(runId, code),
      onStderr: (t) => this.deps.output.append(t),
    });
    return this.worker;
  }

  /** A run's settings: kept when it started, else its output folder's training_args.json (runs of older versions). */
  async settings(runId: string): Promise<RunSettings | undefined> {
    const kept = this.deps.memento.get<Record<string, RunSettings>>(ARGS_KEY)?.[runId];
    if (kept) return kept;
    const run = this.get(runId);
    if (!run) return undefined;
    try {
      return { args: JSON.parse(await readFile(join(run.outputDir, 'training_args.json'), 'utf8')) as RunArgs };
    } catch {
      return undefined;
    }
  }

  private async keepSettings(runId: string, settings: RunSettings): Promise<void> {
    const all = { ...this.deps.memento.get<Record<string, RunSettings>>(ARGS_KEY) };
    all[runId] = settings;
    const known = new Set(this.runs.slice(-MAX_RUNS).map((r) => r.runId));
    await this.deps.memento.update(ARGS_KEY, Object.fromEntries(Object.entries(all).filter(([id]) => known.has(id) || id === runId)));
  }

  /** Every event of a run: kept ones, or rebuilt from its trainer_state.json. */
  async history(runId: string): Promise<TrainingEvent[]> {
    const kept = this.events.get(runId);
    if (kept) return kept;
    const run = this.get(runId);
    if (!run) return [];
    try {
      const state = JSON.parse(await readFile(join(run.outputDir, 'trainer_state.json'), 'utf8')) as { log_history: Record<string, number>[] };
      const rebuilt: TrainingEvent[] = [];
      for (const e of state.log_history) {
        if ('loss' in e)
          rebuilt.push({
            type: 'log',
            step: e.step ?? 0,
            epoch: e.epoch ?? 0,
            loss: e.loss!,
            grad_norm: e.grad_norm ?? 0,
            learning_rate: e.learning_rate ?? 0,
          });
        else if ('eval_loss' in e)
          rebuilt.push({
            type: 'eval',
            step: e.step ?? 0,
            epoch: e.epoch ?? 0,
            metrics: Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith('eval_'))),
          });
      }
      rebuilt.push(...this.keptResults(runId));
      this.events.set(runId, rebuilt);
      return rebuilt;
    } catch {
      return [...this.keptResults(runId)];
    }
  }

  private keptResults(runId: string): TrainingEvent[] {
    return this.deps.memento.get<Record<string, TrainingEvent[]>>(RESULTS_KEY)?.[runId] ?? [];
  }

  /** Keeps a run's latest predictions / calibration event of each split (see RESULTS_KEY). */
  private keepResult(runId: string, e: Extract<TrainingEvent, { type: 'predictions' | 'calibration' }>): void {
    const all = { ...this.deps.memento.get<Record<string, TrainingEvent[]>>(RESULTS_KEY) };
    const same = (x: TrainingEvent): boolean => x.type === e.type && 'split' in x && x.split === e.split;
    all[runId] = [...(all[runId] ?? []).filter((x) => !same(x)), e];
    const known = new Set(this.runs.slice(-MAX_RUNS).map((r) => r.runId));
    void this.deps.memento.update(RESULTS_KEY, Object.fromEntries(Object.entries(all).filter(([id]) => known.has(id))));
  }

  async start(args: RunArgs, name: string, token?: string, form?: Record<string, unknown>): Promise<RunSummary> {
    if (this.activeRunId) throw new Error(`a run is already training (${this.active?.name}); cancel it first`);
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const run: RunSummary = {
      runId,
      name,
      outputDir: args.output_dir!,
      model: args.model_name_or_path ?? '',
      trainFile: args.train_file ?? '',
      status: 'running',
      startedAt: new Date().toISOString(),
    };
    this.runs.push(run);
    this.events.set(runId, []);
    await this.keepSettings(runId, { args, ...(form ? { form } : {}) });
    this.deps.output.appendLine(`\n=== ${name}: ${args.model_name_or_path} on ${args.train_file} -> ${args.output_dir}`);
    await this.launch(run, args, token);
    return run;
  }

  /**
   * Continues a stopped run in its own output folder from its last checkpoint (the trainer restores
   * the optimizer, schedule and data order): the same run, its charts continuing from the checkpoint's step.
   */
  async resume(runId: string, token?: string): Promise<RunSummary> {
    if (this.activeRunId) throw new Error(`a run is already training (${this.active?.name}); cancel it first`);
    const run = this.get(runId);
    const settings = await this.settings(runId);
    if (!run || !settings) throw new Error(`the settings of run ${run?.name ?? runId} are gone (no training_args.json in its folder): start it again instead`);
    const checkpoints = await listCheckpoints(run.outputDir).catch(() => []);
    const last = checkpoints[checkpoints.length - 1];
    if (!last) throw new Error(`${run.name} has no checkpoint to resume from (${run.outputDir} holds no checkpoint-N folder): start it again instead`);
    this.events.set(runId, [...(await this.history(runId))]);
    delete run.error;
    delete run.finishedAt;
    run.status = 'running';
    this.deps.output.appendLine(`\n=== ${run.name}: resuming from ${last.path}`);
    await this.launch(run, { ...settings.args, resume_from_checkpoint: last.path, overwrite_output_dir: false }, token);
    return run;
  }

  private async launch(run: RunSummary, args: RunArgs, token: string | undefined): Promise<void> {
    this.activeRunId = run.runId;
    this.reporters.set(run.runId, this.reporter());
    this.persist();
    this.showStatus('$(sync~spin) Finetune: starting…');
    try {
      await this.client().train(run.runId, args, { ...(token ? { token } : {}), saveOnCancel: true });
    } catch (e) {
      this.finish(run.runId, 'failed', (e as Error).message);
      throw e;
    }
  }

  cancel(runId = this.activeRunId, save = true): boolean {
    if (!runId || runId !== this.activeRunId) return false;
    this.client().cancel(save);
    this.showStatus('$(sync~spin) Finetune: stopping at the next step…');
    return true;
  }

  private reporter(): TextReporter {
    const out = this.deps.output;
    const stream = { write: (s: string) => (out.append(s), true) } as unknown as NodeJS.WritableStream;
    return new TextReporter(stream, stream as NodeJS.WritableStream & { isTTY?: boolean });
  }

  private onEvent(runId: string, e: TrainingEvent): void {
    const list = this.events.get(runId) ?? [];
    if (list.length < MAX_EVENTS || e.type !== 'progress') list.push(e);
    this.events.set(runId, list);
    this.reporters.get(runId)?.handle(e);
    const run = this.get(runId);
    if (run) {
      if (e.type === 'progress') {
        run.progress = { step: e.step, totalSteps: e.totalSteps };
        const pct = Math.round((100 * e.step) / e.totalSteps);
        this.showStatus(`$(sync~spin) Finetune: ${pct}% · step ${e.step}/${e.totalSteps} · loss ${e.loss.toFixed(3)} · ETA ${eta(e.etaSeconds)}`);
      } else if (e.type === 'eval') {
        run.metrics = e.metrics;
        const key = 'eval_f1' in e.metrics ? 'eval_f1' : 'eval_accuracy' in e.metrics ? 'eval_accuracy' : 'eval_loss';
        const v = e.metrics[key]!;
        const better = key === 'eval_loss' ? (b: number) => v < b : (b: number) => v > b;
        if (!run.bestMetric || run.bestMetric.name !== key || better(run.bestMetric.value)) run.bestMetric = { name: key, value: v };
      } else if (e.type === 'checkpoint') {
        run.lastCheckpoint = e.path;
      } else if (e.type === 'predictions' || e.type === 'calibration') {
        this.keepResult(runId, e);
      } else if (e.type === 'done') {
        run.modelDir = e.modelDir ?? undefined;
        this.finish(runId, e.cancelled ? 'cancelled' : 'done');
        if (!e.cancelled) {
          const f1 = e.results.eval_f1 ?? e.results.eval_accuracy;
          void vscode.window
            .showInformationMessage(
              `Finetune: ${run.name} finished${f1 !== undefined ? ` (${'eval_f1' in e.results ? 'F1' : 'accuracy'} ${f1.toFixed(3)})` : ''}.`,
              'Open Predict Box',
              'Push to Hub',
            )
            .then((choice) => {
              if (choice === 'Open Predict Box') void vscode.commands.executeCommand(COMMAND_IDS.openPredictBox, runId);
              if (choice === 'Push to Hub') void vscode.commands.executeCommand(COMMAND_IDS.pushModel, run.modelDir);
            });
        }
      } else if (e.type === 'error') {
        this.finish(runId, 'failed', e.message);
        void vscode.window.showErrorMessage(`Finetune: ${e.message}`, 'Show Log').then((c) => c && this.deps.output.show(true));
      }
      // Progress moves every step: tell the views at most twice a second.
      if (e.type !== 'progress' || Date.now() - this.lastProgressFire > 500 || e.step === e.totalSteps) {
        this.lastProgressFire = Date.now();
        this.persist();
      }
    }
    this.appended.fire({ runId, events: [e] });
  }

  private onExit(runId: string, code: number): void {
    const run = this.get(runId);
    if (run?.status === 'running')
      this.finish(runId, code === 130 ? 'cancelled' : code === 0 ? 'done' : 'failed', code === -1 ? 'the worker stopped' : undefined);
    if (this.activeRunId === runId) this.activeRunId = undefined;
    this.status.hide();
    this.persist();
  }

  private finish(runId: string, status: RunSummary['status'], error?: string): void {
    const run = this.get(runId);
    if (run) {
      run.status = status;
      run.finishedAt = new Date().toISOString();
      if (error) run.error = error;
    }
    if (this.activeRunId === runId) this.activeRunId = undefined;
    this.status.hide();
    this.persist();
  }

  private showStatus(text: string): void {
    this.status.text = text;
    this.status.tooltip = 'Finetune: open the training dashboard';
    this.status.show();
  }

  private persist(): void {
    void this.deps.memento.update(STATE_KEY, this.runs.slice(-MAX_RUNS));
    this.changed.fire(this.list());
  }

  get activeId(): string | undefined {
    return this.activeRunId;
  }

  dispose(): void {
    void this.worker?.dispose();
    this.status.dispose();
    this.changed.dispose();
    this.appended.dispose();
  }
}

function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
