/**
 * The Label Issues view: the rows find-label-errors flagged, most suspect first (given → suggested,
 * label quality), each opening the data file at its line; quick fixes in the view (inline and
 * context menu) and in the editor (a CodeActionProvider on the flagged lines, whose diagnostics
 * show in the Problems panel): "Relabel as <suggested>" and "Mark reviewed".
 *
 * A relabel is one WorkspaceEdit on the open document, left unsaved: as every quick fix in VS Code,
 * it is one Ctrl+Z away and the person saves when the review is done (a save per click would also
 * write files the person has not looked at). The view follows the document, not its own bookkeeping:
 * every edit of the data file moves the rows below it, and the rows it touched are read again (still
 * the given label: flagged; the suggested one: relabelled; anything else: the row changed and is
 * dropped), so a relabel, an undo or a hand edit all show as they are. Reviewed marks live in the
 * workspace state (file + line + a hash of the text), not in the data file.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { LabelIssuesEvent } from '../../core/contract/events.js';
import { COMMAND_IDS, INTERNAL_COMMANDS, PREFIX, VIEW_IDS } from '../command-ids.js';
import { openAtLine } from '../editor.js';
import { type LabelIssue, type LabelNow, type LineChange, labelNow, readIssues, relabelEdit, reviewKey, shiftRow } from './issues.js';

const RESULT_KEY = 'finetune.labelIssues.result';
const REVIEWED_KEY = 'finetune.labelIssues.reviewed';
const SHOWING_REVIEWED = `${PREFIX}.labelIssues.showingReviewed`;
const DATA_FILES: vscode.DocumentSelector = { scheme: 'file', pattern: '**/*.{csv,tsv,json,jsonl}' };

/** A flagged row as the view holds it: where it is now in the document and what its label is. */
export interface IssueItem {
  issue: LabelIssue;
  /** 1-based line where the row starts now (label_issues.csv's line, moved by edits above it). */
  line: number;
  /** 0-based line where its label cell ends. */
  lastLine: number;
  now: LabelNow;
  cell?: vscode.Range;
}

type Status = 'open' | 'reviewed' | 'relabelled';

