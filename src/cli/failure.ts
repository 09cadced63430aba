/**
 * How a failed command ends: one line on stderr, `evometa: …`, and an exit status that says whose the fault is.
 * 2: bad input (a UsageError, whose message names the option and the fix); 1: the run failed (no evaluation gave a
 * finite fitness) or something unexpected broke. With EVOMETA_DEBUG=1 the stack trace follows the line.
 */
import { UsageError } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** A run that ended without a result (every evaluation failed, no best exists): exit 1, one line. */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['EVOMETA_DEBUG'];
  return v !== undefined && v !== '' && v !== '0';
}

/** Node's errors from the file system and the like (ENOENT, EACCES, ENOSPC): the machine's, not a bug of evometa. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** A message on one line: its line breaks become spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The line to print (without `evometa: `) and the exit status for an error that ended a command. */
export function describeFailure(e: unknown, debug: boolean): { line: string; code: number } {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof UsageError) return { line: `error: ${oneLine(message)}`, code: EXIT_BAD_INPUT };
  if (e instanceof RunFailedError) return { line: oneLine(message), code: EXIT_RUN_FAILED };
  if (isSystemError(e)) return { line: oneLine(message), code: EXIT_RUN_FAILED };
  const hint = debug ? '' : ' (run with EVOMETA_DEBUG=1 for the stack trace)';
  const name = e instanceof Error && e.name !== 'Error' ? `${e.name}: ` : '';
  return { line: `internal error: ${name}${oneLine(message)}${hint}`, code: EXIT_RUN_FAILED };
}

/** Prints the failure as one line (and with `debug` the stack) and returns the exit status. */
export function reportFailure(e: unknown, stream: { write(s: string): unknown } = process.stderr, debug = debugEnabled()): number {
  const { line, code } = describeFailure(e, debug);
  stream.write(`evometa: ${line}\n`);
  if (debug && e instanceof Error && e.stack) stream.write(`${e.stack}\n`);
  return code;
}
