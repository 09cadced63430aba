/**
 * The standard CMA-ES test functions (pycma's definitions) as tasks over the `vector` genome.
 * Options: a fixed random rotation (to test rotation invariance) and an artificial delay
 * (to exercise parallel evaluation, timeouts and kill-and-resume on cheap functions).
 */
import { BENCHMARK_FUNCTIONS, randomRotation, rotated } from './benchmark_functions.js';
import { configNumber, rejectUnknownKeys } from '../src/core/config_checks.js';
import type { Task } from '../src/core/task.js';
import { UsageError } from '../src/core/errors.js';

export interface FunctionTaskConfig {
  /** Evaluate f(R x) with a seeded random orthogonal R. */
  rotate: boolean;
  rotationSeed: number;
  /** Busy-waits this long per evaluation (simulates an expensive objective). */
  delayMs: number;
}

const rotations = new Map<string, (x: ArrayLike<number>) => number>();

/** Blocks the thread without spinning the CPU (Atomics.wait works in workers and in the main thread of Node). */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function resolveFunctionConfig(raw: Record<string, unknown>): FunctionTaskConfig {
  rejectUnknownKeys(raw, ['rotate', 'rotationSeed', 'delayMs'], 'task');
  const rotate = raw['rotate'] ?? false;
  if (typeof rotate !== 'boolean') throw new UsageError(`task config 'rotate' must be true or false (got ${JSON.stringify(rotate)})`);
  return {
    rotate,
    rotationSeed: configNumber(raw, 'rotationSeed', 1, { integer: true, min: 0, max: 2 ** 32 - 1 }),
    delayMs: configNumber(raw, 'delayMs', 0, { min: 0, max: 600000 }),
  };
}

function functionTask(name: string, f: (x: ArrayLike<number>) => number): Task<number[], FunctionTaskConfig> {
  return {
    name,
    description: `pycma's ${name} test function (options: rotate, rotationSeed, delayMs)`,
    genomeKinds: ['vector'],
    usesTensorflow: false,
    resolveConfig: resolveFunctionConfig,
    evaluate(x, config) {
      sleepSync(config.delayMs);
      let g: (x: ArrayLike<number>) => number = f;
      if (config.rotate) {
        const key = `${name}/${x.length}/${config.rotationSeed}`;
        const cached = rotations.get(key);
        g = cached ?? rotated(f, randomRotation(x.length, config.rotationSeed));
        if (cached === undefined) rotations.set(key, g);
      }
      return { fitness: g(x) };
    },
  };
}

export const FUNCTION_TASKS: Task<number[], FunctionTaskConfig>[] = Object.entries(BENCHMARK_FUNCTIONS as Record<string, (x: ArrayLike<number>) => number>).map(([name, f]) =>
  functionTask(name, f),
);
