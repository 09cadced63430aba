/**
 * The BLUR meta-objective: population evaluation equals per-genome evaluation, the backprop genome
 * learns, metaLossAndGrad's gradient matches central differences, non-finite losses come back as NaN,
 * and nothing leaks.
 */
import test from 'ava';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { backpropGenome, blurGenome, randomBlurGenome, type BlurGenomeConfig } from '../../../../genomes/blur_genome.js';
import {
  evaluateBlurPopulation, metaLossAndGrad, queryLoss, type BlurBatch, type BlurMetaOptions, type BlurSampler,
} from '../../../../src/models/blur/meta_objective.js';
import type { BlurNetworkOptions } from '../../../../src/models/blur/blur_options.js';
import { flatBlurRule } from '../../../../tasks/blur/flat_blur_rule.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

/** x ~ U(−1,1)^2; y = sign(x0 + 0.5 x1) (1 output) or a ±1 one-hot of 3 angular sectors. */
function sampler(outputs: 1 | 3): BlurSampler {
  const draw = (rng: Rng, batch: number): BlurBatch => {
    const x = new Float32Array(batch * 2);
    const y = new Float32Array(batch * outputs);
    for (let b = 0; b < batch; b++) {
      const x0 = rng.uniform() * 2 - 1;
      const x1 = rng.uniform() * 2 - 1;
      x[2 * b] = x0;
      x[2 * b + 1] = x1;
      if (outputs === 1) y[b] = x0 + 0.5 * x1 > 0 ? 1 : -1;
      else {
        const cls = Math.floor(((Math.atan2(x1, x0) + Math.PI) / (2 * Math.PI)) * 3) % 3;
        for (let c = 0; c < 3; c++) y[b * 3 + c] = c === cls ? 1 : -1;
      }
    }
    return { x, y };
  };
  return { numInputs: 2, numOutputs: outputs, support: (_s, rng, batch) => draw(rng, batch), query: draw };
}

const SMOOTH: Partial<BlurNetworkOptions> = { hiddenActivation: 'tanh', backwardActivation: 'tanh' };

test('batched population equals each genome alone; deterministic per seed', async (t) => {
  const rng = new Rng(3);
  const genomes = [0, 1, 2].map(() => randomBlurGenome(2, rng, { synapseUpdate: -0.05 }));
  for (const s of [sampler(1), sampler(3)]) {
    const opts: BlurMetaOptions = { sizes: [2, 6, s.numOutputs], unrollSteps: 4, batchSize: 8, replicas: 2, seed: 5 };
    const all = await evaluateBlurPopulation(tf, genomes, s, opts);
    t.is(all.loss.length, 3);
    for (const [p, g] of genomes.entries()) {
      const one = await evaluateBlurPopulation(tf, [g], s, opts);
      t.true(Math.abs(one.loss[0]! - all.loss[p]!) < 1e-6 * Math.max(1, all.loss[p]!));
      t.is(one.accuracy[0], all.accuracy[p]);
    }
    t.deepEqual(await evaluateBlurPopulation(tf, genomes, s, opts), all);
    t.notDeepEqual((await evaluateBlurPopulation(tf, genomes, s, { ...opts, seed: 6 })).loss, all.loss);
    t.true(all.accuracy.every((a) => a >= 0 && a <= 1));
  }
});

test('the backprop genome learns the task: query loss falls with more unrolled steps', async (t) => {
  const s = sampler(1);
  const g = backpropGenome(2, 0.05);
  const opts = (U: number): BlurMetaOptions => ({ sizes: [2, 8, 1], unrollSteps: U, batchSize: 16, queryBatchSize: 64, seed: 1, network: { initScaleByChannels: true } });
  const before = await evaluateBlurPopulation(tf, [g], s, opts(1));
  const after = await evaluateBlurPopulation(tf, [g], s, opts(40));
  t.true(after.loss[0]! < 0.6 * before.loss[0]!, `${before.loss[0]} → ${after.loss[0]}`);
  t.true(after.accuracy[0]! > 0.85, `accuracy ${after.accuracy[0]}`);
});

async function centralDifference(flat: number[], i: number, h: number, f: (x: number[]) => Promise<number>): Promise<number> {
  const up = flat.slice();
  const down = flat.slice();
  up[i] = up[i]! + h;
  down[i] = down[i]! - h;
  return ((await f(up)) - (await f(down))) / (2 * h);
}

