/** Training events as the CLI prints them (the Trainer's log dicts, checkpoint lines, messages). */
import type { TrainingEvent } from '../../src/core/contract/events.js';
import { metricText, pyDict } from '../format.js';

export type LineKind = 'info' | 'log' | 'eval' | 'checkpoint' | 'stage' | 'warning' | 'error' | 'done';

export interface LogLine {
  kind: LineKind;
  text: string;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function eventLines(e: TrainingEvent): LogLine[] {
  switch (e.type) {
    case 'start':
      return [
        { kind: 'info', text: '***** Running training *****' },
        { kind: 'info', text: `  Num examples = ${e.trainRows}` },
        { kind: 'info', text: `  Num Epochs = ${e.epochs}` },
        { kind: 'info', text: `  Total optimization steps = ${e.totalSteps}` },
        { kind: 'info', text: `  Labels = ${e.labels.join(', ') || '(regression)'}` },
        ...(e.resumedFromStep ? [{ kind: 'info' as const, text: `  Resuming from step ${e.resumedFromStep}` }] : []),
      ];
    case 'progress':
      return [];
    case 'log':
      return [{ kind: 'log', text: pyDict({ loss: e.loss, grad_norm: e.grad_norm, learning_rate: e.learning_rate, epoch: round2(e.epoch) }) }];
    case 'eval':
      return [{ kind: 'eval', text: pyDict({ ...e.metrics, ...(e.epoch ? { epoch: round2(e.epoch) } : {}) }) }];
    case 'checkpoint':
      return [{ kind: 'checkpoint', text: `Saving model checkpoint to ${e.path}${e.removed.length ? ` (removed ${e.removed.join(', ')})` : ''}` }];
    case 'stage':
      return e.total === undefined ? [{ kind: 'stage', text: `[${e.stage}] ${e.message}` }] : [];
    case 'info':
      return [{ kind: 'info', text: e.message }];
    case 'warning':
      return [{ kind: 'warning', text: `warning: ${e.message}` }];
    case 'error':
      return [{ kind: 'error', text: `error: ${e.message}` }, ...(e.detail ? [{ kind: 'error' as const, text: e.detail }] : [])];
    case 'done': {
      const lines: LogLine[] = [];
      const results = Object.entries(e.results);
      if (results.length) {
        lines.push({ kind: 'done', text: '***** results *****' });
        for (const [k, v] of results) lines.push({ kind: 'done', text: `  ${k.padEnd(28)} = ${metricText(v)}` });
      }
      if (e.cancelled) lines.push({ kind: 'warning', text: 'Training cancelled.' });
      if (e.stoppedEarly) lines.push({ kind: 'info', text: 'Stopped early (no improvement).' });
      if (e.bestCheckpoint) lines.push({ kind: 'done', text: `Best checkpoint: ${e.bestCheckpoint}` });
      if (e.modelDir) lines.push({ kind: 'done', text: `Model saved to ${e.modelDir}` });
      return lines;
    }
    default:
      // predictions / calibration / fold / label-issues: shown by their own views.
      return [];
  }
}
