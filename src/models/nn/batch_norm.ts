/**
 * Functional batch norm over the last (channel) axis. Training mode normalises with the batch's own
 * moments and hands them back, so the caller decides when and how running statistics move; inference
 * mode reads the running statistics it is given. Written from elementary ops so it differentiates on
 * every backend, through the moments too.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;

/** Per-channel moments: a batch's own, or the running statistics inference reads. */
export type BnStats = {
  mean: tfjs.Tensor1D;
  variance: tfjs.Tensor1D;
};

export interface BatchNormResult<T extends tfjs.Tensor> {
  y: T;
  /** The batch moments (training mode only). */
  moments?: BnStats;
}

export function batchNorm<T extends tfjs.Tensor>(
  tf: Tf, x: T, gamma: tfjs.Tensor1D, beta: tfjs.Tensor1D, epsilon: number, training: boolean, running?: BnStats,
): BatchNormResult<T> {
  let mean: tfjs.Tensor;
  let variance: tfjs.Tensor;
  if (training) {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    ({ mean, variance } = tf.moments(x, axes));
  } else {
    if (!running) throw new Error('batch norm in inference mode needs running statistics');
    ({ mean, variance } = running);
  }
  const scale = tf.mul(tf.rsqrt(tf.add(variance, epsilon)), gamma);
  const y = tf.add(tf.mul(tf.sub(x, mean), scale), beta) as T;
  return training ? { y, moments: { mean: mean as tfjs.Tensor1D, variance: variance as tfjs.Tensor1D } } : { y };
}

/** momentum·running + (1 − momentum)·batch, as new tensors (the inputs are left alone). */
export function updateRunning(tf: Tf, running: BnStats, batch: BnStats, momentum: number): BnStats {
  return tf.tidy(() => ({
    mean: tf.add(tf.mul(running.mean, momentum), tf.mul(batch.mean, 1 - momentum)) as tfjs.Tensor1D,
    variance: tf.add(tf.mul(running.variance, momentum), tf.mul(batch.variance, 1 - momentum)) as tfjs.Tensor1D,
  }));
}
