/**
 * The run dashboard: progress with ETA, live charts (loss, learning rate + grad norm, eval
 * metrics), the latest confusion matrix with per-class scores, the reliability diagram of the
 * calibration, the final evaluation's errors table (filtered by a confusion cell; a row opens the
 * data file at its line), the log, Cancel, and an overlay of another run's curves (dashed). Each
 * part is a component of its own; this page holds the run, its series and the overlay, and tells
 * the parts what changed.
 *
 * Protocol (src/protocol/webviews/dashboard.ts): bootstrap(DashboardState: run + every event so
 * far + otherRuns) → everything is rebuilt from the history; `events` → appended (points pushed
 * onto the series the charts hold, one `chart.update('none')` per animation frame); `run` → the
 * summary (status). Requests: overlay → {events}; errorRows → the errors table (after a
 * `predictions` event). Commands: cancelRun, openRow. UI state: the overlaid run.
 */
import type { TrainingEvent } from '../../src/core/contract/events.js';
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import { CancelRun } from '../../src/protocol/webviews/base.js';
import {
  ErrorRows,
  Events,
  OpenRow,
  Overlay,
  Run,
  dashboardProtocol,
  type DashboardProtocol,
  type DashboardState,
} from '../../src/protocol/webviews/dashboard.js';
import { Api } from '../api.js';
import { followTheme } from '../charts.js';
import { h } from '../dom.js';
import { loading } from '../layout.js';
import { ConfusionBox } from './confusion-box.js';
import { ErrorsBox } from './errors-box.js';
import type { CellFilter } from './errors-view-model.js';
import { RunHeader } from './header.js';
import { eventLines, type LogLine } from './log.js';
import { LogView } from './log-view.js';
import { OverlayControl } from './overlay-control.js';
import { ProgressBox } from './progress-box.js';
import { ReliabilityBox } from './reliability-box.js';
import { emptyChanges, RunSeries, type Changes } from './series.js';
import { TrainingCharts, type OverlayRun } from './training-charts.js';
import { confusionView, metricChips, progressView, runStatus } from './view-model.js';

interface UiState {
  overlayRunId: string;
}

export type DashboardApi = Api<DashboardProtocol, UiState>;

/** The components of one bootstrap's page. */
interface Parts {
  header: RunHeader;
  overlay: OverlayControl;
  progress: ProgressBox;
  charts: TrainingCharts;
  confusion: ConfusionBox;
  reliability: ReliabilityBox;
  errors: ErrorsBox;
  log: LogView;
}

