/**
 * A RunConfig resolved against the registry the engine was handed: the genome kind, task and strategy it
 * names, the kind's and the task's checked settings, and the strategy's initial state. Everything here runs
 * before a run folder is written, so a bad name or setting leaves nothing behind.
 */
import { constants as bufferConstants } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { lookup, UsageError } from '../core/errors.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { readGenomeFile } from '../core/genome_file.js';
import type { GenomeKind } from '../core/genome_kind.js';
import type { Registry } from '../core/plugin.js';
import type { Strategy, StrategyState } from '../core/strategy.js';
import { defaultRunConfig, type RunConfig } from './run_config.js';

/** Everything resolved from a RunConfig: the registry entries and the kind's settings. */
export interface Resolved {
  kind: GenomeKind<unknown, unknown>;
  kindConfig: unknown;
  strategy: Strategy<StrategyState>;
  taskConfig: Record<string, unknown>;
  /** The task evaluates several genomes in one set of tensor ops. */
  batchable: boolean;
  /** The genome as stored in best.json. */
  stored: (genome: unknown) => unknown;
}

/**
 * A plug-in's settings check: built-ins throw UsageError themselves; a plug-in module, which need not import
 * evometa's error class, may throw any Error, and its message still reaches the user as a usage error.
 */
function settings<T>(owner: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof UsageError || !(e instanceof Error)) throw e;
    throw new UsageError(`${owner}: ${e.message}`);
  }
}

export function resolve(config: RunConfig, registry: Registry): Resolved {
  const kind = lookup(registry.genomes, 'genome kind', config.genome);
  const task = lookup(registry.tasks, 'task', config.task);
  const strategy = lookup(registry.strategies, 'strategy', config.strategy);
  if (!task.genomeKinds.includes(kind.name))
    throw new UsageError(`task '${task.name}' scores genome kinds ${task.genomeKinds.join(', ')}, not '${kind.name}'; use --genome ${task.genomeKinds[0]}`);
  const kindConfig = settings(`genome '${kind.name}' (--genome-config)`, () => kind.resolveConfig({ dim: config.dim, ...config.genomeConfig }));
  // Fail here, in the main thread, rather than in every worker.
  const taskConfig = settings(`task '${task.name}' (--task-config)`, () => task.resolveConfig(config.taskConfig) as Record<string, unknown>);
  const stored = (g: unknown) => (task.annotate ? task.annotate(g, taskConfig) : g);
  return { kind, kindConfig, strategy, taskConfig, batchable: typeof task.evaluateBatch === 'function', stored };
}

/** The start of the search: --init (a random or stored genome, encoded) or --x0. */
export function startVector(config: RunConfig, r: Pick<Resolved, 'kind' | 'kindConfig'>): number[] {
  const n = r.kind.dim(r.kindConfig);
  let x0: number[];
  if (config.init === 'random') x0 = r.kind.encode(r.kind.random(r.kindConfig, new Rng(deriveSeed(config.seed, 'init'))), r.kindConfig);
  else if (config.init === 'default') {
    if (!r.kind.defaultGenome) throw new UsageError(`genome '${config.genome}' has no default genome; use --init random or --init FILE`);
    x0 = r.kind.encode(r.kind.defaultGenome(r.kindConfig), r.kindConfig);
  }
  else if (config.init !== null) x0 = r.kind.encode(readGenomeFile(config.init, { kinds: { [r.kind.name]: r.kind }, want: r.kind.name, wantedBy: '--genome' }).genome, r.kindConfig);
  else x0 = Array.isArray(config.x0) ? config.x0.slice() : new Array<number>(n).fill(config.x0);
  if (x0.length !== n) throw new UsageError(`the start point has ${x0.length} numbers but genome '${config.genome}' has ${n} dimensions (--x0 or --init)`);
  return x0;
}

export function initialState(config: RunConfig, r: Resolved, x0: number[]): StrategyState {
  const bounds = r.kind.bounds(r.kindConfig);
  const integers = r.kind.integers?.(r.kindConfig) ?? [];
  try {
    return r.strategy.init({
      x0,
      sigma0: config.sigma0,
      seed: deriveSeed(config.seed, 'strategy'),
      ...(config.popsize !== null ? { popsize: config.popsize } : {}),
      ...(bounds ? { bounds } : {}),
      ...(integers.length > 0 ? { integers } : {}),
      ...(r.kind.categorical ? { categorical: r.kind.categorical(r.kindConfig) } : {}),
      params: config.strategyParams,
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--strategy-params: ${(e as Error).message}`);
  }
}

/** At most this many worker threads per core (os.availableParallelism()): more only adds memory and contention. */
export const MAX_WORKERS_PER_CORE = 4;
/** Heap bytes per state number: the state itself, the eigendecomposition's working copies and the checkpoint's object graph. */
const HEAP_BYTES_PER_NUMBER = 32;
/** Characters per state number in checkpoint.json (17 digits, exponent, separator and indent). */
const JSON_CHARS_PER_NUMBER = 25;

function gigabytes(bytes: number): string {
  const gb = bytes / 1e9;
  return `${gb >= 10 ? Math.round(gb) : gb.toPrecision(2)} GB`;
}

/**
 * Refuses, before anything is written, what this machine cannot serve: more than MAX_WORKERS_PER_CORE worker threads
 * per core; a strategy state (`Strategy.stateNumbers`) that would not fit this process's heap or whose checkpoint
 * would not fit one JSON string; and a time limit with inline evaluation, which cannot stop synchronous code.
 */
export function checkResources(config: RunConfig, r: Pick<Resolved, 'strategy'>, dimension: number): void {
  const cores = availableParallelism();
  const maxWorkers = MAX_WORKERS_PER_CORE * cores;
  if (config.workers > maxWorkers)
    throw new UsageError(`--workers ${config.workers} is more than ${MAX_WORKERS_PER_CORE} per core on this machine (${cores} cores); use at most ${maxWorkers}`);
  if (config.workers === 0 && config.timeoutMs !== defaultRunConfig().timeoutMs)
    throw new UsageError(`--timeout-ms needs worker threads: inline evaluation (--workers 0) cannot stop a synchronous evaluation; use --workers 1 or more`);
  const numbers = r.strategy.stateNumbers?.(dimension) ?? 0;
  const heapLimit = getHeapStatistics().heap_size_limit;
  const heap = numbers * HEAP_BYTES_PER_NUMBER;
  const json = numbers * JSON_CHARS_PER_NUMBER;
  if (heap > heapLimit || json > bufferConstants.MAX_STRING_LENGTH)
    throw new UsageError(
      `strategy '${r.strategy.name}' at --dim ${dimension} holds about ${numbers.toExponential(1)} numbers (${gigabytes(numbers * 8)}; ` +
        `${gigabytes(heap)} of heap while it runs and a ${gigabytes(json)} checkpoint), more than this process can hold ` +
        `(heap limit ${gigabytes(heapLimit)}, a checkpoint of at most ${gigabytes(bufferConstants.MAX_STRING_LENGTH)}); ` +
        `use --strategy sep-cmaes (diagonal covariance, O(n) memory) or a smaller --dim`,
    );
}
