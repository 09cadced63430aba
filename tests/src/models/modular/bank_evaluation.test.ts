/**
 * Network measures on caller-supplied images: accuracy counts argmax hits whatever the chunk size, and estimated
 * running statistics are the moments of one training-mode pass (so inference with them equals training mode).
 */
import test from 'ava';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { resolveModularConfig } from '../../../../src/models/modular/modular_config.js';
import { initHead, initModuleBank } from '../../../../src/models/modular/modular_params.js';
import { modularForward } from '../../../../src/models/modular/modular_resnet.js';
import { estimateStats, labelledAccuracy } from '../../../../src/models/modular/bank_evaluation.js';
import { disposeTree } from '../../../../src/models/nn/tensor_tree.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

const c = resolveModularConfig({ inputHeight: 8, inputWidth: 8, tensorSize: 4, channels: 4, expansion: 2, blocks: 2, templates: 2, features: 8 });

test('labelledAccuracy: the share of argmax hits, the same in chunks of 3 as in one; stats from the images themselves', (t) => {
  const rng = new Rng(9);
  const n = 10;
  const images = Float32Array.from({ length: n * 64 }, () => rng.uniform());
  const bank = initModuleBank(tf, c, rng);
  const head = initHead(tf, c, 4, rng);
  const ordering = { modules: [1, 0] };
  const before = tf.memory().numTensors;
  const stats = estimateStats(tf, c, bank, ordering, images, head);
  const x = tf.tensor4d(images, [n, 8, 8, 1]);
  const { inference, training } = tf.tidy(() => ({
    inference: Array.from(modularForward(tf, c, bank, ordering, head, x, { training: false, stats }).logits.dataSync()),
    training: Array.from(modularForward(tf, c, bank, ordering, head, x, { training: true }).logits.dataSync()),
  }));
  t.true(inference.every((v, i) => Math.abs(v - training[i]!) < 1e-4), 'inference with the estimated statistics equals a training-mode pass');
  const predicted = Array.from({ length: n }, (_, i) => {
    const row = inference.slice(4 * i, 4 * i + 4);
    return row.indexOf(Math.max(...row));
  });
  // labels that hit on the first 7 images and miss on the last 3
  const labels = Uint8Array.from(predicted, (p, i) => (i < 7 ? p : (p + 1) % 4));
  t.is(labelledAccuracy(tf, c, bank, ordering, head, stats, { images, labels }), 0.7);
  t.is(labelledAccuracy(tf, c, bank, ordering, head, stats, { images, labels }, 3), 0.7);
  t.true(Number.isNaN(labelledAccuracy(tf, c, bank, ordering, head, stats, { images: new Float32Array(0), labels: [] })));
  x.dispose();
  disposeTree(tf, stats);
  t.is(tf.memory().numTensors, before);
  disposeTree(tf, [bank, head]);
});
