/** `finetune --help` and `finetune <command> --help`, written from the command table and the run-argument table. */
import { ARG_SPECS, type ArgSpec } from '../core/contract/args.js';
import { UNSUPPORTED_ARGS } from '../core/contract/unsupported-args.js';
import { COMMANDS, type Command } from './commands/index.js';
import { type OwnFlag, runFlagNames } from './parse.js';

const GROUPS = ['model', 'data', 'training', 'evaluation', 'output', 'runtime'] as const;

function flagHelp(s: Pick<ArgSpec, 'name' | 'type' | 'help' | 'choices' | 'aliases'> & { default?: unknown }): string {
  const def = s.default === null || s.default === undefined ? '' : ` (default: ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})`;
  const choices = s.choices ? ` [${s.choices.join('|')}]` : '';
  const aliases = s.aliases?.length ? ` (also ${s.aliases.map((a) => `--${a}`).join(', ')})` : '';
  return `  --${s.name}${s.type === 'bool' ? '' : ` ${s.type.toUpperCase()}`}${choices}${aliases}\n      ${s.help}${def}`;
}

function commandHelp(c: Command): string {
  const lines = [`finetune ${c.name}: ${c.summary}`, '', `usage: ${c.usage}`, ''];
  for (const f of c.flags.own ?? []) lines.push(flagHelp(f as OwnFlag & { default?: unknown }));
  const names = runFlagNames(c.flags);
  if (names.length) {
    for (const group of GROUPS) {
      const specs = ARG_SPECS.filter((s) => s.group === group && names.includes(s.name) && !s.secret);
      if (specs.length) lines.push(`${group}:`, ...specs.map(flagHelp), '');
    }
    const secret = ARG_SPECS.filter((s) => s.secret && names.includes(s.name));
    if (secret.length) lines.push('tokens (never written to any file):', ...secret.map(flagHelp), '');
    lines.push('  --config FILE\n      read flags from a JSON object {"learning_rate": 2e-5, ...}; flags given after it win', '');
    lines.push(`transformers flags not taken (each answered with its reason): ${Object.keys(UNSUPPORTED_ARGS).sort().join(', ')}`);
  }
  lines.push('', 'global: --log_format text|json (default: text on a terminal, json otherwise), --debug (stack traces), --help');
  return `${lines.join('\n')}\n`;
}

export function help(name?: string): string {
  const c = name ? COMMANDS.find((x) => x.name === name) : undefined;
  if (c) return commandHelp(c);
  return [
    'finetune: fine-tune transformer text classifiers (BERT, RoBERTa, XLM-R, DistilBERT, ELECTRA, MiniLM, ModernBERT, DeBERTa-v2/v3) on ONNX Runtime, no Python.',
    '',
    'usage: finetune <command> [flags]',
    '',
    ...COMMANDS.map((x) => `  ${x.name.padEnd(14)} ${x.summary}`),
    '',
    'finetune <command> --help shows its flags. Environment: HF_TOKEN, HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE.',
    '',
  ].join('\n');
}
