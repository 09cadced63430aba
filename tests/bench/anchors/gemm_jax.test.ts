/**
 * The matrix-product rows of the versus bench: evometa's side times tf.matMul per shape, and the JAX anchor
 * (bench/anchors/gemm_jax.py) times jit(jnp.dot) on the same shapes; the JAX test runs only where the anchors'
 * Python imports jax (EVOMETA_ANCHOR_PYTHON).
 */
import test from 'ava';
import { initBackend } from '../../../src/runtime/backend.js';
import { evometaGemm } from '../../../bench/anchors/gemm_versus.js';
import { xlaThreadsEnv } from '../../../bench/anchors/ht_jax.js';
import { runAnchor } from '../../../bench/anchors/python.js';
import { anchorPython } from '../../helpers/anchor_python.js';

const { python, withJax } = anchorPython('GEMM');

test.serial('evometa side: one finite, positive GFLOP/s figure per shape', async (t) => {
  await initBackend('wasm');
  const [square, row] = await evometaGemm({ python: undefined, shapes: [{ m: 96, k: 96, n: 96, what: 'square' }, { m: 1, k: 96, n: 96, what: 'one row' }], reps: 3, threads: 1, repeats: 1 });
  t.log(`wasm: 96³ ${square!.toFixed(2)} GFLOP/s, 1×96×96 ${row!.toFixed(2)} GFLOP/s`);
  t.true(Number.isFinite(square) && square! > 0 && Number.isFinite(row) && row! > 0);
});

withJax('JAX anchor: one row per shape, GFLOP/s = 2·M·K·N / seconds', (t) => {
  const out = runAnchor(python!, 'gemm_jax.py', ['--shapes', '8x16x4,32x32x32', '--reps', '2', '--warmup-s', '0'], xlaThreadsEnv(1));
  const rows = out['rows'] as { shape: string; seconds: number; gflops: number }[];
  t.deepEqual(rows.map((r) => r.shape), ['8x16x4', '32x32x32']);
  for (const [r, flops] of rows.map((r, i) => [r, [2 * 8 * 16 * 4, 2 * 32 ** 3][i]!] as const)) {
    t.true(r.seconds > 0);
    t.true(Math.abs(r.gflops - flops / r.seconds / 1e9) < 1e-9 * r.gflops);
  }
});
