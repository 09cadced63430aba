/**
 * `icl-gd`: the baseline's one hyperparameter in "Transformers learn in-context by gradient descent" (von Oswald et
 * al., ICML 2023): the learning rate η of K plain gradient-descent steps from W₀ = 0 on each task's context, searched
 * as log10 η (a `vector` genome of dimension 1). Fitness: the mean query loss ½ (y_q − ŷ)² over a batch of tasks;
 * 'fitness+grad' gives d fitness / d log10 η by forward differentiation through the steps.
 */
import { UsageError } from '../../src/core/errors.js';
import { configNumber } from '../../src/core/config_checks.js';
import type { Task } from '../../src/core/task.js';
import { ICL_TASK_DEFAULTS, sampleIclBatch, type IclBatch } from '../../src/data/linear_regression_icl.js';
import { gdPredictWithDerivative } from '../../src/models/lsa/gradient_descent.js';
import { iclBatchSeed, iclTaskOptions, resolveIclDataConfig, type IclDataConfig } from './icl_config.js';

export interface IclGdConfig extends IclDataConfig {
  /** N_x: input width of the tasks. */
  nx: number;
  /** K: gradient-descent steps. */
  steps: number;
}

/** Mean query loss of K GD steps with learning rate 10^log10Eta over `data`, and its derivative by log10 η. */
export function gdTaskLoss(data: IclBatch, log10Eta: number, steps: number): { loss: number; dLossDLog10Eta: number } {
  const eta = 10 ** log10Eta;
  const { prediction, derivative } = gdPredictWithDerivative(data, eta, steps);
  let loss = 0;
  let dLoss = 0;
  for (let b = 0; b < data.batch; b++) {
    const r = prediction[b]! - data.yq[b]!;
    loss += (0.5 * r * r) / data.batch;
    dLoss += (r * derivative[b]!) / data.batch;
  }
  return { loss, dLossDLog10Eta: dLoss * eta * Math.LN10 };
}

/** Batches of a fixed data seed are kept: cmaes scores every candidate on the same tasks. */
const fixedBatches = new Map<string, IclBatch>();

function tasksFor(c: IclGdConfig, seed: number): IclBatch {
  const opts = iclTaskOptions(c, c.nx);
  if (c.dataSeed === null) return sampleIclBatch(c.batchSize, opts, seed);
  const key = JSON.stringify([c.batchSize, opts, c.dataSeed]);
  let b = fixedBatches.get(key);
  if (!b) {
    if (fixedBatches.size > 16) fixedBatches.clear();
    b = sampleIclBatch(c.batchSize, opts, c.dataSeed);
    fixedBatches.set(key, b);
  }
  return b;
}

export const iclGdTask: Task<number[], IclGdConfig> = {
  name: 'icl-gd',
  description: 'in-context linear regression by K gradient-descent steps from W0 = 0: the genome is log10 of the learning rate (vector, dim 1)',
  genomeKinds: ['vector'],
  usesTensorflow: false,
  resolveConfig(raw) {
    return {
      ...resolveIclDataConfig(raw, 2048, ['nx', 'steps']),
      nx: configNumber(raw, 'nx', ICL_TASK_DEFAULTS.nx, { integer: true, min: 1, max: 256 }),
      steps: configNumber(raw, 'steps', 1, { integer: true, min: 1, max: 1000 }),
    };
  },
  evaluate(x, c, ctx) {
    if (x.length !== 1) throw new UsageError(`icl-gd searches one number, log10 of the learning rate: use --dim 1 (got a genome of ${x.length})`);
    const r = gdTaskLoss(tasksFor(c, iclBatchSeed(c, ctx.seed)), x[0]!, c.steps);
    const metrics = { eta: 10 ** x[0]! };
    return ctx.wants === 'fitness+grad' ? { fitness: r.loss, grad: [r.dLossDLog10Eta], metrics } : { fitness: r.loss, metrics };
  },
};
