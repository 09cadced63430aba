/**
 * Moment buffers between the Hebbian update and the synapses (network option `synapseMoments`,
 * blur_options.ts): one buffer M (and V for 'adam') per stored block, shaped like the block, carried through
 * the unroll beside the synapses. Pure functions, so `tf.grads` differentiates through them.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BlurNetworkOptions } from './blur_options.js';

type Tf = typeof tfjs;
type T = tfjs.Tensor;

/** The buffers of one block: M, and V for 'adam'. */
export interface MomentBuffers {
  m: T;
  v?: T;
}

/** The buffers of every stored block, in the layout of `BlurSynapses`. */
export interface SynapseMoments {
  input: { w: MomentBuffers; b: MomentBuffers };
  upper: { forward: MomentBuffers; backward: MomentBuffers }[];
}

/** The decays of one layer genome, broadcastable onto the block they update. */
export interface MomentDecays {
  beta1: T;
  beta2: T;
}

/** Zero buffers shaped like the given blocks (input w, b, then each upper forward, backward). */
export function zeroMoments(tf: Tf, blocks: { input: { w: T; b: T }; upper: { forward: T; backward: T }[] }, o: Pick<BlurNetworkOptions, 'synapseMoments'>): SynapseMoments | undefined {
  if (o.synapseMoments === 'none') return undefined;
  const zero = (like: T): MomentBuffers => (o.synapseMoments === 'adam' ? { m: tf.zerosLike(like), v: tf.zerosLike(like) } : { m: tf.zerosLike(like) });
  return {
    input: { w: zero(blocks.input.w), b: zero(blocks.input.b) },
    upper: blocks.upper.map((u) => ({ forward: zero(u.forward), backward: zero(u.backward) })),
  };
}

export function momentTensors(m: SynapseMoments | undefined): T[] {
  if (!m) return [];
  const of = (b: MomentBuffers): T[] => (b.v ? [b.m, b.v] : [b.m]);
  return [...of(m.input.w), ...of(m.input.b), ...m.upper.flatMap((u) => [...of(u.forward), ...of(u.backward)])];
}

/**
 * One update of a block's buffers with its Hebbian update h; returns the direction the synapse moves along
 * (times η_w) and the new buffers. `t` counts this update (1 for the first), for Adam's bias correction.
 */
export function momentStep(tf: Tf, buf: MomentBuffers, h: T, d: MomentDecays, t: number, o: BlurNetworkOptions): { direction: T; buffers: MomentBuffers } {
  if (o.synapseMoments === 'momentum') {
    const m = tf.add(tf.mul(d.beta1, buf.m), h);
    return { direction: m, buffers: { m } };
  }
  const m = tf.add(tf.mul(d.beta1, buf.m), tf.mul(tf.sub(1, d.beta1), h));
  const v = tf.add(tf.mul(d.beta2, buf.v!), tf.mul(tf.sub(1, d.beta2), tf.square(h)));
  const mHat = tf.div(m, tf.sub(1, tf.pow(d.beta1, t)));
  const vHat = tf.div(v, tf.sub(1, tf.pow(d.beta2, t)));
  // √ of at least 1e-30: the same value to float32 precision beside ε, and a finite gradient where V is 0 (a pixel that is always 0)
  const direction = tf.div(mHat, tf.add(tf.sqrt(tf.maximum(vHat, 1e-30)), o.momentEpsilon));
  return { direction, buffers: { m, v } };
}
