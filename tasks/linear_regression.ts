/**
 * Least-squares regression computed in TensorFlow.js: the genome is the weight vector, the fitness the
 * mean squared error on a seeded synthetic data set, and the gradient comes from tf.grad. It is the
 * smallest task that loads a backend in each worker and answers 'fitness+grad', so it checks the
 * backend plumbing and gradient strategies end to end.
 */
import { Rng } from '../src/core/rng.js';
import { configNumber, rejectUnknownKeys } from '../src/core/config_checks.js';
import type { Task } from '../src/core/task.js';

export interface LinearRegressionConfig {
  /** Rows of the design matrix. */
  samples: number;
  /** Seed of the data set (fixed across the run, unlike the evaluation seed). */
  dataSeed: number;
  /** Standard deviation of the label noise. */
  noise: number;
}

interface Problem {
  x: Float32Array;
  y: Float32Array;
}

const problems = new Map<string, Problem>();

/** y = X w* + noise, with X ~ N(0,1) and w*_i = (-1)^i (i+1)/dim: known optimum near w*. */
export function regressionProblem(dim: number, c: LinearRegressionConfig): Problem {
  const key = `${dim}/${c.samples}/${c.dataSeed}/${c.noise}`;
  let p = problems.get(key);
  if (!p) {
    const rng = new Rng(c.dataSeed);
    const x = new Float32Array(c.samples * dim);
    const y = new Float32Array(c.samples);
    for (let r = 0; r < c.samples; r++) {
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const v = rng.normal();
        x[r * dim + i] = v;
        s += v * (((i % 2 ? -1 : 1) * (i + 1)) / dim);
      }
      y[r] = s + c.noise * rng.normal();
    }
    p = { x, y };
    problems.set(key, p);
  }
  return p;
}

export const linearRegressionTask: Task<number[], LinearRegressionConfig> = {
  name: 'linear-regression',
  description: 'mean squared error of a linear model on seeded synthetic data, in TensorFlow.js (gives gradients)',
  genomeKinds: ['vector'],
  usesTensorflow: true,
  resolveConfig(raw) {
    rejectUnknownKeys(raw, ['samples', 'dataSeed', 'noise'], 'task');
    return {
      samples: configNumber(raw, 'samples', 256, { integer: true, min: 1, max: 1e6 }),
      dataSeed: configNumber(raw, 'dataSeed', 1, { integer: true, min: 0, max: 2 ** 32 - 1 }),
      noise: configNumber(raw, 'noise', 0.1, { min: 0 }),
    };
  },
  async evaluate(w, config, ctx) {
    const { getTf } = await import('../src/runtime/backend.js');
    const tf = getTf();
    const { x, y } = regressionProblem(w.length, config);
    return tf.tidy(() => {
      const X = tf.tensor2d(x, [config.samples, w.length]);
      const Y = tf.tensor2d(y, [config.samples, 1]);
      const loss = (v: import('@tensorflow/tfjs').Tensor) => tf.mean(tf.square(tf.sub(tf.matMul(X, tf.reshape(v, [w.length, 1])), Y)));
      const W = tf.tensor1d(w);
      const fitness = loss(W).dataSync()[0]!;
      if (ctx.wants !== 'fitness+grad') return { fitness };
      const grad = Array.from(tf.grad(loss)(W).dataSync());
      return { fitness, grad };
    });
  },
  /** P weight vectors as the columns of one [dim, P] matrix: one matMul scores the whole batch. */
  async evaluateBatch(ws, config) {
    const { getTf } = await import('../src/runtime/backend.js');
    const tf = getTf();
    const dim = ws[0]!.length;
    const { x, y } = regressionProblem(dim, config);
    const mse = tf.tidy(() => {
      const X = tf.tensor2d(x, [config.samples, dim]);
      const W = tf.transpose(tf.tensor2d(ws.flat(), [ws.length, dim]));
      const residual = tf.sub(tf.matMul(X, W), tf.tensor2d(y, [config.samples, 1]));
      return tf.mean(tf.square(residual), 0).dataSync();
    });
    return Array.from(mse, (fitness) => ({ fitness }));
  },
};
