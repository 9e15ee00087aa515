/**
 * The extension's one context object: settings, the output channel, the run manager (which owns
 * the worker), secrets, and the helpers commands and views share. Built once in activate().
 */
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { detectColumns, readTable } from '../core/data/index.js';
import type { DatasetInfo, FormField, RunSummary } from '../protocol/webview.js';
import { COMMAND_IDS } from './command-ids.js';
import { readSettings, type Settings } from './config.js';
import { argsFromForm, formFields, runName } from './form.js';
import { RunManager } from './runs.js';

const TOKEN_KEY = 'finetune.hubToken';
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
        return s.hubEndpoint ? { HF_ENDPOINT: s.hubEndpoint } : {};
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

  /** A tokenizer given as a folder path or a Hub id (returned as is for the worker to pull). */
  async resolveTokenizer(t: string): Promise<string> {
    return /^[\w.-]+\/[\w.-]+$/.test(t) && !t.startsWith('.') ? t : this.resolvePath(t);
  }

  recentModels(): string[] {
    const saved = this.context.globalState.get<string[]>(RECENT_KEY) ?? [];
    const d = this.settings.defaultModel;
    return [...new Set([...saved, d])].slice(0, 10);
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

  /** Starts a run from the sidebar form's values; errors name the field. */
  async startRun(values: Partial<Record<string, unknown>>): Promise<RunSummary> {
    const s = this.settings;
    const model = String(values.model_name_or_path ?? '').trim();
    const train = String(values.train_file ?? '').trim();
    const name = runName(model || 'model', train || 'data');
    const outputRoot = typeof values.output_dir === 'string' && values.output_dir.trim() ? values.output_dir.trim() : s.outputDirectory;
    const { output_dir: _ignored, ...rest } = values;
    const args = argsFromForm(
      {
        ...rest,
        ...(model ? { model_name_or_path: model.startsWith('preset:') || /^[\w.-]+\/[\w.-]+$/.test(model) ? model : this.resolvePath(model) } : {}),
        ...(train ? { train_file: this.resolvePath(train) } : {}),
      },
      { outputDir: join(this.resolvePath(outputRoot), name), threads: s.threads, executionProvider: s.executionProvider, cacheDir: s.cacheDir },
    );
    if (args.tokenizer_name) args.tokenizer_name = this.resolvePath(args.tokenizer_name);
    if (args.validation_file) args.validation_file = this.resolvePath(args.validation_file);
    const saved = Object.fromEntries(Object.entries(values).filter(([k]) => !['train_file', 'output_dir'].includes(k)));
    await this.context.workspaceState.update(FORM_KEY, saved);
    await this.context.globalState.update(RECENT_KEY, [model, ...this.recentModels().filter((m) => m !== model)].slice(0, 10));
    const run = await this.runs.start(args, name, await this.hubToken());
    void vscode.commands.executeCommand(COMMAND_IDS.openDashboard, run.runId);
    return run;
  }

  dispose(): void {
    // Owned disposables are in context.subscriptions.
  }
}
