/**
 * The dataset preview: the first rows (virtualised), column profiles, column roles, the label
 * distribution, the token-length histogram with max_seq_length marked, warnings, and
 * "Train on this file".
 *
 * Messages: bootstrap(DatasetPreviewState) and `preview` (a new state) → render. Request:
 * analyze (columns, tokenizer, max_seq_length) → a new DatasetPreviewState. Command: trainOnThis.
 */
import type { ChartDataset, Plugin } from 'chart.js';
import type { VscodeSingleSelect, VscodeTextfield } from '@vscode-elements/elements';
import type { DatasetPreviewState, HostMessage } from '../../src/protocol/webview.js';
import { Api } from '../api.js';
import { applyPaint, chartColor, createChart, exposeCharts, followTheme, paint, type Chart } from '../charts.js';
import { formRow, setChoices, singleSelect, type Choice } from '../controls.js';
import { baseName, byId, h, percent } from '../dom.js';
import { VirtualRows } from './virtual-rows.js';

type Lengths = NonNullable<DatasetPreviewState['lengths']>;
type BarDataset = ChartDataset<'bar', number[]>;

/** Draws a dashed vertical line where max_seq_length falls on the length histogram. */
function maxLengthMarker(get: () => Lengths | undefined): Plugin<'bar'> {
  return {
    id: 'maxSeqLengthMarker',
    afterDatasetsDraw(chart) {
      const l = get();
      const x = chart.scales.x;
      if (!l || !x || l.buckets.length === 0) return;
      const k = l.buckets.findIndex((b) => b >= l.maxSeqLength);
      const n = l.buckets.length;
      const slot = n > 1 ? x.getPixelForValue(1) - x.getPixelForValue(0) : x.width;
      let px: number;
      if (k < 0) px = x.getPixelForValue(n - 1) + slot / 2;
      else {
        const lo = k > 0 ? l.buckets[k - 1]! : 0;
        const hi = l.buckets[k]!;
        const frac = hi > lo ? (l.maxSeqLength - lo) / (hi - lo) : 1;
        px = x.getPixelForValue(k) - slot / 2 + frac * slot;
      }
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.strokeStyle = chartColor('red');
      ctx.fillStyle = chartColor('red');
      ctx.setLineDash([5, 3]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.textAlign = px > chartArea.left + chartArea.width * 0.7 ? 'right' : 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(` max_seq_length ${l.maxSeqLength} `, px, chartArea.top + 2);
      ctx.restore();
    },
  };
}

export function mountDataset(root: HTMLElement, api: Api = new Api()): void {
  let state: DatasetPreviewState | undefined;
  let textColumn = '';
  let pairColumn = '';
  let labelColumn = '';
  let tokenizer = '';
  let maxSeqLength = '';
  let latest = 0;
  let labelChart: Chart<'bar', number[]> | undefined;
  let lengthChart: Chart<'bar', number[]> | undefined;
  const labelData: number[] = [];
  const labelNames: string[] = [];
  const lengthData: number[] = [];
  const lengthNames: string[] = [];
  let rowsTable: VirtualRows | undefined;

  function columnChoices(optional: boolean): Choice[] {
    const cols = (state?.columns ?? []).map((c) => ({ value: c.name, description: c.kind }));
    return optional ? [{ value: '', label: '(none)' }, ...cols] : cols;
  }

  function setBusy(busy: boolean): void {
    byId('busy', root).hidden = !busy;
  }

  async function analyze(): Promise<void> {
    const req = ++latest;
    const n = Number(maxSeqLength);
    setBusy(true);
    try {
      const next = await api.request<'analyze'>({
        type: 'analyze',
        ...(textColumn ? { textColumn } : {}),
        ...(pairColumn ? { pairColumn } : {}),
        ...(labelColumn ? { labelColumn } : {}),
        ...(tokenizer.trim() ? { tokenizer: tokenizer.trim() } : {}),
        ...(maxSeqLength.trim() && Number.isFinite(n) && n >= 2 ? { maxSeqLength: Math.floor(n) } : {}),
      });
      if (req !== latest) return;
      update(next);
    } catch (err) {
      if (req !== latest) return;
      showError((err as Error).message);
    } finally {
      if (req === latest) setBusy(false);
    }
  }

  function showError(msg: string): void {
    const el = byId('error', root);
    el.textContent = msg;
    el.hidden = !msg;
  }

  function build(): void {
    const tokTf = h('vscode-textfield', { id: 'tokenizer', placeholder: 'the model’s tokenizer (Hub id or folder)' }) as VscodeTextfield;
    tokTf.addEventListener('input', () => (tokenizer = tokTf.value));
    tokTf.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') void analyze();
    });
    const lenTf = h('vscode-textfield', { id: 'max-seq-length', type: 'number', min: 2, step: 1 }) as VscodeTextfield;
    lenTf.addEventListener('input', () => (maxSeqLength = lenTf.value));
    lenTf.addEventListener('change', () => void analyze());

    rowsTable = new VirtualRows('rows');
    root.replaceChildren(
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          { class: 'title-row' },
          h('h2', { id: 'file-name' }),
          h('vscode-button', { id: 'train', onclick: () => api.post({ type: 'trainOnThis' }) }, 'Train on this file'),
        ),
        h('div', { id: 'file-info', class: 'muted' }),
      ),
      h('div', { id: 'error', class: 'error', role: 'alert', hidden: true }),
      h(
        'section',
        { class: 'roles' },
        formRow(
          'text-column',
          'Text column',
          singleSelect('text-column', [], undefined, (v) => ((textColumn = v), void analyze())),
        ),
        formRow(
          'pair-column',
          'Second text column',
          singleSelect('pair-column', [], undefined, (v) => ((pairColumn = v), void analyze())),
        ),
        formRow(
          'label-column',
          'Label column',
          singleSelect('label-column', [], undefined, (v) => ((labelColumn = v), void analyze())),
        ),
        formRow('tokenizer', 'Tokenizer', tokTf),
        formRow('max-seq-length', 'max_seq_length', lenTf),
        h(
          'div',
          { class: 'actions analyze-row' },
          h('vscode-button', { id: 'analyze', secondary: true, onclick: () => void analyze() }, 'Analyze'),
          h('vscode-progress-ring', { id: 'busy', hidden: true }),
        ),
      ),
      h('ul', { id: 'warnings', class: 'warnings', 'data-testid': 'warnings' }),
      h(
        'section',
        { class: 'charts two' },
        h(
          'div',
          { class: 'chart-card' },
          h('h3', null, 'Labels'),
          h('div', { id: 'label-chart', class: 'chart-box', 'data-testid': 'label-chart' }),
          h('div', { id: 'label-summary', class: 'muted' }),
        ),
        h(
          'div',
          { class: 'chart-card' },
          h('h3', { id: 'length-title' }, 'Token lengths'),
          h('div', { id: 'length-chart', class: 'chart-box', 'data-testid': 'length-chart' }),
          h('div', { id: 'length-summary', class: 'muted' }),
        ),
      ),
      h('h3', null, 'Columns'),
      h('table', { id: 'columns', class: 'grid', 'data-testid': 'columns' }),
      h('h3', { id: 'rows-title' }, 'Rows'),
      rowsTable.el,
    );

    const labelSet = paint<BarDataset>({ label: 'rows', data: labelData, borderWidth: 0 }, 'blue', true);
    labelChart = createChart<'bar', number[]>(byId('label-chart', root), {
      type: 'bar',
      data: { labels: labelNames, datasets: [labelSet] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const lengthSet = paint<BarDataset>(
      { label: 'rows', data: lengthData, borderWidth: 0, categoryPercentage: 1, barPercentage: 0.95 },
      (i) => {
        const l = state?.lengths;
        const lo = i > 0 ? (l?.buckets[i - 1] ?? 0) : 0;
        return l && lo >= l.maxSeqLength ? 'red' : 'blue';
      },
      true,
    );
    lengthChart = createChart<'bar', number[]>(byId('length-chart', root), {
      type: 'bar',
      data: { labels: lengthNames, datasets: [lengthSet] },
      options: {
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: 'tokens' } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
      plugins: [maxLengthMarker(() => state?.lengths)],
    });
    exposeCharts({ labels: labelChart, lengths: lengthChart });
  }

  function update(s: DatasetPreviewState): void {
    state = s;
    const has = (c: string | undefined): c is string => !!c && s.columns.some((p) => p.name === c);
    textColumn = has(s.textColumn) ? s.textColumn : (s.columns[0]?.name ?? '');
    pairColumn = has(s.pairColumn) ? s.pairColumn : '';
    labelColumn = has(s.labelColumn) ? s.labelColumn : (s.columns[s.columns.length - 1]?.name ?? '');

    byId('file-name', root).textContent = baseName(s.file);
    byId('file-name', root).title = s.file;
    byId('file-info', root).textContent = [`${s.totalRows.toLocaleString('en-US')} rows`, `${s.columns.length} columns`, s.problemType]
      .filter(Boolean)
      .join(' · ');
    showError(s.error ?? '');

    setChoices(byId<VscodeSingleSelect>('text-column', root), columnChoices(false), textColumn);
    setChoices(byId<VscodeSingleSelect>('pair-column', root), columnChoices(true), pairColumn);
    setChoices(byId<VscodeSingleSelect>('label-column', root), columnChoices(false), labelColumn);
    if (s.lengths) {
      tokenizer = s.lengths.tokenizer;
      maxSeqLength = String(s.lengths.maxSeqLength);
    }
    byId<VscodeTextfield>('tokenizer', root).value = tokenizer;
    byId<VscodeTextfield>('max-seq-length', root).value = maxSeqLength;

    const warnings = byId('warnings', root);
    warnings.replaceChildren(...s.warnings.map((w) => h('li', { class: 'warning' }, w)));
    warnings.hidden = s.warnings.length === 0;

    // label distribution
    const counts = Object.entries(s.labelCounts ?? {});
    labelNames.splice(0, labelNames.length, ...counts.map(([k]) => k));
    labelData.splice(0, labelData.length, ...counts.map(([, v]) => v));
    const total = counts.reduce((a, [, v]) => a + v, 0);
    byId('label-summary', root).textContent = counts.length
      ? `${counts.length} labels · ${counts
          .map(([k, v]) => `${k} ${percent(total ? v / total : 0)}`)
          .slice(0, 12)
          .join(' · ')}${counts.length > 12 ? ' · …' : ''}`
      : s.problemType === 'regression'
        ? 'Regression: the label is a number.'
        : 'No label column.';
    applyPaint(labelChart!.data.datasets[0]!);
    labelChart!.update('none');

    // token lengths
    const l = s.lengths;
    lengthNames.splice(0, lengthNames.length, ...(l ? l.buckets.map((b, i) => (i === 0 ? `≤${b}` : `${l.buckets[i - 1]! + 1}–${b}`)) : []));
    lengthData.splice(0, lengthData.length, ...(l?.counts ?? []));
    byId('length-title', root).textContent = l ? `Token lengths (${l.tokenizer})` : 'Token lengths';
    byId('length-summary', root).textContent = l
      ? `max_seq_length ${l.maxSeqLength}: ${percent(l.truncatedShare)} of rows truncated · median ${l.p50} · p95 ${l.p95} · longest ${l.max}`
      : 'Choose a tokenizer to see token lengths.';
    applyPaint(lengthChart!.data.datasets[0]!);
    lengthChart!.update('none');

    // column profiles
    const role = (name: string): string => (name === textColumn ? 'text' : name === pairColumn ? 'pair' : name === labelColumn ? 'label' : '');
    byId('columns', root).replaceChildren(
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'column'),
          h('th', null, 'type'),
          h('th', { class: 'num' }, 'empty'),
          h('th', { class: 'num' }, 'distinct'),
          h('th', null, 'role'),
        ),
      ),
      h(
        'tbody',
        null,
        ...s.columns.map((c) =>
          h(
            'tr',
            { 'data-column': c.name },
            h('td', null, c.name),
            h('td', null, c.kind),
            h('td', { class: 'num' }, c.empty),
            h('td', { class: 'num' }, c.distinct),
            h('td', { class: 'role' }, role(c.name)),
          ),
        ),
      ),
    );

    byId('rows-title', root).textContent =
      s.rows.length < s.totalRows
        ? `Rows (first ${s.rows.length.toLocaleString('en-US')} of ${s.totalRows.toLocaleString('en-US')})`
        : `Rows (${s.rows.length.toLocaleString('en-US')})`;
    rowsTable!.setData(
      s.columns.map((c) => c.name),
      s.rows,
    );
  }

  api.onMessage((m: HostMessage) => {
    if ((m.type === 'bootstrap' && m.page === 'dataset') || m.type === 'preview') {
      latest++;
      if (!rowsTable) build();
      setBusy(false);
      update(m.state);
    }
  });
  followTheme();
  root.replaceChildren(h('div', { class: 'loading muted' }, h('vscode-progress-ring'), 'Loading…'));
  api.start('dataset');
}
