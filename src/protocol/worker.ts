/**
 * Typed messages between the extension host and the worker process that trains (or serves
 * predictions), with validation of what arrives. No vscode, no DOM.
 */
import type { RunArgs } from '../core/contract/args.js';
import type { LabelErrorsPlan, TrainingEvent } from '../core/contract/events.js';
import type { TextReading } from './explain.js';

export type { LabelErrorsPlan } from '../core/contract/events.js';

/** Host -> worker. */
export type HostToWorker =
  | { type: 'train'; runId: string; args: RunArgs; token?: string; saveOnCancel?: boolean }
  | { type: 'cancel'; save: boolean }
  | { type: 'predict'; requestId: number; model: string; texts: string[]; pairs?: string[]; maxLength?: number; token?: string }
  | { type: 'explain'; requestId: number; model: string; text: string; pair?: string; label?: string; steps?: number; token?: string }
  | { type: 'analyze'; requestId: number; options: AnalyzeRequest }
  | { type: 'export'; requestId: number; model: string; outputDir: string; onnx: boolean }
  | { type: 'estimate'; requestId: number; args: RunArgs; token?: string }
  /** find-label-errors on `args.train_file`: events under `runId` as a run's, then `exit`; `confirm` before the first fold trains. */
  | { type: 'findLabelErrors'; runId: string; args: RunArgs; folds: number; token?: string }
  /** The answer to `confirm`: go on, or stop with nothing written. */
  | { type: 'proceed'; runId: string; go: boolean }
  | { type: 'shutdown' };

/**
 * What a few measured training steps say about a run on this machine. Ranges are [low, high]:
 * the steps' spread (batches of different lengths) and, for memory, the longest batch.
 */
export interface RunEstimate {
  stepsPerEpoch: number;
  epochs: number;
  totalSteps: number;
  /** Steps timed (after one warm-up step). */
  measuredSteps: number;
  secondsPerStep: [number, number];
  /** Training steps plus one evaluation (when the run evaluates each epoch). */
  secondsPerEpoch: [number, number];
  totalSeconds: [number, number];
  /** Loading the model, reading and tokenizing the data (before the first step). */
  startupSeconds: number;
  /** Resident memory of the training process. */
  peakMemoryBytes: [number, number];
  executionProvider: string;
}

/** Dataset preview analysis (run in the worker). */
export interface AnalyzeRequest {
  file: string;
  textColumn?: string;
  pairColumn?: string;
  labelColumn?: string;
  /** A folder with tokenizer.json or vocab.txt. */
  tokenizer?: string;
  maxSeqLength?: number;
  /** The sliding windows' overlap for the long-text counts (default max_seq_length / 4). */
  docStride?: number;
  /** Rows to include in the preview table (default 200). */
  previewRows?: number;
  /** Hub token, for a tokenizer given as a Hub id. */
  token?: string;
}

/** Why a prediction was withheld: its top probability is below the model's abstain threshold (calibration.json, --target_precision). */
export interface Abstention {
  threshold: number;
  targetPrecision: number;
}

export interface Prediction {
  text: string;
  /** Every label with its probability (sigmoid for multi-label), most likely first; regression: one entry "value". */
  scores: { label: string; score: number }[];
  /** Present when the model abstained on this text (no label is predicted; the probabilities are still there). */
  abstained?: Abstention;
  /** What the model read of the text: the chunks of a sliding window, or how much truncation left. */
  read?: TextReading;
}

