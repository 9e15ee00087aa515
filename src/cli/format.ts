/** Terminal output for the CLI: Python-style log dicts (as the Trainer prints them) and a tqdm-like bar. */
import type { TrainingEvent } from '../core/contract/events.js';
import { clock, metricText, pyDict, pyFloat } from '../protocol/format.js';

export { clock, metricText, pyDict, pyFloat };

/** One tqdm-style line: ` 37%|███▋      | 37/100 [00:12<00:21, 2.95it/s, loss=0.4123]`. */
export function progressBar(step: number, total: number, elapsed: number, eta: number, loss: number, width = 20): string {
  const frac = total > 0 ? Math.min(1, step / total) : 0;
  const cells = frac * width;
  const full = Math.floor(cells);
  const parts = ' ▏▎▍▌▋▊▉';
  const partial = full < width ? parts[Math.floor((cells - full) * 8)]!.trim() : '';
  const bar = ('█'.repeat(full) + partial).padEnd(width, ' ');
  const rate = elapsed > 0 ? step / elapsed : 0;
  const rateText = rate >= 1 || rate === 0 ? `${rate.toFixed(2)}it/s` : `${(1 / rate).toFixed(2)}s/it`;
  return `${String(Math.round(frac * 100)).padStart(3)}%|${bar}| ${step}/${total} [${clock(elapsed)}<${clock(eta)}, ${rateText}, loss=${loss.toFixed(4)}]`;
}

/** Renders events for a person on a terminal (stderr for the bar, stdout for log lines). */
export class TextReporter {
  private started = 0;
  private barShown = false;
  private lastBar = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  ) {}

  private clearBar(): void {
    if (this.barShown && this.err.isTTY) this.err.write('\r\x1b[2K');
    this.barShown = false;
  }

  private line(s: string): void {
    this.clearBar();
    this.out.write(`${s}\n`);
  }

  handle(e: TrainingEvent): void {
    switch (e.type) {
      case 'start':
        this.started = performance.now();
        this.line(
          `***** Running training *****\n  Num examples = ${e.trainRows}\n  Num Epochs = ${e.epochs}\n  Total optimization steps = ${e.totalSteps}\n  Labels = ${e.labels.join(', ') || '(regression)'}` +
            (e.resumedFromStep ? `\n  Resuming from step ${e.resumedFromStep}` : ''),
        );
        break;
      case 'progress': {
        const now = performance.now();
        if (!this.err.isTTY || (now - this.lastBar < 100 && e.step < e.totalSteps)) return;
        this.lastBar = now;
        this.err.write(`\r${progressBar(e.step, e.totalSteps, (now - this.started) / 1000, e.etaSeconds, e.loss)}`);
        this.barShown = true;
        break;
      }
      case 'log':
        this.line(pyDict({ loss: e.loss, grad_norm: e.grad_norm, learning_rate: e.learning_rate, epoch: Math.round(e.epoch * 100) / 100 }));
        break;
      case 'eval':
        this.line(pyDict({ ...e.metrics, ...(e.epoch ? { epoch: Math.round(e.epoch * 100) / 100 } : {}) }));
        if (e.confusionMatrix && e.labels && e.labels.length <= 12) this.line(confusionTable(e.labels, e.confusionMatrix));
        break;
      case 'checkpoint':
        this.line(`Saving model checkpoint to ${e.path}${e.removed.length ? ` (removed ${e.removed.join(', ')})` : ''}`);
        break;
      case 'stage':
        if (e.total === undefined) this.line(`[${e.stage}] ${e.message}`);
        break;
      case 'info':
        this.line(e.message);
        break;
      case 'warning':
        this.clearBar();
        this.err.write(`warning: ${e.message}\n`);
        break;
      case 'done':
        this.clearBar();
        if (Object.keys(e.results).length)
          this.line(
            `***** results *****\n${Object.entries(e.results)
              .map(([k, v]) => `  ${k.padEnd(28)} = ${metricText(v)}`)
              .join('\n')}`,
          );
        if (e.modelDir) this.line(`Model saved to ${e.modelDir} (Hugging Face layout${'' /* onnx noted by the files */})`);
        break;
      case 'error':
        this.clearBar();
        this.err.write(`error: ${e.message}\n${e.detail ? `${e.detail}\n` : ''}`);
        break;
      default:
        for (const l of knowLines(e)) this.line(l);
    }
  }
}

/** Lines for the prediction tables, calibration and find-label-errors events. */
export function knowLines(e: TrainingEvent): string[] {
  switch (e.type) {
    case 'predictions':
      return [`wrote ${e.path}: ${e.rows} rows, ${e.errors} wrong${e.abstained ? `, ${e.abstained} abstained` : ''}${e.calibrated ? ' (calibrated)' : ''}`];
    case 'calibration': {
      const a = e.abstain;
      return [
        `calibration${e.fitted ? ' fitted' : ''} on ${e.split === 'eval' ? 'the evaluation' : 'the test'} rows: temperature ${e.temperature.toFixed(4)}; ` +
          `ECE ${e.before.ece.toFixed(4)} -> ${e.after.ece.toFixed(4)}, NLL ${e.before.nll.toFixed(4)} -> ${e.after.nll.toFixed(4)}` +
          (a ? `; abstains below confidence ${a.threshold.toFixed(4)} (precision ${a.precision.toFixed(4)}, ${(a.coverage * 100).toFixed(1)}% answered)` : ''),
      ];
    }
    case 'fold':
      return e.phase === 'start'
        ? [`***** Fold ${e.fold}/${e.folds}: training on ${e.trainRows} rows, predicting the ${e.heldOutRows} held out *****`]
        : [
            `fold ${e.fold}/${e.folds}: held-out accuracy ${e.heldOutAccuracy?.toFixed(4)}; ${clock(e.elapsedSeconds)} elapsed${e.etaSeconds ? `, about ${clock(e.etaSeconds)} left` : ''}`,
          ];
    default:
      return [];
  }
}

export function confusionTable(labels: readonly string[], m: readonly (readonly number[])[]): string {
  const w = Math.max(6, ...labels.map((l) => l.length), ...m.flat().map((x) => String(x).length));
  const head = `${'true\\pred'.padEnd(w)} ${labels.map((l) => l.padStart(w)).join(' ')}`;
  return [head, ...labels.map((l, i) => `${l.padEnd(w)} ${m[i]!.map((x) => String(x).padStart(w)).join(' ')}`)].join('\n');
}
