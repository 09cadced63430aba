/**
 * A custom TensorFlow.js task as an evometa plug-in: tune the learning rate of plain gradient descent on a
 * logistic regression. The genome (a 1-dimensional `vector`) is log10 of the learning rate; the fitness is the
 * training loss after a fixed number of full-batch gradient steps from zero weights, on a seeded synthetic data
 * set. Too small a rate barely moves, too large a one overshoots: the search finds the rate in between.
 *
 *   evometa search --plugin examples/plugins/tfjs_task.mjs --task logistic-lr --dim 1 --x0 -3 --sigma0 1 \
 *     --max-generations 15 --backend cpu
 *
 * `usesTensorflow: true` makes the worker initialise the backend (--backend) before the first evaluation; the
 * task takes TensorFlow.js from evometa's `getTf()`, so it uses that very engine and backend. Importing 'evometa'
 * loads no TensorFlow.js: `getTf()` returns the instance the worker loaded (and throws, saying so, if called
 * before any backend was initialised, e.g. at module top level).
 *
 * Inside the repository 'evometa' resolves to its own build (package self-reference, after `npm run build`); in
 * your project, to the installed package.
 */
import { definePlugin, getTf, Rng } from 'evometa';

const KEYS = ['samples', 'features', 'steps', 'dataSeed'];

function integer(raw, key, fallback, min, max) {
  const v = raw[key] ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`'${key}' must be an integer from ${min} to ${max} (got ${JSON.stringify(raw[key])})`);
  return v;
}

/** Labels from a fixed random hyperplane with 10% label noise: seeded, so every thread builds the same data. */
function dataset(c) {
  const rng = new Rng(c.dataSeed);
  const w = Array.from({ length: c.features }, () => rng.normal());
  const x = new Float32Array(c.samples * c.features);
  const y = new Float32Array(c.samples);
  for (let r = 0; r < c.samples; r++) {
    let s = 0;
    for (let j = 0; j < c.features; j++) {
      const v = rng.normal();
      x[r * c.features + j] = v;
      s += v * w[j];
    }
    y[r] = (s > 0) !== (rng.uniform() < 0.1) ? 1 : 0;
  }
  return { x, y };
}

const cache = new Map();

export const logisticLr = {
  name: 'logistic-lr',
  description: 'log10 learning rate of gradient descent on a logistic regression; fitness = loss after the steps (example plug-in, TensorFlow.js)',
  genomeKinds: ['vector'],
  usesTensorflow: true,
  resolveConfig(raw) {
    const unknown = Object.keys(raw).filter((k) => !KEYS.includes(k));
    if (unknown.length > 0) throw new Error(`unknown key ${unknown.join(', ')}; valid keys: ${KEYS.join(', ')}`);
    return {
      samples: integer(raw, 'samples', 128, 2, 100000),
      features: integer(raw, 'features', 4, 1, 1000),
      steps: integer(raw, 'steps', 10, 1, 10000),
      dataSeed: integer(raw, 'dataSeed', 1, 0, 2 ** 32 - 1),
    };
  },
  evaluate(genome, config) {
    if (genome.length !== 1) throw new Error(`logistic-lr searches one number (log10 learning rate); use --dim 1 (got ${genome.length})`);
    const tf = getTf();
    const key = JSON.stringify(config);
    if (!cache.has(key)) cache.set(key, dataset(config));
    const { x, y } = cache.get(key);
    const lr = 10 ** genome[0];
    const fitness = tf.tidy(() => {
      const X = tf.tensor2d(x, [config.samples, config.features]);
      const Y = tf.tensor2d(y, [config.samples, 1]);
      const loss = (w) => tf.losses.sigmoidCrossEntropy(Y, tf.matMul(X, w));
      const grad = tf.grad(loss);
      let w = tf.zeros([config.features, 1]);
      for (let s = 0; s < config.steps; s++) w = tf.sub(w, tf.mul(grad(w), lr));
      return loss(w).dataSync()[0];
    });
    return { fitness, metrics: { learningRate: lr } };
  },
};

export default definePlugin({ tasks: [logisticLr] });
