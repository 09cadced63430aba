/**
 * Options that several commands take, defined once: a command lists the ones it takes (and may say in its own
 * words what its --out holds). The search options themselves are RUN_OPTIONS (src/engine/run_config.ts), so that
 * `--config` keys and flags share their names.
 */
import { UsageError } from '../core/errors.js';
import { optionByFlag, parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import type { OptionGroup, ParsedArgs, SwitchSpec } from './command.js';

/** A search option of RUN_OPTIONS by flag. */
export function runOption(flag: string): OptionSpec {
  const o = optionByFlag(flag);
  if (!o || o.flag !== flag) throw new Error(`no search option --${flag}`);
  return o;
}

/** The same option with this command's help text (its name, type and range stay the shared ones). */
export function withHelp<O extends { help: string }>(option: O, help: string, more: Partial<O> = {}): O {
  return { ...option, ...more, help };
}

/** A shared option in a command's own table: stored under `key`, with the command's help text. */
export function sharedAs<K extends string>(option: OptionSpec<string>, key: K, help: string): OptionSpec<K> {
  return { ...option, key, help };
}

export const JSON_SWITCH: SwitchSpec = { flag: 'json', kind: 'switch', help: 'print the result as one JSON document on stdout (progress and notes go to stderr)' };
export const NO_PROGRESS: SwitchSpec = { flag: 'no-progress', kind: 'switch', help: 'no progress bar or progress lines' };
export const HELP_SWITCH: SwitchSpec = { flag: 'help', short: 'h', kind: 'switch', help: 'show this help' };
export const OUT: OptionSpec<string> = { flag: 'out', key: 'out', kind: 'string', value: 'DIR', help: 'where the results go' };
export const CONFIG_FILE: OptionSpec<string> = { flag: 'config', key: 'config', kind: 'string', value: 'FILE', help: 'read options from a JSON file with the names above (flags override it)' };
export const PLUGIN = runOption('plugin');
export const SEED = runOption('seed');
export const BACKEND = runOption('backend');
export const WORKERS = runOption('workers');
export const REDIS = runOption('redis');

/**
 * The given flags that `specs` define, each parsed to its type (errors name the flag), by key. The parser has already
 * refused flags the command does not take; flags of other groups (e.g. --out) are left to the caller.
 */
export function optionValues<K extends string>(args: ParsedArgs, specs: readonly OptionSpec<K>[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const o of specs) if (args.flags[o.flag] !== undefined) out[o.key] = parseOptionValue(o, args.flags[o.flag]);
  return out;
}

/**
 * Where a command takes one option group or another (replay: a learned rule, an ordering, a HyperTransformer), refuses
 * a flag outside `group`, saying what `subject` is, which of `groups` the flag is for, and what `group` takes.
 */
export function onlyFlags(args: ParsedArgs, group: OptionGroup, subject: string, groups: readonly OptionGroup[]): void {
  const allowed = new Set(group.options.map((o) => o.flag));
  const given = [...Object.keys(args.flags), ...args.switches, ...Object.keys(args.lists)];
  const wrong = given.find((f) => !allowed.has(f));
  if (wrong === undefined) return;
  const owner = groups.find((g) => g !== group && g.options.some((o) => o.flag === wrong));
  throw new UsageError(`${subject}; --${wrong} is for ${owner?.purpose ?? 'another kind'} (${group.purpose ?? 'this'} takes ${group.options.map((o) => `--${o.flag}`).join(', ')})`);
}