test('metaLossAndGrad: loss equals the population evaluation and the gradient matches central differences', async (t) => {
  const cases: { config: BlurGenomeConfig; network: Partial<BlurNetworkOptions>; sizes: number[]; coords: number[] }[] = [
    { config: blurGenome.resolveConfig({}), network: SMOOTH, sizes: [2, 4, 3], coords: [0, 5, 9, 14, 17, 19] },
    {
      config: blurGenome.resolveConfig({ perLayer: true, numLayers: 2, extras: ['saturation', 'rescaleTo', 'ojaMultiplier'] }),
      network: { ...SMOOTH, normalizeSynapses: true, rescale: true, oja: true, saturation: 'exp' },
      sizes: [2, 4, 1],
      coords: [3, 12, 19, 20, 21, 22, 23 + 6, 23 + 21],
    },
  ];
  for (const { config, network, sizes, coords } of cases) {
    const s = sampler(sizes[2] as 1 | 3);
    const opts: BlurMetaOptions = { sizes, unrollSteps: 4, batchSize: 6, replicas: 2, seed: 2, network };
    const g = randomBlurGenome(2, new Rng(7), { layers: config.perLayer ? 2 : 1, synapseUpdate: -0.2, neuronStd: 0.7 });
    const flat = blurGenome.encode(g, config);
    const r = await metaLossAndGrad(tf, flat, flatBlurRule(config), s, opts);
    t.is(r.grad.length, flat.length);
    const pop = await evaluateBlurPopulation(tf, [blurGenome.decode(flat, config)], s, opts);
    t.true(Math.abs(pop.loss[0]! - r.loss) < 1e-6, `${pop.loss[0]} vs ${r.loss}`);
    t.is(pop.accuracy[0], r.accuracy);
    const loss = async (x: number[]) => (await metaLossAndGrad(tf, x, flatBlurRule(config), s, opts)).loss;
    const scale = Math.max(...r.grad.map(Math.abs));
    for (const i of coords) {
      const fd = await centralDifference(flat, i, 1e-2, loss);
      const err = Math.abs(fd - r.grad[i]!);
      t.true(err < 5e-2 * Math.abs(r.grad[i]!) + 5e-4 * scale, `coordinate ${i}: fd ${fd} vs grad ${r.grad[i]} (scale ${scale})`);
    }
    // the gradient is informative: every searched field of this genome moves the loss
    t.true(coords.every((i) => r.grad[i] !== 0));
  }
});

test('non-finite losses come back as NaN, with a NaN gradient, without throwing', async (t) => {
  const config = blurGenome.resolveConfig({});
  const g = randomBlurGenome(2, new Rng(1), { synapseUpdate: 1e30 });
  const network: Partial<BlurNetworkOptions> = { hiddenActivation: 'identity', outputActivation: 'identity', backwardActivation: 'identity' };
  const opts: BlurMetaOptions = { sizes: [2, 4, 1], unrollSteps: 5, batchSize: 4, seed: 0, network };
  const e = await evaluateBlurPopulation(tf, [g, randomBlurGenome(2, new Rng(2))], sampler(1), opts);
  t.true(Number.isNaN(e.loss[0]));
  t.true(Number.isNaN(e.accuracy[0]));
  t.true(Number.isFinite(e.loss[1]!));
  t.true(Number.isFinite(e.accuracy[1]!));
  const r = await metaLossAndGrad(tf, blurGenome.encode(g, config), flatBlurRule(config), sampler(1), opts);
  t.true(Number.isNaN(r.loss));
  t.true(Number.isNaN(r.accuracy));
  t.true(r.grad.every(Number.isNaN));
});

test.serial('no tensor leaks across evaluations and metaLossAndGrad calls', async (t) => {
  const config = blurGenome.resolveConfig({ extras: ['rescaleTo'] });
  const g = randomBlurGenome(2, new Rng(1));
  const opts: BlurMetaOptions = { sizes: [2, 3, 3], unrollSteps: 3, batchSize: 4, replicas: 2, seed: 0, network: { normalizeSynapses: true, rescale: true } };
  const flat = blurGenome.encode(g, config);
  await evaluateBlurPopulation(tf, [g, g], sampler(3), opts);
  await metaLossAndGrad(tf, flat, flatBlurRule(config), sampler(3), opts);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    await evaluateBlurPopulation(tf, [g, g], sampler(3), opts);
    await metaLossAndGrad(tf, flat, flatBlurRule(config), sampler(3), opts);
    await evaluateBlurPopulation(tf, [g], sampler(3), { ...opts, unrollSteps: 1, network: {} });
  }
  t.is(tf.memory().numTensors, before);
});

