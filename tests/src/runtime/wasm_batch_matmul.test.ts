/**
 * The SIMD BatchMatMul against the wasm backend's own kernel it wraps, bit for bit, on BLUR's shapes and on odd
 * ones (narrow, not a multiple of four columns, shared dimension over one block of 48, transposed left or right
 * operand, as the gradients of a product have), and the products it leaves to the original (broadcast batch, the
 * plain 2-D product).
 */
import test from 'ava';
import type * as tfTypes from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { Rng } from '../../../src/core/rng.js';
import { wrappedBatchMatMul } from '../../../src/runtime/wasm_batch_matmul.js';

const tf = getTf();

function randomTensor(rng: Rng, shape: number[]): tfTypes.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape);
}

/** The wrapped (original) kernel's result for the same inputs, run directly. */
function originalProduct(a: tfTypes.Tensor, b: tfTypes.Tensor, transposeA: boolean, transposeB: boolean): Float32Array {
  const kernel = wrappedBatchMatMul();
  if (kernel === null) throw new Error('the wasm BatchMatMul was not registered');
  const info = kernel({ inputs: { a, b }, backend: tf.backend(), attrs: { transposeA, transposeB } }) as tfTypes.TensorInfo;
  const out = tf.engine().makeTensorFromTensorInfo(info);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

const SHAPES: [number[], number[], boolean, boolean][] = [
  [[32, 2, 2], [32, 2, 3232], true, false],
  [[32, 2, 2], [32, 2, 3200], false, false],
  [[64, 32, 10], [64, 10, 100], false, false],
  [[64, 32, 10], [64, 32, 100], true, false],
  [[64, 32, 101], [64, 32, 10], true, false],
  [[64, 32, 101], [64, 101, 10], false, false],
  [[2, 3, 4, 50], [2, 3, 50, 7], false, false],
  [[1, 60, 3], [1, 60, 6], true, false],
  [[4, 7, 5], [4, 5, 1], false, false],
  [[4, 5, 7], [4, 5, 3], true, false],
  [[3, 9, 100], [3, 100, 18], false, false],
  [[3, 6, 5], [3, 7, 5], false, true],
  [[200, 32], [784, 32], false, true],
  [[200, 784], [32, 784], false, true],
  [[5, 200], [61, 5], true, true],
  [[2, 9, 50], [2, 3, 50], false, true],
  [[7, 50], [2, 50], false, true],
  [[1, 6, 5], [3, 5, 7], false, false],
  [[6, 5], [5, 7], false, false],
];

test.serial('wasm BatchMatMul: bit for bit the backend kernel it wraps, on BLUR’s shapes and odd ones', async (t) => {
  await initBackend('wasm');
  const rng = new Rng(11);
  for (const [as, bs, transposeA, transposeB] of SHAPES) {
    const [a, b] = [randomTensor(rng, as), randomTensor(rng, bs)];
    const fast = tf.matMul(a, b, transposeA, transposeB);
    const expected = originalProduct(a, b, transposeA, transposeB);
    const actual = fast.dataSync() as Float32Array;
    t.is(actual.length, expected.length, `${JSON.stringify(as)} × ${JSON.stringify(bs)}`);
    let same = 0;
    for (let i = 0; i < expected.length; i++) if (Object.is(actual[i], expected[i])) same++;
    t.is(same, expected.length, `${JSON.stringify(as)} × ${JSON.stringify(bs)} (transposeA ${transposeA}, transposeB ${transposeB}): ${expected.length - same} entries differ`);
    tf.dispose([a, b, fast]);
  }
});

test.serial('wasm BatchMatMul: the plain copy of a transposed right operand is freed', async (t) => {
  await initBackend('wasm');
  const backend = tf.backend() as unknown as { dataIdMap: { numDataIds(): number } };
  const [a, b] = [tf.ones([20, 8]), tf.ones([30, 8])];
  const before = backend.dataIdMap.numDataIds();
  for (let i = 0; i < 5; i++) tf.matMul(a, b, false, true).dispose();
  t.is(backend.dataIdMap.numDataIds(), before);
  const product = tf.matMul(a, b, false, true);
  t.deepEqual(product.shape, [20, 30]);
  t.is((product.dataSync() as Float32Array)[0], 8);
  tf.dispose([a, b, product]);
});

test.serial('wasm BatchMatMul: gradients through a batched product match the cpu backend', async (t) => {
  const rng = new Rng(5);
  const data = [Array.from({ length: 4 * 6 * 5 }, () => rng.normal()), Array.from({ length: 4 * 5 * 9 }, () => rng.normal())];
  const grads = async (backend: 'wasm' | 'cpu'): Promise<Float32Array[]> => {
    await initBackend(backend);
    const [a, b] = [tf.tensor(data[0]!, [4, 6, 5]), tf.tensor(data[1]!, [4, 5, 9])];
    const g = tf.grads((x: tfTypes.Tensor, y: tfTypes.Tensor) => tf.sum(tf.square(tf.matMul(x, y))))([a, b]);
    const out = g.map((v) => v.dataSync() as Float32Array);
    tf.dispose([a, b, ...g]);
    return out;
  };
  const [wasm, cpu] = [await grads('wasm'), await grads('cpu')];
  for (let k = 0; k < 2; k++) {
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < cpu[k]!.length; i++) {
      diff = Math.max(diff, Math.abs(wasm[k]![i]! - cpu[k]![i]!));
      scale = Math.max(scale, Math.abs(cpu[k]![i]!));
    }
    t.true(diff / scale < 1e-5, `gradient ${k}: relative error ${diff / scale}`);
  }
  await initBackend('wasm');
});
