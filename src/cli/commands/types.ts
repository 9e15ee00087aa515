/** A `finetune` command: its help, its flags, and what it does. */
import type { GlobalOptions, Out } from '../io.js';
import type { CommandFlags, ParsedCommand } from '../parse.js';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: CommandFlags;
  run(parsed: ParsedCommand, io: Out, g: GlobalOptions): Promise<number>;
}
