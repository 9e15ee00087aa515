/**
 * The worker process: the extension host forks it (child_process.fork) and talks typed IPC
 * (src/protocol/worker.ts). It runs one training run at a time — ONNX Runtime's session.run blocks
 * its thread for a whole step, which must never be the extension host's — and serves predictions
 * for the predict box and "classify selection" with models kept loaded.
 */
import { parseHostMessage, type HostToWorker, type WorkerToHost } from '../protocol/worker.js';
import { Predictor } from '../core/predict/predictor.js';
import { resolveModelFolder, runClassification } from '../core/run/run.js';
import { findLabelErrors } from '../core/run/label-errors.js';
import { exportModelFolder } from '../core/export/index.js';
import { analyzeDataset } from './analyze.js';
import { estimateRun } from './estimate.js';
import { explainText, readingOf } from './explain.js';

function send(m: WorkerToHost): void {
  process.send?.(m);
}

let running: { runId: string; abort: AbortController; saveOnCancel: boolean } | undefined;
/** find-label-errors waiting for the host's `proceed` (a cancel answers no). */
let awaitingGo: { runId: string; answer: (go: boolean) => void } | undefined;
const predictors = new Map<string, Promise<Predictor>>();
let queue = Promise.resolve();

function friendly(e: unknown): string {
  const err = e as Error;
  return /Error$/.test(err.name) && err.name !== 'Error' ? err.message : err.message || String(e);
}

/** Runs one job (a training run, find-label-errors) in the `running` slot: events under its runId, an error event for a failure, then `exit`. */
async function job(runId: string, saveOnCancel: boolean, work: (run: NonNullable<typeof running>) => Promise<{ cancelled: boolean }>): Promise<void> {
  const run = { runId, abort: new AbortController(), saveOnCancel };
  running = run;
  let code = 0;
  try {
    code = (await work(run)).cancelled ? 130 : 0;
  } catch (e) {
    code = 1;
    send({ type: 'event', runId, event: { type: 'error', message: friendly(e), ...(process.env.FINETUNE_DEBUG ? { detail: (e as Error).stack } : {}) } });
  } finally {
    running = undefined;
    send({ type: 'exit', runId, code });
  }
}

function train(m: Extract<HostToWorker, { type: 'train' }>): Promise<void> {
  return job(m.runId, m.saveOnCancel ?? true, (run) =>
    runClassification(m.args, {
      emit: (event) => send({ type: 'event', runId: m.runId, event }),
      signal: run.abort.signal,
      env: process.env,
      ...(m.token ? { token: m.token } : {}),
      saveOnCancel: () => run.saveOnCancel,
      runId: m.runId,
    }),
  );
}

/** find-label-errors: K trainings, each fold's events under the job's runId; the host confirms the cost first. */
function labelErrors(m: Extract<HostToWorker, { type: 'findLabelErrors' }>): Promise<void> {
  return job(m.runId, false, (run) =>
    findLabelErrors(
      m.args,
      {
        folds: m.folds,
        rankBy: 'self_confidence',
        confirm: (plan) =>
          new Promise<boolean>((answer) => {
            if (run.abort.signal.aborted) return answer(false);
            awaitingGo = { runId: m.runId, answer };
            send({ type: 'confirm', runId: m.runId, plan });
          }).finally(() => (awaitingGo = undefined)),
      },
      { emit: (event) => send({ type: 'event', runId: m.runId, event }), signal: run.abort.signal, env: process.env, ...(m.token ? { token: m.token } : {}) },
    ),
  );
}

/**
 * A model (or tokenizer) folder, or a Hub id found in the cache or pulled into it (HF_ENDPOINT and
 * HF_HUB_CACHE come from the host through this process's environment).
 */
function resolveFolder(nameOrPath: string, token: string | undefined, role = 'model'): Promise<string> {
  return resolveModelFolder(nameOrPath, { revision: 'main', cache_dir: null }, { emit: () => undefined, env: process.env, ...(token ? { token } : {}) }, role);
}

