/**
 * Parses a command's arguments with node's util.parseArgs, against the option table the command declares. Every
 * flag must be one of the command's (else the nearest one is suggested), every option takes one value (a negative
 * number is a value: `--x0 -1`), only repeatable options may be given twice, and extra positional arguments are
 * errors, on every command.
 */
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { commandOptions, type CliOption, type Command, type ParsedArgs } from './command.js';
import { HELP_SWITCH } from './options.js';
import { nearest } from './suggest.js';

export type { ParsedArgs } from './command.js';

/** A value that starts with a dash but is a number (or a list of numbers), not a flag: `-1`, `-.5`, `-1e-8,2`. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/** `args` is everything after the command name. `help` is set when -h or --help was given (nothing else is checked then). */
export function parseCommandArgs(command: Command, args: readonly string[]): ParsedArgs & { help: boolean } {
  const options = [...commandOptions(command), HELP_SWITCH];
  const byFlag = new Map(options.map((o) => [o.flag, o]));
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const o of options)
    config[o.flag] = { type: o.kind === 'switch' ? 'boolean' : 'string', ...(o.kind === 'list' ? { multiple: true } : {}), ...('short' in o && o.short ? { short: o.short } : {}) };
  // Not strict: unknown flags and values that start with a dash come back as tokens, checked below with messages
  // that name the command and the fix.
  const { tokens } = nodeParseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true });
  const out: ParsedArgs & { help: boolean } = { positional: [], flags: {}, switches: new Set(), lists: {}, help: false };
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { ...out, help: true };
  for (const t of tokens) {
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      out.positional.push(t.value);
      continue;
    }
    const o = byFlag.get(t.name);
    if (!o) throw unknownOption(command, t.rawName, t.name, options);
    if (o.kind === 'switch') {
      if (t.value !== undefined) throw new UsageError(`--${o.flag} takes no value (got --${o.flag}=${t.value})`);
      out.switches.add(o.flag);
      continue;
    }
    // Without an inline value, a value that looks like a flag means the option's own value is missing.
    if (t.value === undefined || (!t.inlineValue && t.value.startsWith('-') && !NEGATIVE_NUMBER.test(t.value)))
      throw new UsageError(`--${o.flag} needs a value${t.value !== undefined ? ` (${t.value} is the next flag; write --${o.flag}=${t.value} if it is the value)` : ''}`);
    if (o.kind === 'list') (out.lists[o.flag] ??= []).push(t.value);
    else if (o.flag in out.flags) throw new UsageError(`--${o.flag} is given twice`);
    else out.flags[o.flag] = t.value;
  }
  checkPositionals(command, out.positional);
  return out;
}

function unknownOption(command: Command, raw: string, name: string, options: readonly CliOption[]): UsageError {
  const refused = command.refuses?.[name];
  if (refused) return new UsageError(`${raw} is not an option of ${command.name}: ${refused}`);
  const guess = raw.startsWith('--') ? nearest(name, options.map((o) => o.flag)) : undefined;
  return new UsageError(`unknown option ${raw} for ${command.name}; ${guess ? `did you mean --${guess}?` : `evometa ${command.name} --help lists its options`}`);
}

function checkPositionals(command: Command, given: readonly string[]): void {
  const usage = `usage: evometa ${command.name} ${command.usage}`;
  const max = command.positionals.at(-1)?.repeatable ? Infinity : command.positionals.length;
  if (given.length > max)
    throw new UsageError(`unexpected argument '${given[max]}' for ${command.name}${max === 0 ? ' (options are given as --name value)' : ''}; ${usage}`);
  const missing = command.positionals.slice(given.length).find((p) => p.required);
  if (missing) throw new UsageError(`${command.name} needs ${missing.name}; ${usage}`);
}
