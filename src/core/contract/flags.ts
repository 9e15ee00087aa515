/**
 * The one command-line flag parser: `--name value`, `--name=value`, bare booleans (optionally
 * followed by true/false), repeatable flags, aliases, dashes read as underscores. Driven by a list of
 * specs (the run-argument table, a command's own flags); values are checked and converted by the
 * spec's type. Unknown flags are answered by the caller's `unknown` (a "not supported because ..."
 * for a known transformers flag, else a "did you mean").
 */
import { ArgError } from '../errors.js';

export type FlagType = 'int' | 'float' | 'bool' | 'string' | 'list' | 'enum' | 'json';

export interface FlagSpec {
  name: string;
  type: FlagType;
  aliases?: readonly string[];
  /** Given several times: all values kept, in order (an array). */
  repeat?: boolean;
}

export interface ParsedFlags {
  /** Raw values by spec name (strings; arrays for repeatable flags); booleans given bare are 'true'. */
  values: Map<string, string | string[]>;
  positionals: string[];
  /** With `passthrough`: the tokens not recognised, in order. */
  rest: string[];
}

export interface ParseOptions {
  /** An unknown --flag: the error to throw (default: "unknown option"). */
  unknown?: (name: string) => Error;
  /** Keep unknown flags and positionals in `rest` instead of failing (a first pass for global flags). */
  passthrough?: boolean;
}

const BOOL = /^(true|false|1|0|yes|no)$/i;

export function flagName(token: string): string {
  const eq = token.indexOf('=');
  return (eq >= 0 ? token.slice(2, eq) : token.slice(2)).replace(/-/g, '_');
}

export function parseArgv(argv: readonly string[], specs: readonly FlagSpec[], opts: ParseOptions = {}): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of [s.name, ...(s.aliases ?? [])]) byName.set(n, s);
  const out: ParsedFlags = { values: new Map(), positionals: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--') || token === '--') {
      (opts.passthrough ? out.rest : out.positionals).push(token);
      continue;
    }
    const name = flagName(token);
    const spec = byName.get(name);
    if (!spec) {
      if (opts.passthrough) {
        out.rest.push(token);
        continue;
      }
      throw opts.unknown ? opts.unknown(name) : new ArgError(`--${name}`, `unknown option --${name}; see --help`);
    }
    const eq = token.indexOf('=');
    let raw: string;
    if (eq >= 0) raw = token.slice(eq + 1);
    else if (spec.type === 'bool') raw = argv[i + 1] !== undefined && BOOL.test(argv[i + 1]!) ? argv[++i]! : 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new ArgError(`--${name}`, `--${name}: expects a value`);
      raw = argv[++i]!;
    }
    if (spec.repeat) out.values.set(spec.name, [...((out.values.get(spec.name) as string[] | undefined) ?? []), raw]);
    else out.values.set(spec.name, raw);
  }
  return out;
}
