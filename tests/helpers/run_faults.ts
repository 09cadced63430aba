/** Helpers for fault-injection tests: the CLI as a user runs it, folder snapshots, and the one-line-error check. */
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './run_files.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI in a child process that runs beside others (for concurrent runs). */
export function cliAsync(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every entry of a folder: file contents, or `-> target` for a symbolic link. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    out[name] = lstatSync(path).isSymbolicLink() ? `-> ${readlinkSync(path)}` : readFileSync(path, 'latin1');
  }
  return out;
}

/** Exit 2 with exactly one stderr line ("evometa: error: ...") and no stack trace. */
export function assertOneLineError(t: ExecutionContext, r: CliResult, message: RegExp, label = ''): void {
  t.is(r.code, 2, `${label} exit code; stderr: ${r.stderr}`);
  t.is(r.stderr.trimEnd().split('\n').length, 1, `${label} one line: ${r.stderr}`);
  t.notRegex(r.stderr, /\n\s+at /, `${label} no stack trace`);
  t.regex(r.stderr, message, label);
}

/** generations.jsonl's lines that are generation records, as text (a valid record must survive verbatim). */
export function recordLines(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => {
    try {
      const v = JSON.parse(l);
      return typeof v === 'object' && v !== null && typeof v.generation === 'number';
    } catch {
      return false;
    }
  });
}
