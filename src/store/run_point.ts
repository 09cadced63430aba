/**
 * The point a finished (or killed) run stands for: its strategy's current estimate (`Strategy.point`: the
 * CMA-ES mean mirrored into the box, a gradient strategy's x, a restart strategy's current inner run's mean,
 * the GA's elite), or the best single evaluation (best.json), which with a noisy fitness is often a lucky draw.
 */
import { join } from 'node:path';
import { readJsonFile } from '../core/json_file.js';
import { lookup } from '../core/errors.js';
import type { Registry } from '../core/plugin.js';
import type { Strategy, StrategyState } from '../core/strategy.js';
import type { Checkpoint } from './run_records.js';
import { readManifest } from './manifest.js';
import type { RunConfig } from '../engine/run_config.js';

export type RunPoint = 'mean' | 'best';

/**
 * A genome file's `meta.trainedOn`: the task a genome was trained under, its resolved settings, and the task's
 * `trainingSetting` (for a learned rule: layer sizes, output encoding, learning steps, batch size, replay task),
 * which `evometa replay` rebuilds by default.
 */
export interface TrainedOn {
  task: string;
  taskConfig: Record<string, unknown>;
  [setting: string]: unknown;
}

/** The run's training setting, or undefined where its task describes none (Task.trainingSetting). */
export function runTrainedOn(config: RunConfig, registry: Registry): TrainedOn | undefined {
  const task = lookup(registry.tasks, 'task', config.task);
  if (!task.trainingSetting) return undefined;
  const taskConfig = task.resolveConfig(config.taskConfig) as Record<string, unknown>;
  return { task: task.name, taskConfig, ...task.trainingSetting(taskConfig) };
}

/** The run's configuration (manifest.json). */
export function runConfigOf(dir: string): RunConfig {
  return readManifest(dir).config;
}

/** The run's strategy, resolved in `registry`, and its checkpointed state. */
export function runStrategyState(dir: string, config: RunConfig, registry: Registry): { strategy: Strategy<StrategyState>; state: StrategyState; checkpoint: Checkpoint } {
  const checkpoint = readJsonFile(join(dir, 'checkpoint.json'), 'checkpoint') as Checkpoint;
  return { strategy: lookup(registry.strategies, 'strategy', config.strategy), state: checkpoint.strategy, checkpoint };
}

export function runPoint(dir: string, which: RunPoint, registry: Registry): { x: number[]; genome: unknown; config: RunConfig } {
  const config = runConfigOf(dir);
  const kind = lookup(registry.genomes, 'genome kind', config.genome);
  const kindConfig = kind.resolveConfig({ dim: config.dim, ...config.genomeConfig });
  let x: number[] | undefined;
  if (which === 'best') x = (readJsonFile(join(dir, 'best.json'), 'best') as { x?: number[] }).x;
  else {
    const { strategy, state } = runStrategyState(dir, config, registry);
    x = strategy.point(state);
  }
  if (!x) throw new Error(`${dir}: no ${which} point found (best.json has no x)`);
  const task = lookup(registry.tasks, 'task', config.task);
  const genome = kind.decode(x, kindConfig);
  // Stored as best.json stores it: with the task settings the genome only works under.
  return { x, genome: task.annotate ? task.annotate(genome, task.resolveConfig(config.taskConfig)) : genome, config };
}
