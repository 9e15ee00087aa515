/** The command table of `finetune`, in the order --help lists them. */
import { explain } from './explain.js';
import { deploySpaceCommand, pull, push } from './hub.js';
import { inspect } from './inspect.js';
import { findLabelErrorsCommand } from './label-errors.js';
import { createModelCommand, exportCommand, exportScriptCommand } from './model.js';
import { evaluate, predict, train } from './run.js';
import type { Command } from './types.js';

export type { Command } from './types.js';

export const COMMANDS: readonly Command[] = [
  train,
  evaluate,
  predict,
  explain,
  exportCommand,
  createModelCommand,
  inspect,
  findLabelErrorsCommand,
  pull,
  push,
  deploySpaceCommand,
  exportScriptCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
