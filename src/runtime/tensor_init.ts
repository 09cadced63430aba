/**
 * Seeded tensor initialisers. Every model draws its initial weights from an `Rng`, never from tfjs's
 * global random state, so a seed fixes the network on every backend and in every worker.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';

type Tf = typeof tfjs;

/** N(0, std²) entries. */
export function normalTensor(tf: Tf, shape: number[], std: number, rng: Rng): tfjs.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
  return tf.tensor(v, shape);
}

/** U[lo, hi) entries. */
export function uniformTensor(tf: Tf, shape: number[], lo: number, hi: number, rng: Rng): tfjs.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.uniform();
  return tf.tensor(v, shape);
}

/**
 * Glorot (Xavier) uniform, Keras's default for Dense and Conv kernels: limit √(6 / (fanIn + fanOut)),
 * with the receptive field (all but the last two axes) multiplying both fans.
 */
export function glorotUniform(tf: Tf, shape: number[], rng: Rng): tfjs.Tensor {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = (shape.length >= 2 ? shape[shape.length - 2]! : shape[0]!) * receptive;
  const fanOut = shape[shape.length - 1]! * receptive;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return uniformTensor(tf, shape, -limit, limit, rng);
}
