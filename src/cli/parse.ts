/**
 * A command's flags through the one parser (core/contract/flags.ts): the run-argument table's flags the
 * command takes (with `--config run.json` read first, flags on top), plus its own flags.
 */
import { readFile } from 'node:fs/promises';
import { ArgError } from '../core/errors.js';
import { ARG_SPECS, type ArgSpec, type RunArgs, applyConfigObject, coerceArg, defaultArgs, parseFlags } from '../core/contract/args.js';
import { type FlagSpec, parseArgv } from '../core/contract/flags.js';
import { unsupportedReason } from '../core/contract/unsupported-args.js';
import { didYouMean } from '../core/errors.js';

/** A command's own flag (not a run argument). */
export interface OwnFlag extends FlagSpec {
  help: string;
  choices?: readonly string[];
  min?: number;
}

export interface CommandFlags {
  /** Run-table flags the command takes ('all', or names); none when undefined. */
  run?: readonly string[] | 'all';
  own?: readonly OwnFlag[];
}

export interface ParsedCommand {
  args: RunArgs;
  /** Own flags, converted by type (repeatable ones as arrays); absent when not given. */
  own: Record<string, unknown>;
  positionals: string[];
}

export function runFlagNames(flags: CommandFlags): string[] {
  if (!flags.run) return [];
  return flags.run === 'all' ? ARG_SPECS.map((s) => s.name) : [...flags.run];
}

async function readConfig(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new ArgError(
      '--config',
      `--config ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(e as Error).message})`}`,
    );
  }
}

function ownValue(f: OwnFlag, raw: string | string[]): unknown {
  const spec = { ...f, type: f.type === 'list' ? 'string' : f.type, default: null, group: 'runtime' } as ArgSpec;
  return Array.isArray(raw) ? raw.map((r) => coerceArg(spec, r)) : coerceArg(spec, raw);
}

export async function parseCommand(argv: readonly string[], flags: CommandFlags): Promise<ParsedCommand> {
  const run = new Set(runFlagNames(flags));
  const own = flags.own ?? [];
  const known = [...run, ...ARG_SPECS.filter((s) => run.has(s.name)).flatMap((s) => s.aliases ?? []), ...own.map((f) => f.name)];
  const unknown = (name: string): ArgError => {
    const reason = run.size ? unsupportedReason(name) : undefined;
    if (reason) return new ArgError(`--${name}`, `--${name} is not supported: ${reason}`);
    const hint = didYouMean(name, known);
    return new ArgError(`--${name}`, `unknown option --${name}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`);
  };
  // Own flags first (run flags are left for the run parser), then the run flags of what is left.
  const first = parseArgv(argv, own, { passthrough: run.size > 0, unknown });
  const values: Record<string, unknown> = {};
  for (const f of own) {
    const raw = first.values.get(f.name);
    if (raw !== undefined) values[f.name] = ownValue(f, raw);
  }
  if (!run.size) return { args: defaultArgs(), own: values, positionals: first.positionals };
  let args = defaultArgs();
  const rest = first.rest;
  const { configFile, positionals } = parseFlagsOrExplain(rest, args, run, unknown);
  if (configFile) {
    args = defaultArgs();
    applyConfigObject(args, await readConfig(configFile), configFile);
    parseFlagsOrExplain(rest, args, run, unknown);
  }
  return { args, own: values, positionals };
}

function parseFlagsOrExplain(argv: readonly string[], args: RunArgs, allowed: ReadonlySet<string>, unknown: (n: string) => ArgError) {
  try {
    return parseFlags(argv, args, allowed);
  } catch (e) {
    // A run flag this command does not take: the same answer as an unknown one.
    if (e instanceof ArgError && /^unknown option --/.test(e.message)) throw unknown(e.flag.slice(2));
    throw e;
  }
}
