/** Test helpers for plug-ins: modules written into temporary folders, and the repository's examples. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from './run_files.js';

/** Writes `source` as `name` in a fresh temporary folder; returns its absolute path. */
export function writeModule(source: string, name = 'plugin.mjs'): string {
  const file = join(tempDir('evometa-plugin-'), name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
  return file;
}

export function fileUrl(path: string): string {
  return pathToFileURL(path).href;
}

/**
 * A task in plain JavaScript, as a user writes it: a shifted sphere whose evaluation waits `delayMs` (so that a
 * kill lands mid-run) and draws a little noise from `ctx.seed` (so that a worker using another seed would show).
 */
export const SLOW_TASK_SOURCE = `
function seeded(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}
export default {
  tasks: [{
    name: 'slow-shifted-sphere',
    description: 'sphere around (center, ..., center) plus seeded noise; waits delayMs per evaluation',
    genomeKinds: ['vector'],
    usesTensorflow: false,
    resolveConfig(raw) {
      for (const k of Object.keys(raw)) if (k !== 'delayMs' && k !== 'center') throw new Error('unknown key ' + k);
      return { delayMs: raw.delayMs ?? 0, center: raw.center ?? 1 };
    },
    evaluate(x, config, ctx) {
      if (config.delayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, config.delayMs);
      const f = x.reduce((a, v) => a + (v - config.center) ** 2, 0);
      return { fitness: f + 1e-3 * seeded(ctx.seed)() };
    },
  }],
};
`;

/** A plug-in task that, for x[0] > 0, allocates without bound: a runaway evaluation. */
export const HOG_TASK_SOURCE = `
export default {
  tasks: [{
    name: 'hog',
    description: 'sphere, except that x[0] > 0 allocates memory without bound',
    genomeKinds: ['vector'],
    usesTensorflow: false,
    resolveConfig: () => ({}),
    evaluate(x) {
      if (x[0] > 0) {
        const kept = [];
        for (;;) kept.push(new Array(1 << 16).fill(kept.length + 0.5));
      }
      return { fitness: x.reduce((a, v) => a + v * v, 0) };
    },
  }],
};
`;

/** examples/plugins/<name> in the repository (the tests run from dist/tests/helpers). */
export function examplePlugin(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'plugins', name);
}
