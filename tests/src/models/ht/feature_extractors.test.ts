/**
 * HT feature extractors: local feature sizes per input side (the reference stops early on small inputs),
 * hand-checked pooled values (pre-ReLU features, ReLU between convs, strides, 'same' padding), gradients
 * reach every parameter, no leaks.
 */
import test from 'ava';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import {
  initLocalExtractor, initSharedExtractor, localFeatureDim, localFeatures, localPlan, sharedFeatures,
  type LocalExtractorParams, type SharedExtractorParams,
} from '../../../../src/models/ht/feature_extractors.js';
import { disposeTree, flattenTree, mapTree } from '../../../../src/models/nn/tensor_tree.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

test('local feature dims per input side, and the forward agrees', (t) => {
  const n = 8;
  const expected: Record<number, [number, number]> = { 28: [16, 8], 14: [16, 8], 7: [16, 8], 3: [8, 8], 1: [16, 8], 4: [8, 8], 2: [8, 8] };
  for (const [side, [two, one]] of Object.entries(expected).map(([s, v]) => [Number(s), v] as const)) {
    t.is(localFeatureDim(side, 3, n), two, `side ${side}, 2 layers`);
    t.is(localFeatureDim(side, 3, n, 1), one, `side ${side}, 1 layer`);
    for (const layers of [1, 2]) {
      const p = initLocalExtractor(tf, 3, side, n, layers, new Rng(side));
      const shape = tf.tidy(() => localFeatures(tf, p, tf.ones([2, side, side, 3]) as tfjs.Tensor4D).shape);
      t.deepEqual(shape, [2, localFeatureDim(side, 3, n, layers)]);
      disposeTree(tf, p);
    }
  }
  t.deepEqual(localPlan(28, 2), [{ kernel: 3, stride: 2 }, { kernel: 3, stride: 1 }]);
  t.deepEqual(localPlan(1, 2), [{ kernel: 1, stride: 1 }, { kernel: 1, stride: 1 }]);
  t.deepEqual(localPlan(28, 1), [{ kernel: 3, stride: 1 }]);
  t.throws(() => localFeatureDim(28, 3, 8, 3), { message: /layers must be 1 or 2/ });
});

function constLocal(side: number, cin: number, n: number, layers: number, w: number[], b: number[]): LocalExtractorParams {
  const p = initLocalExtractor(tf, cin, side, n, layers, new Rng(0));
  const out = mapTree(tf, p, (tt, path) => {
    const i = Number(path.split('.')[1]);
    return path.endsWith('kernel') ? tf.fill(tt.shape, w[i]!) : tf.fill(tt.shape, b[i]!);
  });
  disposeTree(tf, p);
  return out;
}

test('local: pre-ReLU features are emitted, ReLU only feeds the next conv', (t) => {
  // all-ones 7×7×2 input, kernel −0.5, bias 0.1: conv1 = 18·(−0.5) + 0.1 = −8.9 everywhere (3×3 output);
  // ReLU → 0, so conv2 = its bias 0.3 (1×1). Features: [−8.9, −8.9, 0.3, 0.3].
  const p = constLocal(7, 2, 2, 2, [-0.5, 1], [0.1, 0.3]);
  const y = tf.tidy(() => localFeatures(tf, p, tf.ones([1, 7, 7, 2]) as tfjs.Tensor4D).arraySync());
  t.deepEqual(y[0]!.map((v) => Math.round(v * 1e5) / 1e5), [-8.9, -8.9, 0.3, 0.3]);
  disposeTree(tf, p);
});

test('local: stride 2 on the first conv even when the second is skipped (side 4)', (t) => {
  // x[r][c] = r, kernel 1, bias 0. Stride 2 'valid' on 4×4 gives one window (rows 0–2): 3·(0+1+2) = 9.
  // (Stride 1 would average windows 9, 9, 18, 18 = 13.5.)
  const p = constLocal(4, 1, 1, 2, [1], [0]);
  t.is(p.convs.length, 1);
  const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => Math.floor(i / 4)), [1, 4, 4, 1]);
  const y = tf.tidy(() => localFeatures(tf, p, x).arraySync());
  t.true(Math.abs(y[0]![0]! - 9) < 1e-5);
  x.dispose();
  disposeTree(tf, p);
});