class DashboardPage {
  private run: RunSummary | undefined;
  private otherRuns: RunSummary[] = [];
  private series = new RunSeries();
  private overlay: (OverlayRun & { runId: string }) | undefined;
  private overlayRequest = 0;
  private errorsRequest = 0;
  private parts: Parts | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: DashboardApi,
  ) {}

  private build(): Parts {
    const overlay = new OverlayControl(this.otherRuns, (runId) => void this.loadOverlay(runId));
    const parts: Parts = {
      header: new RunHeader(() => this.run && this.api.command(CancelRun, { runId: this.run.runId }), overlay.nodes),
      overlay,
      progress: new ProgressBox(),
      charts: new TrainingCharts(),
      confusion: new ConfusionBox(),
      reliability: new ReliabilityBox(),
      errors: new ErrorsBox(
        (line) => this.run && this.api.command(OpenRow, { runId: this.run.runId, line }),
        (f) => this.filterErrors(f, false),
      ),
      log: new LogView(),
    };
    const { header, progress, charts, confusion, reliability, errors, log } = parts;
    const analysis = h('div', { class: 'analysis' }, confusion.el, reliability.el);
    this.root.replaceChildren(header.el, header.error, progress.el, charts.el, analysis, errors.el, log.el);
    return parts;
  }

  /** A bootstrap: the page rebuilt from the run's whole history. */
  render(state: DashboardState): void {
    this.run = state.run;
    this.otherRuns = state.otherRuns;
    this.parts?.charts.destroy();
    this.parts?.reliability.destroy();
    this.series = new RunSeries();
    const kept = this.overlay && this.otherRuns.some((r) => r.runId === this.overlay!.runId) ? this.overlay.runId : undefined;
    this.overlay = undefined;
    const parts = (this.parts = this.build());
    // the history (the errors table and the reliability diagram follow its events), then the charts over it
    this.apply(state.events);
    parts.charts.build(this.series);
    this.renderHeader();
    this.renderProgress();
    this.renderMetrics();
    parts.confusion.render(confusionView(this.series));
    const wanted = kept ?? this.api.getState().overlayRunId;
    if (wanted && this.otherRuns.some((r) => r.runId === wanted)) {
      parts.overlay.choose(wanted);
      void this.loadOverlay(wanted);
    }
  }

  /** New events of the run: the series grow, and the parts they touched are drawn again. */
  apply(events: readonly TrainingEvent[]): void {
    const parts = this.parts;
    if (!parts) return;
    const ch: Changes = emptyChanges();
    const lines: LogLine[] = [];
    for (const e of events) {
      this.series.add(e, ch);
      lines.push(...eventLines(e));
    }
    if (ch.newMetrics.length) parts.charts.addMetrics(this.series, ch.newMetrics);
    parts.log.append(lines);
    if (ch.progress || ch.status || ch.truncated) this.renderProgress();
    if (ch.status) this.renderHeader();
    if (ch.eval) {
      this.renderMetrics();
      parts.confusion.render(confusionView(this.series));
    }
    if (ch.progress || ch.log || ch.eval || ch.newMetrics.length || ch.truncated) parts.charts.update();
    if (ch.calibration) parts.reliability.render(this.series.calibration);
    if (ch.predictions) void this.loadErrors();
  }

  /** The errors table of the run's prediction table (asked for once a `predictions` event is in); only the latest request counts. */
  private async loadErrors(): Promise<void> {
    const parts = this.parts;
    if (!parts || !this.run || !this.series.predictions) return;
    const req = ++this.errorsRequest;
    try {
      const t = await this.api.request(ErrorRows, { runId: this.run.runId });
      if (req !== this.errorsRequest || parts !== this.parts) return;
      parts.errors.render(t);
      this.filterErrors(t ? parts.errors.currentFilter : undefined, false);
    } catch (err) {
      if (req !== this.errorsRequest) return;
      parts.errors.failed((err as Error).message);
      parts.confusion.setPick(undefined);
    }
  }

  /** A confusion cell chosen (or the filter cleared): the errors table and the matrix's marked cell agree. */
  private filterErrors(f: CellFilter | undefined, scroll: boolean): void {
    const parts = this.parts;
    if (!parts) return;
    parts.errors.setFilter(f);
    parts.confusion.setPick({ selected: f, choose: (next) => this.filterErrors(next, true) });
    if (scroll && f) parts.errors.el.scrollIntoView?.({ block: 'nearest' });
  }

  /** A run's summary changed: this run's header and figures, or another run's entry. */
  updateRun(run: RunSummary): void {
    if (this.run && run.runId === this.run.runId) {
      this.run = run;
      this.renderHeader();
      this.renderProgress();
      this.renderMetrics();
      return;
    }
    const i = this.otherRuns.findIndex((r) => r.runId === run.runId);
    if (i >= 0) this.otherRuns[i] = run;
  }

  isOwn(runId: string): boolean {
    return !!this.run && this.run.runId === runId;
  }

  private renderHeader(): void {
    if (!this.run) return;
    this.parts?.header.render(this.run, runStatus(this.run, this.series), this.series.error?.message ?? this.run.error ?? '');
  }

  private renderProgress(): void {
    this.parts?.progress.render(progressView(this.series, runStatus(this.run, this.series)));
  }

  private renderMetrics(): void {
    this.parts?.progress.renderMetrics(metricChips(this.series, this.run));
  }

  /** Draws another run dashed over this one ('' clears it); only the latest request counts. */
  private async loadOverlay(runId: string): Promise<void> {
    const parts = this.parts!;
    const req = ++this.overlayRequest;
    this.overlay = undefined;
    parts.charts.setOverlay(undefined);
    if (!runId) {
      parts.overlay.cleared();
      this.api.patchState({ overlayRunId: '' });
      parts.charts.update();
      return;
    }
    const name = this.otherRuns.find((r) => r.runId === runId)?.name ?? runId;
    parts.overlay.loading();
    try {
      const { events } = await this.api.request(Overlay, { runId });
      if (req !== this.overlayRequest) return;
      const series = new RunSeries();
      for (const e of events) series.add(e);
      this.overlay = { runId, name, series };
      parts.charts.setOverlay(this.overlay);
      parts.overlay.loaded(name);
      this.api.patchState({ overlayRunId: runId });
      parts.charts.update();
    } catch (err) {
      if (req !== this.overlayRequest) return;
      parts.overlay.failed((err as Error).message);
    }
  }
}

export function mountDashboard(root: HTMLElement, api: DashboardApi = new Api(dashboardProtocol)): void {
  const page = new DashboardPage(root, api);
  api.on(dashboardProtocol.bootstrap, ({ state }) => page.render(state));
  api.on(Events, ({ runId, events }) => {
    if (page.isOwn(runId)) page.apply(events);
  });
  api.on(Run, ({ run }) => page.updateRun(run));
  followTheme();
  root.replaceChildren(loading());
  api.start();
}
