/**
 * Exporting a run's final point so that the next step can start from it: a genome file that `--init`,
 * `replay` and `loadGenome` read (src/core/genome_file.ts; its meta holds the search vector and the run's task), and, for a CMA-ES run,
 * a search config holding what the run learned about the landscape besides its mean, σ and the per-coordinate
 * scales √C_ii, so that a new search with other settings (λ, fitness, episodes) does not relearn them.
 */
import { basename, dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { readJsonFile } from '../core/json_file.js';
import { lookup } from '../core/errors.js';
import { writeGenomeFile } from '../core/genome_file.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import { currentStrategyState, runPoint, type RunPoint } from './run_point.js';
import type { Checkpoint } from './run_records.js';

/** Search options (as in a --config file) that go on from a CMA-ES run's mean, step size and scales. */
export interface WarmStartConfig {
  init: string;
  sigma0: number;
  'strategy-params': { stds: number[] };
}

/** A run point's genome file meta (besides the genome, in the envelope): where it comes from. */
export interface ExportedPoint {
  x: number[];
  which: RunPoint;
  run: string;
  /** Completed generations and evaluations at the checkpoint the point comes from. */
  generation: number;
  evaluations: number;
  /** The task, its settings and the strategy the genome was trained under. */
  task: string;
  taskConfig: Record<string, unknown>;
  strategy: string;
  seed: number;
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
  const { x, genome, config } = runPoint(dir, which);
  const cp = readJsonFile(join(dir, 'checkpoint.json'), 'checkpoint') as Checkpoint;
  const point: ExportedPoint = { x, which, run: dir, generation: cp.generation, evaluations: cp.evaluations, task: config.task, taskConfig: config.taskConfig, strategy: config.strategy, seed: config.seed };
  const kind = lookup(GENOME_KINDS, 'genome kind', config.genome);
  writeGenomeFile(out, kind, genome, kind.resolveConfig({ dim: config.dim, ...config.genomeConfig }), { ...point });
  const w = which === 'mean' ? warmStartOf(dir, out) : null;
  if (!w) return { genome: out, warm: null };
  const warm = warmPathFor(out);
  writeFileSync(warm, JSON.stringify(w, null, 1) + '\n');
  return { genome: out, warm };
}
