/**
 * The sidebar form's state, with no DOM (unit-tested in Node): the host's fields and the person's
 * unsent edits, the model, the data file and its column roles, the output folder, the runs; and
 * what the form sends (`args()`), whether it may (`problem()`), what survives a reload (`uiState()`).
 */
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import type { DatasetInfo, FormField, SidebarState } from '../../src/protocol/webviews/sidebar.js';

/** Flags the form sets itself (not rendered from `fields`). */
export const OWN_FIELDS: ReadonlySet<string> = new Set(['model_name_or_path', 'train_file', 'text_column_names', 'label_column_name', 'output_dir']);
/** Shown in the data section, whatever their `advanced` flag. */
export const DATA_FIELDS: ReadonlySet<string> = new Set(['task']);

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
export function fieldGroups(fields: readonly FormField[]): { data: FormField[]; common: FormField[]; advanced: FormField[] } {
  const shown = fields.filter((f) => !OWN_FIELDS.has(f.name));
  return {
    data: shown.filter((f) => DATA_FIELDS.has(f.name)),
    common: shown.filter((f) => !DATA_FIELDS.has(f.name) && !f.advanced),
    advanced: shown.filter((f) => !DATA_FIELDS.has(f.name) && f.advanced),
  };
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

  /** The active run is still running (Cancel applies to it). */
  get running(): boolean {
    return this.runs.some((r) => r.runId === this.activeRunId && r.status === 'running');
  }

  /** Every flag of the form as the run table wants it (StartRun's args). */
  args(): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const f of this.fields) if (!OWN_FIELDS.has(f.name)) args[f.name] = argValue(f, this.value(f));
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
