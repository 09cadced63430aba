/**
 * `icl-linear-regression`: the meta-training objective of "Transformers learn in-context by gradient descent"
 * (von Oswald et al., ICML 2023): the mean query loss ½ (y_q − ŷ)² of a linear self-attention model (an
 * `lsa-weights` genome) over a batch of fresh regression tasks, and with 'fitness+grad' its gradient with
 * respect to the flat weights, which is the search vector (for metagrad: Adam on fresh tasks every step).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../src/core/errors.js';
import type { Task } from '../../src/core/task.js';
import { iclTokens, sampleIclBatch } from '../../src/data/linear_regression_icl.js';
import { lsaLossAndGrad, lsaParamsFromFlat, lsaQueryLoss } from '../../src/models/lsa/lsa.js';
import { lsaFlatWeights, type LsaWeightsGenome } from '../../genomes/lsa_weights.js';
import { iclBatchSeed, iclTaskOptions, resolveIclDataConfig, type IclDataConfig } from './icl_config.js';

async function tfInstance(): Promise<typeof tfjs> {
  return (await import('../../src/runtime/backend.js')).getTf();
}

/** Mean query loss (and optionally its gradient) of the genome's model on the task batch of `seed`. */
export function lsaTaskLoss(tf: typeof tfjs, genome: LsaWeightsGenome, c: IclDataConfig, seed: number, withGrad: boolean): { loss: number; grad?: number[] } {
  const data = sampleIclBatch(c.batchSize, iclTaskOptions(c, genome.spec.nx), seed);
  const tokens = tf.tensor3d(iclTokens(data), [data.batch, data.n + 1, data.nx + 1]);
  const targets = tf.tensor1d(Float32Array.from(data.yq));
  try {
    const flat = lsaFlatWeights(genome);
    if (withGrad) return lsaLossAndGrad(tf, flat, tokens, targets, genome.spec);
    return { loss: tf.tidy(() => lsaQueryLoss(tf, lsaParamsFromFlat(tf, tf.tensor1d(flat), genome.spec), tokens, targets, genome.spec).dataSync()[0]!) };
  } finally {
    tokens.dispose();
    targets.dispose();
  }
}

export const iclLinearRegressionTask: Task<LsaWeightsGenome, IclDataConfig> = {
  name: 'icl-linear-regression',
  description: 'in-context linear regression (von Oswald et al. 2023): mean query loss of a linear self-attention model over fresh tasks (gives gradients)',
  genomeKinds: ['lsa-weights'],
  usesTensorflow: true,
  resolveConfig: (raw) => resolveIclDataConfig(raw, 256),
  async evaluate(genome, c, ctx) {
    if (!genome || typeof genome !== 'object' || !genome.spec || !Array.isArray(genome.layers))
      throw new UsageError(`icl-linear-regression scores lsa-weights genomes ({spec, layers}); got ${JSON.stringify(genome)?.slice(0, 80)}`);
    const r = lsaTaskLoss(await tfInstance(), genome, c, iclBatchSeed(c, ctx.seed), ctx.wants === 'fitness+grad');
    return r.grad ? { fitness: r.loss, grad: r.grad } : { fitness: r.loss };
  },
};
