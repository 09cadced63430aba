/**
 * One optimiser step and one evaluation of the modular network, shared by pretraining, head fitting and
 * the tests. What trains is whatever the caller lists as variables (the bank, logits, head, or any mix),
 * so freezing the modules is just leaving them out of the list.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { ModularResNetConfig } from './modular_config.js';
import type { DomainHead, ModuleBank, NetworkStats } from './modular_params.js';
import type { Ordering } from './mixture.js';
import { modularForward, softmaxCrossEntropy, updateNetworkStats, type NetworkMoments } from './modular_resnet.js';
import { disposeTree, treeTensors } from '../nn/tensor_tree.js';
import { readScalars } from '../nn/read_scalars.js';

type Tf = typeof tfjs;

/** A network for one domain; `stats` is replaced (and the old one disposed) by each training step. */
export interface ModularNetwork {
  bank: ModuleBank;
  ordering: Ordering;
  head: DomainHead;
  stats: NetworkStats;
}

/** Row-major [n, H·W·Cin] pixels and labels as an NHWC batch and int32 labels (caller owns them). */
export function batchTensors(tf: Tf, c: ModularResNetConfig, images: Float32Array, labels: ArrayLike<number>): { x: tfjs.Tensor4D; y: tfjs.Tensor1D } {
  const n = labels.length;
  const pixels = c.inputHeight * c.inputWidth * c.inputChannels;
  if (images.length !== n * pixels) throw new RangeError(`batch has ${images.length} values but ${n} labels × ${pixels} pixels = ${n * pixels}`);
  return {
    x: tf.tensor4d(images, [n, c.inputHeight, c.inputWidth, c.inputChannels]),
    y: tf.tensor1d(Int32Array.from(labels), 'int32'),
  };
}

/**
 * One step of `optimizer` on the mean cross-entropy of the batch (batch statistics), then the running
 * statistics move toward the batch's. Returns the loss before the step (read asynchronously, as WebGPU needs).
 */
export async function trainStep(
  tf: Tf, c: ModularResNetConfig, net: ModularNetwork, optimizer: tfjs.Optimizer, x: tfjs.Tensor4D, y: tfjs.Tensor1D, trainable: tfjs.Variable[],
): Promise<number> {
  if (trainable.length === 0) throw new Error('trainStep needs at least one trainable variable');
  let moments: NetworkMoments | undefined;
  const cost = optimizer.minimize(() => {
    const r = modularForward(tf, c, net.bank, net.ordering, net.head, x, { training: true });
    moments = r.moments;
    for (const t of treeTensors(tf, moments)) tf.keep(t);
    return softmaxCrossEntropy(tf, r.logits, y);
  }, true, trainable);
  const next = updateNetworkStats(tf, c, net.stats, moments!);
  disposeTree(tf, moments);
  disposeTree(tf, net.stats);
  net.stats = next;
  return (await readScalars(tf, [cost!]))[0]!;
}

/** Mean loss and accuracy with the running statistics (inference mode). */
export async function evaluateNetwork(tf: Tf, c: ModularResNetConfig, net: ModularNetwork, x: tfjs.Tensor4D, y: tfjs.Tensor1D): Promise<{ loss: number; accuracy: number }> {
  const [loss, accuracy] = await readScalars(tf, tf.tidy(() => {
    const r = modularForward(tf, c, net.bank, net.ordering, net.head, x, { training: false, stats: net.stats });
    const acc = tf.mean(tf.cast(tf.equal(tf.argMax(r.logits, 1), tf.cast(y, 'int32')), 'float32'));
    return [softmaxCrossEntropy(tf, r.logits, y), acc];
  }));
  return { loss: loss!, accuracy: accuracy! };
}
