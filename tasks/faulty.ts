/**
 * A task that fails on purpose: the sphere function, except that a seeded fraction of evaluations
 * throws, returns NaN, hangs or crashes its worker thread. It exists to show (and test) that failures
 * rank worst, are logged, and never stop or corrupt a run.
 */
import { isMainThread } from 'node:worker_threads';
import { Rng } from '../src/core/rng.js';
import { UsageError } from '../src/core/errors.js';
import { configNumber, rejectUnknownKeys } from '../src/core/config_checks.js';
import type { Task } from '../src/core/task.js';
import { sleepSync } from './function_tasks.js';

export const FAULT_MODES = ['throw', 'nan', 'hang', 'crash'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultyConfig {
  mode: FaultMode;
  /** Probability that an evaluation fails, decided from the job seed (so it is reproducible). */
  failRate: number;
  /** How long a 'hang' lasts. */
  hangMs: number;
}

export const faultyTask: Task<number[], FaultyConfig> = {
  name: 'faulty',
  description: "sphere, but a seeded fraction (failRate) of evaluations fails (mode: throw, nan, hang or crash)",
  genomeKinds: ['vector'],
  usesTensorflow: false,
  resolveConfig(raw) {
    rejectUnknownKeys(raw, ['mode', 'failRate', 'hangMs'], 'task');
    const mode = raw['mode'] ?? 'throw';
    if (!FAULT_MODES.includes(mode as FaultMode))
      throw new UsageError(`task config 'mode' must be one of ${FAULT_MODES.join(', ')} (got ${JSON.stringify(mode)})`);
    return {
      mode: mode as FaultMode,
      failRate: configNumber(raw, 'failRate', 0.2, { min: 0, max: 1 }),
      hangMs: configNumber(raw, 'hangMs', 60000, { min: 0 }),
    };
  },
  evaluate(x, config, ctx) {
    const fails = new Rng(ctx.seed).uniform() < config.failRate;
    if (fails) {
      switch (config.mode) {
        case 'throw':
          throw new Error('faulty task: simulated failure');
        case 'nan':
          return { fitness: Number.NaN };
        case 'hang':
          sleepSync(config.hangMs);
          break;
        case 'crash':
          // In a worker this ends the thread (the pool replaces it); inline it must not end the run.
          if (!isMainThread) process.exit(13);
          throw new Error('faulty task: simulated worker crash (inline evaluation, so thrown instead)');
      }
    }
    let s = 0;
    for (const v of x) s += v * v;
    return { fitness: s };
  },
};