/** Worker -> host. */
export type WorkerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'event'; runId: string; event: TrainingEvent }
  | { type: 'exit'; runId: string; code: number }
  | { type: 'predictResult'; requestId: number; predictions: Prediction[] }
  | { type: 'predictError'; requestId: number; message: string }
  | { type: 'result'; requestId: number; value: unknown }
  | { type: 'failure'; requestId: number; message: string }
  /** find-label-errors knows its cost: the host answers `proceed`. */
  | { type: 'confirm'; runId: string; plan: LabelErrorsPlan };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function parseHostMessage(v: unknown): HostToWorker {
  if (!isObj(v) || typeof v.type !== 'string') throw new Error('worker: a message must be an object with a type');
  switch (v.type) {
    case 'train':
      if (typeof v.runId !== 'string' || !isObj(v.args)) throw new Error('worker: train needs runId and args');
      return v as HostToWorker;
    case 'cancel':
      return { type: 'cancel', save: v.save === true };
    case 'predict':
      if (typeof v.requestId !== 'number' || typeof v.model !== 'string' || !isStrArray(v.texts))
        throw new Error('worker: predict needs requestId, model and texts');
      if (v.pairs !== undefined && (!isStrArray(v.pairs) || v.pairs.length !== v.texts.length)) throw new Error('worker: predict pairs must match texts');
      return v as HostToWorker;
    case 'explain':
      if (typeof v.requestId !== 'number' || typeof v.model !== 'string' || typeof v.text !== 'string')
        throw new Error('worker: explain needs requestId, model and text');
      if (v.pair !== undefined && typeof v.pair !== 'string') throw new Error('worker: explain pair must be a string');
      if (v.label !== undefined && typeof v.label !== 'string') throw new Error('worker: explain label must be a string');
      if (v.steps !== undefined && (!Number.isInteger(v.steps) || (v.steps as number) < 1)) throw new Error('worker: explain steps must be a positive integer');
      return v as HostToWorker;
    case 'analyze':
      if (typeof v.requestId !== 'number' || !isObj(v.options) || typeof v.options.file !== 'string')
        throw new Error('worker: analyze needs requestId and options.file');
      return v as HostToWorker;
    case 'export':
      if (typeof v.requestId !== 'number' || typeof v.model !== 'string' || typeof v.outputDir !== 'string')
        throw new Error('worker: export needs requestId, model and outputDir');
      return { type: 'export', requestId: v.requestId, model: v.model, outputDir: v.outputDir, onnx: v.onnx !== false };
    case 'estimate':
      if (typeof v.requestId !== 'number' || !isObj(v.args)) throw new Error('worker: estimate needs requestId and args');
      return v as HostToWorker;
    case 'findLabelErrors':
      if (typeof v.runId !== 'string' || !isObj(v.args) || typeof v.folds !== 'number') throw new Error('worker: findLabelErrors needs runId, args and folds');
      return v as HostToWorker;
    case 'proceed':
      if (typeof v.runId !== 'string') throw new Error('worker: proceed needs runId');
      return { type: 'proceed', runId: v.runId, go: v.go === true };
    case 'shutdown':
      return { type: 'shutdown' };
    default:
      throw new Error(`worker: unknown message type ${String(v.type)}`);
  }
}

const EVENT_TYPES = new Set([
  'start',
  'progress',
  'log',
  'eval',
  'checkpoint',
  'stage',
  'info',
  'warning',
  'done',
  'error',
  'predictions',
  'calibration',
  'fold',
  'label-issues',
]);

export function parseWorkerMessage(v: unknown): WorkerToHost {
  if (!isObj(v) || typeof v.type !== 'string') throw new Error('host: a worker message must be an object with a type');
  switch (v.type) {
    case 'ready':
      return v as WorkerToHost;
    case 'event':
      if (typeof v.runId !== 'string' || !isObj(v.event) || !EVENT_TYPES.has(String(v.event.type))) throw new Error('host: malformed event message');
      return v as WorkerToHost;
    case 'exit':
      if (typeof v.runId !== 'string' || typeof v.code !== 'number') throw new Error('host: malformed exit message');
      return v as WorkerToHost;
    case 'predictResult':
      if (typeof v.requestId !== 'number' || !Array.isArray(v.predictions)) throw new Error('host: malformed predictResult');
      return v as WorkerToHost;
    case 'predictError':
    case 'failure':
      if (typeof v.requestId !== 'number' || typeof v.message !== 'string') throw new Error(`host: malformed ${v.type}`);
      return v as WorkerToHost;
    case 'result':
      if (typeof v.requestId !== 'number') throw new Error('host: malformed result');
      return v as WorkerToHost;
    case 'confirm':
      if (typeof v.runId !== 'string' || !isObj(v.plan)) throw new Error('host: malformed confirm');
      return v as WorkerToHost;
    default:
      throw new Error(`host: unknown worker message type ${String(v.type)}`);
  }
}
