/**
 * Exporting a run's final point so that the next step can start from it: a genome file that `--init`,
 * `replay` and `loadGenome` read (src/core/genome_file.ts; its meta holds the search vector and the run's task), and, for a CMA-ES run,
 * a search config holding what the run learned about the landscape besides its mean, σ and the per-coordinate
 * scales √C_ii, so that a new search with other settings (λ, fitness, episodes) does not relearn them.
 */
import { basename, dirname, join, relative, resolve } from 'node:path';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readJsonFile } from '../core/json_file.js';
import { lookup, UsageError } from '../core/errors.js';
import { GENOME_FILE_FORMAT, writeGenomeFile } from '../core/genome_file.js';
import { writeTextNoFollow, RUN_FILES } from './run_store.js';
import { runConfigOf, runPoint, runStrategyState, runTrainedOn, type RunPoint, type TrainedOn } from './run_point.js';
import type { Registry } from '../core/plugin.js';
import type { WarmStart } from '../core/strategy.js';
import type { Checkpoint } from './run_records.js';
import { isObject } from '../core/config_checks.js';

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

/** `path` with its folder's symbolic links resolved (the file itself need not exist). */
function realTarget(path: string): string {
  const dir = dirname(resolve(path));
  return join(existsSync(dir) ? realpathSync(dir) : dir, basename(path));
}

/**
 * Refuses to write an export over one of the run's own files, or over an existing file that is not of the kind
 * written there (`isSame`) unless `force`: an export replaces an earlier export, never other data.
 */
function checkExportTarget(dir: string, path: string, what: string, isSame: (json: unknown) => boolean, force: boolean): void {
  const target = realTarget(path);
  const own = Object.values(RUN_FILES).find((f) => realTarget(join(dir, f)) === target);
  if (own) throw new UsageError(`--out ${path} is the run's own ${own}; choose another file`);
  if (force || !existsSync(path)) return;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    json = undefined;
  }
  if (!isSame(json)) throw new UsageError(`${path} exists and is not ${what}; choose another --out, or give --force to overwrite it`);
}


/**
 * Writes the run's point to `out` and, for the strategy's point (`mean`) where the strategy has a warm start (the
 * CMA-ES family), its warm-start config beside it. Returns the paths (warm null otherwise).
 */
export function exportRunPoint(dir: string, which: RunPoint, out: string, registry: Registry, options: { force?: boolean } = {}): { genome: string; warm: string | null } {
  const force = options.force ?? false;
  checkExportTarget(dir, out, 'a genome file', (j) => isObject(j) && j['format'] === GENOME_FILE_FORMAT, force);
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
  checkExportTarget(dir, warm, 'a warm-start config', (j) => isObject(j) && 'init' in j && 'sigma0' in j, force);
  writeTextNoFollow(warm, JSON.stringify(w, null, 1) + '\n');
  return { genome: out, warm };
}