/** A model kept loaded (one Predictor per model id; a failed load is tried again next time). */
function predictorFor(model: string, token: string | undefined): Promise<Predictor> {
  let p = predictors.get(model);
  if (!p) {
    p = resolveFolder(model, token).then((dir) => Predictor.load(dir));
    predictors.set(model, p);
    p.catch(() => predictors.delete(model));
  }
  return p;
}

async function predict(m: Extract<HostToWorker, { type: 'predict' }>): Promise<void> {
  try {
    const predictor = await predictorFor(m.model, m.token);
    const opts = m.maxLength ? { maxLength: m.maxLength } : {};
    const classified = await predictor.classify(m.texts, m.pairs, opts);
    const settings = predictor.resolve(opts);
    const rule = predictor.calibration?.abstain;
    const predictions = m.texts.map((text, i) => ({
      text,
      scores: classified[i]!.scores,
      read: readingOf(classified[i]!, settings),
      ...(classified[i]!.abstained && rule ? { abstained: { threshold: rule.threshold, targetPrecision: rule.target_precision } } : {}),
    }));
    send({ type: 'predictResult', requestId: m.requestId, predictions });
  } catch (e) {
    send({ type: 'predictError', requestId: m.requestId, message: friendly(e) });
  }
}

async function task(requestId: number, work: () => Promise<unknown>): Promise<void> {
  try {
    send({ type: 'result', requestId, value: await work() });
  } catch (e) {
    send({ type: 'failure', requestId, message: friendly(e) });
  }
}

/** A model folder (or a Hub id, pulled) exported into `outputDir` under the CLI's rule (a folder with others' files is refused). */
async function exportFolder(model: string, outputDir: string, onnx: boolean): Promise<string[]> {
  return exportModelFolder(await resolveFolder(model, undefined), outputDir, { onnx, baseModel: model });
}

process.on('message', (raw) => {
  let m: HostToWorker;
  try {
    m = parseHostMessage(raw);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return;
  }
  switch (m.type) {
    case 'train':
      if (running) {
        send({ type: 'event', runId: m.runId, event: { type: 'error', message: `a training run (${running.runId}) is already in progress in this worker` } });
        send({ type: 'exit', runId: m.runId, code: 1 });
        return;
      }
      void train(m);
      break;
    case 'findLabelErrors':
      if (running) {
        send({
          type: 'event',
          runId: m.runId,
          event: { type: 'error', message: `a training run (${running.runId}) is in progress in this worker: wait for it, or cancel it` },
        });
        send({ type: 'exit', runId: m.runId, code: 1 });
        return;
      }
      void labelErrors(m);
      break;
    case 'proceed':
      if (awaitingGo?.runId === m.runId) awaitingGo.answer(m.go);
      break;
    case 'cancel':
      if (running) {
        running.saveOnCancel = m.save;
        running.abort.abort();
        awaitingGo?.answer(false);
      }
      break;
    case 'predict':
      // Predictions run one after another (each blocks this process's thread briefly).
      queue = queue.then(() => predict(m));
      break;
    case 'explain':
      queue = queue.then(() =>
        task(m.requestId, async () =>
          explainText(await predictorFor(m.model, m.token), {
            text: m.text,
            ...(m.pair !== undefined ? { pair: m.pair } : {}),
            ...(m.label !== undefined ? { label: m.label } : {}),
            ...(m.steps !== undefined ? { steps: m.steps } : {}),
          }),
        ),
      );
      break;
    case 'analyze':
      queue = queue.then(() => task(m.requestId, () => analyzeDataset(m.options, { resolveTokenizer: (t) => resolveFolder(t, m.options.token, 'tokenizer') })));
      break;
    case 'estimate':
      if (running) {
        send({ type: 'failure', requestId: m.requestId, message: `a training run (${running.runId}) is in progress: estimate when it has finished` });
        return;
      }
      queue = queue.then(() => task(m.requestId, () => estimateRun(m.args, { env: process.env, ...(m.token ? { token: m.token } : {}) })));
      break;
    case 'export':
      queue = queue.then(() => task(m.requestId, () => exportFolder(m.model, m.outputDir, m.onnx)));
      break;
    case 'shutdown':
      running?.abort.abort();
      void Promise.all([...predictors.values()].map(async (p) => (await p.catch(() => undefined))?.dispose())).finally(() => process.exit(0));
      break;
  }
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
