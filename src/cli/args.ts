/** Command-line parsing: `evometa COMMAND [POSITIONAL...] [--flag value | --flag=value | --switch]`. */
import { UsageError } from '../core/errors.js';

export interface ParsedArgs {
  command: string | undefined;
  positional: string[];
  flags: Record<string, string>;
  switches: Set<string>;
  /** Values of the repeatable flags, in the order given (absent when the flag was not given). */
  lists: Record<string, string[]>;
}

/** Flags that take no value. */
export const SWITCHES = new Set(['json', 'help', 'quiet', 'no-progress', 'force']);

/** Flags that may be given several times; each occurrence adds one value. Any other flag given twice is an error. */
export const REPEATABLE = new Set(['plugin']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command: undefined, positional: [], flags: {}, switches: new Set(), lists: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (name === '') throw new UsageError(`empty flag '${a}'`);
      if (SWITCHES.has(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        out.switches.add(name);
        continue;
      }
      let value: string | undefined;
      if (eq >= 0) value = a.slice(eq + 1);
      else {
        value = argv[i + 1];
        // A negative number is a value, another flag is not.
        if (value === undefined || (value.startsWith('--') && !/^--?\d/.test(value))) throw new UsageError(`--${name} needs a value`);
        i++;
      }
      if (REPEATABLE.has(name)) {
        (out.lists[name] ??= []).push(value);
        continue;
      }
      if (name in out.flags) throw new UsageError(`--${name} is given twice`);
      out.flags[name] = value;
    } else if (out.command === undefined) out.command = a;
    else out.positional.push(a);
  }
  return out;
}
