/**
 * A continual few-shot learner over the HyperTransformer's target CNN whose last layer outputs an embedding: the
 * Continual HyperTransformer, the HT without memory, or ProtoNet with the same CNN (see `ContinualKind`). One
 * function gives the CNN a learner uses for task t, so training, evaluation and the comparison treat all three alike.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { Rng } from '../../../core/rng.js';
import type { HtConfig } from '../ht_config.js';
import { generateCnn, initHyperTransformer, type CnnWeights, type HyperTransformerParams } from '../hypertransformer.js';
import { initProtoNet, type ProtoNetParams } from '../protonet.js';
import { glorotUniform } from '../../../runtime/tensor_init.js';
import { layerPlans } from '../layer_plan.js';
import { cnnBlockWithStats, CNN_BLOCKS, logitsLayer } from '../target_cnn.js';
import type { BnStats } from '../../nn/batch_norm.js';
import type { ContinualKind, ContinualSettings } from './cht_config.js';

type Tf = typeof tfjs;

/** ProtoNet's embedding: the 4 trained conv blocks and a trained dense layer to the embedding width. */
export interface EmbeddingNetParams extends ProtoNetParams {
  w: tfjs.Tensor2D;
  b: tfjs.Tensor1D;
}

export interface ContinualModel {
  kind: ContinualKind;
  /** The HT and target-CNN settings; `ways`, `shots` and `queries` shape every task of a sequence. */
  config: HtConfig;
  settings: ContinualSettings;
  params: HyperTransformerParams | EmbeddingNetParams;
}

/** A freshly initialised learner; the seed fixes every initial weight. */
export function initContinualModel(tf: Tf, kind: ContinualKind, config: HtConfig, settings: ContinualSettings, seed: number): ContinualModel {
  const rng = new Rng(seed);
  if (kind !== 'protonet') return { kind, config, settings, params: initHyperTransformer(tf, config, rng, settings.embedding) };
  const features = layerPlans(config, settings.embedding)[CNN_BLOCKS]!.blockSize - 1;
  const params: EmbeddingNetParams = {
    ...initProtoNet(tf, config, rng),
    w: glorotUniform(tf, [features, settings.embedding], rng) as tfjs.Tensor2D,
    b: tf.zeros([settings.embedding]) as tfjs.Tensor1D,
  };
  return { kind, config, settings, params };
}

/**
 * The CNN the learner uses from task t on: generated from task t's support set and, for `cht`, from the weights of
 * task t−1 (`previous`, null for the first task); regenerated from the support set alone for `ht`; fixed for `protonet`.
 */
export function taskWeights(tf: Tf, m: ContinualModel, supportX: tfjs.Tensor4D, supportLabels: tfjs.Tensor1D, previous: CnnWeights | null): CnnWeights {
  if (m.kind === 'protonet') {
    const p = m.params as EmbeddingNetParams;
    return { kernels: p.kernels, bn: p.bn, logitsW: p.w, logitsB: p.b };
  }
  const memory = m.kind === 'cht' ? previous?.slices ?? zeroMemory(tf, m) : undefined;
  return generateCnn(tf, m.config, m.params as HyperTransformerParams, supportX, supportLabels, memory);
}

/** θ_init = 0: the memory of the first task, so that every task's weight tokens have the same layout. */
function zeroMemory(tf: Tf, m: ContinualModel): Record<string, tfjs.Tensor2D> {
  const out: Record<string, tfjs.Tensor2D> = {};
  for (const p of layerPlans(m.config, m.settings.embedding)) if (p.generated) out[p.name] = tf.zeros([p.numBlocks, p.blockSize]);
  return out;
}

/**
 * A task's CNN with its batch-norm statistics frozen: the moments of task t's support set at each block, computed
 * once when θ_t is made. Every image the learner embeds with θ_t (support or query, of any task) is normalised with
 * them, so an embedding depends on the image and θ_t only, never on which other images share its batch.
 */
export interface TaskCnn {
  weights: CnnWeights;
  stats: BnStats[];
}

/** Freezes the support set's batch-norm moments into the task's CNN. */
export function freezeStats(tf: Tf, m: ContinualModel, weights: CnnWeights, supportX: tfjs.Tensor4D): TaskCnn {
  const stats: BnStats[] = [];
  let z = supportX;
  for (let i = 0; i < CNN_BLOCKS; i++) {
    const r = cnnBlockWithStats(tf, z, weights.kernels[i]!, weights.bn[i]!, m.config.cnnActivation);
    stats.push(r.moments!);
    z = r.y;
  }
  return { weights, stats };
}

/** Images [N, s, s, 1] → embeddings [N, embedding] under a task's CNN and its frozen statistics. */
export function embedImages(tf: Tf, m: ContinualModel, cnn: TaskCnn, x: tfjs.Tensor4D): tfjs.Tensor2D {
  let z = x;
  for (let i = 0; i < CNN_BLOCKS; i++) z = cnnBlockWithStats(tf, z, cnn.weights.kernels[i]!, cnn.weights.bn[i]!, m.config.cnnActivation, cnn.stats[i]!).y;
  return logitsLayer(tf, z, cnn.weights.logitsW, cnn.weights.logitsB);
}
