import test from 'ava';
import { initBackend, getTf } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { makeSplit, type ImageSplit } from '../../../../src/data/image_dataset.js';
import { accuracy, trainBaseline, tuneLearningRate } from '../../../../src/workflows/replay/mlp_baseline.js';
import type { Tensor2D } from '@tensorflow/tfjs';

/** Three Gaussian blobs in 6-D, separable: a baseline that learns anything gets them right. */
function blobs(n: number, seed: number): ImageSplit {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 6);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let j = 0; j < 6; j++) x[i * 6 + j] = (j === 2 * c ? 2 : 0) + 0.5 * rng.normal();
  }
  return makeSplit(x, labels, 6);
}

test.before(async () => {
  await initBackend('cpu');
});

test('SGD and Adam baselines learn, reproducibly, and leak no tensors', (t) => {
  const tf = getTf();
  const train = blobs(300, 1);
  const evalSplit = blobs(150, 2);
  const before = tf.memory().numTensors;
  const opts = { sizes: [6, 16, 3], steps: 150, batchSize: 16, seed: 4, evalAt: [0, 150] };
  const sgd = trainBaseline(tf, train, evalSplit, { ...opts, optimizer: 'sgd', learningRate: 0.3 });
  const adam = trainBaseline(tf, train, evalSplit, { ...opts, optimizer: 'adam', learningRate: 0.01 });
  t.deepEqual(sgd.steps, [0, 150]);
  t.true(sgd.accuracy[1]! > 0.95, `sgd ${sgd.accuracy}`);
  t.true(adam.accuracy[1]! > 0.95, `adam ${adam.accuracy}`);
  t.deepEqual(trainBaseline(tf, train, evalSplit, { ...opts, optimizer: 'sgd', learningRate: 0.3 }), sgd);
  t.is(tf.memory().numTensors, before);
});

test('the learning rate is picked on the validation split from the grid', (t) => {
  const tf = getTf();
  const r = tuneLearningRate(tf, blobs(300, 1), blobs(150, 3), { sizes: [6, 16, 3], optimizer: 'sgd', steps: 60, batchSize: 16, seed: 4 }, [1e-4, 0.3]);
  t.is(r.learningRate, 0.3);
  t.is(r.tried.length, 2);
  t.true(r.tried[0]!.validationAccuracy < r.tried[1]!.validationAccuracy);
});

test('with one output (a signed binary task) the baseline trains one logit on the logistic loss and predicts class 1 where it is positive', (t) => {
  const tf = getTf();
  // Two blobs: class 1 where coordinate 0 is large.
  const two = (n: number, seed: number): ImageSplit => {
    const rng = new Rng(seed);
    const x = new Float32Array(n * 3);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let j = 0; j < 3; j++) x[i * 3 + j] = (j === 0 ? 2 * labels[i]! - 1 : 0) + 0.5 * rng.normal();
    }
    return makeSplit(x, labels, 3);
  };
  const before = tf.memory().numTensors;
  const curve = trainBaseline(tf, two(200, 1), two(200, 2), { sizes: [3, 8, 1], optimizer: 'sgd', learningRate: 0.3, steps: 80, batchSize: 16, seed: 5, evalAt: [80] });
  t.true(curve.accuracy[0]! > 0.95, `accuracy ${curve.accuracy}`);
  // A constant positive score is class 1 for every example: half of this balanced split.
  t.is(accuracy(tf, (x) => tf.ones([x.shape[0], 1]) as Tensor2D, two(100, 3)), 0.5);
  t.is(tf.memory().numTensors, before);
});
