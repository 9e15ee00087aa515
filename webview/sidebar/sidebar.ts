/**
 * The "Training" sidebar: the run form (model, data file and columns, hyperparameters from the
 * host's `fields`, output folder), Start / Cancel, and the workspace's runs.
 *
 * Messages: bootstrap(SidebarState) → render; `dataset` → the data section; `runs` → the runs
 * list and the active run's progress. Requests: pickFolder (model | output), pickDataset,
 * startRun. Commands: cancelRun, previewDataset, openDashboard, openPredict.
 * UI state (unsent edits) survives a reload through getState/setState.
 */
import type { VscodeCheckbox, VscodeSingleSelect, VscodeTextfield } from '@vscode-elements/elements';
import type { DatasetInfo, FormField, HostMessage, RunSummary, SidebarState } from '../../src/protocol/webview.js';
import { Api } from '../api.js';
import { formRow, setChoices, singleSelect, type Choice } from '../controls.js';
import { baseName, byId, clear, h, metricText, shortModel } from '../dom.js';

/** Flags the form sets itself (not rendered from `fields`). */
const OWN_FIELDS = new Set(['model_name_or_path', 'train_file', 'text_column_names', 'label_column_name', 'output_dir']);
/** Shown in the data section, whatever their `advanced` flag. */
const DATA_FIELDS = new Set(['task']);

interface UiState {
  values: Record<string, string | boolean>;
  model: string;
  outputDir: string;
  datasetFile: string;
  textColumn: string;
  pairColumn: string;
  labelColumn: string;
  advancedOpen: boolean;
}

type FieldValue = string | boolean;

/**
 * A run summary as the sidebar reads it. `progress` is not (yet) part of `RunSummary`: when the
 * host adds it, the active run's bar shows the step; without it the bar is indeterminate.
 */
type RunRow = RunSummary & { progress?: { step: number; totalSteps: number } };

