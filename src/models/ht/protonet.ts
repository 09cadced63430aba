/**
 * Prototypical networks (Snell et al. 2017) with the HyperTransformer's target CNN as the embedding: the
 * fixed-embedding baseline the paper compares against. All 4 conv layers are trained; a query's logits
 * are minus its squared Euclidean distance to each class's mean support embedding.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { HtConfig } from './ht_config.js';
import { cnnBlock, initBn, initConvKernel, type BnParams, CNN_BLOCKS } from './target_cnn.js';

type Tf = typeof tfjs;

export interface ProtoNetParams {
  kernels: tfjs.Tensor4D[];
  bn: BnParams[];
}

export function initProtoNet(tf: Tf, c: HtConfig, rng: Rng): ProtoNetParams {
  return {
    kernels: Array.from({ length: CNN_BLOCKS }, (_, i) => initConvKernel(tf, i, c.channels, rng)),
    bn: Array.from({ length: CNN_BLOCKS }, () => initBn(tf, c.channels)),
  };
}

/** Images [N, s, s, 1] → flattened block-4 features [N, C·h·w]. */
export function embed(tf: Tf, c: HtConfig, p: ProtoNetParams, x: tfjs.Tensor4D): tfjs.Tensor2D {
  let z = x;
  for (let i = 0; i < CNN_BLOCKS; i++) z = cnnBlock(tf, z, p.kernels[i]!, p.bn[i]!, c.cnnActivation);
  return tf.reshape(z, [z.shape[0], -1]);
}

/** Class means of the support embeddings [ways, F]; labels are 0 … ways−1. */
export function prototypes(tf: Tf, support: tfjs.Tensor2D, labels: tfjs.Tensor1D, ways: number): tfjs.Tensor2D {
  const sums = tf.unsortedSegmentSum(support, labels, ways) as tfjs.Tensor2D;
  const counts = tf.unsortedSegmentSum(tf.onesLike(labels).asType('float32'), labels, ways);
  return tf.div(sums, tf.reshape(counts, [ways, 1]));
}

/** −‖q − c_k‖² for every query q and prototype c_k: [Q, ways]. */
export function negSquaredDistances(tf: Tf, queries: tfjs.Tensor2D, protos: tfjs.Tensor2D): tfjs.Tensor2D {
  const qq = tf.sum(tf.square(queries), 1, true);
  const pp = tf.reshape(tf.sum(tf.square(protos), 1), [1, -1]);
  const qp = tf.matMul(queries, protos, false, true);
  return tf.neg(tf.add(tf.sub(qq, tf.mul(qp, 2)), pp)) as tfjs.Tensor2D;
}

/** The episode's query logits [Q, ways]. Support and query pass through the CNN separately, as in the HT. */
export function protoNetLogits(tf: Tf, c: HtConfig, p: ProtoNetParams, supportX: tfjs.Tensor4D, supportLabels: tfjs.Tensor1D, queryX: tfjs.Tensor4D): tfjs.Tensor2D {
  return negSquaredDistances(tf, embed(tf, c, p, queryX), prototypes(tf, embed(tf, c, p, supportX), supportLabels, c.ways));
}
