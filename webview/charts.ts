/**
 * chart.js, registered with only the parts the pages use (tree-shaken), coloured from the VS Code
 * theme's `--vscode-charts-*` variables at runtime and recoloured when the theme changes.
 * chart.js needs no eval and injects no stylesheet, so it runs under the strict CSP.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type DefaultDataPoint,
} from 'chart.js';
import type { ChartColor } from './chart-colors.js';
import { onThemeChange, themeVar } from './dom.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip, Decimation);

export { Chart };

/** Any chart, as the theme bookkeeping and the test hook hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- chart.js's generics do not unify across chart types
export type AnyChart = Chart<any, any, any>;

export { SERIES_COLORS, type ChartColor } from './chart-colors.js';

export function chartColor(c: ChartColor): string {
  return themeVar(`--vscode-charts-${c}`) || themeVar('--vscode-foreground') || 'gray';
}

/** A colour for the whole dataset, or one per data point (bars coloured by value). */
export type Paint = ChartColor | ((index: number) => ChartColor);

const colorOf = new WeakMap<object, { color: Paint; fill: boolean }>();
const charts = new Set<AnyChart>();

/** Gives a dataset a theme colour (line and points; `fill`: bars are filled with it). */
export function paint<D extends { data: unknown[] }>(ds: D, color: Paint, fill = false): D {
  colorOf.set(ds, { color, fill });
  applyPaint(ds);
  return ds;
}

/** Re-applies a dataset's paint (after its data changed, for per-point colours). */
export function applyPaint(ds: { data: unknown[] }): void {
  const p = colorOf.get(ds);
  if (!p) return;
  const d = ds as { borderColor?: unknown; backgroundColor?: unknown; pointBackgroundColor?: unknown };
  if (typeof p.color === 'function') {
    const f = p.color;
    const colors = ds.data.map((_, i) => chartColor(f(i)));
    d.borderColor = colors;
    d.backgroundColor = colors;
    return;
  }
  const c = chartColor(p.color);
  d.borderColor = c;
  d.backgroundColor = c;
  if (!p.fill) d.pointBackgroundColor = c;
}

function applyDefaults(): void {
  Chart.defaults.color = chartColor('foreground');
  Chart.defaults.borderColor = themeVar('--vscode-charts-lines') || themeVar('--vscode-panel-border') || Chart.defaults.borderColor;
  const family = themeVar('--vscode-font-family');
  if (family) Chart.defaults.font.family = family;
  Chart.defaults.font.size = 11;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

/** Creates a chart on a fresh canvas inside `container`, themed, tracked for theme changes. */
export function createChart<T extends ChartType, D = DefaultDataPoint<T>>(container: HTMLElement, config: ChartConfiguration<T, D>): Chart<T, D> {
  applyDefaults();
  const canvas = document.createElement('canvas');
  container.replaceChildren(canvas);
  for (const ds of config.data.datasets) applyPaint(ds as unknown as { data: unknown[] });
  const chart = new Chart<T, D>(canvas, config);
  charts.add(chart);
  return chart;
}

export function destroyChart(chart: AnyChart | undefined): void {
  if (!chart) return;
  charts.delete(chart);
  chart.destroy();
}

/** Re-reads the theme's colours into every chart (call once per page). */
export function followTheme(): void {
  onThemeChange(() => {
    applyDefaults();
    for (const chart of charts) {
      for (const ds of chart.data.datasets) applyPaint(ds);
      chart.update('none');
    }
  });
}

/** The test hook: `window.__finetune.charts.loss` etc. (read by the end-to-end tests). */
export function exposeCharts(named: Record<string, AnyChart | undefined>): void {
  const w = window as unknown as { __finetune?: { charts: Record<string, AnyChart | undefined> } };
  w.__finetune ??= { charts: {} };
  Object.assign(w.__finetune.charts, named);
}
