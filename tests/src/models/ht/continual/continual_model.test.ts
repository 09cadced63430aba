import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../../src/runtime/backend.js';
import { Rng } from '../../../../../src/core/rng.js';
import { resolveHtConfig } from '../../../../../src/models/ht/ht_config.js';
import { resolveContinualSettings } from '../../../../../src/models/ht/continual/cht_config.js';
import { freezeStats, embedImages, initContinualModel, taskWeights, type ContinualModel } from '../../../../../src/models/ht/continual/continual_model.js';
import { runSequence, type ContinualTask } from '../../../../../src/models/ht/continual/continual_sequence.js';
import { candidateSet, prototypicalLoss, storePrototypes } from '../../../../../src/models/ht/continual/prototype_memory.js';
import { imagesTensor } from '../../../../../src/models/ht/target_cnn.js';
import { disposeTree } from '../../../../../src/models/nn/tensor_tree.js';

test.before(async () => {
  await initBackend('wasm');
});

const config = resolveHtConfig({ ways: 2, shots: 2, queries: 2, channels: 4, generatedConvLayers: 1, transformerLayers: 1, embeddingDim: 8, localFeatures: 4, sharedFeatures: 4 });
const settings = resolveContinualSettings({ embedding: 4, tasks: 3 });

/** A task of random images: classes [2t, 2t + 1], support and query class-major. */
function randomTask(rng: Rng, t: number): ContinualTask {
  const px = 28 * 28;
  const part = (n: number) => ({ x: Float32Array.from({ length: n * px }, () => rng.uniform() * 2 - 1), labels: Int32Array.from({ length: n }, (_, i) => Math.floor(i / (n / 2))) });
  return { support: part(4), query: part(4), classes: [2 * t, 2 * t + 1] };
}

const tasks = (seed: number, n: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, t) => randomTask(rng, t));
};

const labelsOf = (task: ContinualTask): tf.Tensor1D => tf.tensor1d(Int32Array.from(task.support.labels), 'int32');

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

test('the recursion feeds θ_{t−1}: task 1\'s support set changes task 2\'s weights for cht, not for ht; task 1 is the plain HT', (t) => {
  const cht = initContinualModel(tf, 'cht', config, settings, 5);
  const ht: ContinualModel = { ...cht, kind: 'ht' };
  const [a1, b] = tasks(1, 2);
  const [a2] = tasks(2, 1);
  tf.tidy(() => {
    const withA1 = runSequence(tf, cht, [a1!, b!], { scenario: 'class-incremental' }).weights;
    const withA2 = runSequence(tf, cht, [a2!, b!], { scenario: 'class-incremental' }).weights;
    const noMemA1 = runSequence(tf, ht, [a1!, b!], { scenario: 'class-incremental' }).weights;
    const noMemA2 = runSequence(tf, ht, [a2!, b!], { scenario: 'class-incremental' }).weights;
    // Task 2's generated embedding layer and conv layer depend on task 1's support set only through the memory.
    t.true(maxAbsDiff(withA1[1]!.weights.logitsW, withA2[1]!.weights.logitsW) > 1e-3);
    t.true(maxAbsDiff(withA1[1]!.weights.kernels[3]!, withA2[1]!.weights.kernels[3]!) > 1e-3);
    t.is(maxAbsDiff(noMemA1[1]!.weights.logitsW, noMemA2[1]!.weights.logitsW), 0);
    t.is(maxAbsDiff(noMemA1[1]!.weights.kernels[3]!, noMemA2[1]!.weights.kernels[3]!), 0);
    // θ_init = 0: the first task's weights are the HT's exactly.
    t.is(maxAbsDiff(withA1[0]!.weights.logitsW, noMemA1[0]!.weights.logitsW), 0);
    // Trained (not generated) conv layers are shared by every task.
    t.is(maxAbsDiff(withA1[0]!.weights.kernels[0]!, withA2[1]!.weights.kernels[0]!), 0);
  });
  disposeTree(tf, cht.params);
});

