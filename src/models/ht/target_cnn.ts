/**
 * The target CNN of the HyperTransformer paper ('maxpool-4-layer', papers.md §2.6): 4 blocks of 3×3 conv
 * (stride 1, 'same', no bias) → activation → 2×2/2 max-pool → batch norm, then a flatten → dense logits
 * layer. Batch norm always uses the batch's own statistics (the reference runs it in training mode even
 * at test time) and its γ, β are learned, never generated. Kernels come from outside, so the same code
 * runs a CNN whose layers the HyperTransformer generated, one whose layers are ordinary trained weights
 * (ProtoNet's embedding), or any mix.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { glorotUniform } from '../../runtime/tensor_init.js';
import { batchNorm, type BnStats } from '../nn/batch_norm.js';
import type { CnnActivation } from './ht_config.js';

type Tf = typeof tfjs;

export const CNN_BLOCKS = 4;
export const KERNEL = 3;
const BN_EPSILON = 1e-3;

export interface BnParams {
  gamma: tfjs.Tensor1D;
  beta: tfjs.Tensor1D;
}

/** Block ℓ's input channels: 1 (grey images) for the first block, `channels` after. */
export function blockInChannels(block: number, channels: number): number {
  return block === 0 ? 1 : channels;
}

export function initBn(tf: Tf, channels: number): BnParams {
  return { gamma: tf.ones([channels]) as tfjs.Tensor1D, beta: tf.zeros([channels]) as tfjs.Tensor1D };
}

/** A trained (not generated) conv kernel [3, 3, Cin, C]. */
export function initConvKernel(tf: Tf, block: number, channels: number, rng: Rng): tfjs.Tensor4D {
  return glorotUniform(tf, [KERNEL, KERNEL, blockInChannels(block, channels), channels], rng) as tfjs.Tensor4D;
}

export function activate(tf: Tf, x: tfjs.Tensor4D, act: CnnActivation): tfjs.Tensor4D {
  return act === 'relu' ? tf.relu(x) : tf.leakyRelu(x, 0.01);
}

/** One block: conv → activation → max-pool → batch norm (batch statistics). */
export function cnnBlock(tf: Tf, x: tfjs.Tensor4D, kernel: tfjs.Tensor4D, bn: BnParams, act: CnnActivation): tfjs.Tensor4D {
  return cnnBlockWithStats(tf, x, kernel, bn, act).y;
}

/**
 * The same block whose batch norm reads fixed `stats` where given (so an image's output does not depend on the rest
 * of its batch, as a continual learner needs), else the batch's own moments, which come back as `moments`.
 */
export function cnnBlockWithStats(tf: Tf, x: tfjs.Tensor4D, kernel: tfjs.Tensor4D, bn: BnParams, act: CnnActivation, stats?: BnStats): { y: tfjs.Tensor4D; moments?: BnStats } {
  const h = activate(tf, tf.conv2d(x, kernel, 1, 'same'), act);
  const pooled = tf.maxPool(h, 2, 2, 'valid');
  return batchNorm(tf, pooled, bn.gamma, bn.beta, BN_EPSILON, stats === undefined, stats);
}

/** Flatten → x·W + b: W [features, ways], b [ways]. */
export function logitsLayer(tf: Tf, x: tfjs.Tensor4D, w: tfjs.Tensor2D, b: tfjs.Tensor1D): tfjs.Tensor2D {
  const flat = tf.reshape(x, [x.shape[0], -1]) as tfjs.Tensor2D;
  return tf.add(tf.matMul(flat, w), b) as tfjs.Tensor2D;
}

/** Images N×(s·s) in [-1, 1) → NHWC tensor [N, s, s, 1]. */
export function imagesTensor(tf: Tf, x: Float32Array, side: number): tfjs.Tensor4D {
  return tf.tensor4d(x, [x.length / (side * side), side, side, 1]);
}
