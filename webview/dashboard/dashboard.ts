/**
 * The run dashboard: progress with ETA, live charts (loss, learning rate + grad norm, eval
 * metrics), the latest confusion matrix with per-class scores, the log, Cancel, and an overlay of
 * another run's curves (dashed).
 *
 * Messages: bootstrap(DashboardState: run + every event so far + otherRuns) → everything is
 * rebuilt from the history; `events` → appended (points pushed onto the series the charts hold,
 * one `chart.update('none')` per animation frame); `run` → the summary (status). Request:
 * overlay → {events}. Command: cancelRun. UI state: the overlaid run.
 */
import type { ChartDataset } from 'chart.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements';
import type { TrainingEvent } from '../../src/protocol/events.js';
import type { DashboardState, HostMessage, RunSummary } from '../../src/protocol/webview.js';
import { Api } from '../api.js';
import { createChart, destroyChart, exposeCharts, followTheme, paint, type Chart, type ChartColor } from '../charts.js';
import { setChoices, singleSelect } from '../controls.js';
import { baseName, byId, clock, frameThrottle, h, metricText, shortModel } from '../dom.js';
import { eventLines, type LogLine } from './log.js';
import { emptyChanges, metricLabel, perClassFromMatrix, RunSeries, type Changes, type Point } from './series.js';

interface UiState {
  overlayRunId: string;
}

const MAX_LOG_LINES = 5000;

const METRIC_COLORS: Record<string, ChartColor> = {
  eval_accuracy: 'blue',
  eval_precision: 'orange',
  eval_recall: 'green',
  eval_f1: 'purple',
  eval_mse: 'blue',
  eval_mae: 'orange',
  eval_r2: 'green',
  eval_pearson: 'purple',
};
const SPARE_COLORS: ChartColor[] = ['yellow', 'red'];

type LineDataset = ChartDataset<'line', Point[]>;

function lineDataset(label: string, data: Point[], color: ChartColor, extra: Partial<LineDataset> = {}): LineDataset {
  return paint<LineDataset>({ label, data, borderWidth: 1.5, pointRadius: 0, pointHitRadius: 4, tension: 0, ...extra }, color);
}

type LineChart = Chart<'line', Point[]>;

function lineChart(container: HTMLElement, datasets: LineDataset[], yTitle: string, extraScales: Record<string, object> = {}): LineChart {
  return createChart<'line', Point[]>(container, {
    type: 'line',
    data: { datasets },
    options: {
      // {x, y} points as they are (no parsing), sorted by step; long runs are decimated to the
      // canvas width (min-max keeps the per-step noise envelope) so an update stays cheap
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { precision: 0 } },
        y: { type: 'linear', title: { display: true, text: yTitle } },
        ...extraScales,
      },
      plugins: { legend: { labels: { boxWidth: 12, boxHeight: 2 } }, decimation: { enabled: true, algorithm: 'min-max' } },
    },
  });
}

