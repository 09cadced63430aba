/**
 * evometa's side of the HyperTransformer anchor (bench/anchors/ht_jax.py): write a problem, run the anchor's numpy
 * check or its JAX timing of the training step, and say how far the anchor's losses are from evometa's own. The
 * check is what makes the JAX steps/s a figure for the same computation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnchor } from './python.js';
import { relativeDifference } from './blur_jax.js';
import type { HtAnchorProblem, HtReference } from './ht_problem.js';

/** The anchor's per-step losses against evometa's, as relative differences (max |a − b| over max |b|). */
export interface HtAnchorCheck {
  /** numpy in float32, evometa's precision. */
  float32: number;
  /** The same math in float64: how far evometa's float32 result is from less rounding. */
  float64: number;
  /** The anchor's float32 losses, one per step. */
  losses: number[];
}

/** The anchor's JAX timing of one training step. */
export interface HtJaxTiming {
  jax: string;
  backend: string;
  devices: string[];
  /** JAX's losses of the problem's steps, trained in order from the problem's parameters (compare `HtReference.trained`). */
  losses: number[];
  ms_per_step: number;
  steps_per_s: number;
  /** The anchor process's CPU seconds per wall second while timing. */
  cores: number;
  timed_steps: number;
}

/** Runs `fn` with the problem written to a fresh temp file, removed afterwards. */
function withProblemFile<T>(problem: HtAnchorProblem, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'evometa-ht-anchor-'));
  try {
    const path = join(dir, 'problem.json');
    writeFileSync(path, JSON.stringify(problem));
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the anchor's numpy check on `problem` and compares its per-step losses with evometa's at the same parameters. */
export function checkHtAnchor(python: string, problem: HtAnchorProblem, ours: Pick<HtReference, 'losses'>): HtAnchorCheck {
  const out = withProblemFile(problem, (path) => runAnchor(python, 'ht_jax.py', [path, '--check']));
  const losses = out['losses'] as number[];
  return { float32: relativeDifference(losses, ours.losses), float64: relativeDifference(out['losses64'] as number[], ours.losses), losses };
}

/**
 * XLA's CPU runtime limited to `threads` threads (one: no Eigen thread pool either), BLAS likewise; on top of the
 * caller's XLA_FLAGS.
 */
export function xlaThreadsEnv(threads: number): Record<string, string> {
  const flags = threads === 1 ? '--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1' : `intra_op_parallelism_threads=${threads}`;
  return { XLA_FLAGS: [process.env['XLA_FLAGS'] ?? '', flags].join(' ').trim(), OPENBLAS_NUM_THREADS: String(threads) };
}

/** The anchor's JAX timing: `reps` jitted training steps after `warmupS` seconds of untimed ones (default 1; the first compiles). */
export function timeHtAnchor(python: string, problem: HtAnchorProblem, o: { reps: number; threads: number; warmupS?: number }): HtJaxTiming {
  return withProblemFile(problem, (path) =>
    runAnchor(python, 'ht_jax.py', [path, '--time', '--reps', String(o.reps), '--warmup-s', String(o.warmupS ?? 1)], xlaThreadsEnv(o.threads)) as unknown as HtJaxTiming);
}
