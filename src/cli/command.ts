/**
 * What a command of the command line declares: its usage, positional arguments and option table. The parser
 * (args.ts) accepts exactly these options, and the help (help.ts) is generated from them, so the two never disagree.
 */
import type { OptionSpec } from '../engine/run_config.js';

/** A flag without a value (`--json`). */
export interface SwitchSpec {
  flag: string;
  kind: 'switch';
  help: string;
  /** One-letter alias (`-h`). */
  short?: string;
}

/** A flag of the command line: a typed option (value kind, range, help) or a switch. */
export type CliOption = OptionSpec<string> | SwitchSpec;

/** Options shown under one heading in the help, e.g. the search options that --config files share. */
export interface OptionGroup {
  title: string;
  options: readonly CliOption[];
  /** What the group's options are for, where a command takes one group or another (e.g. 'replaying an ordering genome'). */
  purpose?: string;
}

export interface Positional {
  /** As shown in the usage line, e.g. DIR. */
  name: string;
  required: boolean;
  /** The last positional may take any number of values (`report DIR...`). */
  repeatable?: boolean;
}

/** The command line after parsing: every flag was one of the command's, every value is still text. */
export interface ParsedArgs {
  positional: string[];
  /** Values of the options given (flag name without `--` → text). */
  flags: Record<string, string>;
  switches: Set<string>;
  /** Values of the repeatable options, in the order given (absent when not given). */
  lists: Record<string, string[]>;
}

export interface Command {
  name: string;
  /** One line for the command list of `evometa --help`. */
  summary: string;
  /** What follows `evometa NAME` in the usage line, e.g. 'DIR [options]'. */
  usage: string;
  /** Shown under the usage line in the command's help. */
  description?: string;
  positionals: readonly Positional[];
  groups: readonly OptionGroup[];
  /** Flags some other command takes that this one refuses on purpose, with the reason (shown instead of a guess). */
  refuses?: Readonly<Record<string, string>>;
  run(args: ParsedArgs): Promise<void>;
}

/** Every option a command takes, each flag once. */
export function commandOptions(command: Command): CliOption[] {
  const seen = new Map<string, CliOption>();
  for (const g of command.groups) for (const o of g.options) if (!seen.has(o.flag)) seen.set(o.flag, o);
  return [...seen.values()];
}
