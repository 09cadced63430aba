/**
 * The wasm gradient kernels against the cpu backend's own gradients, on the same data. Serial: both
 * backends live in this process and tests switch between them (tensors are recreated per backend).
 */
import test from 'ava';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { Rng } from '../../../src/core/rng.js';
import { WASM_GRADIENT_KERNELS, conv2dFilterGradWasm, registerWasmGradients } from '../../../src/runtime/wasm_conv_grad.js';

const tf = getTf();
type T4 = tfTypes.Tensor4D;
type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
type Nested = number | Nested[];

const rng = new Rng(20240611);
function randomArray(shape: number[]): Nested {
  const [n, ...rest] = shape;
  return Array.from({ length: n! }, () => (rest.length === 0 ? rng.normal() : randomArray(rest)));
}

function flatten(a: Nested): number[] {
  return typeof a === 'number' ? [a] : a.flatMap(flatten);
}

/** max |a - b| / max |b| over all entries. */
function relativeError(a: Nested, b: Nested): number {
  const fa = flatten(a), fb = flatten(b);
  if (fa.length !== fb.length) throw new Error(`sizes differ: ${fa.length} vs ${fb.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < fa.length; i++) {
    diff = Math.max(diff, Math.abs(fa[i]! - fb[i]!));
    scale = Math.max(scale, Math.abs(fb[i]!));
  }
  return diff / scale;
}

/**
 * Gradients of sum(f(inputs) * upstream) on `backend`: the random upstream makes every dy entry matter,
 * unlike a plain sum whose dy is all ones.
 */
async function gradsOn(backend: 'wasm' | 'cpu', inputs: Nested[], upstream: Nested,
  f: (...xs: tfTypes.Tensor[]) => tfTypes.Tensor): Promise<Nested[]> {
  await initBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((a) => tf.tensor(a as number[]));
    const dy = tf.tensor(upstream as number[]);
    const g = tf.grads((...args: tfTypes.Tensor[]) => tf.sum(tf.mul(f(...args), dy)))(xs);
    return g.map((t) => t.arraySync() as Nested);
  });
}

async function outShapeOn(inputs: Nested[], f: (...xs: tfTypes.Tensor[]) => tfTypes.Tensor): Promise<number[]> {
  await initBackend('cpu');
  return tf.tidy(() => f(...inputs.map((a) => tf.tensor(a as number[]))).shape);
}

async function compare(t: { true(v: boolean, m?: string): void; log(...v: unknown[]): void }, label: string,
  inputs: Nested[], f: (...xs: tfTypes.Tensor[]) => tfTypes.Tensor): Promise<number[]> {
  const upstream = randomArray(await outShapeOn(inputs, f));
  const wasm = await gradsOn('wasm', inputs, upstream, f);
  const cpu = await gradsOn('cpu', inputs, upstream, f);
  const errors = wasm.map((g, i) => relativeError(g, cpu[i]!));
  t.log(label, errors.map((e) => e.toExponential(1)).join(' '));
  errors.forEach((e, i) => t.true(e < 1e-4, `${label}: gradient ${i} relative error ${e}`));
  return errors;
}

const CONV_CASES: [string, number[], number[], number | [number, number], Pad][] = [
  ['3x3 s1 same', [2, 9, 9, 3], [3, 3, 3, 4], 1, 'same'],
  ['3x3 s2 same, even size', [3, 10, 10, 2], [3, 3, 2, 5], 2, 'same'],
  ['3x3 s2 same, odd size', [2, 9, 11, 3], [3, 3, 3, 4], 2, 'same'],
  ['3x3 s2 valid, leftover column', [2, 10, 8, 3], [3, 3, 3, 4], 2, 'valid'],
  ['5x3 s(3,2) valid', [3, 11, 11, 2], [5, 3, 2, 5], [3, 2], 'valid'],
  ['3x3 s2 explicit asymmetric', [2, 7, 7, 3], [3, 3, 3, 2], 2, [[0, 0], [1, 2], [2, 0], [0, 0]]],
  ['3x3 s1 explicit wide', [2, 6, 5, 2], [3, 3, 2, 3], 1, [[0, 0], [3, 1], [0, 4], [0, 0]]],
  ['4x4 s3 same', [2, 9, 9, 2], [4, 4, 2, 3], 3, 'same'],
  ['1x1 s1 valid', [2, 5, 6, 3], [1, 1, 3, 4], 1, 'valid'],
  ['2x2 s2 same, batch 1, 1 channel', [1, 8, 8, 1], [2, 2, 1, 1], 2, 'same'],
  ['3x3 s2 same, bench layer (batch 8)', [8, 28, 28, 16], [3, 3, 16, 32], 2, 'same'],
];

for (const [label, xShape, wShape, strides, pad] of CONV_CASES) {
  test.serial(`conv2d input and filter gradients match cpu: ${label}`, async (t) => {
    await compare(t, label, [randomArray(xShape), randomArray(wShape)],
      (x, w) => tf.conv2d(x as T4, w as T4, strides, pad));
  });
}

const DEPTHWISE_CASES: [string, number[], number[], number | [number, number], Pad][] = [
  ['3x3 s1 same, multiplier 2', [2, 9, 9, 3], [3, 3, 3, 2], 1, 'same'],
  ['3x3 s2 same, multiplier 1', [2, 9, 9, 3], [3, 3, 3, 1], 2, 'same'],
  ['3x3 s2 valid, multiplier 2', [2, 10, 9, 3], [3, 3, 3, 2], 2, 'valid'],
  ['3x3 s(2,1) explicit, multiplier 3', [3, 7, 7, 2], [3, 3, 2, 3], [2, 1], [[0, 0], [1, 2], [0, 1], [0, 0]]],
];

for (const [label, xShape, wShape, strides, pad] of DEPTHWISE_CASES) {
  test.serial(`depthwiseConv2d gradients match cpu: ${label}`, async (t) => {
    await compare(t, label, [randomArray(xShape), randomArray(wShape)],
      (x, w) => tf.depthwiseConv2d(x as T4, w as T4, strides, pad));
  });
}

test.serial('separableConv2d, conv1d and conv2dTranspose gradients match cpu', async (t) => {
  await compare(t, 'separable', [randomArray([2, 8, 8, 3]), randomArray([3, 3, 3, 2]), randomArray([1, 1, 6, 4])],
    (x, d, p) => tf.separableConv2d(x as T4, d as T4, p as T4, 1, 'same'));
  await compare(t, 'conv1d', [randomArray([2, 12, 3]), randomArray([3, 3, 4])],
    (x, w) => tf.conv1d(x as tfTypes.Tensor3D, w as tfTypes.Tensor3D, 2, 'same'));
  await compare(t, 'conv2dTranspose', [randomArray([2, 5, 5, 4]), randomArray([3, 3, 3, 4])],
    (x, w) => tf.conv2dTranspose(x as T4, w as T4, [2, 10, 10, 3], 2, 'same'));
});

test.serial('gather gradient (UnsortedSegmentSum) matches cpu, repeated and multi-dimensional indices', async (t) => {
  await compare(t, 'gather axis 0', [randomArray([10, 4])],
    (e) => tf.gather(e!, tf.tensor1d([1, 3, 3, 7, 0, 3], 'int32')));
  await compare(t, 'gather axis 1', [randomArray([3, 5, 4])],
    (e) => tf.gather(e!, tf.tensor2d([[1, 3], [0, 1]], [2, 2], 'int32'), 1));
  await initBackend('wasm');
  const seg = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]),
    tf.tensor1d([2, 0, 2, 9], 'int32'), 3).arraySync());
  t.deepEqual(seg, [[3, 4], [0, 0], [6, 8]], 'ids outside [0, numSegments) are dropped');
});

/** A dilated filter as its dense zero-stuffed equivalent, built from differentiable ops for the cpu reference. */
function zeroStuffed(w: tfTypes.Tensor, d: [number, number]): T4 {
  const [kh, kw, i, o] = w.shape as [number, number, number, number];
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, i, o]), [[0, 0], [0, d[0] - 1], [0, 0], [0, d[1] - 1], [0, 0], [0, 0]]);
  return tf.slice(tf.reshape(spread, [kh * d[0], kw * d[1], i, o]), 0, [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1, i, o]) as T4;
}

const DILATED_CASES: [string, number[], [number, number, number, number], Pad, [number, number]][] = [
  ['3x3 d2 same', [2, 11, 11, 3], [3, 3, 3, 4], 'same', [2, 2]],
  ['3x2 d(2,3) valid', [2, 12, 10, 2], [3, 2, 2, 3], 'valid', [2, 3]],
  ['2x2 d3 explicit', [1, 9, 9, 2], [2, 2, 2, 2], [[0, 0], [1, 0], [2, 1], [0, 0]], [3, 3]],
];

// tfjs-core's conv2d gradient refuses dilations > 1 on every backend, so the dilated filter gradient is
// checked through the exported helper against cpu's gradient of the equivalent zero-stuffed filter.
for (const [label, xShape, wShape, pad, d] of DILATED_CASES) {
  test.serial(`dilated filter gradient matches cpu: ${label}`, async (t) => {
    const x = randomArray(xShape), w = randomArray(wShape);
    await initBackend('cpu');
    const outShape = tf.tidy(() => tf.conv2d(tf.tensor(x as number[]) as T4, tf.tensor(w as number[]) as T4, 1, pad, 'NHWC', d).shape);
    const dy = randomArray(outShape);
    const cpu = tf.tidy(() => tf.grad((f) => tf.sum(tf.mul(
      tf.conv2d(tf.tensor(x as number[]) as T4, zeroStuffed(f, d), 1, pad), tf.tensor(dy as number[]))))(
      tf.tensor(w as number[])).arraySync() as Nested);
    await initBackend('wasm');
    const wasm = tf.tidy(() => conv2dFilterGradWasm(tf.tensor(x as number[]) as T4, tf.tensor(dy as number[]) as T4,
      wShape, 1, pad, d).arraySync() as Nested);
    const e = relativeError(wasm, cpu);
    t.log(label, e.toExponential(1));
    t.true(e < 1e-4, `relative error ${e}`);
  });
}

test.serial('the wasm kernels leak no tensors and no backend buffers', async (t) => {
  await initBackend('wasm');
  const x = tf.tensor(randomArray([2, 9, 9, 3]) as number[]) as T4;
  const w = tf.tensor(randomArray([3, 3, 3, 4]) as number[]) as T4;
  const dw = tf.tensor(randomArray([3, 3, 3, 2]) as number[]) as T4;
  const e = tf.tensor(randomArray([10, 4]) as number[]);
  const round = () => tf.tidy(() => {
    for (const s of [1, 2] as const) {
      tf.grads((a, b) => tf.sum(tf.conv2d(a as T4, b as T4, s, 'same')))([x, w]).forEach((g) => g.dataSync());
      tf.grads((a, b) => tf.sum(tf.depthwiseConv2d(a as T4, b as T4, s, 'valid')))([x, dw]).forEach((g) => g.dataSync());
    }
    tf.grad((a) => tf.sum(tf.gather(a, [1, 2, 2])))(e).dataSync();
    conv2dFilterGradWasm(x, tf.ones([2, 5, 5, 4]) as T4, [3, 3, 3, 4], 1, 'valid', 2).dataSync();
  });
  round(); // first call creates XNNPACK operators
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  for (let i = 0; i < 3; i++) round();
  t.is(tf.memory().numTensors, tensors);
  t.is(tf.backend().numDataIds(), buffers);
  tf.dispose([x, w, dw, e]);
});

test.serial('registerWasmGradients is idempotent and covers the kernels wasm lacks', async (t) => {
  await initBackend('wasm');
  const before = WASM_GRADIENT_KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
  registerWasmGradients();
  registerWasmGradients();
  t.deepEqual(WASM_GRADIENT_KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc), before);
  t.true(before.every((f) => typeof f === 'function'));
  t.deepEqual([...WASM_GRADIENT_KERNELS].sort(), ['Conv2DBackpropFilter', 'Conv2DBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum']);
});

test.serial('conv2dFilterGradWasm refuses to run off wasm', async (t) => {
  await initBackend('cpu');
  const x = tf.zeros([1, 4, 4, 1]) as T4, dy = tf.zeros([1, 2, 2, 1]) as T4;
  t.throws(() => conv2dFilterGradWasm(x, dy, [3, 3, 1, 1], 1, 'valid'), { message: /needs the wasm backend, not 'cpu'/ });
  tf.dispose([x, dy]);
});