const range = (r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range =>
  new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

function excerpt(text: string, max = 60): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export class LabelIssuesView implements vscode.TreeDataProvider<IssueItem>, vscode.CodeActionProvider, vscode.Disposable {
  private result: { event: LabelIssuesEvent; items: IssueItem[] } | undefined;
  private showReviewed = false;
  private readonly changed = new vscode.EventEmitter<IssueItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('finetune.labelIssues');
  private readonly tree: vscode.TreeView<IssueItem>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly memento: vscode.Memento) {
    this.tree = vscode.window.createTreeView(VIEW_IDS.labelIssues, { treeDataProvider: this });
    this.disposables.push(
      this.tree,
      this.diagnostics,
      this.changed,
      vscode.languages.registerCodeActionsProvider(DATA_FILES, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.workspace.onDidChangeTextDocument((e) => this.edited(e)),
      vscode.workspace.onDidCloseTextDocument((d) => void this.closed(d)),
      vscode.commands.registerCommand(INTERNAL_COMMANDS.openLabelIssue, (item: IssueItem) => this.open(item)),
    );
    void vscode.commands.executeCommand('setContext', SHOWING_REVIEWED, false);
    void this.restore();
  }

  /** Shows a find-label-errors result (and keeps it for the next session). */
  async show(event: LabelIssuesEvent, reveal = true): Promise<void> {
    const issues = await readIssues(event);
    const text = await this.textOf(event.dataFile);
    const items = issues.map((issue): IssueItem => this.check({ issue, line: issue.line, lastLine: issue.line - 1, now: 'given' }, event, text));
    this.result = { event, items };
    await this.memento.update(RESULT_KEY, event);
    this.refresh();
    if (reveal) await vscode.commands.executeCommand(`${VIEW_IDS.labelIssues}.focus`);
  }

  /** The last session's result, when its table is still there. */
  private async restore(): Promise<void> {
    const event = this.memento.get<LabelIssuesEvent>(RESULT_KEY);
    if (event) await this.show(event, false).catch(() => undefined);
  }

  /** The data file's text: the open document's (edits included), else the file's. */
  private async textOf(file: string): Promise<string> {
    return this.documentOf(file)?.getText() ?? readFile(file, 'utf8');
  }

  private documentOf(file: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  }

  /** Reads the row's label again at its line. */
  private check(item: IssueItem, event: LabelIssuesEvent, text: string): IssueItem {
    const { now, cell } = labelNow(text, event, item.issue, item.line);
    return { ...item, now, ...(cell ? { cell: range(cell), lastLine: cell.end.line } : { cell: undefined }) };
  }

  private status(item: IssueItem): Status {
    if (item.now === 'suggested') return 'relabelled';
    return this.isReviewed(item) ? 'reviewed' : 'open';
  }

  private key(item: IssueItem): string {
    return reviewKey(this.result?.event.dataFile ?? '', item.issue.line, item.issue.text);
  }

  private isReviewed(item: IssueItem): boolean {
    return (this.memento.get<string[]>(REVIEWED_KEY) ?? []).includes(this.key(item));
  }

  // ---- the tree ---------------------------------------------------------------------------------

  getChildren(element?: IssueItem): IssueItem[] {
    if (element || !this.result) return [];
    return this.result.items.filter((i) => i.now !== 'changed' && (this.showReviewed || this.status(i) === 'open'));
  }

  getTreeItem(item: IssueItem): vscode.TreeItem {
    const { issue } = item;
    const status = this.status(item);
    const head = status === 'relabelled' ? `${issue.given} → ${issue.suggested} (relabelled)` : `${issue.given} → ${issue.suggested}`;
    const t = new vscode.TreeItem(`${head}  ${excerpt(issue.text)}`);
    t.id = `${issue.index}`;
    t.description = `line ${item.line} · quality ${issue.quality.toFixed(3)}${status === 'reviewed' ? ' · reviewed' : ''}`;
    t.iconPath = new vscode.ThemeIcon(status === 'open' ? 'warning' : status === 'reviewed' ? 'check' : 'edit');
    t.contextValue = `labelIssue.${status}`;
    t.command = { command: INTERNAL_COMMANDS.openLabelIssue, title: 'Open at its line', arguments: [item] };
    const probs = Object.entries(issue.probs)
      .map(([l, p]) => `${l} ${(100 * p).toFixed(1)}%`)
      .join(' · ');
    t.tooltip = new vscode.MarkdownString(
      `**Rank ${issue.rank}**: given **${issue.given}**, the models that did not see it predict **${issue.suggested}**  \n` +
        `label quality ${issue.quality.toFixed(4)} · ${probs}  \nline ${item.line} of ${basename(this.result?.event.dataFile ?? '')}\n\n`,
    );
    t.tooltip.appendCodeblock(issue.pair !== undefined ? `${issue.text}\n${issue.pair}` : issue.text, 'text');
    t.accessibilityInformation = { label: `line ${item.line}: labelled ${issue.given}, suggested ${issue.suggested}, ${status}. ${excerpt(issue.text)}` };
    return t;
  }

  /** Tree, diagnostics, the view's message, after any change of a row's state. */
  private refresh(): void {
    this.changed.fire(undefined);
    const r = this.result;
    this.diagnostics.clear();
    if (!r) {
      this.tree.message = undefined;
      return;
    }
    const open = r.items.filter((i) => i.now === 'given' && !this.isReviewed(i));
    const done = r.items.filter((i) => i.now !== 'changed').length - open.length;
    const e = r.event;
    this.tree.message =
      `${basename(e.dataFile)}: ${e.issues} of ${e.rows} rows flagged (${e.folds}-fold, out-of-sample accuracy ${e.cvAccuracy.toFixed(3)})` +
      (done ? `; ${done} reviewed or relabelled${this.showReviewed ? '' : ' (hidden)'}` : '');
    this.tree.badge = open.length ? { value: open.length, tooltip: `${open.length} rows whose label may be wrong` } : undefined;
    this.diagnostics.set(
      vscode.Uri.file(e.dataFile),
      open.map((i) => {
        const d = new vscode.Diagnostic(
          i.cell ?? new vscode.Range(i.line - 1, 0, i.line - 1, 0),
          `Label "${i.issue.given}" may be wrong: models that did not see this row predict "${i.issue.suggested}" (label quality ${i.issue.quality.toFixed(3)}, rank ${i.issue.rank} of ${e.issues})`,
          vscode.DiagnosticSeverity.Information,
        );
        d.source = 'Finetune';
        d.code = 'label-issue';
        return d;
      }),
    );
  }

  // ---- the document -----------------------------------------------------------------------------

  /** Rows below an edit move with it (their label cells too); rows it touched are read again. */
  private edited(e: vscode.TextDocumentChangeEvent): void {
    const r = this.result;
    if (!r || e.contentChanges.length === 0 || e.document.uri.scheme !== 'file' || e.document.uri.fsPath !== r.event.dataFile) return;
    // applied from the bottom up, each change's range is still good when its turn comes
    const changes: LineChange[] = [...e.contentChanges]
      .sort((a, b) => b.range.start.compareTo(a.range.start))
      .map((c) => ({ start: c.range.start, end: c.range.end, text: c.text }));
    let text: string | undefined; // read once, and only when a row was touched
    r.items = r.items.map((item) => {
      let it = item;
      let touched = false;
      for (const c of changes) {
        const s = shiftRow(it.line, it.lastLine, c);
        it = { ...it, line: s.line, lastLine: s.lastLine };
        touched ||= s.touched;
      }
      if (touched) return this.check(it, r.event, (text ??= e.document.getText()));
      const d = it.line - item.line;
      return d === 0 || !it.cell ? it : { ...it, cell: new vscode.Range(it.cell.start.translate(d), it.cell.end.translate(d)) };
    });
    this.refresh();
  }

  /** A data file closed (unsaved edits kept or dropped): the rows are read again from the file. */
  private async closed(d: vscode.TextDocument): Promise<void> {
    const r = this.result;
    if (!r || d.uri.scheme !== 'file' || d.uri.fsPath !== r.event.dataFile) return;
    const text = await readFile(r.event.dataFile, 'utf8').catch(() => '');
    r.items = r.items.map((it) => this.check(it, r.event, text));
    this.refresh();
  }

  // ---- the quick fixes --------------------------------------------------------------------------

  provideCodeActions(doc: vscode.TextDocument, at: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const r = this.result;
    if (!r || doc.uri.fsPath !== r.event.dataFile) return [];
    const out: vscode.CodeAction[] = [];
    for (const item of r.items) {
      if (this.status(item) !== 'open' || item.now !== 'given' || at.end.line < item.line - 1 || at.start.line > item.lastLine) continue;
      const diagnostics = context.diagnostics.filter(
        (d) => d.code === 'label-issue' && d.range.start.line >= item.line - 1 && d.range.start.line <= item.lastLine,
      );
      try {
        const e = relabelEdit(doc.getText(), r.event, item.issue, item.line);
        const fix = new vscode.CodeAction(`Relabel as ${item.issue.suggested}`, vscode.CodeActionKind.QuickFix);
        fix.edit = new vscode.WorkspaceEdit();
        fix.edit.replace(doc.uri, range(e.range), e.newText);
        fix.isPreferred = true;
        fix.diagnostics = diagnostics;
        out.push(fix);
      } catch {
        continue; // the row changed: the next edit event drops it
      }
      const keep = new vscode.CodeAction(`Mark reviewed (keep ${item.issue.given})`, vscode.CodeActionKind.QuickFix);
      keep.command = { command: COMMAND_IDS.markIssueReviewed, title: 'Mark reviewed', arguments: [item] };
      keep.diagnostics = diagnostics;
      out.push(keep);
    }
    return out;
  }

  /** The item a command acts on: the one it was given (a menu, a quick fix), else the view's selection. */
  private target(arg: unknown): IssueItem | undefined {
    const given = arg as IssueItem | undefined;
    const item = given?.issue ? given : this.tree.selection[0];
    // the live item (the one given may be an older copy)
    return item && this.result?.items.find((i) => i.issue.index === item.issue.index);
  }

  /** Opens the data file at the row's line. */
  async open(arg: unknown): Promise<void> {
    const item = this.target(arg);
    if (item && this.result) await openAtLine(this.result.event.dataFile, item.line);
  }

  /** Relabels the row as suggested: one edit in the editor (shown at the row), unsaved, one Ctrl+Z to undo. */
  async relabel(arg: unknown): Promise<void> {
    const item = this.target(arg);
    const r = this.result;
    if (!item || !r) return;
    const editor = await openAtLine(r.event.dataFile, item.line);
    const e = relabelEdit(editor.document.getText(), r.event, item.issue, item.line);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, range(e.range), e.newText);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${basename(r.event.dataFile)} could not be edited (is it read-only?)`);
    const start = new vscode.Position(e.range.start.line, e.range.start.character);
    editor.selection = new vscode.Selection(start, start.translate(0, e.newText.length));
  }

  /** Marks the row reviewed (its label stays): the view hides it unless reviewed rows are shown. */
  async markReviewed(arg: unknown): Promise<void> {
    const item = this.target(arg);
    if (!item) return;
    const keys = this.memento.get<string[]>(REVIEWED_KEY) ?? [];
    if (!keys.includes(this.key(item))) await this.memento.update(REVIEWED_KEY, [...keys, this.key(item)]);
    this.refresh();
  }

  async setShowReviewed(show: boolean): Promise<void> {
    this.showReviewed = show;
    await vscode.commands.executeCommand('setContext', SHOWING_REVIEWED, show);
    this.refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
