/**
 * End-to-end episodic training (papers.md §2.7): each step averages the query cross-entropy over
 * `episodesPerStep` episodes and moves every parameter (generators, feature extractors, trained conv
 * layers, batch-norm γ/β) by the optimiser, with the paper's exponential learning-rate decay. Episodes
 * come from a function of the step index, so a seed fixes the whole run.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { toVariables, treeVariables, disposeTree } from '../nn/tensor_tree.js';
import type { HtConfig } from './ht_config.js';
import { episodeLogits, episodeTensors, queryAccuracy, queryLoss, type FewShotEpisode, type FewShotModel } from './few_shot_model.js';
import { readScalars } from '../nn/read_scalars.js';

type Tf = typeof tfjs;

export interface TrainProgress {
  step: number;
  loss: number;
  accuracy: number;
  learningRate: number;
}

export interface TrainOptions {
  steps: number;
  /** Episode `i` of the training stream (episodes of step s are s·E … s·E + E − 1). */
  episode: (i: number) => FewShotEpisode;
  onStep?: (p: TrainProgress) => void;
}

/** lr · rate^(step / decaySteps). */
export function learningRateAt(m: Pick<FewShotModel, 'config'>, step: number): number {
  const c = m.config;
  return c.learningRate * Math.pow(c.decayRate, step / c.decaySteps);
}

/**
 * Runs `steps` optimiser steps on `m.params` (made variables first, the given tensors disposed) with the config's
 * optimiser and learning-rate schedule: step s minimises `loss(s)`, then `after(s + 1, loss value, learning rate)`.
 */
export async function optimiseParams<P>(
  tf: Tf,
  m: { config: HtConfig; params: P },
  steps: number,
  loss: (step: number) => tfjs.Scalar,
  after: (step: number, loss: number, learningRate: number) => void | Promise<void>,
): Promise<void> {
  const c = m.config;
  const before = m.params;
  m.params = toVariables(tf, m.params);
  disposeTree(tf, before);
  const vars = treeVariables(tf, m.params);
  const optimizer: tfjs.Optimizer = c.optimizer === 'adam' ? tf.train.adam(c.learningRate) : tf.train.sgd(c.learningRate);
  try {
    for (let step = 0; step < steps; step++) {
      const lr = learningRateAt(m, step);
      // Both optimisers read this field on every update; tfjs has no public setter for Adam's.
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const { value, grads } = tf.variableGrads(() => loss(step), vars);
      optimizer.applyGradients(grads);
      tf.dispose(grads);
      const [v] = await readScalars(tf, [value]);
      await after(step + 1, v!, lr);
    }
  } finally {
    optimizer.dispose();
  }
}

/** Trains the model in place (its parameters become variables); returns the per-step losses and accuracies. */
export async function trainFewShot(tf: Tf, m: FewShotModel, o: TrainOptions): Promise<TrainProgress[]> {
  const c = m.config;
  const history: TrainProgress[] = [];
  let hits: tfjs.Scalar[] = [];
  const loss = (step: number): tfjs.Scalar => {
    let total: tfjs.Scalar = tf.scalar(0);
    for (let e = 0; e < c.episodesPerStep; e++) {
      const t = episodeTensors(tf, o.episode(step * c.episodesPerStep + e), c.imageSize);
      const logits = episodeLogits(tf, m, t);
      hits.push(tf.keep(queryAccuracy(tf, logits, t.queryLabels)));
      total = tf.add(total, queryLoss(tf, logits, t.queryLabels, c.ways));
    }
    return tf.div(total, c.episodesPerStep) as tfjs.Scalar;
  };
  await optimiseParams(tf, m, o.steps, loss, async (step, value, learningRate) => {
    const correct = (await readScalars(tf, hits)).reduce((a, v) => a + v, 0);
    hits = [];
    const p = { step, loss: value, accuracy: correct / c.episodesPerStep, learningRate };
    history.push(p);
    o.onStep?.(p);
  });
  return history;
}

export interface FewShotScore {
  episodes: number;
  /** Mean query accuracy over the episodes. */
  accuracy: number;
  /** Half-width of the 95 % interval of the mean (1.96 · std / √n). */
  ci95: number;
  std: number;
  loss: number;
}

/** Mean, standard deviation and 95 % half-width of per-episode values. */
export function summarize(values: readonly number[]): { mean: number; std: number; ci95: number } {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, ci95: n > 1 ? (1.96 * std) / Math.sqrt(n) : 0 };
}

/** Held-out evaluation: accuracy on `count` episodes, no parameter changes. */
export async function evaluateFewShot(tf: Tf, m: FewShotModel, episode: (i: number) => FewShotEpisode, count: number, onEpisode?: (done: number) => void): Promise<FewShotScore> {
  const acc: number[] = [];
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const [a, l] = await readScalars(tf, tf.tidy(() => {
      const t = episodeTensors(tf, episode(i), m.config.imageSize);
      const logits = episodeLogits(tf, m, t);
      return [queryAccuracy(tf, logits, t.queryLabels), queryLoss(tf, logits, t.queryLabels, m.config.ways)];
    }));
    acc.push(a!);
    loss += l! / count;
    onEpisode?.(i + 1);
  }
  const s = summarize(acc);
  return { episodes: count, accuracy: s.mean, ci95: s.ci95, std: s.std, loss };
}
