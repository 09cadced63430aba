/**
 * Parameters of the modular ResNet as explicit tensors, split by who owns them: the module bank (shared
 * by every domain), a domain's mixture logits and head, and the per-position batch-norm statistics.
 * Biases before a batch norm are left out: the normalisation cancels them. Initialisation draws from an
 * `Rng`, never tfjs's global random state, so a seed fixes the network on every backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { normalTensor, uniformTensor } from '../../runtime/tensor_init.js';
import type { BnStats } from '../nn/batch_norm.js';
import { choicesPerPosition, expandedChannels, inputStride, type ModularResNetConfig } from './modular_config.js';

type Tf = typeof tfjs;

/** One set of block parameters per template, stacked on a leading axis N (papers.md §3.1). */
export type TemplateParams = {
  /** [N, C, E]: the 1×1 expansion. */
  expandKernel: tfjs.Tensor3D;
  /** [N, E] */
  gamma1: tfjs.Tensor2D;
  beta1: tfjs.Tensor2D;
  /** [N, 3, 3, E]: one 3×3 filter per expanded channel. */
  depthwiseKernel: tfjs.Tensor4D;
  gamma2: tfjs.Tensor2D;
  beta2: tfjs.Tensor2D;
  /** [N, E, C]: the 1×1 projection back to the block width. */
  projectKernel: tfjs.Tensor3D;
  /** [N, C] */
  gamma3: tfjs.Tensor2D;
  beta3: tfjs.Tensor2D;
};

export const TEMPLATE_KEYS = [
  'expandKernel', 'gamma1', 'beta1', 'depthwiseKernel', 'gamma2', 'beta2', 'projectKernel', 'gamma3', 'beta3',
] as const satisfies readonly (keyof TemplateParams)[];

/** What pretraining learns once and target domains reuse frozen. */
export type ModuleBank = {
  /** [s, s, Cin, C] with s = input / tensorSize: the strided input adapter. */
  inputKernel: tfjs.Tensor4D;
  inputGamma: tfjs.Tensor1D;
  inputBeta: tfjs.Tensor1D;
  templates: TemplateParams;
  /** [C, F] and [F]: the output adapter's 1×1 conv. */
  outputKernel: tfjs.Tensor2D;
  outputBias: tfjs.Tensor1D;
};

/** A domain's classifier on the pooled features. */
export type DomainHead = {
  /** [F, classes] */
  kernel: tfjs.Tensor2D;
  bias: tfjs.Tensor1D;
};

/** The three batch norms of one block position. */
export type BlockStats = {
  bn1: BnStats;
  bn2: BnStats;
  bn3: BnStats;
};

/** Running statistics for inference: one set per block position, whatever module runs there. */
export type NetworkStats = {
  input: BnStats;
  blocks: BlockStats[];
};

/**
 * He-normal kernels (fan-in) for the convolutions followed by a nonlinearity, LeCun-normal for the linear
 * projection, γ = 1, β = 0. Templates are drawn independently so that they start out different.
 */
export function initModuleBank(tf: Tf, c: ModularResNetConfig, rng: Rng): ModuleBank {
  const s = inputStride(c);
  const C = c.channels;
  const E = expandedChannels(c);
  const N = c.templates;
  return {
    inputKernel: normalTensor(tf, [s, s, c.inputChannels, C], Math.sqrt(2 / (s * s * c.inputChannels)), rng) as tfjs.Tensor4D,
    inputGamma: tf.ones([C]),
    inputBeta: tf.zeros([C]),
    templates: {
      expandKernel: normalTensor(tf, [N, C, E], Math.sqrt(2 / C), rng) as tfjs.Tensor3D,
      gamma1: tf.ones([N, E]),
      beta1: tf.zeros([N, E]),
      depthwiseKernel: normalTensor(tf, [N, 3, 3, E], Math.sqrt(2 / 9), rng) as tfjs.Tensor4D,
      gamma2: tf.ones([N, E]),
      beta2: tf.zeros([N, E]),
      projectKernel: normalTensor(tf, [N, E, C], Math.sqrt(1 / E), rng) as tfjs.Tensor3D,
      gamma3: tf.ones([N, C]),
      beta3: tf.zeros([N, C]),
    },
    outputKernel: normalTensor(tf, [C, c.features], Math.sqrt(2 / C), rng) as tfjs.Tensor2D,
    outputBias: tf.zeros([c.features]),
  };
}

/** Glorot-uniform kernel, zero bias. */
export function initHead(tf: Tf, c: ModularResNetConfig, classes: number, rng: Rng): DomainHead {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`a head needs a positive integer number of classes (got ${classes})`);
  const limit = Math.sqrt(6 / (c.features + classes));
  return { kernel: uniformTensor(tf, [c.features, classes], -limit, limit, rng) as tfjs.Tensor2D, bias: tf.zeros([classes]) };
}

/** [L, K] logits drawn U(0, 1), as the reference code starts its mixtures: every template in play at once. */
export function initMixtureLogits(tf: Tf, c: ModularResNetConfig, rng: Rng): tfjs.Tensor2D {
  return uniformTensor(tf, [c.blocks, choicesPerPosition(c)], 0, 1, rng) as tfjs.Tensor2D;
}

/** Means 0, variances 1 at every position. */
export function initNetworkStats(tf: Tf, c: ModularResNetConfig): NetworkStats {
  const E = expandedChannels(c);
  const bn = (n: number): BnStats => ({ mean: tf.zeros([n]), variance: tf.ones([n]) });
  return {
    input: bn(c.channels),
    blocks: Array.from({ length: c.blocks }, () => ({ bn1: bn(E), bn2: bn(E), bn3: bn(c.channels) })),
  };
}