export function mountDashboard(root: HTMLElement, api: Api<UiState> = new Api<UiState>()): void {
  let run: RunSummary | undefined;
  let otherRuns: RunSummary[] = [];
  let series = new RunSeries();
  let overlay: { runId: string; name: string; series: RunSeries } | undefined;
  let overlayRequest = 0;
  let charts: { loss?: LineChart; lr?: LineChart; eval?: LineChart } = {};
  const overlaySets = new Set<object>();
  const metricColor = new Map<string, ChartColor>();

  const updateCharts = frameThrottle(() => {
    for (const c of Object.values(charts)) c?.update('none');
  });

  function colorFor(metric: string): ChartColor {
    let c = METRIC_COLORS[metric] ?? metricColor.get(metric);
    if (!c) {
      c = SPARE_COLORS[metricColor.size % SPARE_COLORS.length]!;
      metricColor.set(metric, c);
    }
    return c;
  }

  function status(): RunSummary['status'] {
    if (run && run.status !== 'running') return run.status;
    if (series.error) return 'failed';
    if (series.done) return series.done.cancelled ? 'cancelled' : 'done';
    return run?.status ?? 'running';
  }

  // ---- rendering --------------------------------------------------------------------------

  function renderHeader(): void {
    if (!run) return;
    byId('run-name', root).textContent = run.name;
    byId('run-name', root).title = run.outputDir;
    byId('run-source', root).textContent = `${shortModel(run.model)} · ${baseName(run.trainFile)}`;
    const st = status();
    const badge = byId('status', root);
    badge.textContent = st;
    badge.className = `status-${st}`;
    byId('cancel', root).hidden = st !== 'running';
    const err = byId('run-error', root);
    const msg = series.error?.message ?? run.error ?? '';
    err.textContent = msg;
    err.hidden = !msg;
  }

  function renderProgress(): void {
    const p = series.lastProgress;
    const s = series.start;
    const total = p?.totalSteps ?? s?.totalSteps ?? 0;
    const step = p?.step ?? s?.resumedFromStep ?? 0;
    const bar = byId<HTMLElement & { value: number; max: number; indeterminate: boolean }>('progress', root);
    const st = status();
    bar.max = Math.max(1, total);
    bar.value = st === 'done' && total ? total : step;
    bar.indeterminate = total === 0 && st === 'running';
    byId('step', root).textContent = total ? `${step} / ${total}` : '–';
    byId('epoch', root).textContent = p ? `${p.epoch.toFixed(2)} / ${s?.epochs ?? '?'}` : s ? `0.00 / ${s.epochs}` : '–';
    byId('eta', root).textContent = st === 'running' ? (p ? clock(p.etaSeconds) : '–') : st;
    byId('speed', root).textContent = p ? `${p.samplesPerSecond.toFixed(1)} samples/s` : '–';
    const stage = series.stage;
    byId('stage', root).textContent = stage && st === 'running' ? `${stage.message}${stage.total ? ` (${stage.done ?? 0}/${stage.total})` : ''}` : '';
  }

  function renderMetrics(): void {
    const box = byId('metrics', root);
    const e = series.lastEval;
    const chips: HTMLElement[] = [];
    if (e) {
      for (const [k, v] of Object.entries(e.metrics)) {
        if (/runtime|per_second/.test(k)) continue;
        chips.push(
          h(
            'span',
            { class: 'metric', 'data-metric': k },
            h('span', { class: 'metric-name' }, metricLabel(k)),
            ' ',
            h('span', { class: 'metric-value' }, metricText(v)),
          ),
        );
      }
    }
    if (run?.bestMetric)
      chips.push(
        h(
          'span',
          { class: 'metric best' },
          h('span', { class: 'metric-name' }, `best ${metricLabel(run.bestMetric.name)}`),
          ' ',
          h('span', { class: 'metric-value' }, metricText(run.bestMetric.value)),
        ),
      );
    box.replaceChildren(...chips);
    box.hidden = chips.length === 0;
  }

  function renderConfusion(): void {
    const box = byId('confusion', root);
    const title = byId('confusion-title', root);
    const e = series.lastConfusion;
    const labels = e?.labels ?? series.start?.labels ?? [];
    const m = e?.confusionMatrix;
    if (!e || !m) {
      title.textContent = 'Confusion matrix';
      box.replaceChildren(
        h('p', { class: 'muted' }, series.start?.problemType === 'regression' ? 'Regression: no confusion matrix.' : 'Shown after the first evaluation.'),
      );
      return;
    }
    title.textContent = `Confusion matrix — step ${e.step}${e.epoch ? `, epoch ${e.epoch.toFixed(2)}` : ''}`;
    const perClass = e.perClass ?? perClassFromMatrix(labels, m);
    const names = labels.length === m.length ? labels : m.map((_, i) => String(i));
    const table = h(
      'table',
      { class: 'confusion', 'data-testid': 'confusion-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { class: 'corner' }, 'true \\ predicted'),
          ...names.map((l) => h('th', { class: 'pred' }, l)),
          h('th', { class: 'sep' }, 'precision'),
          h('th', null, 'recall'),
          h('th', null, 'f1'),
          h('th', null, 'support'),
        ),
      ),
      h(
        'tbody',
        null,
        ...m.map((row, i) => {
          const sum = row.reduce((a, b) => a + b, 0);
          const pc = perClass[i];
          return h(
            'tr',
            { 'data-label': names[i] },
            h('th', { class: 'true' }, names[i]),
            ...row.map((count, j) => {
              const td = h('td', { class: `count${i === j ? ' diag' : ''}`, 'data-row': i, 'data-col': j }, count);
              const share = sum > 0 ? count / sum : 0;
              td.style.setProperty('--share', `${Math.round(share * 100)}%`);
              return td;
            }),
            h('td', { class: 'sep score' }, pc ? pc.precision.toFixed(3) : ''),
            h('td', { class: 'score' }, pc ? pc.recall.toFixed(3) : ''),
            h('td', { class: 'score' }, pc ? pc.f1.toFixed(3) : ''),
            h('td', { class: 'score' }, pc ? pc.support : sum),
          );
        }),
      ),
    );
    box.replaceChildren(table);
  }

  function logLines(lines: LogLine[]): void {
    if (lines.length === 0) return;
    const log = byId('log', root);
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    const frag = document.createDocumentFragment();
    for (const l of lines.slice(-MAX_LOG_LINES)) frag.append(h('div', { class: `line l-${l.kind}` }, l.text));
    log.append(frag);
    let extra = log.childElementCount - MAX_LOG_LINES;
    while (extra-- > 0) log.firstElementChild?.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  // ---- charts -----------------------------------------------------------------------------

  function metricDataset(name: string, pts: Point[], dashed = false, prefix = ''): LineDataset {
    return lineDataset(`${prefix}${metricLabel(name)}`, pts, colorFor(name), { pointRadius: dashed ? 2 : 3, ...(dashed ? { borderDash: [6, 4] } : {}) });
  }

  function buildCharts(): void {
    charts = {
      loss: lineChart(
        byId('loss-chart', root),
        [
          lineDataset('loss', series.stepLoss, 'blue', { borderWidth: 1 }),
          lineDataset('loss (logged)', series.loggedLoss, 'orange', { borderWidth: 2 }),
          lineDataset('eval loss', series.evalLoss, 'green', { pointRadius: 3 }),
        ],
        'loss',
      ),
      lr: lineChart(
        byId('lr-chart', root),
        [lineDataset('learning rate', series.learningRate, 'purple', { yAxisID: 'y' }), lineDataset('grad norm', series.gradNorm, 'yellow', { yAxisID: 'y1' })],
        'learning rate',
        { y1: { type: 'linear', position: 'right', title: { display: true, text: 'grad norm' }, grid: { drawOnChartArea: false } } },
      ),
      eval: lineChart(
        byId('eval-chart', root),
        series.metricNames().map((k) => metricDataset(k, series.evalMetrics.get(k)!)),
        'metric',
      ),
    };
    const lr = charts.lr!.options.scales?.y;
    if (lr && lr.ticks) (lr.ticks as { callback?: (v: string | number) => string }).callback = (v) => Number(v).toExponential(1);
    exposeCharts(charts);
    if (overlay) addOverlayDatasets();
    updateCharts();
  }

  function addMetricDatasets(names: string[]): void {
    const c = charts.eval;
    if (!c) return;
    for (const k of names) {
      const ds = metricDataset(k, series.evalMetrics.get(k)!);
      // main metrics before the overlay's
      const firstOverlay = c.data.datasets.findIndex((d) => overlaySets.has(d));
      if (firstOverlay >= 0) c.data.datasets.splice(firstOverlay, 0, ds);
      else c.data.datasets.push(ds);
    }
  }

  function removeOverlayDatasets(): void {
    for (const c of Object.values(charts)) if (c) c.data.datasets = c.data.datasets.filter((d) => !overlaySets.has(d));
    overlaySets.clear();
  }

  function addOverlayDatasets(): void {
    if (!overlay || !charts.loss || !charts.eval) return;
    const o = overlay.series;
    const p = `${overlay.name}: `;
    const dash = { borderDash: [6, 4] };
    const sets: [LineChart, LineDataset][] = [];
    const loss = o.loggedLoss.length ? o.loggedLoss : o.stepLoss;
    if (loss.length) sets.push([charts.loss, lineDataset(`${p}loss`, loss, o.loggedLoss.length ? 'orange' : 'blue', { ...dash, borderWidth: 1.5 })]);
    if (o.evalLoss.length) sets.push([charts.loss, lineDataset(`${p}eval loss`, o.evalLoss, 'green', { ...dash, pointRadius: 2 })]);
    for (const k of o.metricNames()) sets.push([charts.eval, metricDataset(k, o.evalMetrics.get(k)!, true, p)]);
    for (const [c, ds] of sets) {
      overlaySets.add(ds);
      c.data.datasets.push(ds);
    }
  }

  async function loadOverlay(runId: string): Promise<void> {
    const status = byId('overlay-status', root);
    const req = ++overlayRequest;
    removeOverlayDatasets();
    overlay = undefined;
    byId('clear-overlay', root).hidden = true;
    if (!runId) {
      status.textContent = '';
      api.patchState({ overlayRunId: '' });
      updateCharts();
      return;
    }
    const other = otherRuns.find((r) => r.runId === runId);
    status.classList.remove('error');
    status.textContent = 'Loading…';
    try {
      const { events } = await api.request<'overlay'>({ type: 'overlay', runId });
      if (req !== overlayRequest) return;
      const s = new RunSeries();
      for (const e of events) s.add(e);
      overlay = { runId, name: other?.name ?? runId, series: s };
      addOverlayDatasets();
      status.textContent = `${overlay.name}: dashed lines`;
      byId('clear-overlay', root).hidden = false;
      api.patchState({ overlayRunId: runId });
      updateCharts();
    } catch (err) {
      if (req !== overlayRequest) return;
      status.textContent = (err as Error).message;
      status.classList.add('error');
    }
  }

  // ---- events -----------------------------------------------------------------------------

  function apply(events: readonly TrainingEvent[]): void {
    const ch: Changes = emptyChanges();
    const lines: LogLine[] = [];
    for (const e of events) {
      series.add(e, ch);
      const l = eventLines(e);
      for (const x of l) lines.push(x);
    }
    if (ch.newMetrics.length) addMetricDatasets(ch.newMetrics);
    logLines(lines);
    if (ch.progress || ch.status || ch.truncated) renderProgress();
    if (ch.status) renderHeader();
    if (ch.eval) {
      renderMetrics();
      renderConfusion();
    }
    if (ch.progress || ch.log || ch.eval || ch.newMetrics.length || ch.truncated) updateCharts();
  }

  function render(state: DashboardState): void {
    run = state.run;
    otherRuns = state.otherRuns;
    for (const c of Object.values(charts)) destroyChart(c);
    charts = {};
    overlaySets.clear();
    series = new RunSeries();
    metricColor.clear();
    const keepOverlay = overlay && otherRuns.some((r) => r.runId === overlay!.runId) ? overlay : undefined;
    overlay = undefined;

    root.replaceChildren(
      h(
        'header',
        { class: 'run-header' },
        h('div', { class: 'title-row' }, h('h2', { id: 'run-name' }), h('vscode-badge', { id: 'status' })),
        h('div', { id: 'run-source', class: 'muted' }),
        h(
          'div',
          { class: 'toolbar' },
          h(
            'vscode-button',
            { id: 'cancel', secondary: true, hidden: true, onclick: () => run && api.post({ type: 'cancelRun', runId: run.runId }) },
            'Cancel run',
          ),
          otherRuns.length
            ? singleSelect(
                'overlay-run',
                [{ value: '', label: 'Overlay run…' }, ...otherRuns.map((r) => ({ value: r.runId, label: r.name, description: r.status }))],
                '',
                (v) => void loadOverlay(v),
              )
            : null,
          h('vscode-button', { id: 'clear-overlay', secondary: true, hidden: true, onclick: () => clearOverlay() }, 'Clear overlay'),
          h('span', { id: 'overlay-status', class: 'muted' }),
        ),
      ),
      h('div', { id: 'run-error', class: 'error', role: 'alert', hidden: true }),
      h(
        'section',
        { class: 'progress-box' },
        h('vscode-progress-bar', { id: 'progress', 'aria-label': 'training progress' }),
        h(
          'div',
          { class: 'stats' },
          h('span', null, 'Step ', h('b', { id: 'step' }, '–')),
          h('span', null, 'Epoch ', h('b', { id: 'epoch' }, '–')),
          h('span', null, 'ETA ', h('b', { id: 'eta' }, '–')),
          h('span', { id: 'speed', class: 'muted' }),
          h('span', { id: 'stage', class: 'muted' }),
        ),
        h('div', { id: 'metrics', class: 'metrics', hidden: true }),
      ),
      h(
        'section',
        { class: 'charts' },
        h('div', { class: 'chart-card' }, h('h3', null, 'Training loss'), h('div', { id: 'loss-chart', class: 'chart-box', 'data-testid': 'loss-chart' })),
        h(
          'div',
          { class: 'chart-card' },
          h('h3', null, 'Learning rate and gradient norm'),
          h('div', { id: 'lr-chart', class: 'chart-box', 'data-testid': 'lr-chart' }),
        ),
        h('div', { class: 'chart-card' }, h('h3', null, 'Evaluation'), h('div', { id: 'eval-chart', class: 'chart-box', 'data-testid': 'eval-chart' })),
      ),
      h(
        'section',
        { class: 'confusion-box' },
        h('h3', { id: 'confusion-title' }, 'Confusion matrix'),
        h('div', { id: 'confusion', 'data-testid': 'confusion' }),
      ),
      h('section', { class: 'log-box' }, h('h3', null, 'Log'), h('div', { id: 'log', class: 'log', 'data-testid': 'log', role: 'log', tabindex: 0 })),
    );

    // the history, then the charts over it
    apply(state.events);
    buildCharts();
    renderHeader();
    renderProgress();
    renderMetrics();
    renderConfusion();

    const wanted = keepOverlay?.runId ?? api.getState().overlayRunId;
    if (wanted && otherRuns.some((r) => r.runId === wanted)) {
      const sel = root.querySelector<VscodeSingleSelect>('#overlay-run');
      if (sel)
        setChoices(sel, [{ value: '', label: 'Overlay run…' }, ...otherRuns.map((r) => ({ value: r.runId, label: r.name, description: r.status }))], wanted);
      void loadOverlay(wanted);
    }
  }

  function clearOverlay(): void {
    const sel = root.querySelector<VscodeSingleSelect>('#overlay-run');
    if (sel) sel.value = '';
    void loadOverlay('');
  }

  api.onMessage((m: HostMessage) => {
    switch (m.type) {
      case 'bootstrap':
        if (m.page === 'dashboard') render(m.state);
        break;
      case 'events':
        if (run && m.runId === run.runId) apply(m.events);
        break;
      case 'run':
        if (run && m.run.runId === run.runId) {
          run = m.run;
          renderHeader();
          renderProgress();
          renderMetrics();
        } else {
          const i = otherRuns.findIndex((r) => r.runId === m.run.runId);
          if (i >= 0) otherRuns[i] = m.run;
        }
        break;
    }
  });
  followTheme();
  root.replaceChildren(h('div', { class: 'loading muted' }, h('vscode-progress-ring'), 'Loading…'));
  api.start('dashboard');
}
