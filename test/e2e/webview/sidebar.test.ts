/** The "Training" sidebar in real Chromium under the host's CSP. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SidebarState } from '../../../src/protocol/webview.js';
import { WebviewHarness, type WebviewPage } from '../../helpers/webview-harness.js';
import { formFields, runSummary } from '../../helpers/webview-fixtures.js';

const VIEWPORT = { width: 380, height: 1000 };

function sidebarState(over: Partial<SidebarState> = {}): SidebarState {
  return { fields: formFields(), recentModels: ['hfl/rbt3', 'google-bert/bert-base-uncased'], runs: [], ...over };
}

const DATASET = { file: '/ws/data/waimai_10k.csv', columns: ['id', 'review', 'title', 'label'], textColumn: 'review', labelColumn: 'label', rows: 11_987 };

describe('sidebar page', () => {
  let h: WebviewHarness;
  before(async () => {
    h = await WebviewHarness.start();
  });
  after(async () => {
    await h?.close();
  });

  const withPage = (fn: (p: WebviewPage) => Promise<void>): Promise<void> => h.withPage('sidebar', { viewport: VIEWPORT }, fn);

  it('renders the fields, fills the columns from a dataset message and sends startRun with the args', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'sidebar', state: sidebarState() });
      // common hyperparameters in the form, the rest under "Advanced"
      await p.waitForProp('#field-learning_rate', 'value', '0.00005');
      assert.equal(await p.prop('#field-num_train_epochs', 'value'), '3');
      assert.equal(await p.prop('#field-per_device_train_batch_size', 'value'), '8');
      assert.equal(await p.prop('#field-eval_strategy', 'value'), 'no');
      assert.equal(await p.page.locator('#advanced [data-field=adam_beta1]').count(), 1);
      assert.equal(await p.page.locator('#advanced [data-field=learning_rate]').count(), 0);
      assert.equal(await p.page.locator('[data-field=model_name_or_path], [data-field=output_dir], [data-field=train_file]').count(), 0);
      assert.equal(await p.page.locator('#train-form [data-field]').count(), formFields().length - 5);

      await p.send({ type: 'dataset', dataset: DATASET });
      await p.waitForProp('#text-column', 'value', 'review');
      await p.waitForProp('#label-column', 'value', 'label');
      await p.waitForProp('#pair-column', 'value', '');
      assert.deepEqual(await p.options('#text-column'), DATASET.columns);
      assert.deepEqual(await p.options('#pair-column'), ['', ...DATASET.columns]);
      assert.match((await p.texts('#dataset-info'))[0]!, /waimai_10k\.csv: 11,987 rows, 4 columns/);

      await p.page.locator('#model input').fill('hfl/rbt3');
      await p.page.locator('#field-learning_rate input').fill('2e-5');
      await p.page.locator('#field-num_train_epochs input').fill('2');
      await p.page.locator('#field-max_seq_length input').fill('64');
      await p.choose('#field-eval_strategy', 'epoch');
      await p.waitForProp('#field-eval_strategy', 'value', 'epoch');
      await p.page.locator('#advanced').click();
      await p.page.locator('#field-load_best_model_at_end').click();
      await p.waitForProp('#field-load_best_model_at_end', 'checked', true);
      await p.page.locator('#field-metric_for_best_model input').fill('f1');

      await p.page.locator('#browse-output').click();
      const pick = await p.next('pickFolder');
      assert.equal(pick.purpose, 'output');
      await p.respond(pick, '/ws/out/rbt3-waimai');
      await p.waitForProp('#output-dir', 'value', '/ws/out/rbt3-waimai');

      await p.page.locator('#start').click();
      const start = await p.next('startRun');
      const a = start.args;
      assert.equal(a.model_name_or_path, 'hfl/rbt3');
      assert.equal(a.train_file, '/ws/data/waimai_10k.csv');
      assert.deepEqual(a.text_column_names, ['review']);
      assert.equal(a.label_column_name, 'label');
      assert.equal(a.output_dir, '/ws/out/rbt3-waimai');
      assert.equal(a.learning_rate, 2e-5);
      assert.equal(a.num_train_epochs, 2);
      assert.equal(a.max_seq_length, 64);
      assert.equal(a.per_device_train_batch_size, 8);
      assert.equal(a.weight_decay, 0);
      assert.equal(a.eval_strategy, 'epoch');
      assert.equal(a.load_best_model_at_end, true);
      assert.equal(a.metric_for_best_model, 'f1');
      assert.equal(a.task, 'auto');
      assert.equal(a.group_by_length, false);
      assert.equal(a.metric_name, null);
      assert.equal(a.max_steps, -1);
      // every flag of the form is in args
      for (const f of formFields()) assert.ok(f.name in a, `args has ${f.name}`);

      const msg = '--load_best_model_at_end needs --save_strategy to match --eval_strategy (epoch), got steps';
      await p.fail(start, msg);
      await p.page.locator('#form-error').waitFor({ state: 'visible' });
      assert.equal((await p.texts('#form-error'))[0], msg);
      await p.screenshot('sidebar-dark');
    }));

  it('asks the host for a data file and a model folder, uses recent models, previews the data', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'sidebar', state: sidebarState() });
      await p.page.locator('#start').waitFor();
      // the most recent model is preselected
      await p.waitForProp('#model', 'value', 'hfl/rbt3');
      // Start without a model or a data file: an error, no message to the host
      await p.page.locator('#model input').fill('');
      await p.page.locator('#start').click();
      await p.page.locator('#form-error').waitFor({ state: 'visible' });
      assert.match((await p.texts('#form-error'))[0]!, /Choose a pretrained model/);
      await p.page.locator('#model input').fill('hfl/rbt3');
      await p.page.locator('#start').click();
      await p.page.locator('#form-error', { hasText: 'Choose a data file.' }).waitFor();
      assert.equal(await p.count('startRun'), 0);

      await p.page.locator('#choose-dataset').click();
      const pickData = await p.next('pickDataset');
      await p.respond(pickData, {
        file: '/ws/data/mnli.jsonl',
        columns: ['premise', 'hypothesis', 'label'],
        textColumn: 'premise',
        pairColumn: 'hypothesis',
        labelColumn: 'label',
      });
      await p.waitForProp('#pair-column', 'value', 'hypothesis');
      await p.waitForProp('#dataset-file', 'value', '/ws/data/mnli.jsonl');

      // Choose…: the host's model picker (Hub search, cached, recent, folders)
      await p.page.locator('#choose-model').click();
      await p.respond(await p.next('pickModel'), '/models/bert-base-uncased');
      await p.waitForProp('#model', 'value', '/models/bert-base-uncased');
      // a dismissed picker changes nothing
      await p.page.locator('#choose-model').click();
      await p.respond(await p.next('pickModel'), null);
      await p.waitForProp('#model', 'value', '/models/bert-base-uncased');
      await p.choose('#recent-models', 'google-bert/bert-base-uncased');
      await p.waitForProp('#model', 'value', 'google-bert/bert-base-uncased');

      // a flag with a default cannot be left empty
      await p.page.locator('#field-learning_rate input').fill('');
      await p.page.locator('#start').click();
      await p.page.locator('#form-error', { hasText: 'learning rate: needs a value.' }).waitFor();
      assert.equal(await p.count('startRun'), 0);
      await p.page.locator('#field-learning_rate input').fill('1e-4');

      await p.page.locator('#preview-dataset').click();
      const preview = await p.next('previewDataset');
      assert.equal(preview.file, '/ws/data/mnli.jsonl');

      await p.choose('#label-column', 'premise');
      await p.waitForProp('#label-column', 'value', 'premise');
      await p.choose('#label-column', 'label');
      await p.page.locator('#start').click();
      const start = await p.next('startRun');
      assert.equal(start.args.model_name_or_path, 'google-bert/bert-base-uncased');
      assert.deepEqual(start.args.text_column_names, ['premise', 'hypothesis']);
      assert.equal(start.args.label_column_name, 'label');
      assert.equal(start.args.output_dir, null);
      assert.equal(start.args.learning_rate, 1e-4);
      await p.respond(start, { runId: 'run-x' });
      await p.waitForProp('#start', 'disabled', false);
      assert.equal(await p.page.locator('#form-error').isVisible(), false);
    }));

  it('lists the runs, shows the active run progress, posts openDashboard / openPredict / cancelRun', () =>
    withPage(async (p) => {
      const running = runSummary({ bestMetric: { name: 'eval_f1', value: 0.87612 } });
      const done = runSummary({ runId: 'run-b', name: 'bert-mini', status: 'done', model: 'preset:bert-mini', modelDir: '/ws/out/bert-mini' });
      const failed = runSummary({ runId: 'run-c', name: 'broken', status: 'failed', error: 'label column "lbl" not found' });
      await p.send({ type: 'bootstrap', page: 'sidebar', state: sidebarState({ runs: [running, done], activeRunId: 'run-a' }) });
      await p.page.locator('#runs li.run').first().waitFor();
      assert.deepEqual(
        await p.page.locator('#runs li.run').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { runId: string } }).dataset.runId)),
        ['run-a', 'run-b'],
      );
      assert.deepEqual(await p.texts('#runs .run-status'), ['running', 'done']);
      assert.match((await p.texts('[data-run-id=run-a] .run-meta'))[0]!, /f1 0\.8761/);
      assert.equal(await p.page.locator('[data-run-id=run-a] #active-progress').count(), 1);
      assert.equal(await p.prop('#active-progress', 'indeterminate'), true);
      assert.equal(await p.prop('#cancel', 'disabled'), false);

      // the host's summary updates: progress (when the host sends it), then a failed run
      await p.send({ type: 'runs', runs: [{ ...running, progress: { step: 30, totalSteps: 120 } } as typeof running, done, failed], activeRunId: 'run-a' });
      await p.waitForProp('#active-progress', 'value', 30);
      assert.equal(await p.prop('#active-progress', 'max'), 120);
      assert.equal(await p.prop('#active-progress', 'indeterminate'), false);
      assert.equal((await p.texts('[data-run-id=run-c] .run-error'))[0], 'label column "lbl" not found');

      await p.page.locator('[data-run-id=run-a] .open-dashboard').click();
      assert.deepEqual(await p.next('openDashboard'), { type: 'openDashboard', runId: 'run-a' });
      await p.page.locator('[data-run-id=run-b] .open-predict').click();
      assert.deepEqual(await p.next('openPredict'), { type: 'openPredict', runId: 'run-b' });
      await p.page.locator('#cancel').click();
      assert.deepEqual(await p.next('cancelRun'), { type: 'cancelRun', runId: 'run-a' });

      await p.send({ type: 'runs', runs: [{ ...running, status: 'cancelled' }, done, failed] });
      await p.waitForProp('#cancel', 'disabled', true);
      assert.equal(await p.page.locator('#active-progress').count(), 0);
      assert.deepEqual(await p.texts('#runs .run-status'), ['cancelled', 'done', 'failed']);
    }));

  it('keeps unsent edits across a reload of the view (UI state only)', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'sidebar', state: sidebarState({ dataset: DATASET }) });
      await p.waitForProp('#text-column', 'value', 'review');
      await p.page.locator('#field-learning_rate input').fill('3e-5');
      await p.page.locator('#model input').fill('hfl/rbt3');
      await p.choose('#text-column', 'title');
      await p.reload();
      await p.next('ready');
      await p.send({ type: 'bootstrap', page: 'sidebar', state: sidebarState({ dataset: DATASET }) });
      await p.waitForProp('#field-learning_rate', 'value', '3e-5');
      await p.waitForProp('#model', 'value', 'hfl/rbt3');
      await p.waitForProp('#text-column', 'value', 'title');
    }));

  it('Re-run loads a run into the form; Resume, Compare runs and Estimate ask the host', () =>
    withPage(async (p) => {
      const done = runSummary({ runId: 'run-b', name: 'bert-mini', status: 'done', modelDir: '/ws/out/bert-mini' });
      const stopped = runSummary({ runId: 'run-c', name: 'stopped', status: 'cancelled', lastCheckpoint: '/ws/out/stopped/checkpoint-40' });
      await p.send({ type: 'bootstrap', page: 'sidebar', state: sidebarState({ runs: [done, stopped] }) });
      await p.page.locator('#runs li.run').first().waitFor();
      assert.equal(await p.page.locator('[data-run-id=run-b] .resume').count(), 0);
      await p.page.locator('[data-run-id=run-c] .resume').click();
      assert.deepEqual(await p.next('resumeRun'), { type: 'resumeRun', runId: 'run-c' });
      await p.page.locator('.compare-runs').click();
      assert.deepEqual(await p.next('compareRuns'), { type: 'compareRuns' });

      await p.page.locator('[data-run-id=run-b] .re-run').click();
      const req = await p.next('reRun');
      assert.equal(req.runId, 'run-b');
      await p.respond(req, {
        args: {
          model_name_or_path: 'hfl/rbt3',
          train_file: DATASET.file,
          text_column_names: ['title'],
          label_column_name: 'label',
          output_dir: '/ws/out',
          num_train_epochs: 5,
          learning_rate: 3e-5,
          tokenizer_name: 'bert-base-chinese',
        },
        dataset: DATASET,
      });
      await p.waitForProp('#field-num_train_epochs', 'value', '5');
      assert.equal(await p.prop('#model', 'value'), 'hfl/rbt3');
      assert.equal(await p.prop('#field-learning_rate', 'value'), '0.00003');
      assert.equal(await p.prop('#field-tokenizer_name', 'value'), 'bert-base-chinese');
      assert.equal(await p.prop('#text-column', 'value'), 'title');
      assert.equal(await p.prop('#dataset-file', 'value'), DATASET.file);
      assert.equal(await p.prop('#output-dir', 'value'), '/ws/out');

      await p.page.locator('#estimate').click();
      const est = await p.next('estimate');
      assert.equal(est.args.num_train_epochs, 5);
      await p.respond(est, {
        stepsPerEpoch: 100,
        epochs: 5,
        totalSteps: 500,
        measuredSteps: 6,
        secondsPerStep: [0.4, 0.5],
        secondsPerEpoch: [44, 55],
        totalSeconds: [230, 285],
        startupSeconds: 10,
        peakMemoryBytes: [900e6, 1.2e9],
        executionProvider: 'cpu',
      });
      await p.page.locator('#estimate-result', { hasText: 'Per epoch: 00:44–00:55 (100 steps of 0.40–0.50 s)' }).waitFor();
      assert.match((await p.texts('#estimate-result'))[0]!, /Whole run \(5 epochs, 500 steps\): 03:50–04:45/);
      assert.match((await p.texts('#estimate-result'))[0]!, /Peak memory: 900 MB–1\.2 GB/);

      // the host puts settings in the form (the walkthrough's sample run)
      await p.send({ type: 'form', form: { args: { model_name_or_path: 'preset:bert-tiny', num_train_epochs: 1 } } });
      await p.waitForProp('#model', 'value', 'preset:bert-tiny');
      await p.waitForProp('#field-num_train_epochs', 'value', '1');
    }));

  it('long texts: doc_stride and chunk_aggregation show only with long_text sliding_window; startRun sends them', () =>
    withPage(async (p) => {
      await p.send({ type: 'bootstrap', page: 'sidebar', state: sidebarState({ dataset: DATASET }) });
      await p.waitForProp('#text-column', 'value', 'review');
      await p.page.locator('#model input').fill('hfl/rbt3');
      await p.page.locator('#advanced').click();
      await p.page.locator('#field-long_text').waitFor();
      assert.equal(await p.page.locator('[data-row=field-doc_stride]').isVisible(), false);
      assert.equal(await p.page.locator('[data-row=field-chunk_aggregation]').isVisible(), false);
      await p.choose('#field-long_text', 'sliding_window');
      await p.page.locator('[data-row=field-doc_stride]').waitFor();
      await p.page.locator('#field-doc_stride input').fill('16');
      await p.choose('#field-chunk_aggregation', 'max');
      await p.waitForProp('#field-chunk_aggregation', 'value', 'max');
      await p.page.locator('#field-long_text').scrollIntoViewIfNeeded();
      await p.screenshot('sidebar-long-text');
      await p.page.locator('#start').click();
      const first = await p.next('startRun');
      const a = first.args;
      assert.deepEqual([a.long_text, a.doc_stride, a.chunk_aggregation], ['sliding_window', 16, 'max']);
      await p.fail(first, "--doc_stride 16: the chunks' overlap must be less than half of --max_seq_length (16)");
      await p.page.locator('#form-error', { hasText: '--doc_stride 16' }).waitFor();
      // back to truncation: the window's settings hide and go out empty
      await p.choose('#field-long_text', 'truncate');
      await p.page.locator('[data-row=field-doc_stride]').waitFor({ state: 'hidden' });
      await p.page.locator('#start').click();
      const b = (await p.next('startRun')).args;
      assert.deepEqual([b.long_text, b.doc_stride, b.chunk_aggregation], ['truncate', null, null]);
    }));
});
