/**
 * The extension's one context object: settings, the output channel, the run manager (which owns
 * the worker), secrets, and the helpers commands and views share. Built once in activate().
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { detectColumns, readTable } from '../core/data/index.js';
import type { RunArgs } from '../core/contract/args.js';
import type { DatasetInfo, FormField, RunForm, RunSummary } from '../protocol/webview.js';
import { COMMAND_IDS } from './command-ids.js';
import { readSettings, type Settings } from './config.js';
import { argsFromForm, formFields, formFromArgs, runName } from './form.js';
import { RunManager } from './runs.js';

const TOKEN_KEY = 'finetune.hubToken';

/** `dir`, or `dir-2`, `dir-3`, ... when it exists: a new run never writes into (or resumes) another run's folder. */
export function freshFolder(dir: string): string {
  let out = dir;
  for (let i = 2; existsSync(out); i++) out = `${dir}-${i}`;
  return out;
}
const RECENT_KEY = 'finetune.recentModels';
const FORM_KEY = 'finetune.lastForm';

export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  readonly runs: RunManager;
  lastModel: string | undefined;

  constructor(readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Finetune', { log: true });
    this.runs = new RunManager({
      memento: context.workspaceState,
      workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.cjs').fsPath,
      output: this.output,
      workerEnv: () => {
        const s = this.settings;
        return { ...(s.hubEndpoint ? { HF_ENDPOINT: s.hubEndpoint } : {}), ...(s.cacheDir ? { HF_HUB_CACHE: s.cacheDir } : {}) };
      },
    });
    context.subscriptions.push(this.output, this.runs);
  }

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  get settings(): Settings {
    return readSettings();
  }

  readonly log = (message: string): void => this.output.info(message);

  /** What predictions need besides the model: the Hub token (a Hub model is pulled on first use). */
  async predictOptions(): Promise<{ token?: string }> {
    const token = await this.hubToken();
    return token ? { token } : {};
  }

  /** The Hub token lives in SecretStorage only. */
  hubToken(): Thenable<string | undefined> {
    return this.context.secrets.get(TOKEN_KEY);
  }

  setHubToken(token: string | undefined): Thenable<void> {
    return token ? this.context.secrets.store(TOKEN_KEY, token) : this.context.secrets.delete(TOKEN_KEY);
  }

  workspaceRoot(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  /** A path from the UI: absolute as is, else relative to the workspace folder. */
  resolvePath(p: string): string {
    if (isAbsolute(p)) return p;
    const root = this.workspaceRoot();
    return root ? join(root, p) : p;
  }

  /** A model or tokenizer as the UI gives it: a Hub id or a preset as is (the worker pulls Hub ids), else a path made absolute. */
  resolveModel(m: string): string {
    const t = m.trim();
    return t.startsWith('preset:') || (/^[\w.-]+\/[\w.-]+$/.test(t) && !t.startsWith('.')) ? t : this.resolvePath(t);
  }

  recentModels(): string[] {
    const saved = this.context.globalState.get<string[]>(RECENT_KEY) ?? [];
    const d = this.settings.defaultModel;
    return [...new Set([...saved, d])].slice(0, 10);
  }

  /** Puts a model first in the recent models. */
  async rememberModel(model: string): Promise<void> {
    const saved = this.context.globalState.get<string[]>(RECENT_KEY) ?? [];
    await this.context.globalState.update(RECENT_KEY, [model, ...saved.filter((m) => m !== model)].slice(0, 10));
  }

  /** The form's values of the last run started from the sidebar (files left out). */
  lastFormValues(): Record<string, unknown> | undefined {
    return this.context.workspaceState.get<Record<string, unknown>>(FORM_KEY);
  }

  formFields(): FormField[] {
    return formFields(this.context.workspaceState.get<Record<string, unknown>>(FORM_KEY) ?? {});
  }

  async datasetInfo(file: string): Promise<DatasetInfo> {
    const table = await readTable(file, { maxRows: 200 });
    const cols = table.columns;
    const { text: textColumn, pair: pairColumn, label: labelColumn } = detectColumns(cols, table.rows);
    return { file, columns: cols, ...(textColumn ? { textColumn } : {}), ...(pairColumn ? { pairColumn } : {}), ...(labelColumn ? { labelColumn } : {}) };
  }

  async pickDatasetFile(): Promise<string | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Use as training data',
      filters: { 'Datasets (CSV, TSV, JSON, JSONL)': ['csv', 'tsv', 'json', 'jsonl'] },
      ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
    });
    return picked?.[0]?.fsPath;
  }

  async pickFolder(purpose: 'model' | 'output'): Promise<string | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: purpose === 'model' ? 'Use this model folder' : 'Write runs here',
    });
    return picked?.[0]?.fsPath;
  }

  /** The sidebar form's values as a run's arguments (paths made absolute, the run folder under the output folder); errors name the field. */
  runArgs(values: Partial<Record<string, unknown>>, outputDir?: string): { args: RunArgs; name: string } {
    const s = this.settings;
    const model = String(values.model_name_or_path ?? '').trim();
    const train = String(values.train_file ?? '').trim();
    const outputRoot = typeof values.output_dir === 'string' && values.output_dir.trim() ? values.output_dir.trim() : s.outputDirectory;
    // a new folder (and name) of its own: a run never writes into, or resumes, another run's folder
    const dir = outputDir ?? freshFolder(join(this.resolvePath(outputRoot), runName(model || 'model', train || 'data')));
    const name = basename(dir);
    const { output_dir: _ignored, ...rest } = values;
    const path = (k: string): Record<string, string> => {
      const v = rest[k];
      return typeof v === 'string' && v.trim() ? { [k]: k === 'tokenizer_name' ? this.resolveModel(v) : this.resolvePath(v.trim()) } : {};
    };
    const args = argsFromForm(
      {
        ...rest,
        ...(model ? { model_name_or_path: this.resolveModel(model) } : {}),
        ...(train ? { train_file: this.resolvePath(train) } : {}),
        ...path('tokenizer_name'),
        ...path('validation_file'),
        ...path('test_file'),
        ...path('resume_from_checkpoint'),
      },
      {
        outputDir: outputDir ?? freshFolder(join(this.resolvePath(outputRoot), name)),
        threads: s.threads,
        executionProvider: s.executionProvider,
        cacheDir: s.cacheDir,
      },
    );
    return { args, name };
  }

  /** Starts a run from the sidebar form's values; errors name the field. */
  async startRun(values: Partial<Record<string, unknown>>): Promise<RunSummary> {
    const { args, name } = this.runArgs(values);
    const saved = Object.fromEntries(Object.entries(values).filter(([k]) => !['train_file', 'output_dir', 'resume_from_checkpoint'].includes(k)));
    await this.context.workspaceState.update(FORM_KEY, saved);
    const model = String(values.model_name_or_path ?? '').trim();
    if (model) await this.rememberModel(model);
    const run = await this.runs.start(args, name, await this.hubToken(), values as Record<string, unknown>);
    void vscode.commands.executeCommand(COMMAND_IDS.openDashboard, run.runId);
    return run;
  }

  /** A past run's settings as the form holds them, with its data file's columns (for Re-run). */
  async runForm(runId: string): Promise<RunForm> {
    const settings = await this.runs.settings(runId);
    if (!settings) throw new Error("this run's settings are gone (no training_args.json in its folder)");
    const args = { ...(settings.form ?? formFromArgs(settings.args)) };
    delete args.resume_from_checkpoint;
    const file = typeof args.train_file === 'string' ? args.train_file : undefined;
    const dataset = file ? await this.datasetInfo(this.resolvePath(file)).catch(() => undefined) : undefined;
    return { args, ...(dataset ? { dataset } : {}) };
  }

  dispose(): void {
    // Owned disposables are in context.subscriptions.
  }
}
