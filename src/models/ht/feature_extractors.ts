/**
 * The HyperTransformer's image feature extractors (papers.md §2.4), functional (NHWC, plain parameter
 * trees). The local extractor summarises the activations that feed one generated CNN layer; the shared one
 * summarises the raw support images once for every layer. Both end in a global average pool, so each image
 * becomes one feature row of a sample token.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { glorotUniform } from '../../runtime/tensor_init.js';

type Tf = typeof tfjs;

/** Reference kernel size of both extractors. */
const KERNEL = 3;

export interface ConvParams {
  /** [k, k, inChannels, filters] */
  kernel: tfjs.Tensor4D;
  bias: tfjs.Tensor1D;
}

/** One local conv with its stride; the stride is part of the plan fixed at construction, as in the reference. */
export interface LocalConvParams extends ConvParams {
  stride: number;
}

export interface LocalExtractorParams {
  /** Only the convs that actually run on an input of `inputSide` (see `localPlan`). */
  convs: LocalConvParams[];
  inputSide: number;
}

export interface SharedExtractorParams {
  convs: ConvParams[];
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new Error(msg);
}

/**
 * The convs that `SimpleConvFeatureExtractor` runs on a square input of side `inputSide` with `layers`
 * conv layers: kernel min(3, side) ('valid'), stride 2 for all but the last layer (1 if the input is
 * smaller than 3), and a layer is skipped, with all after it, once its input is smaller than the kernel
 * (the reference's `break`). E.g. 28 → 13 → 11 (two convs), 3 → 1 (one conv), 1 → 1 → 1 (two 1×1 convs).
 */
export function localPlan(inputSide: number, layers: number): { kernel: number; stride: number }[] {
  check(Number.isInteger(inputSide) && inputSide >= 1, `local feature extractor: input side must be a positive integer (got ${inputSide})`);
  check(layers === 1 || layers === 2, `local feature extractor: layers must be 1 or 2 (got ${layers})`);
  const kernel = Math.min(KERNEL, inputSide);
  const firstStride = inputSide < KERNEL ? 1 : 2;
  const plan: { kernel: number; stride: number }[] = [];
  let side = inputSide;
  for (let i = 0; i < layers && side >= kernel; i++) {
    const stride = i < layers - 1 ? firstStride : 1;
    plan.push({ kernel, stride });
    side = Math.floor((side - kernel) / stride) + 1;
  }
  return plan;
}

/** Feature size of the local extractor: `n` per conv that runs (Conv4 of Omniglot, side 3, gets n, not 2n). */
export function localFeatureDim(inputSide: number, inChannels: number, n: number, layers = 2): number {
  check(Number.isInteger(inChannels) && inChannels >= 1, `local feature extractor: inChannels must be a positive integer (got ${inChannels})`);
  check(Number.isInteger(n) && n >= 1, `local feature extractor: filters must be a positive integer (got ${n})`);
  return localPlan(inputSide, layers).length * n;
}

/** Glorot-uniform kernels and zero biases (Keras Conv2D defaults), only for the convs that will run. */
export function initLocalExtractor(tf: Tf, inChannels: number, inputSide: number, n: number, layers: number, rng: Rng): LocalExtractorParams {
  localFeatureDim(inputSide, inChannels, n, layers); // validates
  let c = inChannels;
  const convs = localPlan(inputSide, layers).map(({ kernel, stride }) => {
    const p = { kernel: glorotUniform(tf, [kernel, kernel, c, n], rng) as tfjs.Tensor4D, bias: tf.zeros([n]) as tfjs.Tensor1D, stride };
    c = n;
    return p;
  });
  return { convs, inputSide };
}

/**
 * x [B, H, W, C] → [B, dim]: the global average of each conv's pre-ReLU output, concatenated; ReLU
 * only feeds the next conv (reference `nonlinear_feature = False`).
 */
export function localFeatures(tf: Tf, params: LocalExtractorParams, x: tfjs.Tensor4D): tfjs.Tensor2D {
  check(x.rank === 4 && x.shape[1] === params.inputSide && x.shape[2] === params.inputSide,
    `local feature extractor: built for ${params.inputSide}×${params.inputSide} inputs (got [${x.shape.join(', ')}])`);
  return tf.tidy(() => {
    let h: tfjs.Tensor4D = x;
    const pooled: tfjs.Tensor2D[] = [];
    params.convs.forEach((p, i) => {
      const pre = tf.add(tf.conv2d(h, p.kernel, p.stride, 'valid'), p.bias) as tfjs.Tensor4D;
      pooled.push(tf.mean(pre, [1, 2]) as tfjs.Tensor2D);
      if (i < params.convs.length - 1) h = tf.relu(pre);
    });
    return pooled.length === 1 ? pooled[0]! : tf.concat(pooled, -1);
  });
}

/** `layers` ∈ {2, 3, 4} 3×3 convs of `dim` filters; glorot-uniform kernels, zero biases. */
export function initSharedExtractor(tf: Tf, inChannels: number, dim: number, layers: number, rng: Rng): SharedExtractorParams {
  check(Number.isInteger(inChannels) && inChannels >= 1, `shared feature extractor: inChannels must be a positive integer (got ${inChannels})`);
  check(Number.isInteger(dim) && dim >= 1, `shared feature extractor: dim must be a positive integer (got ${dim})`);
  check(layers === 2 || layers === 3 || layers === 4, `shared feature extractor: layers must be 2, 3 or 4 (got ${layers})`);
  const convs: ConvParams[] = [];
  for (let i = 0; i < layers; i++) {
    convs.push({ kernel: glorotUniform(tf, [KERNEL, KERNEL, i === 0 ? inChannels : dim, dim], rng) as tfjs.Tensor4D, bias: tf.zeros([dim]) as tfjs.Tensor1D });
  }
  return { convs };
}

/** x [B, H, W, C] → [B, dim]: conv ('same') + ReLU, stride 2 for all but the last conv, then global average pool. */
export function sharedFeatures(tf: Tf, params: SharedExtractorParams, x: tfjs.Tensor4D): tfjs.Tensor2D {
  check(x.rank === 4, `shared feature extractor: input must be [B, H, W, C] (got [${x.shape.join(', ')}])`);
  return tf.tidy(() => {
    let h: tfjs.Tensor4D = x;
    params.convs.forEach((p, i) => {
      const stride = i < params.convs.length - 1 ? 2 : 1;
      h = tf.relu(tf.add(tf.conv2d(h, p.kernel, stride, 'same'), p.bias)) as tfjs.Tensor4D;
    });
    return tf.mean(h, [1, 2]) as tfjs.Tensor2D;
  });
}
