/**
 * evometa's side of the BLUR anchor (bench/anchors/blur_jax.py): write a problem, run the anchor's numpy check
 * or its JAX timing, and say how far the anchor's numbers are from evometa's own. The check is what makes the
 * JAX timings a comparison of the same computation rather than of two programs that merely share a name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnchor } from './python.js';
import { median } from '../stats.js';
import type { BlurAnchorProblem, BlurReference } from './blur_problem.js';

/** How far the anchor is from evometa, as relative differences (0: identical). */
export interface BlurAnchorAgreement {
  P: number;
  /** Per genome |loss_anchor − loss_evometa| / |loss_evometa|. */
  loss: number[];
  /** Per genome max |out_anchor − out_evometa| / max |out_evometa| over the query outputs. */
  outputs: number[];
  /** The largest of all the above, and the median over genomes of each genome's larger one. */
  max: number;
  median: number;
}

/** The anchor's float32 run (evometa's precision) and its float64 run, each against evometa. */
export interface BlurAnchorCheck {
  float32: BlurAnchorAgreement;
  /** How far evometa's float32 result is from the same math with float64 rounding. */
  float64: BlurAnchorAgreement;
}

/** One row of the anchor's JAX timing. */
export interface JaxPopulationRow {
  P: number;
  ms_per_population: number;
  genome_steps_per_s: number;
  /** The anchor process's CPU seconds per wall second while timing. */
  cores: number;
}

export interface JaxTiming {
  jax: string;
  backend: string;
  devices: string[];
  rows: JaxPopulationRow[];
  grad: { ms: number; grads_per_s: number; cores: number };
  /** JAX's own meta-losses of every genome of the problem, and genome 0's value and gradient. */
  losses: number[];
  grad0: { loss: number; grad: number[] };
}

/** |a − b| / |b| over vectors: max |aᵢ − bᵢ| / max |bᵢ| (a NaN anywhere gives NaN, so it cannot pass a bound). */
export function relativeDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return NaN;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return NaN;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? (diff === 0 ? 0 : Infinity) : diff / scale;
}

/** The anchor's losses and outputs against evometa's. */
export function agreement(anchor: { losses: number[]; outputs: number[][] }, ours: BlurReference): BlurAnchorAgreement {
  const loss = ours.losses.map((l, g) => relativeDifference([anchor.losses[g]!], [l]));
  const outputs = ours.outputs.map((o, g) => relativeDifference(anchor.outputs[g] ?? [], o));
  const all = [...loss, ...outputs];
  const perGenome = loss.map((l, g) => Math.max(l, outputs[g]!)).sort((a, b) => a - b);
  const nan = all.some(Number.isNaN);
  return { P: ours.losses.length, loss, outputs, max: nan ? NaN : Math.max(...all), median: nan ? NaN : median(perGenome) };
}

/** The problem in a fresh temp folder; `cleanup` removes it. */
export function writeBlurProblem(problem: BlurAnchorProblem): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'evometa-blur-anchor-'));
  const path = join(dir, 'problem.json');
  writeFileSync(path, JSON.stringify(problem));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the anchor's numpy check on `problem` and compares it with evometa's figures on the same problem. */
export function checkBlurAnchor(python: string, problem: BlurAnchorProblem, ours: BlurReference): BlurAnchorCheck {
  const file = writeBlurProblem(problem);
  try {
    const out = runAnchor(python, 'blur_jax.py', [file.path, '--check']);
    const side = (suffix: string): BlurAnchorAgreement =>
      agreement({ losses: out[`losses${suffix}`] as number[], outputs: out[`outputs${suffix}`] as number[][] }, ours);
    return { float32: side(''), float64: side('64') };
  } finally {
    file.cleanup();
  }
}

/**
 * The anchor's JAX timing of `problem` (jit of the vmapped population loss for each P of `pops`, jit of
 * value_and_grad for genome 0), each after `warmupS` seconds of untimed calls (default 1; the first compiles).
 * XLA's CPU runtime gets `threads` threads when it runs on the CPU.
 */
export function timeBlurAnchor(python: string, problem: BlurAnchorProblem, o: { reps: number; pops: number[]; threads: number; warmupS?: number }): JaxTiming {
  const file = writeBlurProblem(problem);
  const flags = o.threads === 1 ? '--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1' : `intra_op_parallelism_threads=${o.threads}`;
  try {
    const env = { XLA_FLAGS: [process.env['XLA_FLAGS'] ?? '', flags].join(' ').trim(), OPENBLAS_NUM_THREADS: String(o.threads) };
    return runAnchor(python, 'blur_jax.py', [file.path, '--time', '--reps', String(o.reps), '--pops', o.pops.join(','), '--warmup-s', String(o.warmupS ?? 1)], env) as unknown as JaxTiming;
  } finally {
    file.cleanup();
  }
}
