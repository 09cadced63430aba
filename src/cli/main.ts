#!/usr/bin/env node
/**
 * The evometa command line: picks the command and hands it its arguments. Each command is one file of this folder
 * (commands.ts lists them); parsing is args.ts, help help.ts, and how a failure ends (one line, exit 1 or 2) failure.ts.
 */
import { UsageError } from '../core/errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { COMMANDS } from './commands.js';
import { EXIT_OK, reportFailure } from './failure.js';
import { commandHelp, mainHelp } from './help.js';
import { nearest } from './suggest.js';
import { packageVersion } from './version.js';

function findCommand(name: string): Command {
  const c = COMMANDS.find((x) => x.name === name);
  if (c) return c;
  const guess = nearest(name, COMMANDS.map((x) => x.name));
  throw new UsageError(`unknown command '${name}'; ${guess ? `did you mean ${guess}?` : `the commands are ${COMMANDS.map((x) => x.name).join(', ')} (evometa --help)`}`);
}

/** Runs the command line `argv` (without node and the script); resolves to the exit status. */
async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    process.stdout.write(mainHelp(COMMANDS, packageVersion()));
    return EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    if (rest.length) throw new UsageError(`--version takes nothing after it (got '${rest[0]}')`);
    process.stdout.write(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (first === 'help') {
    if (rest.length > 1) throw new UsageError(`unexpected argument '${rest[1]}'; usage: evometa help [COMMAND]`);
    process.stdout.write(rest[0] === undefined ? mainHelp(COMMANDS, packageVersion()) : commandHelp(findCommand(rest[0])));
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    const guess = first.startsWith('--') ? nearest(first.slice(2), ['help', 'version']) : undefined;
    throw new UsageError(`unknown option ${first}; ${guess ? `did you mean --${guess}?` : 'usage: evometa COMMAND [options] (evometa --help lists the commands)'}`);
  }
  const command = findCommand(first);
  const args = parseCommandArgs(command, rest);
  if (args.help) {
    process.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  await command.run(args);
  return EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => process.exit(reportFailure(e)),
);
