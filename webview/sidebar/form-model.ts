/**
 * The sidebar form's state, with no DOM (unit-tested in Node): the host's fields and the person's
 * unsent edits, the model, the data file and its column roles, the output folder, the runs; and
 * what the form sends (`args()`), whether it may (`problem()`), what survives a reload (`uiState()`).
 */
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import type { DatasetInfo, FormField, RunEstimate, RunForm, SidebarState } from '../../src/protocol/webviews/sidebar.js';
import { clock } from '../format.js';

/** Flags the form sets itself (not rendered from `fields`). */
export const OWN_FIELDS: ReadonlySet<string> = new Set(['model_name_or_path', 'train_file', 'text_column_names', 'label_column_name', 'output_dir']);
/** Shown in the data section, whatever their `advanced` flag. */
export const DATA_FIELDS: ReadonlySet<string> = new Set(['task', 'test_file']);
/** Shown in the model section. */
export const MODEL_FIELDS: ReadonlySet<string> = new Set(['tokenizer_name']);

export type FieldValue = string | boolean;

export interface Columns {
  text: string;
  pair: string;
  label: string;
}

/** What the sidebar keeps across a reload of the view (edits only; the host owns the rest). */
export interface SidebarUiState {
  values: Record<string, FieldValue>;
  model: string;
  outputDir: string;
  datasetFile: string;
  textColumn: string;
  pairColumn: string;
  labelColumn: string;
  advancedOpen: boolean;
}

