/**
 * `npm run bench -- conv_grad [--steps N] [--batch B] [--backends wasm,cpu]`: training steps/s of a 2-conv
 * CNN (28x28x1 -> conv 3x3x16 -> relu -> conv 3x3x32 stride 2 -> flatten -> dense 10, SGD) per backend.
 * It exercises the wasm gradient kernels of src/runtime/wasm_conv_grad.ts; cpu runs fewer steps, as a reference.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, getTf, type BackendName } from '../src/runtime/backend.js';

const tf = getTf();

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

/** Same seeds on every backend, so the loss curves are comparable. */
function makeModel(batch: number) {
  const init = (shape: number[], fanIn: number, seed: number) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed));
  const params = {
    w1: init([3, 3, 1, 16], 9, 1), b1: tf.variable(tf.zeros([16])),
    w2: init([3, 3, 16, 32], 144, 2), b2: tf.variable(tf.zeros([32])),
    wd: init([14 * 14 * 32, 10], 14 * 14 * 32, 3), bd: tf.variable(tf.zeros([10])),
  };
  const x = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 4);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 5) as tfTypes.Tensor1D, 10);
  const loss = (): tfTypes.Scalar => {
    const h1 = tf.relu(tf.add(tf.conv2d(x as tfTypes.Tensor4D, params.w1 as tfTypes.Tensor4D, 1, 'same'), params.b1));
    const h2 = tf.add(tf.conv2d(h1 as tfTypes.Tensor4D, params.w2 as tfTypes.Tensor4D, 2, 'same'), params.b2);
    const logits = tf.add(tf.matMul(tf.reshape(h2, [batch, -1]), params.wd), params.bd);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tfTypes.Scalar;
  };
  const dispose = () => tf.dispose([...Object.values(params), x, labels]);
  return { loss, dispose };
}

async function measure(backend: BackendName, steps: number, batch: number): Promise<void> {
  const info = await initBackend(backend);
  const model = makeModel(batch);
  const opt = tf.train.sgd(0.02);
  const step = () => {
    const l = opt.minimize(model.loss, true) as tfTypes.Scalar;
    const v = l.dataSync()[0]!; // forces the step to finish, as a training loop reading the loss would
    l.dispose();
    return v;
  };
  const first = step();
  for (let i = 0; i < 2; i++) step(); // warm-up: XNNPACK operator creation, heap growth
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  let last = first;
  for (let i = 0; i < steps; i++) last = step();
  const ms = (performance.now() - t0) / steps;
  const leaked = tf.memory().numTensors - tensorsBefore;
  opt.dispose();
  model.dispose();
  console.log(`${info.backend.padEnd(5)} batch ${batch}: ${(1000 / ms).toFixed(1).padStart(6)} steps/s `
    + `(${ms.toFixed(1)} ms/step over ${steps} steps), loss ${first.toFixed(3)} -> ${last.toFixed(3)}, `
    + `tensors leaked per step ${(leaked / steps).toFixed(2)}`);
}

export default async function (args: string[]): Promise<void> {
  const steps = Number(option(args, 'steps', '100'));
  const batch = Number(option(args, 'batch', '32'));
  const backends = option(args, 'backends', 'wasm,cpu').split(',') as BackendName[];
  console.log(`conv_grad: 2-conv CNN training step, tfjs ${tf.version.tfjs}, node ${process.version}`);
  for (const b of backends) await measure(b, b === 'cpu' ? Math.max(3, Math.round(steps / 20)) : steps, batch);
}
