/**
 * "Find Label Errors" on a data file: find-label-errors in the worker with the sidebar's model and
 * training settings and `finetune.labelErrorFolds` folds. Its cost comes first in a modal (K
 * trainings, the optimizer steps); then a cancellable notification follows it fold by fold (cancel
 * stops the worker's job: nothing is written); the flagged rows land in the Label Issues view. And
 * the view's own commands: relabel, mark reviewed, show / hide the reviewed rows.
 */
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { TextReporter } from '../../cli/format.js';
import type { RunArgs } from '../../core/contract/args.js';
import type { LabelIssuesEvent, TrainingEvent } from '../../core/contract/events.js';
import { foldProgress, initialProgress, planMessage } from '../label-issues/progress.js';
import { labelErrorsForm, shortModelName } from '../label-issues/settings.js';
import type { LabelIssuesView } from '../label-issues/view.js';
import { type Ctx, freshFolder } from '../ctx.js';
import { runName } from '../form.js';
import type { TrainingViewProvider } from '../webviews/sidebar.js';
import { type CommandTable, showError } from './table.js';

const DATA_EXT = /\.(csv|tsv|json|jsonl)$/i;

export type LabelErrorCommands = Pick<CommandTable, 'findLabelErrors' | 'relabelIssue' | 'markIssueReviewed' | 'showReviewedIssues' | 'hideReviewedIssues'>;

/** The file a menu passed, else the active editor's data file, else one the person picks. */
async function dataFile(ctx: Ctx, uri: unknown): Promise<string | undefined> {
  if (uri instanceof vscode.Uri) return uri.fsPath;
  const active = vscode.window.activeTextEditor?.document.uri;
  return active?.scheme === 'file' && DATA_EXT.test(active.fsPath) ? active.fsPath : ctx.pickDatasetFile();
}

/** The run arguments: the sidebar's form (else the last run's), this file with its columns, a fresh output folder. */
async function labelErrorArgs(ctx: Ctx, sidebar: TrainingViewProvider, file: string): Promise<RunArgs> {
  const values = labelErrorsForm(sidebar.formValues ?? ctx.lastFormValues(), await ctx.datasetInfo(file), ctx.settings.defaultModel);
  const model = String(values.model_name_or_path);
  const root = typeof values.output_dir === 'string' && values.output_dir.trim() ? values.output_dir.trim() : ctx.settings.outputDirectory;
  const out = freshFolder(join(ctx.resolvePath(root), 'label-issues', runName(model, file)));
  return ctx.runArgs(values, out).args;
}

/** Runs the job in the worker under a cancellable notification; resolves with the result (undefined: cancelled, declined or failed). */
function runJob(ctx: Ctx, args: RunArgs, folds: number, token: string | undefined): Thenable<LabelIssuesEvent | undefined> {
  const file = basename(args.train_file!);
  const title = `Finetune: finding label errors in ${file}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, cancel) => {
    const reporter = outputReporter(ctx);
    const state = initialProgress();
    let result: LabelIssuesEvent | undefined;
    let failure: string | undefined;
    return new Promise<LabelIssuesEvent | undefined>((resolve, reject) => {
      const onEvent = (e: TrainingEvent): void => {
        reporter.handle(e);
        const r = foldProgress(state, e);
        if (r) progress.report(r);
        if (e.type === 'label-issues') result = e;
        if (e.type === 'error') failure = e.message;
      };
      const confirm = async (plan: Parameters<typeof planMessage>[0]): Promise<boolean> => {
        const m = planMessage(plan, file, shortModelName(args.model_name_or_path ?? ''));
        return (await vscode.window.showInformationMessage(m.title, { modal: true, detail: m.detail }, 'Start')) === 'Start' && !cancel.isCancellationRequested;
      };
      const onExit = (code: number): void => {
        if (failure) void vscode.window.showErrorMessage(`Finetune: ${failure}`, 'Show Log').then((c) => c && ctx.output.show(true));
        else if (code === 130 && cancel.isCancellationRequested)
          void vscode.window.showInformationMessage('Finetune: Find Label Errors cancelled; nothing was written.');
        resolve(code === 0 ? result : undefined);
      };
      cancel.onCancellationRequested(() => ctx.runs.client().cancel(false));
      ctx.output.info(`find-label-errors: ${args.model_name_or_path} on ${args.train_file}, ${folds} folds -> ${args.output_dir}`);
      ctx.runs.client().findLabelErrors(args, folds, { onEvent, confirm, onExit }, token).then(undefined, reject);
    });
  });
}

/** The events in the output channel, as the CLI prints them. */
function outputReporter(ctx: Ctx): TextReporter {
  const stream = { write: (s: string) => (ctx.output.append(s), true) } as unknown as NodeJS.WritableStream;
  return new TextReporter(stream, stream as NodeJS.WritableStream & { isTTY?: boolean });
}

async function findLabelErrors(ctx: Ctx, sidebar: TrainingViewProvider, view: LabelIssuesView, uri: unknown): Promise<void> {
  const file = await dataFile(ctx, uri);
  if (!file) return;
  try {
    const args = await labelErrorArgs(ctx, sidebar, file);
    const folds = ctx.settings.labelErrorFolds;
    const result = await runJob(ctx, args, folds, await ctx.hubToken());
    if (!result) return;
    await view.show(result);
    void vscode.window.showInformationMessage(
      `Finetune: ${result.issues} of ${result.rows} rows of ${basename(result.dataFile)} look mislabelled (out-of-sample accuracy ${result.cvAccuracy.toFixed(3)}). They are in the Label Issues view.`,
    );
  } catch (e) {
    showError(e);
  }
}

export function labelErrorCommands(ctx: Ctx, sidebar: TrainingViewProvider, view: LabelIssuesView): LabelErrorCommands {
  const guarded =
    (fn: (arg: unknown) => Promise<void>) =>
    async (arg?: unknown): Promise<void> => {
      try {
        await fn(arg);
      } catch (e) {
        showError(e);
      }
    };
  return {
    findLabelErrors: (uri?: unknown) => findLabelErrors(ctx, sidebar, view, uri),
    relabelIssue: guarded((item) => view.relabel(item)),
    markIssueReviewed: guarded((item) => view.markReviewed(item)),
    showReviewedIssues: () => view.setShowReviewed(true),
    hideReviewedIssues: () => view.setShowReviewed(false),
  };
}
