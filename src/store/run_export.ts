/**
 * Exporting a run's final point so that the next step can start from it: a genome file that `--init`,
 * `replay` and `loadGenome` read (src/core/genome_file.ts; its meta holds the search vector and the run's task), and, for a CMA-ES run,
 * a search config holding what the run learned about the landscape besides its mean, σ and the per-coordinate
 * scales √C_ii, so that a new search with other settings (λ, fitness, episodes) does not relearn them.
 */
import { basename, dirname, join, relative } from 'node:path';
import { writeFileSync } from 'node:fs';
import { readJsonFile } from '../core/json_file.js';
import { lookup } from '../core/errors.js';
import { writeGenomeFile } from '../core/genome_file.js';
import { runConfigOf, runPoint, runStrategyState, runTrainedOn, type RunPoint, type TrainedOn } from './run_point.js';
import type { Registry } from '../core/plugin.js';
import type { WarmStart } from '../core/strategy.js';
import type { Checkpoint } from './run_records.js';

/**
 * Search options (as in a --config file) that go on from a run's `Strategy.warmStart`: for CMA-ES its mean (the
 * genome file `init`), step size and per-coordinate scales `stds`.
 */
export interface WarmStartConfig {
  /** The genome file, relative to the config's own folder (a --config file's paths are read relative to it). */
  init: string;
  sigma0: number;
  'strategy-params': WarmStart['params'];
}

/** A run point's genome file meta (besides the genome, in the envelope): where it comes from. */
export interface ExportedPoint {
  x: number[];
  which: RunPoint;
  /** The run folder, relative to the genome file's folder ('.' for the run's own final.json). */
  run: string;
  /** Completed generations and evaluations at the checkpoint the point comes from. */
  generation: number;
  evaluations: number;
  /** The task, its settings and the strategy the genome was trained under. */
  task: string;
  taskConfig: Record<string, unknown>;
  strategy: string;
  seed: number;
  /** The network and inner loop the genome was trained in (where the task describes one): what replay rebuilds. */
  trainedOn?: TrainedOn;
}

/**
 * The run's `Strategy.warmStart` as a search config starting from the genome file `init` (which holds its x0);
 * null where the strategy has none (gradient strategies, the GA).
 */
export function warmStartOf(dir: string, init: string, registry: Registry): WarmStartConfig | null {
  const { strategy, state } = runStrategyState(dir, runConfigOf(dir), registry);
  const w = strategy.warmStart?.(state);
  return w ? { init, sigma0: w.sigma0, 'strategy-params': w.params } : null;
}

/** Where the warm-start config of a genome file goes: `final.json` → `final.warm.json`. */
export function warmPathFor(out: string): string {
  return join(dirname(out), `${basename(out).replace(/\.json$/i, '')}.warm.json`);
}

/**
 * Writes the run's point to `out` and, for the strategy's point (`mean`) where the strategy has a warm start (the
 * CMA-ES family), its warm-start config beside it. Returns the paths (warm null otherwise).
 */
export function exportRunPoint(dir: string, which: RunPoint, out: string, registry: Registry): { genome: string; warm: string | null } {
  const { x, genome, config } = runPoint(dir, which, registry);
  const cp = readJsonFile(join(dir, 'checkpoint.json'), 'checkpoint') as Checkpoint;
  const trainedOn = runTrainedOn(config, registry);
  const point: ExportedPoint = {
    x, which, run: relative(dirname(out), dir) || '.', generation: cp.generation, evaluations: cp.evaluations, task: config.task, taskConfig: config.taskConfig, strategy: config.strategy, seed: config.seed,
    ...(trainedOn ? { trainedOn } : {}),
  };
  const kind = lookup(registry.genomes, 'genome kind', config.genome);
  writeGenomeFile(out, kind, genome, kind.resolveConfig({ dim: config.dim, ...config.genomeConfig }), { ...point });
  const warm = warmPathFor(out);
  const w = which === 'mean' ? warmStartOf(dir, relative(dirname(warm), out), registry) : null;
  if (!w) return { genome: out, warm: null };
  writeFileSync(warm, JSON.stringify(w, null, 1) + '\n');
  return { genome: out, warm };
}
