/**
 * The roofline section of `npm run bench -- versus`: GFLOP/s of one float32 matrix product on tfjs-wasm (XNNPACK's
 * WebAssembly SIMD GEMM, what BLUR's input layer runs on) against jit(jnp.dot) in JAX (XLA's CPU code), on the same
 * core. Why: the BLUR evaluation at P = 32 spends most of its kernel time in two such products (the blur section's
 * profile), so the ratio of the two GEMMs bounds what evometa can reach against the JAX anchor on this machine
 * without doing fewer flops.
 */
import { getTf, initBackend } from '../../src/runtime/backend.js';
import { Rng } from '../../src/core/rng.js';
import { time } from '../blur.js';
import { median } from '../stats.js';
import { xlaThreadsEnv } from './ht_jax.js';
import { probePython, runAnchor } from './python.js';

/** One product timed: A [M, K] times B [K, N], and what it stands for in evometa. */
export interface GemmShape {
  m: number;
  k: number;
  n: number;
  what: string;
}

export interface GemmVersusOptions {
  python: string | undefined;
  shapes: GemmShape[];
  reps: number;
  threads: number;
  repeats: number;
}

/** The default shapes: BLUR's input-layer products (784-100-10, k = 2, batch 32: P·k·100 rows) and a square product. */
export const GEMM_SHAPES: GemmShape[] = [
  { m: 200, k: 784, n: 32, what: 'BLUR input layer forward, P = 1' },
  { m: 6400, k: 784, n: 32, what: 'BLUR input layer forward, P = 32' },
  { m: 6400, k: 32, n: 784, what: 'BLUR Hebbian update, P = 32' },
  { m: 1024, k: 1024, n: 1024, what: 'square' },
];

const text = (s: GemmShape): string => `${s.m}x${s.k}x${s.n}`;

/** evometa's GFLOP/s per shape: tf.matMul on the active backend, inputs uniform in [−1, 1), the result read back. */
export async function evometaGemm(o: GemmVersusOptions): Promise<number[]> {
  const tf = getTf();
  const rng = new Rng(0);
  const out: number[] = [];
  for (const { m, k, n } of o.shapes) {
    const a = tf.tensor2d(Float32Array.from({ length: m * k }, () => 2 * rng.uniform() - 1), [m, k]);
    const b = tf.tensor2d(Float32Array.from({ length: k * n }, () => 2 * rng.uniform() - 1), [k, n]);
    const ms = await time(async () => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    }, o.reps);
    out.push((2 * m * k * n) / ms / 1e6);
    tf.dispose([a, b]);
  }
  return out;
}

/** Times both sides `o.repeats` times, interleaved, and prints medians and the ratio. */
export async function gemmVersusJax(o: GemmVersusOptions): Promise<void> {
  const shapes = o.shapes.map(text).join(',');
  console.log('');
  console.log(`## Matrix products (float32, GFLOP/s = 2·M·K·N / time): tfjs-wasm against jit(jnp.dot), shapes ${shapes}`);
  const probe = probePython(o.python, 'jax');
  if ('skipped' in probe) {
    console.log(`JAX anchor skipped: ${probe.skipped}`);
    return;
  }
  const info = await initBackend('wasm');
  const ours: number[][] = [];
  const theirs: number[][] = [];
  let jaxInfo: Record<string, unknown> = {};
  for (let r = 0; r < o.repeats; r++) {
    const jax = (): void => {
      jaxInfo = runAnchor(probe.python, 'gemm_jax.py', ['--shapes', shapes, '--reps', String(o.reps)], xlaThreadsEnv(o.threads));
      theirs.push((jaxInfo['rows'] as { gflops: number }[]).map((row) => row.gflops));
    };
    if (r % 2) { jax(); ours.push(await evometaGemm(o)); } else { ours.push(await evometaGemm(o)); jax(); }
  }
  console.log(`evometa: tfjs ${info.tfjsVersion} ${info.backend}; anchor: jax ${String(jaxInfo['jax'])} (${String(jaxInfo['devices'])}), ${o.threads} XLA thread(s); medians of ${o.repeats} interleaved repeats`);
  console.log('| M×K×N | what | evometa (tfjs-wasm) GFLOP/s | JAX (XLA CPU) GFLOP/s | evometa / JAX |');
  console.log('|---|---|---:|---:|---:|');
  o.shapes.forEach((s, i) => {
    const [e, j] = [median(ours.map((r) => r[i]!)), median(theirs.map((r) => r[i]!))];
    console.log(`| ${s.m}×${s.k}×${s.n} | ${s.what} | ${e.toFixed(1)} | ${j.toFixed(1)} | ${(e / j).toFixed(2)} |`);
  });
}
