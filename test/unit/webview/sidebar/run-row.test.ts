/** How the sidebar lists a run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../../../src/protocol/webview.js';
import { runRow, type RunRow } from '../../../../webview/sidebar/run-row.js';
import { runSummary } from '../../../helpers/webview-fixtures.js';

const table: [string, RunSummary, string | undefined, RunRow][] = [
  [
    'the active run, no progress yet',
    runSummary({ bestMetric: { name: 'eval_f1', value: 0.87612 } }),
    'run-a',
    { active: true, resumable: false, meta: 'hfl/rbt3 · f1 0.8761', progress: { indeterminate: true } },
  ],
  [
    'the active run at a step',
    runSummary({ progress: { step: 30, totalSteps: 120 } }),
    'run-a',
    { active: true, resumable: false, meta: 'hfl/rbt3 · step 30/120', progress: { value: 30, max: 120, indeterminate: false } },
  ],
  ['a run that is not the active one', runSummary({ progress: { step: 30, totalSteps: 0 } }), 'run-b', { active: false, resumable: false, meta: 'hfl/rbt3' }],
  ['the active run, ended', runSummary({ status: 'done', model: '/models/bert-mini' }), 'run-a', { active: false, resumable: false, meta: 'bert-mini' }],
  [
    'no total yet',
    runSummary({ progress: { step: 0, totalSteps: 0 } }),
    'run-a',
    { active: true, resumable: false, meta: 'hfl/rbt3 · step 0/0', progress: { value: 0, max: 1, indeterminate: false } },
  ],
  [
    'cancelled with a checkpoint: it can be resumed',
    runSummary({ status: 'cancelled', lastCheckpoint: '/ws/out/rbt3-waimai/checkpoint-40' }),
    undefined,
    { active: false, resumable: true, meta: 'hfl/rbt3' },
  ],
  ['failed before any checkpoint: nothing to resume', runSummary({ status: 'failed' }), undefined, { active: false, resumable: false, meta: 'hfl/rbt3' }],
  [
    'done: re-run, not resume',
    runSummary({ status: 'done', lastCheckpoint: '/x/checkpoint-9' }),
    undefined,
    { active: false, resumable: false, meta: 'hfl/rbt3' },
  ],
];
for (const [name, r, active, want] of table) test(name, () => assert.deepEqual(runRow(r, active), want));
