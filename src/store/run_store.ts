/**
 * Files of a run folder. Every whole-file write is atomic (temp file + rename), so a run killed at any
 * instant leaves each file either old or new, never half written; generations.jsonl is append-only and
 * is trimmed back to the checkpoint on resume.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';

export const RUN_FILES = {
  manifest: 'manifest.json',
  generations: 'generations.jsonl',
  best: 'best.json',
  checkpoint: 'checkpoint.json',
  summary: 'summary.json',
  log: 'run.log',
} as const;

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n');
  renameSync(tmp, path);
}

export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${what} not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is damaged (not valid JSON: ${(e as Error).message}): ${path}`);
  }
}

/** Complete lines of a JSONL file, parsed; a torn last line (killed mid-write) is dropped. */
export function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      break;
    }
  }
  return out;
}

export class RunStore {
  constructor(readonly dir: string) {}

  path(file: keyof typeof RUN_FILES): string {
    return join(this.dir, RUN_FILES[file]);
  }

  create(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  write(file: 'manifest' | 'best' | 'checkpoint' | 'summary', value: unknown): void {
    writeJsonAtomic(this.path(file), value);
  }

  appendGeneration(record: object): void {
    appendFileSync(this.path('generations'), JSON.stringify(record) + '\n');
  }

  /** Keeps the generation records before `generation` (those the checkpoint covers). */
  trimGenerations(generation: number): void {
    const kept = readJsonl<{ generation: number }>(this.path('generations')).filter((r) => r.generation < generation);
    const tmp = `${this.path('generations')}.tmp-${process.pid}`;
    writeFileSync(tmp, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    renameSync(tmp, this.path('generations'));
  }

  log(message: string): void {
    appendFileSync(this.path('log'), `${new Date().toISOString()} ${message}\n`);
  }
}
