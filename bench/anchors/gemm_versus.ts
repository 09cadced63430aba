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

export interface GemmVersusOptions {
  python: string | undefined;
  /** M×K×N of each product: A [M, K] times B [K, N]. */
  shapes: [number, number, number][];
  reps: number;
  threads: number;
  repeats: number;
}

/** The default shapes: BLUR's input-layer forward at P = 1 and P = 32 (784-100-10, k = 2, batch 32), its Hebbian update at P = 32, and a square product. */
export const GEMM_SHAPES: [number, number, number][] = [
  [200, 784, 32],
  [6400, 784, 32],
  [6400, 32, 784],
  [1024, 1024, 1024],
];

/** evometa's GFLOP/s per shape: tf.matMul on the active backend, inputs uniform in [−1, 1), the result read back. */
export async function evometaGemm(o: GemmVersusOptions): Promise<number[]> {
  const tf = getTf();
  const rng = new Rng(0);
  const out: number[] = [];
  for (const [m, k, n] of o.shapes) {
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
  const text = o.shapes.map((s) => s.join('x')).join(',');
  console.log('');
  console.log(`## Matrix products (float32, GFLOP/s = 2·M·K·N / time): tfjs-wasm against jit(jnp.dot), shapes ${text}`);
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
      jaxInfo = runAnchor(probe.python, 'gemm_jax.py', ['--shapes', text, '--reps', String(o.reps)], xlaThreadsEnv(o.threads));
      theirs.push((jaxInfo['rows'] as { gflops: number }[]).map((row) => row.gflops));
    };
    if (r % 2) { jax(); ours.push(await evometaGemm(o)); } else { ours.push(await evometaGemm(o)); jax(); }
  }
  console.log(`evometa: tfjs ${info.tfjsVersion} ${info.backend}; anchor: jax ${String(jaxInfo['jax'])} (${String(jaxInfo['devices'])}), ${o.threads} XLA thread(s); medians of ${o.repeats} interleaved repeats`);
  console.log('| M×K×N | what | evometa (tfjs-wasm) GFLOP/s | JAX (XLA CPU) GFLOP/s | evometa / JAX |');
  console.log('|---|---|---:|---:|---:|');
  o.shapes.forEach((s, i) => {
    const [e, j] = [median(ours.map((r) => r[i]!)), median(theirs.map((r) => r[i]!))];
    console.log(`| ${s.join('×')} | ${describe(s)} | ${e.toFixed(1)} | ${j.toFixed(1)} | ${(e / j).toFixed(2)} |`);
  });
}

function describe([m, k, n]: [number, number, number]): string {
  if (k === 784 && n === 32) return `BLUR input layer forward, P = ${m / 200}`;
  if (k === 32 && n === 784) return `BLUR Hebbian update, P = ${m / 200}`;
  return m === k && k === n ? 'square' : '';
}
