/**
 * Measures of a bank's network on images the caller supplies: running statistics set to their moments, and
 * accuracy. Pretraining (src/workflows/pretrain_bank.ts) and transfer to a target domain both use them; neither
 * the images nor where they come from are the model's business.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { LabelledImages } from '../nn/labelled_images.js';
import { disposeTree, mapTree } from '../nn/tensor_tree.js';
import type { ModularResNetConfig } from './modular_config.js';
import { initNetworkStats, type DomainHead, type ModuleBank, type NetworkStats } from './modular_params.js';
import type { Ordering } from './mixture.js';
import { modularForward, type NetworkMoments } from './modular_resnet.js';

type Tf = typeof tfjs;

/** Moments of one training-mode pass as running statistics; a skipped position keeps mean 0, variance 1. */
export function momentsAsStats(tf: Tf, c: ModularResNetConfig, moments: NetworkMoments): NetworkStats {
  const init = initNetworkStats(tf, c);
  const out: NetworkStats = {
    input: { mean: tf.clone(moments.input.mean), variance: tf.clone(moments.input.variance) },
    blocks: init.blocks.map((b, l) => {
      const m = moments.blocks[l];
      if (!m) return { bn1: { mean: tf.clone(b.bn1.mean), variance: tf.clone(b.bn1.variance) }, bn2: { mean: tf.clone(b.bn2.mean), variance: tf.clone(b.bn2.variance) }, bn3: { mean: tf.clone(b.bn3.mean), variance: tf.clone(b.bn3.variance) } };
      return mapTree(tf, m, (t) => tf.clone(t));
    }),
  };
  disposeTree(tf, init);
  return out;
}

/** Running statistics set to the batch moments of `images` (one training-mode pass, nothing trained). */
export function estimateStats(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, images: Float32Array, head?: DomainHead): NetworkStats {
  const n = images.length / (c.inputHeight * c.inputWidth * c.inputChannels);
  return tf.tidy(() => {
    const x = tf.tensor4d(images, [n, c.inputHeight, c.inputWidth, c.inputChannels]);
    const h = head ?? { kernel: tf.zeros([c.features, 1]) as tfjs.Tensor2D, bias: tf.zeros([1]) as tfjs.Tensor1D };
    const r = modularForward(tf, c, bank, ordering, h, x, { training: true });
    return momentsAsStats(tf, c, r.moments!);
  });
}

/** Accuracy of the network on labelled images in inference mode, in chunks of `chunk` images. */
export function labelledAccuracy(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, head: DomainHead, stats: NetworkStats, split: LabelledImages, chunk = 250): number {
  const n = split.labels.length;
  const p = c.inputHeight * c.inputWidth * c.inputChannels;
  let correct = 0;
  for (let at = 0; at < n; at += chunk) {
    const m = Math.min(chunk, n - at);
    correct += tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(at * p, (at + m) * p), [m, c.inputHeight, c.inputWidth, c.inputChannels]);
      const r = modularForward(tf, c, bank, ordering, head, x, { training: false, stats });
      const pred = tf.argMax(r.logits, 1).dataSync();
      let k = 0;
      for (let i = 0; i < m; i++) if (pred[i] === split.labels[at + i]) k++;
      return k;
    });
  }
  return n === 0 ? NaN : correct / n;
}
