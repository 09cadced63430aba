/** Runs the evometa command line in a child process and checks the shape of its output. */
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { CLI } from '../../helpers/run_files.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliResult {
  const env = { ...process.env, ...options.env };
  if (!options.env || !('EVOMETA_DEBUG' in options.env)) delete env['EVOMETA_DEBUG'];
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, ...(options.cwd ? { cwd: options.cwd } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stdout holds exactly one JSON document (one line) and nothing else; returns it parsed. */
export function oneJsonDocument(t: ExecutionContext, r: CliResult): any {
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.is(lines.length, 2, `one line then the newline: ${r.stdout.slice(0, 300)}`);
  t.is(lines[1], '');
  return JSON.parse(lines[0]!);
}

/** A failure: exit `code`, nothing on stdout, and exactly one line `evometa: …` on stderr, without a stack frame. */
export function oneLineFailure(t: ExecutionContext, r: CliResult, code: number, message: RegExp): void {
  t.is(r.code, code, r.stderr);
  t.is(r.stdout, '');
  t.is(r.stderr.split('\n').length, 2, r.stderr);
  t.true(r.stderr.endsWith('\n'));
  t.false(r.stderr.includes('    at '), r.stderr);
  t.regex(r.stderr, /^evometa: /);
  t.regex(r.stderr, message);
}

/** Lines wider than `width` columns (in characters). */
export function linesWiderThan(text: string, width = 100): string[] {
  return text.split('\n').filter((l) => [...l].length > width);
}
