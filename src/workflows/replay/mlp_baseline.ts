/**
 * The gradient-descent baselines a learned rule is compared with: the same MLP (layer sizes and hidden
 * activation) trained by tfjs SGD or Adam on softmax cross-entropy (with one output, for a binary task with a
 * signed output, on the logistic loss of that logit: the same loss with the other class's logit fixed at 0), from
 * a seeded initialisation and the same seeded batch stream, with the learning rate picked from a grid on a
 * validation split.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { sampleBatch, type ImageSplit } from '../../data/image_dataset.js';

export type BaselineOptimizer = 'sgd' | 'adam';

export interface BaselineOptions {
  /** Layer sizes, input first, classes last (e.g. [196, 64, 10]); a last size of 1 is one logit for a binary task. */
  sizes: number[];
  optimizer: BaselineOptimizer;
  learningRate: number;
  steps: number;
  batchSize: number;
  seed: number;
  /** Steps after which test accuracy is measured (0 = before training). */
  evalAt: number[];
}

export interface AccuracyCurve {
  steps: number[];
  accuracy: number[];
}

/** Learning-rate grids searched on the validation split: log-spaced around each optimiser's usual range. */
export const LEARNING_RATE_GRID: Readonly<Record<BaselineOptimizer, number[]>> = {
  sgd: [0.01, 0.03, 0.1, 0.3, 1],
  adam: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
};

/** Hidden activation of the BLUR network (relu∘tanh), so the baseline is the same architecture. */
function hidden(tf: typeof tfjs, z: tfjs.Tensor): tfjs.Tensor {
  return tf.relu(tf.tanh(z));
}

/** Glorot-uniform weights and zero biases, drawn from `rng` (not tfjs's own random state). */
export function initMlp(tf: typeof tfjs, sizes: readonly number[], rng: Rng): tfjs.Variable[] {
  const vars: tfjs.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const n = sizes[l]!;
    const m = sizes[l + 1]!;
    const limit = Math.sqrt(6 / (n + m));
    const w = new Float32Array(n * m);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.uniform() - 1) * limit;
    // A variable shares its initial tensor's data: dispose that tensor so only the variable holds it.
    for (const t of [tf.tensor2d(w, [n, m]), tf.zeros([m])]) {
      vars.push(tf.variable(t));
      t.dispose();
    }
  }
  return vars;
}

export function mlpLogits(tf: typeof tfjs, vars: readonly tfjs.Variable[], x: tfjs.Tensor2D): tfjs.Tensor2D {
  let h: tfjs.Tensor = x;
  for (let l = 0; l < vars.length; l += 2) {
    const z = tf.add(tf.matMul(h as tfjs.Tensor2D, vars[l] as tfjs.Tensor2D), vars[l + 1]!);
    h = l + 2 < vars.length ? hidden(tf, z) : z;
  }
  return h as tfjs.Tensor2D;
}

/**
 * Fraction of `split` whose predicted class equals the label: the argmax of the scores, or with one output (a
 * binary task with a signed output) class 1 where the score is positive.
 */
export function accuracy(tf: typeof tfjs, predict: (x: tfjs.Tensor2D) => tfjs.Tensor2D, split: ImageSplit): number {
  const n = split.labels.length;
  const pixels = split.images.length / n;
  const pred = tf.tidy(() => {
    const scores = predict(tf.tensor2d(split.images, [n, pixels]));
    return (scores.shape[1] === 1 ? tf.cast(tf.greater(tf.reshape(scores, [n]), 0), 'int32') : tf.argMax(scores, 1)).dataSync();
  });
  let right = 0;
  for (let i = 0; i < n; i++) if (pred[i] === split.labels[i]) right++;
  return right / n;
}

/** Trains one baseline and returns its accuracy on `evaluate` at each `evalAt` step. */
export function trainBaseline(tf: typeof tfjs, train: ImageSplit, evaluate: ImageSplit, o: BaselineOptions): AccuracyCurve {
  const rng = new Rng(o.seed);
  const vars = initMlp(tf, o.sizes, new Rng(rng.int(2 ** 32)));
  const batches = new Rng(rng.int(2 ** 32));
  const opt = o.optimizer === 'sgd' ? tf.train.sgd(o.learningRate) : tf.train.adam(o.learningRate);
  const classes = o.sizes.at(-1)!;
  const curve: AccuracyCurve = { steps: [], accuracy: [] };
  const record = (step: number) => {
    curve.steps.push(step);
    curve.accuracy.push(accuracy(tf, (x) => mlpLogits(tf, vars, x), evaluate));
  };
  const marks = new Set(o.evalAt);
  if (marks.has(0)) record(0);
  try {
    for (let step = 1; step <= o.steps; step++) {
      const b = sampleBatch(train, o.batchSize, batches, { replace: true });
      tf.tidy(() => {
        const x = tf.tensor2d(b.x, [o.batchSize, o.sizes[0]!]);
        const loss = classes === 1
          ? () => tf.losses.sigmoidCrossEntropy(tf.tensor2d(Float32Array.from(b.labels), [o.batchSize, 1]), mlpLogits(tf, vars, x)) as tfjs.Scalar
          : () => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(Array.from(b.labels), 'int32'), classes), mlpLogits(tf, vars, x)) as tfjs.Scalar;
        opt.minimize(loss, false, vars);
      });
      if (marks.has(step)) record(step);
    }
  } finally {
    opt.dispose();
    tf.dispose(vars);
  }
  return curve;
}

/** The grid's learning rate with the best validation accuracy after `steps` (ties: the smaller rate). */
export function tuneLearningRate(
  tf: typeof tfjs,
  train: ImageSplit,
  validation: ImageSplit,
  o: Omit<BaselineOptions, 'learningRate' | 'evalAt'>,
  grid: readonly number[] = LEARNING_RATE_GRID[o.optimizer],
): { learningRate: number; validationAccuracy: number; tried: { learningRate: number; validationAccuracy: number }[] } {
  const tried = grid.map((learningRate) => ({
    learningRate,
    validationAccuracy: trainBaseline(tf, train, validation, { ...o, learningRate, evalAt: [o.steps] }).accuracy[0]!,
  }));
  const best = tried.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
  return { ...best, tried };
}