export function mountSidebar(root: HTMLElement, api: Api<UiState> = new Api<UiState>()): void {
  let fields: FormField[] = [];
  const values = new Map<string, FieldValue>();
  let model = '';
  let outputDir = '';
  let recentModels: string[] = [];
  let dataset: DatasetInfo | undefined;
  let textColumn = '';
  let pairColumn = '';
  let labelColumn = '';
  let runs: RunRow[] = [];
  let activeRunId: string | undefined;
  let starting = false;

  const save = (): void =>
    api.patchState({
      values: Object.fromEntries(values),
      model,
      outputDir,
      datasetFile: dataset?.file ?? '',
      textColumn,
      pairColumn,
      labelColumn,
    });

  function initialValue(f: FormField): FieldValue {
    const v = f.value;
    if (f.type === 'bool') return v === true || v === 'true';
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.join(',');
    return String(v);
  }

  function fieldControl(f: FormField): HTMLElement {
    const id = `field-${f.name}`;
    // the person's unsent edit, else the host's value (only edits are kept in the UI state)
    const v = values.get(f.name) ?? initialValue(f);
    if (f.type === 'bool') {
      const cb = h('vscode-checkbox', { id, 'data-field': f.name, checked: v === true, label: f.label, title: f.help });
      cb.addEventListener('change', () => {
        values.set(f.name, (cb as VscodeCheckbox).checked);
        save();
      });
      return h('div', { class: 'form-row checkbox-row', 'data-row': id }, cb, h('div', { class: 'help' }, f.help));
    }
    if (f.type === 'enum') {
      const choices: Choice[] = (f.choices ?? []).map((c) => ({ value: c }));
      if (f.value === null || f.value === undefined) choices.unshift({ value: '', label: '(default)' });
      const sel = singleSelect(
        id,
        choices,
        String(v),
        (nv) => {
          values.set(f.name, nv);
          save();
        },
        { 'data-field': f.name },
      );
      return formRow(id, f.label, sel, f.help);
    }
    // ints get a number input (range-checked); floats a text input, so 2e-5 is typed as such
    const int = f.type === 'int';
    const tf = h('vscode-textfield', {
      id,
      'data-field': f.name,
      type: int ? 'number' : 'text',
      step: int ? 1 : undefined,
      min: int ? f.min : undefined,
      max: int ? f.max : undefined,
      inputmode: f.type === 'float' ? 'decimal' : undefined,
      placeholder: f.value === null || f.value === undefined ? 'default' : undefined,
    }) as VscodeTextfield;
    tf.value = String(v);
    tf.addEventListener('input', () => {
      values.set(f.name, tf.value);
      save();
    });
    return formRow(id, f.label, tf, f.help);
  }

  /** A field's value as the run table wants it: numbers, booleans, lists, null for empty. */
  function argValue(f: FormField): unknown {
    const raw = values.get(f.name) ?? initialValue(f);
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

  function collectArgs(): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const f of fields) if (!OWN_FIELDS.has(f.name)) args[f.name] = argValue(f);
    args.model_name_or_path = model.trim() || null;
    args.train_file = dataset?.file ?? null;
    args.text_column_names = textColumn ? (pairColumn ? [textColumn, pairColumn] : [textColumn]) : null;
    args.label_column_name = labelColumn || null;
    args.output_dir = outputDir.trim() || null;
    return args;
  }

  function showError(msg: string): void {
    const el = byId('form-error', root);
    el.textContent = msg;
    el.hidden = msg === '';
  }

  // ---- data section -----------------------------------------------------------------------

  function columnChoices(optional: boolean): Choice[] {
    const cols = (dataset?.columns ?? []).map((c) => ({ value: c }));
    return optional ? [{ value: '', label: '(none)' }, ...cols] : cols;
  }

  function applyDataset(d: DatasetInfo | undefined, keepChoices = false): void {
    const prev = dataset?.file;
    dataset = d;
    const has = (c: string): boolean => !!d && d.columns.includes(c);
    if (!keepChoices || d?.file !== prev || !has(textColumn)) textColumn = d?.textColumn && has(d.textColumn) ? d.textColumn : (d?.columns[0] ?? '');
    if (!keepChoices || d?.file !== prev || (pairColumn && !has(pairColumn))) pairColumn = d?.pairColumn && has(d.pairColumn) ? d.pairColumn : '';
    if (!keepChoices || d?.file !== prev || !has(labelColumn))
      labelColumn = d?.labelColumn && has(d.labelColumn) ? d.labelColumn : (d?.columns[d.columns.length - 1] ?? '');
    renderDataset();
    save();
  }

  function renderDataset(): void {
    const file = byId<VscodeTextfield>('dataset-file', root);
    file.value = dataset?.file ?? '';
    file.title = dataset?.file ?? '';
    const info = byId('dataset-info', root);
    info.textContent = dataset
      ? `${baseName(dataset.file)}: ${dataset.rows !== undefined ? `${dataset.rows.toLocaleString('en-US')} rows, ` : ''}${dataset.columns.length} columns`
      : 'No data file chosen.';
    setChoices(byId<VscodeSingleSelect>('text-column', root), columnChoices(false), textColumn);
    setChoices(byId<VscodeSingleSelect>('pair-column', root), columnChoices(true), pairColumn);
    setChoices(byId<VscodeSingleSelect>('label-column', root), columnChoices(false), labelColumn);
    for (const id of ['text-column', 'pair-column', 'label-column']) byId<VscodeSingleSelect>(id, root).disabled = !dataset;
  }

  // ---- runs -------------------------------------------------------------------------------

  function renderRuns(): void {
    const list = byId('runs', root);
    clear(list);
    if (runs.length === 0) list.append(h('li', { class: 'muted' }, 'No runs in this workspace yet.'));
    for (const r of runs) {
      const active = r.runId === activeRunId && r.status === 'running';
      const metric = r.bestMetric ? `${r.bestMetric.name.replace(/^eval_/, '')} ${metricText(r.bestMetric.value)}` : '';
      let progress: HTMLElement | null = null;
      if (active) {
        const p = r.progress;
        progress = h('vscode-progress-bar', {
          id: 'active-progress',
          'aria-label': `${r.name} progress`,
          indeterminate: !p,
          value: p ? p.step : undefined,
          max: p ? Math.max(1, p.totalSteps) : undefined,
        });
      }
      const stepText = active && r.progress ? `step ${r.progress.step}/${r.progress.totalSteps}` : '';
      list.append(
        h(
          'li',
          { class: `run status-${r.status}${active ? ' active' : ''}`, 'data-run-id': r.runId },
          h(
            'div',
            { class: 'run-head' },
            h('span', { class: 'run-name', title: r.outputDir }, r.name),
            h('vscode-badge', { class: 'run-status', variant: 'default' }, r.status),
          ),
          h('div', { class: 'run-meta muted' }, [shortModel(r.model), metric, stepText].filter(Boolean).join(' · ')),
          progress,
          r.error ? h('div', { class: 'error run-error' }, r.error) : null,
          h(
            'div',
            { class: 'run-links' },
            h(
              'a',
              { href: '#', class: 'open-dashboard', onclick: (e: Event) => (e.preventDefault(), api.post({ type: 'openDashboard', runId: r.runId })) },
              'Dashboard',
            ),
            h(
              'a',
              { href: '#', class: 'open-predict', onclick: (e: Event) => (e.preventDefault(), api.post({ type: 'openPredict', runId: r.runId })) },
              'Predict',
            ),
          ),
        ),
      );
    }
    const cancel = byId<HTMLElement & { disabled: boolean }>('cancel', root);
    cancel.disabled = !runs.some((r) => r.runId === activeRunId && r.status === 'running');
  }

  // ---- the form ---------------------------------------------------------------------------

  function render(state: SidebarState): void {
    fields = state.fields;
    recentModels = state.recentModels;
    runs = state.runs;
    activeRunId = state.activeRunId;
    const ui = api.getState();
    values.clear();
    for (const [k, v] of Object.entries(ui.values ?? {})) values.set(k, v);
    const modelField = fields.find((f) => f.name === 'model_name_or_path');
    const outField = fields.find((f) => f.name === 'output_dir');
    model = ui.model ?? (typeof modelField?.value === 'string' ? modelField.value : (recentModels[0] ?? ''));
    outputDir = ui.outputDir ?? (typeof outField?.value === 'string' ? outField.value : '');

    const modelTf = h('vscode-textfield', { id: 'model', placeholder: 'org/name, a local folder, or preset:bert-tiny' }) as VscodeTextfield;
    modelTf.value = model;
    modelTf.addEventListener('input', () => {
      model = modelTf.value;
      save();
    });
    const recent =
      recentModels.length > 0
        ? singleSelect('recent-models', [{ value: '', label: 'Recent models…' }, ...recentModels.map((m) => ({ value: m }))], '', (v) => {
            if (!v) return;
            model = v;
            modelTf.value = v;
            save();
            recent!.value = '';
          })
        : null;

    const outTf = h('vscode-textfield', { id: 'output-dir', placeholder: 'out/my-run' }) as VscodeTextfield;
    outTf.value = outputDir;
    outTf.addEventListener('input', () => {
      outputDir = outTf.value;
      save();
    });

    const common = fields.filter((f) => !OWN_FIELDS.has(f.name) && !DATA_FIELDS.has(f.name) && !f.advanced);
    const advanced = fields.filter((f) => !OWN_FIELDS.has(f.name) && !DATA_FIELDS.has(f.name) && f.advanced);
    const dataFields = fields.filter((f) => DATA_FIELDS.has(f.name));

    const advancedBox = h(
      'vscode-collapsible',
      { id: 'advanced', heading: `Advanced (${advanced.length})`, open: ui.advancedOpen === true },
      h('div', { class: 'collapsible-body' }, ...advanced.map(fieldControl)),
    );
    advancedBox.addEventListener('vsc-collapsible-toggle', () => api.patchState({ advancedOpen: (advancedBox as HTMLElement & { open: boolean }).open }));

    const fileTf = h('vscode-textfield', { id: 'dataset-file', readonly: true, placeholder: 'a .csv, .tsv, .json or .jsonl file' });

    root.replaceChildren(
      h(
        'form',
        { id: 'train-form', class: 'sidebar-form', onsubmit: (e: Event) => e.preventDefault() },
        h('h3', null, 'Model'),
        formRow(
          'model',
          'Pretrained model',
          h(
            'div',
            { class: 'with-button' },
            modelTf,
            h('vscode-button', { id: 'browse-model', secondary: true, onclick: () => void pickFolder('model') }, 'Browse…'),
          ),
          'Hub id or local folder',
        ),
        recent ? h('div', { class: 'form-row' }, recent) : null,
        h('h3', null, 'Data'),
        formRow(
          'dataset-file',
          'Data file',
          h(
            'div',
            { class: 'with-button' },
            fileTf,
            h('vscode-button', { id: 'choose-dataset', secondary: true, onclick: () => void pickDataset() }, 'Choose…'),
          ),
        ),
        h('div', { id: 'dataset-info', class: 'muted' }),
        formRow(
          'text-column',
          'Text column',
          singleSelect('text-column', [], undefined, (v) => ((textColumn = v), save())),
        ),
        formRow(
          'pair-column',
          'Second text column (pairs)',
          singleSelect('pair-column', [], undefined, (v) => ((pairColumn = v), save())),
        ),
        formRow(
          'label-column',
          'Label column',
          singleSelect('label-column', [], undefined, (v) => ((labelColumn = v), save())),
        ),
        ...dataFields.map(fieldControl),
        h(
          'div',
          { class: 'actions' },
          h(
            'vscode-button',
            { id: 'preview-dataset', secondary: true, onclick: () => api.post({ type: 'previewDataset', ...(dataset ? { file: dataset.file } : {}) }) },
            'Preview dataset',
          ),
        ),
        h('h3', null, 'Training'),
        ...common.map(fieldControl),
        advanced.length ? advancedBox : null,
        h('h3', null, 'Output'),
        formRow(
          'output-dir',
          'Output folder',
          h(
            'div',
            { class: 'with-button' },
            outTf,
            h('vscode-button', { id: 'browse-output', secondary: true, onclick: () => void pickFolder('output') }, 'Browse…'),
          ),
        ),
        h(
          'div',
          { class: 'actions' },
          h('vscode-button', { id: 'start', onclick: () => void start() }, 'Start training'),
          h(
            'vscode-button',
            { id: 'cancel', secondary: true, disabled: true, onclick: () => api.post({ type: 'cancelRun', ...(activeRunId ? { runId: activeRunId } : {}) }) },
            'Cancel',
          ),
        ),
        h('div', { id: 'form-error', class: 'error', role: 'alert', hidden: true }),
      ),
      h('h3', null, 'Runs'),
      h('ul', { id: 'runs', class: 'runs' }),
    );

    const d = state.dataset ?? dataset;
    dataset = d;
    // restore the person's column choices when the data file is the same
    if (d && ui.datasetFile === d.file) {
      textColumn = ui.textColumn ?? '';
      pairColumn = ui.pairColumn ?? '';
      labelColumn = ui.labelColumn ?? '';
      applyDataset(d, true);
    } else applyDataset(d);
    renderRuns();
  }

  async function pickFolder(purpose: 'model' | 'output'): Promise<void> {
    try {
      const dir = await api.request<'pickFolder'>({ type: 'pickFolder', purpose });
      if (!dir) return;
      if (purpose === 'model') {
        model = dir;
        byId<VscodeTextfield>('model', root).value = dir;
      } else {
        outputDir = dir;
        byId<VscodeTextfield>('output-dir', root).value = dir;
      }
      save();
    } catch (err) {
      showError((err as Error).message);
    }
  }

  async function pickDataset(): Promise<void> {
    try {
      const d = await api.request<'pickDataset'>({ type: 'pickDataset' });
      if (d) applyDataset(d);
    } catch (err) {
      showError((err as Error).message);
    }
  }

  async function start(): Promise<void> {
    if (starting) return;
    showError('');
    if (!model.trim()) return showError('Choose a pretrained model (a Hub id, a local folder or preset:bert-tiny).');
    if (!dataset) return showError('Choose a data file.');
    // a flag that has a value by default cannot be emptied (null means "no value" to the run table)
    const emptied = fields.filter((f) => !OWN_FIELDS.has(f.name) && f.value !== null && f.value !== undefined && argValue(f) === null);
    if (emptied.length) return showError(`${emptied.map((f) => f.label).join(', ')}: needs a value.`);
    const button = byId<HTMLElement & { disabled: boolean }>('start', root);
    starting = true;
    button.disabled = true;
    try {
      await api.request<'startRun'>({ type: 'startRun', args: collectArgs() });
    } catch (err) {
      showError((err as Error).message);
    } finally {
      starting = false;
      button.disabled = false;
    }
  }

  api.onMessage((m: HostMessage) => {
    switch (m.type) {
      case 'bootstrap':
        if (m.page === 'sidebar') render(m.state);
        break;
      case 'dataset':
        if (fields.length || root.querySelector('#train-form')) applyDataset(m.dataset);
        else dataset = m.dataset;
        break;
      case 'runs':
        runs = m.runs;
        activeRunId = m.activeRunId;
        if (root.querySelector('#runs')) renderRuns();
        break;
    }
  });
  root.replaceChildren(h('div', { class: 'loading muted' }, h('vscode-progress-ring'), 'Loading…'));
  api.start('sidebar');
}
