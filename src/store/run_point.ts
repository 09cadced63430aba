/**
 * The point a finished (or killed) run stands for: its final search point — the CMA-ES mean mirrored
 * into the box (the mean is a genotype that may lie outside it), or a gradient strategy's x — or the
 * best single evaluation (best.json), which with a noisy fitness is often a lucky draw. For a restart
 * strategy (ipop, bipop) the final point is that of its current inner CMA-ES run.
 */
import { join } from 'node:path';
import { readJsonFile } from '../core/json_file.js';
import { lookup } from '../core/errors.js';
import { reflectIntoBounds, type JsonBounds } from '../../strategies/cma_es.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import { TASKS } from '../../tasks/index.js';
import type { Checkpoint } from './run_records.js';
import type { RunConfig } from '../engine/run_config.js';

export type RunPoint = 'mean' | 'best';

/**
 * The checkpoint's strategy state that samples: for a restart strategy (ipop, bipop) its current inner
 * CMA-ES run, which it keeps as `inner`; otherwise the state itself.
 */
export function currentStrategyState(dir: string): Record<string, unknown> {
  type State = Record<string, unknown> & { inner?: State };
  let s = (readJsonFile(join(dir, 'checkpoint.json'), 'checkpoint') as Checkpoint).strategy as unknown as State;
  while (s.inner && s['mean'] === undefined && s['x'] === undefined) s = s.inner;
  return s;
}

export function runPoint(dir: string, which: RunPoint): { x: number[]; genome: unknown; config: RunConfig } {
  const config = (readJsonFile(join(dir, 'manifest.json'), 'manifest') as { config: RunConfig }).config;
  const kind = lookup(GENOME_KINDS, 'genome kind', config.genome);
  const kindConfig = kind.resolveConfig({ dim: config.dim, ...config.genomeConfig });
  let x: number[] | undefined;
  if (which === 'best') x = (readJsonFile(join(dir, 'best.json'), 'best') as { x?: number[] }).x;
  else {
    const s = currentStrategyState(dir) as { mean?: number[]; x?: number[]; bounds?: JsonBounds | null };
    x = s.mean ? reflectIntoBounds(s.mean, s.bounds ?? null) : s.x;
  }
  if (!x) throw new Error(`${dir}: no ${which} point found (best.json or the checkpoint's mean / x)`);
  const task = lookup(TASKS, 'task', config.task);
  const genome = kind.decode(x, kindConfig);
  // Stored as best.json stores it: with the task settings the genome only works under.
  return { x, genome: task.annotate ? task.annotate(genome, task.resolveConfig(config.taskConfig)) : genome, config };
}
