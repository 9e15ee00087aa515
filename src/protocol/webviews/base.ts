/**
 * What every webview page shares: the page kinds, the Ready -> bootstrap handshake, the run
 * summary the sidebar and the dashboard list, and the commands more than one page sends.
 *
 * Every page starts by sending `ready` (with its page kind); the host answers with `bootstrap`
 * carrying the whole state (the host owns data and metrics; after a reload a view gets the whole
 * history, then appends).
 */
import { type AnyCommand, type AnyNotification, type AnyRequest, type Shape, command, definePage, oneOf, optional, string } from './ipc.js';

export const PAGE_KINDS = ['sidebar', 'dashboard', 'dataset', 'predict', 'compare'] as const;
export type PageKind = (typeof PAGE_KINDS)[number];

/** A training run as the sidebar and the dashboard list it. */
export interface RunSummary {
  runId: string;
  name: string;
  outputDir: string;
  model: string;
  trainFile: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  startedAt: string;
  /** Headline metrics of the last evaluation (eval_accuracy, eval_f1, ...). */
  metrics?: Record<string, number>;
  bestMetric?: { name: string; value: number };
  /** The final model folder, when the run finished. */
  modelDir?: string;
  error?: string;
  /** While running: the last optimizer step. */
  progress?: { step: number; totalSteps: number };
  /** When it last stopped (done, failed, cancelled). */
  finishedAt?: string;
  /** The last checkpoint it wrote (a stopped run resumes from it). */
  lastCheckpoint?: string;
}

/** The first message of every page: the host answers with the page's bootstrap. */
export const Ready = command('ready', { page: oneOf(PAGE_KINDS, (v) => `unknown page ${JSON.stringify(v)}`) });

/** Cancels a run (the active one when `runId` is left out). */
export const CancelRun = command('cancelRun', { runId: optional(string()) });

/** Opens the predict box (on a run's final model when `runId` is given). */
export const OpenPredict = command('openPredict', { runId: optional(string()) });

/** A page's protocol with the Ready command added to its commands. */
export function page<
  const Page extends PageKind,
  State,
  Commands extends Record<string, AnyCommand>,
  Requests extends Record<string, AnyRequest>,
  Notifications extends Record<string, AnyNotification>,
>(p: { page: Page; state: Shape<State>; commands: Commands; requests: Requests; notifications: Notifications }) {
  return definePage({ ...p, commands: { ready: Ready, ...p.commands } });
}
