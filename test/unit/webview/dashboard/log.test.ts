/** Training events as the dashboard's log prints them (the CLI's lines). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrainingEvent } from '../../../../src/core/contract/events.js';
import { eventLines } from '../../../../webview/dashboard/log.js';
import { evalEvent, logEvent, progress, startEvent } from '../../../helpers/webview-fixtures.js';

describe('eventLines', () => {
  const table: [string, TrainingEvent, [string, string][]][] = [
    [
      'start',
      startEvent({ resumedFromStep: 4 }),
      [
        ['info', '***** Running training *****'],
        ['info', '  Num examples = 240'],
        ['info', '  Num Epochs = 3'],
        ['info', '  Total optimization steps = 12'],
        ['info', '  Labels = negative, positive'],
        ['info', '  Resuming from step 4'],
      ],
    ],
    ['progress', progress(3), []],
    ['log', logEvent(2), [['log', "{'loss': 0.63, 'grad_norm': 1.85, 'learning_rate': 1.6666666666666667e-05, 'epoch': 0.5}"]]],
    [
      'eval',
      evalEvent(1),
      [
        [
          'eval',
          "{'eval_loss': 0.5, 'eval_accuracy': 0.75, 'eval_precision': 0.7272727272727273, 'eval_recall': 0.8, 'eval_f1': 0.761904761904762, 'eval_runtime': 0.5, 'eval_samples_per_second': 80.0, 'epoch': 1.0}",
        ],
      ],
    ],
    [
      'checkpoint',
      { type: 'checkpoint', step: 8, path: '/o/checkpoint-8', removed: ['/o/checkpoint-4'] },
      [['checkpoint', 'Saving model checkpoint to /o/checkpoint-8 (removed /o/checkpoint-4)']],
    ],
    ['stage with a count', { type: 'stage', stage: 'tokenize', message: 'Tokenizing', done: 1, total: 9 }, []],
    ['stage', { type: 'stage', stage: 'save', message: 'Saving the model' }, [['stage', '[save] Saving the model']]],
    ['warning', { type: 'warning', message: 'slow' }, [['warning', 'warning: slow']]],
    [
      'error with detail',
      { type: 'error', message: 'oom', detail: 'at x' },
      [
        ['error', 'error: oom'],
        ['error', 'at x'],
      ],
    ],
    [
      'done',
      {
        type: 'done',
        outputDir: '/o',
        modelDir: '/o',
        results: { train_loss: 0.41, epoch: 3 },
        bestCheckpoint: '/o/checkpoint-8',
        stoppedEarly: true,
        cancelled: true,
      },
      [
        ['done', '***** results *****'],
        ['done', '  train_loss                   = 0.41'],
        ['done', '  epoch                        = 3'],
        ['warning', 'Training cancelled.'],
        ['info', 'Stopped early (no improvement).'],
        ['done', 'Best checkpoint: /o/checkpoint-8'],
        ['done', 'Model saved to /o'],
      ],
    ],
  ];
  for (const [name, e, want] of table) {
    test(name, () =>
      assert.deepEqual(
        eventLines(e).map((l) => [l.kind, l.text]),
        want,
      ),
    );
  }

  test('a regression run has no labels', () => assert.equal(eventLines(startEvent({ labels: [] }))[4]?.text, '  Labels = (regression)'));
});