test('an embedding depends on the image and θ_t only, not on the rest of its batch (frozen support statistics)', (t) => {
  const m = initContinualModel(tf, 'protonet', config, settings, 3);
  const [a, b] = tasks(7, 2);
  tf.tidy(() => {
    const sx = imagesTensor(tf, a!.support.x, 28);
    const cnn = freezeStats(tf, m, taskWeights(tf, m, sx, labelsOf(a!), null), sx);
    const qa = imagesTensor(tf, a!.query.x, 28);
    const alone = embedImages(tf, m, cnn, qa);
    const mixed = embedImages(tf, m, cnn, tf.concat([qa, imagesTensor(tf, b!.query.x, 28)], 0) as tf.Tensor4D);
    t.deepEqual(alone.shape, [4, 4]);
    t.true(maxAbsDiff(alone, tf.slice(mixed, [0, 0], [4, 4])) < 1e-5);
  });
  disposeTree(tf, m.params);
});

/** Loss at the last of three tasks, on its own queries, as a function of the slices θ_1 left in memory. */
function lastTaskLoss(m: ContinualModel, seq: ContinualTask[], theta1: Record<string, tf.Tensor2D>): tf.Scalar {
  let previous = { kernels: [], bn: [], logitsW: tf.zeros([1, 1]), logitsB: tf.zeros([1]), slices: theta1 } as unknown as Parameters<typeof taskWeights>[4];
  let cnn = null as ReturnType<typeof freezeStats> | null;
  const last = seq[seq.length - 1]!;
  for (const task of seq.slice(1)) {
    const sx = imagesTensor(tf, task.support.x, 28);
    const w = taskWeights(tf, m, sx, labelsOf(task), previous);
    cnn = freezeStats(tf, m, w, sx);
    previous = w;
  }
  const stored = [storePrototypes(tf, 2, embedImages(tf, m, cnn!, imagesTensor(tf, last.support.x, 28)), labelsOf(last), last.classes)];
  const queryClasses = Array.from(last.query.labels, (k) => last.classes[k]!);
  return prototypicalLoss(tf, embedImages(tf, m, cnn!, imagesTensor(tf, last.query.x, 28)), candidateSet(tf, stored, 'task-incremental', 2), queryClasses);
}

test('the loss at task 3 back-propagates through the recursion into the weights generated at task 1 (finite-difference check)', (t) => {
  const m = initContinualModel(tf, 'cht', config, settings, 11);
  const seq = tasks(4, 3);
  tf.tidy(() => {
    const sx = imagesTensor(tf, seq[0]!.support.x, 28);
    const theta1 = taskWeights(tf, m, sx, labelsOf(seq[0]!), null).slices!;
    const names = Object.keys(theta1).sort();
    t.deepEqual(names, ['conv3', 'logits']);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => lastTaskLoss(m, seq, { conv3: a as tf.Tensor2D, logits: b as tf.Tensor2D }))([theta1['conv3']!, theta1['logits']!]);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(grads[0]!)), tf.sum(tf.square(grads[1]!)))).dataSync()[0]!;
    t.true(Number.isFinite(norm) && norm > 1e-4, `gradient norm ${norm}`);
    // Directional derivative along the gradient, by central differences.
    const eps = 1e-2 / norm;
    const at = (s: number) => lastTaskLoss(m, seq, { conv3: tf.add(theta1['conv3']!, tf.mul(grads[0]!, s)) as tf.Tensor2D, logits: tf.add(theta1['logits']!, tf.mul(grads[1]!, s)) as tf.Tensor2D }).dataSync()[0]!;
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    t.true(Math.abs(fd - norm * norm) / (norm * norm) < 0.05, `finite difference ${fd} vs ‖g‖² ${norm * norm}`);
  });
  disposeTree(tf, m.params);
});

test('without memory the loss at task 3 does not depend on task 1', (t) => {
  const m = initContinualModel(tf, 'ht', config, settings, 11);
  const [x1, x2, x3] = tasks(4, 3);
  const [y1] = tasks(9, 1);
  const lastRow = (seq: ContinualTask[]) => tf.tidy(() => runSequence(tf, m, seq, { scenario: 'task-incremental', accuracy: true }).accuracy[2]![2]!);
  t.is(lastRow([x1!, x2!, x3!]), lastRow([y1!, x2!, x3!]));
  disposeTree(tf, m.params);
});
