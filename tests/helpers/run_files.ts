/** Test helpers for run folders: temp dirs and timing-free views of generations.jsonl. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'evometa-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** generations.jsonl without the timing fields, which are the only ones allowed to differ between runs. */
export function generationsWithoutTimings(runDir: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, 'generations.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { wallMs: _w, elapsedMs: _e, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export const CLI = new URL('../../src/cli/main.js', import.meta.url).pathname;
