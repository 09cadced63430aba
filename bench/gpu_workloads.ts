/**
 * The four workloads a GPU backend is for, each small and fully seeded: the BLUR population evaluation, the BLUR
 * meta-gradient, a HyperTransformer training step and a modular ResNet training step. Each returns the numbers it
 * computed, so the same workload on two backends can be compared; `webgpu_kernels` records the kernels they call
 * and the device check runs them on every backend it measures.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { blurGenome, randomBlurGenome } from '../genomes/blur_genome.js';
import { Rng } from '../src/core/rng.js';
import { evaluateBlurPopulation, metaLossAndGrad, type BlurSampler } from '../src/models/blur/meta_objective.js';
import { HT_DEFAULTS } from '../src/models/ht/ht_config.js';
import { initFewShotModel } from '../src/models/ht/few_shot_model.js';
import { trainFewShot } from '../src/models/ht/ht_training.js';
import { resolveModularConfig } from '../src/models/modular/modular_config.js';
import { initHead, initModuleBank, initNetworkStats } from '../src/models/modular/modular_params.js';
import { trainStep, type ModularNetwork } from '../src/models/modular/modular_training.js';
import { disposeTree } from '../src/models/nn/tensor_tree.js';
import { getTf } from '../src/runtime/backend.js';
import { flatBlurRule } from '../tasks/blur/flat_blur_rule.js';
import { syntheticEpisodes } from './synthetic_episodes.js';

const tf = getTf();

function sampler(): BlurSampler {
  const draw = (r: Rng, batch: number) => ({ x: Float32Array.from({ length: batch * 6 }, () => r.normal()), y: Float32Array.from({ length: batch * 2 }, (_, i) => (i % 2 ? 1 : -1)) });
  return { numInputs: 6, numOutputs: 2, support: (_s, r, b) => draw(r, b), query: draw };
}

const BLUR_SMALL = { sizes: [6, 5, 2], unrollSteps: 2, batchSize: 4, seed: 0 };

/** Workload name → a run returning the numbers it computed (losses, a gradient). */
export const GPU_WORKLOADS: Record<string, () => Promise<number[]>> = {
  'BLUR population evaluation': async () => {
    const rng = new Rng(1);
    return (await evaluateBlurPopulation(tf, [randomBlurGenome(2, rng), randomBlurGenome(2, rng)], sampler(), BLUR_SMALL)).loss;
  },
  'BLUR meta-gradient': async () => {
    const config = blurGenome.resolveConfig({});
    const r = await metaLossAndGrad(tf, blurGenome.encode(randomBlurGenome(2, new Rng(2)), config), flatBlurRule(config), sampler(), BLUR_SMALL);
    return [r.loss, ...r.grad];
  },
  'HyperTransformer training step': async () => {
    const config = { ...HT_DEFAULTS, imageSize: 16, episodesPerStep: 1 };
    const m = initFewShotModel(tf, 'hypertransformer', config, 1);
    try {
      return (await trainFewShot(tf, m, { steps: 2, episode: syntheticEpisodes(config) })).map((p) => p.loss);
    } finally {
      disposeTree(tf, m.params);
    }
  },
  'modular ResNet training step': async () => {
    const c = resolveModularConfig({ channels: 4, blocks: 2, templates: 2 });
    const rng = new Rng(3);
    const bank = initModuleBank(tf, c, rng);
    const inputKernel = tf.variable(bank.inputKernel);
    const head = initHead(tf, c, 3, rng);
    const kernel = tf.variable(head.kernel);
    const net: ModularNetwork = { bank: { ...bank, inputKernel }, head: { ...head, kernel }, ordering: { modules: [0, 1] }, stats: initNetworkStats(tf, c) };
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 4) as tfjs.Tensor4D;
    const y = tf.tensor1d([0, 2], 'int32');
    const opt = tf.train.sgd(0.01);
    try {
      return [await trainStep(tf, c, net, opt, x, y, [inputKernel, kernel]), await trainStep(tf, c, net, opt, x, y, [inputKernel, kernel])];
    } finally {
      opt.dispose();
      disposeTree(tf, [bank, head, net, x, y]);
    }
  },
};
