#!/usr/bin/env node
/**
 * The `finetune` command line: train / evaluate / predict / export / create-model / inspect /
 * pull / push / deploy-space / export-script (one file per command under commands/). Flags follow
 * run_classification.py and TrainingArguments. On a terminal it shows a progress bar and the
 * Trainer's log lines; otherwise (or with --log_format json) it prints one JSON object per event,
 * the events the worker sends. A user's mistake (a UserError) is one line naming what to fix; any
 * other error is a bug, reported as unexpected.
 */
import { resolve } from 'node:path';
import { ArgError, UsageError, UserError } from '../core/errors.js';
import { parseArgv } from '../core/contract/flags.js';
import { COMMANDS, findCommand } from './commands/index.js';
import { help } from './help.js';
import type { GlobalOptions, Out } from './io.js';
import { parseCommand } from './parse.js';

/** --log_format and --debug, wherever they stand; the rest of argv for the command. */
function globalOptions(argv: readonly string[], io: Out): { g: GlobalOptions; rest: string[] } {
  const parsed = parseArgv(
    argv,
    [
      { name: 'log_format', type: 'enum' },
      { name: 'debug', type: 'bool' },
    ],
    { passthrough: true },
  );
  const fmt = parsed.values.get('log_format') as string | undefined;
  if (fmt !== undefined && fmt !== 'json' && fmt !== 'text') throw new ArgError('--log_format', '--log_format: text or json');
  const debug = parsed.values.get('debug') as string | undefined;
  return {
    g: { json: fmt !== undefined ? fmt === 'json' : !(io.err as { isTTY?: boolean }).isTTY, debug: debug !== undefined && !/^(false|0|no)$/i.test(debug) },
    rest: parsed.rest,
  };
}

/** Prints an error (one line, JSON too in JSON mode); returns the exit status. */
export function report(e: unknown, io: Out, g: GlobalOptions): number {
  const err = e instanceof Error ? e : new Error(String(e));
  const known = e instanceof UserError;
  const message = known ? err.message : `unexpected error: ${err.message} (rerun with --debug for details)`;
  if (g.json) io.out.write(`${JSON.stringify({ type: 'error', message, ...(g.debug ? { detail: err.stack } : {}) })}\n`);
  io.err.write(`error: ${message}\n`);
  if (g.debug && err.stack) io.err.write(`${err.stack}\n`);
  return known ? e.exitCode : 1;
}

export async function main(argvIn: string[], io: Out = { out: process.stdout, err: process.stderr }): Promise<number> {
  let g: GlobalOptions = { json: !(io.err as { isTTY?: boolean }).isTTY, debug: false };
  try {
    const parsed = globalOptions(argvIn, io);
    g = parsed.g;
    const argv = parsed.rest;
    const name = argv.shift();
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      io.out.write(help(argv[0]));
      return name ? 0 : 2;
    }
    const cmd = findCommand(name);
    if (!cmd) throw new UsageError(`unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out.write(help(name));
      return 0;
    }
    return await cmd.run(await parseCommand(argv, cmd.flags), io, g);
  } catch (e) {
    // A bad --log_format is reported as text (the format asked for is not known).
    if (e instanceof ArgError && e.flag === '--log_format') g = { ...g, json: false };
    return report(e, io, g);
  }
}

// Run when executed directly (bundled dist/cli.cjs or tsx src/cli/main.ts).
const entry = process.argv[1] ? resolve(process.argv[1]) : '';
if (/(^|[\\/])(cli\.cjs|main\.ts|finetune)$/.test(entry)) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
