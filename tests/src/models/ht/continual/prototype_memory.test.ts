import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../../src/runtime/backend.js';
import { candidateSet, classMatches, prototypeAccuracy, prototypicalLoss, storePrototypes } from '../../../../../src/models/ht/continual/prototype_memory.js';
import { backwardTransfer, seenSoFar } from '../../../../../src/models/ht/continual/continual_sequence.js';

test.before(async () => {
  await initBackend('wasm');
});

/** Three stored tasks in a 1-D embedding: task 0 classes 7, 3 at 0, 10; task 1 classes 5, 6 at 20, 30; task 2 classes 3, 9 at 40, 50. */
function memory() {
  const task = (t: number, a: number, b: number, classes: number[]) =>
    storePrototypes(tf, t, tf.tensor2d([[a - 1], [a + 1], [b]], [3, 1]), tf.tensor1d([0, 0, 1], 'int32'), classes);
  return [task(0, 0, 10, [7, 3]), task(1, 20, 30, [5, 6]), task(2, 40, 50, [3, 9])];
}

test('prototypes are class means of the support embeddings, stored per task with their classes', (t) => {
  tf.tidy(() => {
    const [first] = memory();
    t.deepEqual(Array.from(first!.protos.dataSync()), [0, 10]);
    t.deepEqual(first!.classes, [7, 3]);
  });
});

test('task-incremental candidates are the query task\'s own prototypes; class-incremental ones every stored prototype in task order', (t) => {
  tf.tidy(() => {
    const stored = memory();
    const own = candidateSet(tf, stored, 'task-incremental', 1);
    t.deepEqual(own.keys, [[1, 0], [1, 1]]);
    t.deepEqual(own.classes, [5, 6]);
    t.deepEqual(Array.from(own.protos.dataSync()), [20, 30]);
    const all = candidateSet(tf, stored, 'class-incremental', 1);
    t.deepEqual(all.keys, [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]);
    t.deepEqual(all.classes, [7, 3, 5, 6, 3, 9]);
    t.deepEqual(Array.from(all.protos.dataSync()), [0, 10, 20, 30, 40, 50]);
    // After task 1 only tasks 0 and 1 are in memory.
    t.deepEqual(candidateSet(tf, stored.slice(0, 2), 'class-incremental', 0).classes, [7, 3, 5, 6]);
    t.throws(() => candidateSet(tf, stored.slice(0, 1), 'task-incremental', 1), { message: /no prototypes stored for task 1/ });
  });
});

test('the loss puts a query\'s mass on every prototype of its class; accuracy counts the nearest prototype\'s class', (t) => {
  tf.tidy(() => {
    const all = candidateSet(tf, memory(), 'class-incremental', 0);
    t.deepEqual(Array.from(classMatches(tf, [3, 6], all.classes).dataSync()), [0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
    // Query at 12 of class 3: logits −d² = −144, −4, −64, −324, −784, −1444; class 3 owns rows 1 and 4.
    const q = tf.tensor2d([[12]]);
    const d2 = [144, 4, 64, 324, 784, 1444];
    const lse = (xs: number[]) => Math.max(...xs) + Math.log(xs.reduce((a, x) => a + Math.exp(x - Math.max(...xs)), 0));
    const expected = lse(d2.map((d) => -d)) - lse([-4, -784]);
    t.true(Math.abs(prototypicalLoss(tf, q, all, [3]).dataSync()[0]! - expected) < 1e-4);
    // Task-incremental for task 0: only rows 0 and 1 compete.
    const own = candidateSet(tf, memory(), 'task-incremental', 0);
    t.true(Math.abs(prototypicalLoss(tf, q, own, [3]).dataSync()[0]! - (lse([-144, -4]) - -4)) < 1e-4);
    // Queries at 41 (class 3: nearest row 4, class 3 → right) and 24 (class 5: nearest row 2 → right), 33 (class 9: nearest row 3, class 6 → wrong).
    t.is(prototypeAccuracy(tf, tf.tensor2d([[41], [24], [33]]), all, [3, 5, 9]), 2 / 3);
  });
});

test('seen-so-far curve and backward transfer from an accuracy matrix', (t) => {
  const acc = [[0.9], [0.8, 0.7], [0.95, 0.6, 0.5]];
  t.deepEqual(seenSoFar(acc), [0.9, 0.75, (0.95 + 0.6 + 0.5) / 3]);
  // (0.95 − 0.9 + 0.6 − 0.7) / 2
  t.true(Math.abs(backwardTransfer(acc) - -0.025) < 1e-12);
  t.is(backwardTransfer([[0.5]]), 0);
});
