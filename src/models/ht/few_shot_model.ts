/**
 * A few-shot classifier trained on episodes: the HyperTransformer or the ProtoNet baseline, behind one
 * interface so training, evaluation, saving and the search treat them alike. Parameters are a plain tree
 * of tensors (see src/models/nn/tensor_tree.ts), so saving is a walk over named tensors.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import type { HtConfig } from './ht_config.js';
import { generateCnn, initHyperTransformer, runCnn, type HyperTransformerParams } from './hypertransformer.js';
import { initProtoNet, protoNetLogits, type ProtoNetParams } from './protonet.js';
import { imagesTensor } from './target_cnn.js';

type Tf = typeof tfjs;

export const FEW_SHOT_KINDS = ['hypertransformer', 'protonet'] as const;
export type FewShotKind = (typeof FEW_SHOT_KINDS)[number];

export interface FewShotModel {
  kind: FewShotKind;
  config: HtConfig;
  params: HyperTransformerParams | ProtoNetParams;
}

/** The part of an episode a model reads: images N×(s·s) already mapped to [−1, 1), labels 0 … ways−1. */
export interface FewShotEpisode {
  support: { x: Float32Array; labels: ArrayLike<number> };
  query: { x: Float32Array; labels: ArrayLike<number> };
}

export interface EpisodeTensors {
  supportX: tfjs.Tensor4D;
  supportLabels: tfjs.Tensor1D;
  queryX: tfjs.Tensor4D;
  queryLabels: tfjs.Tensor1D;
}

/** A freshly initialised model; the seed fixes every initial weight. */
export function initFewShotModel(tf: Tf, kind: FewShotKind, config: HtConfig, seed: number): FewShotModel {
  const rng = new Rng(seed);
  return { kind, config, params: kind === 'hypertransformer' ? initHyperTransformer(tf, config, rng) : initProtoNet(tf, config, rng) };
}

export function episodeTensors(tf: Tf, e: FewShotEpisode, side: number): EpisodeTensors {
  return {
    supportX: imagesTensor(tf, e.support.x, side),
    supportLabels: tf.tensor1d(Int32Array.from(e.support.labels), 'int32'),
    queryX: imagesTensor(tf, e.query.x, side),
    queryLabels: tf.tensor1d(Int32Array.from(e.query.labels), 'int32'),
  };
}

/** Query logits [Q, ways] for one episode. */
export function episodeLogits(tf: Tf, m: FewShotModel, t: EpisodeTensors): tfjs.Tensor2D {
  if (m.kind === 'protonet') return protoNetLogits(tf, m.config, m.params as ProtoNetParams, t.supportX, t.supportLabels, t.queryX);
  const weights = generateCnn(tf, m.config, m.params as HyperTransformerParams, t.supportX, t.supportLabels);
  return runCnn(tf, m.config, weights, t.queryX);
}

/** Mean softmax cross-entropy of the query predictions. */
export function queryLoss(tf: Tf, logits: tfjs.Tensor2D, labels: tfjs.Tensor1D, ways: number): tfjs.Scalar {
  const target = tf.oneHot(labels, ways);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tfjs.Scalar;
}

/** Fraction of queries whose arg-max logit is the true label, as a tensor: read later, asynchronously (WebGPU). */
export function queryAccuracy(tf: Tf, logits: tfjs.Tensor2D, labels: tfjs.Tensor1D): tfjs.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tfjs.Scalar);
}
