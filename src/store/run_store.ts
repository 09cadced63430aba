/**
 * Files of a run folder. Every whole-file write is atomic (temp file + rename), so a run killed at any
 * instant leaves each file either old or new, never half written; generations.jsonl is append-only and
 * is trimmed back to the checkpoint on resume.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl, writeJsonAtomic } from '../core/json_file.js';

export { readJsonFile, readJsonl, writeJsonAtomic } from '../core/json_file.js';

export const RUN_FILES = {
  manifest: 'manifest.json',
  generations: 'generations.jsonl',
  best: 'best.json',
  checkpoint: 'checkpoint.json',
  summary: 'summary.json',
  log: 'run.log',
} as const;

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