test("shared: 'same' padding, ReLU, stride 2 then 1, global average pool", (t) => {
  // 4×4 ones, 2 layers of all-ones 3×3 kernels, zero bias. Conv1 (stride 2, TF 'same' pads 0 top/left, 1
  // bottom/right) sees 9, 6, 6, 4 ones; conv2 (stride 1 on 2×2, padded 1 all round) sums all four: 25.
  const p0 = initSharedExtractor(tf, 1, 1, 2, new Rng(0));
  const p = mapTree(tf, p0, (tt, path) => (path.endsWith('kernel') ? tf.onesLike(tt) : tf.zerosLike(tt)));
  disposeTree(tf, p0);
  const y = tf.tidy(() => sharedFeatures(tf, p, tf.ones([1, 4, 4, 1]) as tfjs.Tensor4D).arraySync());
  t.true(Math.abs(y[0]![0]! - 25) < 1e-4);
  // negative kernels: ReLU after every conv gives zeros
  const n = mapTree(tf, p, (tt, path) => (path.endsWith('kernel') ? tf.neg(tt) : tf.clone(tt)));
  const z = tf.tidy(() => sharedFeatures(tf, n, tf.ones([1, 4, 4, 1]) as tfjs.Tensor4D).arraySync());
  t.is(z[0]![0], 0);
  disposeTree(tf, p);
  disposeTree(tf, n);
  for (const layers of [2, 3, 4]) {
    const q = initSharedExtractor(tf, 1, 5, layers, new Rng(layers));
    t.deepEqual(tf.tidy(() => sharedFeatures(tf, q, tf.ones([3, 28, 28, 1]) as tfjs.Tensor4D).shape), [3, 5]);
    disposeTree(tf, q);
  }
});

function gradCheck(t: import('ava').ExecutionContext, params: LocalExtractorParams | SharedExtractorParams, run: (p: never, x: tfjs.Tensor4D) => tfjs.Tensor2D, x: tfjs.Tensor4D): void {
  const named = flattenTree(tf, params);
  const before = tf.memory().numTensors;
  const f = (...ts: tfjs.Tensor[]): tfjs.Scalar => {
    const tree = mapTree(tf, params, (_t, path) => ts[named.findIndex(([nm]) => nm === path)]!);
    const y = run(tree as never, x);
    return tf.sum(tf.mul(y, tf.range(1, y.shape[1] + 1)));
  };
  const grads = tf.grads(f)(named.map(([, v]) => v));
  grads.forEach((g, i) => {
    const v = g.dataSync();
    t.true(v.every(Number.isFinite) && v.some((u) => Math.abs(u) > 1e-7), `${named[i]![0]} has a finite, non-zero gradient`);
  });
  tf.dispose(grads);
  t.is(tf.memory().numTensors, before);
}

test('gradients reach every parameter; no leaks', (t) => {
  const rng = new Rng(9);
  const x = tf.tensor4d(Array.from({ length: 2 * 14 * 14 * 3 }, () => rng.normal()), [2, 14, 14, 3]);
  const local = initLocalExtractor(tf, 3, 14, 4, 2, rng);
  const shared = initSharedExtractor(tf, 3, 4, 3, rng);
  gradCheck(t, local, (p, xx) => localFeatures(tf, p, xx), x);
  gradCheck(t, shared, (p, xx) => sharedFeatures(tf, p, xx), x);
  const n0 = tf.memory().numTensors;
  localFeatures(tf, local, x).dispose();
  sharedFeatures(tf, shared, x).dispose();
  t.is(tf.memory().numTensors, n0);
  const small = tf.zeros([1, 7, 7, 3]) as tfjs.Tensor4D;
  t.throws(() => localFeatures(tf, local, small), { message: /built for 14×14/ });
  small.dispose();
  tf.dispose(x);
  disposeTree(tf, local);
  disposeTree(tf, shared);
});