/** A field's value as the form shows it: booleans for checkboxes, text for the rest. */
export function initialValue(f: FormField): FieldValue {
  const v = f.value;
  if (f.type === 'bool') return v === true || v === 'true';
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** A shown value as the run table wants it: numbers, booleans, lists, null for empty. */
export function argValue(f: FormField, raw: FieldValue): unknown {
  if (typeof raw === 'boolean') return raw;
  const s = raw.trim();
  if (s === '') return f.type === 'bool' ? false : null;
  switch (f.type) {
    case 'int':
    case 'float': {
      const n = Number(s);
      return Number.isFinite(n) ? n : s;
    }
    case 'list':
      return s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
    case 'bool':
      return s === 'true';
    default:
      return s;
  }
}

/**
 * The column roles for a data file: the host's suggestions (else the first column for the text
 * and the last for the label). With `keep`, the roles chosen before stay where the file still has
 * those columns.
 */
export function chooseColumns(d: DatasetInfo | undefined, keep?: Columns): Columns {
  const has = (c: string): boolean => !!d && d.columns.includes(c);
  const suggested = (c: string | undefined): c is string => !!c && has(c);
  return {
    text: keep && has(keep.text) ? keep.text : suggested(d?.textColumn) ? d.textColumn : (d?.columns[0] ?? ''),
    pair: keep && !(keep.pair && !has(keep.pair)) ? keep.pair : suggested(d?.pairColumn) ? d.pairColumn : '',
    label: keep && has(keep.label) ? keep.label : suggested(d?.labelColumn) ? d.labelColumn : (d?.columns[d.columns.length - 1] ?? ''),
  };
}

/** The host's fields by where the form shows them. */
export function fieldGroups(fields: readonly FormField[]): { model: FormField[]; data: FormField[]; common: FormField[]; advanced: FormField[] } {
  const shown = fields.filter((f) => !OWN_FIELDS.has(f.name));
  const rest = shown.filter((f) => !DATA_FIELDS.has(f.name) && !MODEL_FIELDS.has(f.name));
  return {
    model: shown.filter((f) => MODEL_FIELDS.has(f.name)),
    data: shown.filter((f) => DATA_FIELDS.has(f.name)),
    common: rest.filter((f) => !f.advanced),
    advanced: rest.filter((f) => f.advanced),
  };
}

/** Flags that only matter with another flag's value: doc_stride and chunk_aggregation with long_text sliding_window. */
export const DEPENDENT_FIELDS: Readonly<Record<string, { on: string; value: string }>> = {
  doc_stride: { on: 'long_text', value: 'sliding_window' },
  chunk_aggregation: { on: 'long_text', value: 'sliding_window' },
};

/** Bytes as a person reads memory: 850 MB, 1.4 GB. */
export function bytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.round(n / 1e6)} MB`;
}

/** A [low, high] range of seconds as clock times: 1:10–1:25 (one time when they round alike). */
export function timeRange([lo, hi]: readonly [number, number]): string {
  const a = clock(lo);
  const b = clock(hi);
  return a === b ? a : `${a}–${b}`;
}

/** The estimate as the form shows it, one line each: per epoch, the whole run, memory, how it was measured. */
export function estimateLines(e: RunEstimate): string[] {
  const perStep = `${e.secondsPerStep[0].toFixed(2)}–${e.secondsPerStep[1].toFixed(2)} s`;
  const epochs = Number.isInteger(e.epochs) ? String(e.epochs) : e.epochs.toFixed(1);
  return [
    `Per epoch: ${timeRange(e.secondsPerEpoch)} (${e.stepsPerEpoch} steps of ${perStep})`,
    `Whole run (${epochs} epochs, ${e.totalSteps} steps): ${timeRange(e.totalSeconds)}`,
    `Peak memory: ${bytes(e.peakMemoryBytes[0])}–${bytes(e.peakMemoryBytes[1])}`,
    `Measured: ${e.measuredSteps} steps on this machine (${e.executionProvider}), after ${e.startupSeconds.toFixed(1)} s loading and tokenizing.`,
  ];
}

/** A value of the run table as the form shows it (for a run's settings loaded back into the form). */
export function shownValue(f: FormField, v: unknown): FieldValue {
  return initialValue({ ...f, value: v });
}

export class FormModel {
  fields: FormField[] = [];
  readonly values = new Map<string, FieldValue>();
  model = '';
  outputDir = '';
  recentModels: string[] = [];
  dataset: DatasetInfo | undefined;
  columns: Columns = { text: '', pair: '', label: '' };
  runs: RunSummary[] = [];
  activeRunId: string | undefined;

  /** Takes the host's state, with the person's unsent edits (`ui`) over it. */
  load(state: SidebarState, ui: Partial<SidebarUiState>): void {
    this.fields = state.fields;
    this.recentModels = state.recentModels;
    this.setRuns(state.runs, state.activeRunId);
    this.values.clear();
    for (const [k, v] of Object.entries(ui.values ?? {})) this.values.set(k, v);
    const own = (name: string): unknown => this.fields.find((f) => f.name === name)?.value;
    const modelValue = own('model_name_or_path');
    const outValue = own('output_dir');
    this.model = ui.model ?? (typeof modelValue === 'string' ? modelValue : (this.recentModels[0] ?? ''));
    this.outputDir = ui.outputDir ?? (typeof outValue === 'string' ? outValue : '');
    const d = state.dataset ?? this.dataset;
    // the person's column choices stay when the data file is the same
    const keep = d && ui.datasetFile === d.file ? { text: ui.textColumn ?? '', pair: ui.pairColumn ?? '', label: ui.labelColumn ?? '' } : undefined;
    this.dataset = d;
    this.columns = chooseColumns(d, keep);
  }

  /**
   * A run's settings (a re-run, the walkthrough's sample run): the model, the data file and its
   * columns, the output folder and every shown flag, as the form sends them back.
   */
  loadForm(form: RunForm): void {
    const a = form.args;
    if (typeof a.model_name_or_path === 'string') this.model = a.model_name_or_path;
    if (typeof a.output_dir === 'string') this.outputDir = a.output_dir;
    if (form.dataset) this.dataset = form.dataset;
    const cols = Array.isArray(a.text_column_names) ? a.text_column_names.map(String) : [];
    const pair = cols.length === 2 && (a.text_column_delimiter === null || a.text_column_delimiter === undefined) ? cols[1]! : '';
    this.columns = chooseColumns(this.dataset, { text: cols[0] ?? '', pair, label: typeof a.label_column_name === 'string' ? a.label_column_name : '' });
    this.values.clear();
    for (const f of this.fields) if (!OWN_FIELDS.has(f.name) && f.name in a) this.values.set(f.name, shownValue(f, a[f.name]));
  }

  /** A new data file: the roles the host suggests. */
  setDataset(d: DatasetInfo | undefined): void {
    this.dataset = d;
    this.columns = chooseColumns(d);
  }

  setRuns(runs: RunSummary[], activeRunId: string | undefined): void {
    this.runs = runs;
    this.activeRunId = activeRunId;
  }

  /** The person's edit, else the host's value. */
  value(f: FormField): FieldValue {
    return this.values.get(f.name) ?? initialValue(f);
  }

  /** The fields the form hides and sends empty: those whose flag they depend on has another value (DEPENDENT_FIELDS). */
  inactive(): Set<string> {
    const value = (name: string): FieldValue | undefined => {
      const f = this.fields.find((x) => x.name === name);
      return f ? this.value(f) : undefined;
    };
    return new Set(Object.entries(DEPENDENT_FIELDS).flatMap(([name, d]) => (value(d.on) === d.value ? [] : [name])));
  }

  /** The active run is still running (Cancel applies to it). */
  get running(): boolean {
    return this.runs.some((r) => r.runId === this.activeRunId && r.status === 'running');
  }

  /** Every flag of the form as the run table wants it (StartRun's args). */
  args(): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    const off = this.inactive();
    for (const f of this.fields) if (!OWN_FIELDS.has(f.name)) args[f.name] = off.has(f.name) ? null : argValue(f, this.value(f));
    const { text, pair, label } = this.columns;
    args.model_name_or_path = this.model.trim() || null;
    args.train_file = this.dataset?.file ?? null;
    args.text_column_names = text ? (pair ? [text, pair] : [text]) : null;
    args.label_column_name = label || null;
    args.output_dir = this.outputDir.trim() || null;
    return args;
  }

  /** Why the form cannot start a run yet ('' when it can). */
  problem(): string {
    if (!this.model.trim()) return 'Choose a pretrained model (a Hub id, a local folder or preset:bert-tiny).';
    if (!this.dataset) return 'Choose a data file.';
    // a flag that has a value by default cannot be emptied (null means "no value" to the run table)
    const emptied = this.fields.filter((f) => !OWN_FIELDS.has(f.name) && f.value !== null && f.value !== undefined && argValue(f, this.value(f)) === null);
    return emptied.length ? `${emptied.map((f) => f.label).join(', ')}: needs a value.` : '';
  }

  /** The edits to keep across a reload. */
  uiState(): Omit<SidebarUiState, 'advancedOpen'> {
    return {
      values: Object.fromEntries(this.values),
      model: this.model,
      outputDir: this.outputDir,
      datasetFile: this.dataset?.file ?? '',
      textColumn: this.columns.text,
      pairColumn: this.columns.pair,
      labelColumn: this.columns.label,
    };
  }
}
