/** What every command gets: the output streams, the global options, the event reporter, Ctrl-C handling. */
import type { TrainingEvent } from '../core/contract/events.js';
import { UsageError } from '../core/errors.js';
import { TextReporter } from './format.js';

export type Out = { out: NodeJS.WritableStream; err: NodeJS.WritableStream & { isTTY?: boolean } };

export interface GlobalOptions {
  /** One JSON object per event on stdout (default when stderr is not a terminal). */
  json: boolean;
  /** Stack traces with errors. */
  debug: boolean;
}

export function reporter(io: Out, json: boolean): (e: TrainingEvent) => void {
  if (json) return (e) => io.out.write(`${JSON.stringify(e)}\n`);
  const text = new TextReporter(io.out, io.err);
  return (e) => text.handle(e);
}

/** SIGINT: the first cancels at the next step boundary (saving a checkpoint); the second exits. */
export function cancelOnSigint(io: Out, what = 'stopping at the next step and saving a checkpoint'): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onInt = (): void => {
    if (ac.signal.aborted) process.exit(130);
    io.err.write(`\n${what} (Ctrl-C again to quit now)\n`);
    ac.abort();
  };
  process.on('SIGINT', onInt);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onInt) };
}

/** HF_TOKEN, required to write to the Hub. */
export function hubToken(): string {
  const t = process.env.HF_TOKEN;
  if (!t) throw new UsageError('set HF_TOKEN to a Hugging Face access token with write permission (https://huggingface.co/settings/tokens)');
  return t;
}
