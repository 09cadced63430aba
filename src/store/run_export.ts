/**
 * Exporting a run's final point so that the next step can start from it: a genome file that `--init`,
 * `replay` and `loadGenome` read (best.json's shape: `genome` plus the search vector), and, for a CMA-ES run,
 * a search config holding what the run learned about the landscape besides its mean, σ and the per-coordinate
 * scales √C_ii, so that a new search with other settings (λ, fitness, episodes) does not relearn them.
 */
import { basename, dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { readJsonFile } from '../core/json_file.js';
import { currentStrategyState, runPoint, type RunPoint } from './run_point.js';
import type { Checkpoint } from './run_records.js';

/** Search options (as in a --config file) that go on from a CMA-ES run's mean, step size and scales. */
export interface WarmStartConfig {
  init: string;
  sigma0: number;
  'strategy-params': { stds: number[] };
}

/** A run point as a file: best.json's shape, so every genome kind's loader unwraps `genome`. */
export interface ExportedPoint {
  genome: unknown;
  x: number[];
  which: RunPoint;
  run: string;
  /** Completed generations and evaluations at the checkpoint the point comes from. */
  generation: number;
  evaluations: number;
}

/** σ and √C_ii of the run's sampling CMA-ES state (a restart strategy's current inner run); null for other strategies. */
export function warmStartOf(dir: string, init: string): WarmStartConfig | null {
  const s = currentStrategyState(dir) as { sigma?: number; C?: number[]; dimension?: number; params?: { diagonal?: boolean } };
  if (!s.C || !s.dimension || s.sigma === undefined) return null;
  const n = s.dimension;
  const stds = Array.from({ length: n }, (_, i) => Math.sqrt(s.params?.diagonal ? s.C![i]! : s.C![i * n + i]!));
  return { init, sigma0: s.sigma, 'strategy-params': { stds } };
}

/** Where the warm-start config of a genome file goes: `final.json` → `final.warm.json`. */
export function warmPathFor(out: string): string {
  return join(dirname(out), `${basename(out).replace(/\.json$/i, '')}.warm.json`);
}

/**
 * Writes the run's point to `out` and, for a CMA-ES mean, its warm-start config beside it. Returns the paths
 * (warm null where the strategy has no covariance or the point is best.json's).
 */
export function exportRunPoint(dir: string, which: RunPoint, out: string): { genome: string; warm: string | null } {
  const { x, genome } = runPoint(dir, which);
  const cp = readJsonFile(join(dir, 'checkpoint.json'), 'checkpoint') as Checkpoint;
  const point: ExportedPoint = { genome, x, which, run: dir, generation: cp.generation, evaluations: cp.evaluations };
  writeFileSync(out, JSON.stringify(point, null, 1) + '\n');
  const w = which === 'mean' ? warmStartOf(dir, out) : null;
  if (!w) return { genome: out, warm: null };
  const warm = warmPathFor(out);
  writeFileSync(warm, JSON.stringify(w, null, 1) + '\n');
  return { genome: out, warm };
}