test('bad options name the problem', async (t) => {
  const g = backpropGenome(2);
  const base: BlurMetaOptions = { sizes: [2, 3, 1], unrollSteps: 2, batchSize: 4, seed: 0 };
  await t.throwsAsync(() => evaluateBlurPopulation(tf, [g], sampler(1), { ...base, sizes: [3, 1] }), { message: /must start with the data's 2 inputs and end with its 1 outputs/ });
  await t.throwsAsync(() => evaluateBlurPopulation(tf, [g], sampler(1), { ...base, unrollSteps: 0 }), { message: /unrollSteps must be an integer >= 1/ });
  const config = blurGenome.resolveConfig({ perLayer: true, numLayers: 3 });
  await t.throwsAsync(() => metaLossAndGrad(tf, new Array<number>(blurGenome.dim(config)).fill(0), flatBlurRule(config), sampler(1), base), { message: /holds 3 layer rules but the network has 2 synapse layers .*use 1 \(shared\) or 2/ });
  await t.throwsAsync(() => metaLossAndGrad(tf, [1, 2], flatBlurRule(blurGenome.resolveConfig({})), sampler(1), base), { message: /must have 20 numbers/ });
});

test('cross-entropy query loss: hand-computed values, a constant output scores log m, one output is the logistic loss', async (t) => {
  const pred = tf.tensor4d([0, 1, 2, 1, 1, 1], [1, 1, 2, 3]);
  const y = tf.tensor2d([-1, 1, -1, 1, -1, -1], [2, 3]);
  const ce = Array.from(queryLoss(tf, pred, y, 'cross-entropy').dataSync());
  // row 0: log(1 + e + e²) − 1; row 1: equal logits, log 3
  t.true(Math.abs(ce[0]! - (Math.log(1 + Math.E + Math.E ** 2) - 1)) < 1e-6, `${ce[0]}`);
  t.true(Math.abs(ce[1]! - Math.log(3)) < 1e-6, `${ce[1]}`);
  const mse = Array.from(queryLoss(tf, pred, y).dataSync());
  t.true(Math.abs(mse[0]! - (1 + 0 + 9) / 3) < 1e-6 && Math.abs(mse[1]! - (0 + 4 + 4) / 3) < 1e-6);
  // the constant −1 output of a 10-way episode: MSE 0.4 (low), cross-entropy log 10 (chance)
  const constant = tf.fill([1, 1, 1, 10], -1) as tfjs.Tensor4D;
  const target = tf.tensor2d([[1, -1, -1, -1, -1, -1, -1, -1, -1, -1]]);
  t.true(Math.abs(queryLoss(tf, constant, target).dataSync()[0]! - 0.4) < 1e-6);
  t.true(Math.abs(queryLoss(tf, constant, target, 'cross-entropy').dataSync()[0]! - Math.log(10)) < 1e-6);
  // one output: −log σ(ŷ) for y = +1, −log σ(−ŷ) for y = −1
  const binary = Array.from(queryLoss(tf, tf.tensor4d([0.5, -2, 3], [1, 1, 3, 1]), tf.tensor2d([1, 1, -1], [3, 1]), 'cross-entropy').dataSync());
  const softplus = (v: number) => Math.log(1 + Math.exp(v));
  [softplus(-0.5), softplus(2), softplus(3)].forEach((v, i) => t.true(Math.abs(binary[i]! - v) < 1e-6, `${binary[i]} vs ${v}`));
  tf.dispose([pred, y, constant, target]);
});

test('cross-entropy meta-loss: population and single evaluation agree, the gradient matches central differences', async (t) => {
  const config = blurGenome.resolveConfig({});
  for (const outputs of [3, 1] as const) {
    const s = sampler(outputs);
    const network: Partial<BlurNetworkOptions> = { ...SMOOTH, outputActivation: 'identity', feedback: 'softmax-error' };
    const opts: BlurMetaOptions = { sizes: [2, 4, outputs], unrollSteps: 4, batchSize: 6, queryBatchSize: 16, replicas: 2, seed: 3, network, loss: 'cross-entropy' };
    const g = randomBlurGenome(2, new Rng(11), { synapseUpdate: -0.2, neuronStd: 0.7 });
    const flat = blurGenome.encode(g, config);
    const r = await metaLossAndGrad(tf, flat, flatBlurRule(config), s, opts);
    const pop = await evaluateBlurPopulation(tf, [g, backpropGenome(2, 0.1)], s, opts);
    t.true(Math.abs(pop.loss[0]! - r.loss) < 1e-5, `${pop.loss[0]} vs ${r.loss}`);
    t.is(pop.accuracy[0], r.accuracy);
    // a different loss than the MSE of the same run
    const mse = await evaluateBlurPopulation(tf, [g], s, { ...opts, loss: 'mse' });
    t.is(mse.accuracy[0], pop.accuracy[0]);
    t.true(Math.abs(mse.loss[0]! - pop.loss[0]!) > 1e-3);
    const loss = async (x: number[]) => (await metaLossAndGrad(tf, x, flatBlurRule(config), s, opts)).loss;
    const scale = Math.max(...r.grad.map(Math.abs));
    for (const i of [0, 5, 9, 14, 17, 19]) {
      const fd = await centralDifference(flat, i, 1e-3, loss);
      t.true(Math.abs(fd - r.grad[i]!) < 5e-2 * Math.abs(r.grad[i]!) + 5e-4 * scale, `${outputs} outputs, coordinate ${i}: fd ${fd} vs grad ${r.grad[i]}`);
    }
  }
  await t.throwsAsync(() => evaluateBlurPopulation(tf, [backpropGenome(2)], sampler(1), { sizes: [2, 3, 1], unrollSteps: 2, batchSize: 4, seed: 0, loss: 'hinge' as 'mse' }), {
    message: 'BLUR meta-objective loss must be one of mse, cross-entropy (got "hinge")',
  });
});
