import test from 'ava';
import { initBackend, getTf } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { makeSplit, type ImageSplit } from '../../../../src/data/image_dataset.js';
import { trainBaseline, tuneLearningRate } from '../../../../src/workflows/replay/mlp_baseline.js';

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
