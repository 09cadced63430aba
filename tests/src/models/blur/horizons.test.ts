/**
 * Several horizons in one unroll (`BlurMetaOptions.horizons`): the loss and accuracy are the means of what separate
 * unrolls of those lengths score on the same batches, metaLossAndGrad agrees with the population evaluation and with
 * central differences, one horizon changes nothing, and bad horizons are named in task configs too.
 */
import test from 'ava';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { backpropGenome, blurGenome, randomBlurGenome } from '../../../../genomes/blur_genome.js';
import { evaluateBlurPopulation, metaLossAndGrad, type BlurBatch, type BlurMetaOptions, type BlurSampler } from '../../../../src/models/blur/meta_objective.js';
import type { BlurNetworkOptions } from '../../../../src/models/blur/blur_options.js';
import { flatBlurRule } from '../../../../tasks/blur/flat_blur_rule.js';
import { TASKS } from '../../../../tasks/index.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

/**
 * Support batch s is drawn from its own seed and the query from a fixed one, whatever the stream: an unroll of length h
 * then sees exactly the first h − 1 support batches and the query of a longer one.
 */
function keyedSampler(): BlurSampler {
  const draw = (rng: Rng, batch: number): BlurBatch => {
    const x = new Float32Array(batch * 2);
    const y = new Float32Array(batch * 3);
    for (let b = 0; b < batch; b++) {
      const [x0, x1] = [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1];
      x.set([x0, x1], 2 * b);
      const cls = Math.floor(((Math.atan2(x1, x0) + Math.PI) / (2 * Math.PI)) * 3) % 3;
      for (let c = 0; c < 3; c++) y[b * 3 + c] = c === cls ? 1 : -1;
    }
    return { x, y };
  };
  return { numInputs: 2, numOutputs: 3, support: (step, _rng, batch) => draw(new Rng(100 + step), batch), query: (_rng, batch) => draw(new Rng(999), batch) };
}

const NETWORKS: Partial<BlurNetworkOptions>[] = [
  { hiddenActivation: 'tanh', backwardActivation: 'tanh', outputActivation: 'identity', feedback: 'softmax-error' },
  { hiddenActivation: 'tanh', backwardActivation: 'tanh', normalizeSynapses: true },
];

test('the loss and accuracy at horizons [1, 3, 6] are the means of unrolls of 1, 3 and 6 steps on the same batches', async (t) => {
  const s = keyedSampler();
  const rng = new Rng(4);
  const genomes = [backpropGenome(2, 0.1), randomBlurGenome(2, rng, { synapseUpdate: -0.1 })];
  for (const network of NETWORKS) {
    const base: BlurMetaOptions = { sizes: [2, 5, 3], unrollSteps: 6, batchSize: 8, queryBatchSize: 24, replicas: 2, seed: 3, network, loss: 'cross-entropy' };
    const together = await evaluateBlurPopulation(tf, genomes, s, { ...base, horizons: [1, 3, 6] });
    const apart = await Promise.all([1, 3, 6].map((U) => evaluateBlurPopulation(tf, genomes, s, { ...base, unrollSteps: U })));
    for (let p = 0; p < genomes.length; p++) {
      const loss = apart.reduce((a, r) => a + r.loss[p]! / 3, 0);
      const accuracy = apart.reduce((a, r) => a + r.accuracy[p]! / 3, 0);
      t.true(Math.abs(together.loss[p]! - loss) < 1e-6 * loss, `genome ${p}: ${together.loss[p]} vs ${loss}`);
      t.true(Math.abs(together.accuracy[p]! - accuracy) < 1e-6, `genome ${p}: accuracy ${together.accuracy[p]} vs ${accuracy}`);
    }
    // the horizons differ, so their mean is not the last one
    t.true(Math.abs(apart[0]!.loss[0]! - apart[2]!.loss[0]!) > 1e-3);
    // one horizon, the unroll's own, is the plain objective bit for bit
    t.deepEqual(await evaluateBlurPopulation(tf, genomes, s, { ...base, horizons: [6] }), apart[2]);
  }
});

test('metaLossAndGrad at several horizons: the population evaluation’s loss and accuracy, and central differences', async (t) => {
  const s = keyedSampler();
  const config = blurGenome.resolveConfig({});
  const opts: BlurMetaOptions = { sizes: [2, 4, 3], unrollSteps: 5, batchSize: 6, queryBatchSize: 16, replicas: 2, seed: 3, network: NETWORKS[0], loss: 'cross-entropy', horizons: [2, 5] };
  const g = randomBlurGenome(2, new Rng(11), { synapseUpdate: -0.2, neuronStd: 0.7 });
  const flat = blurGenome.encode(g, config);
  const r = await metaLossAndGrad(tf, flat, flatBlurRule(config), s, opts);
  const pop = await evaluateBlurPopulation(tf, [g], s, opts);
  t.true(Math.abs(pop.loss[0]! - r.loss) < 1e-5, `${pop.loss[0]} vs ${r.loss}`);
  t.is(pop.accuracy[0], r.accuracy);
  const loss = async (x: number[]) => (await metaLossAndGrad(tf, x, flatBlurRule(config), s, opts)).loss;
  const scale = Math.max(...r.grad.map(Math.abs));
  for (const i of [0, 5, 9, 14, 17, 19]) {
    const [up, down] = [flat.slice(), flat.slice()];
    up[i] += 1e-3;
    down[i] -= 1e-3;
    const fd = ((await loss(up)) - (await loss(down))) / 2e-3;
    t.true(Math.abs(fd - r.grad[i]!) < 5e-2 * Math.abs(r.grad[i]!) + 5e-4 * scale, `coordinate ${i}: fd ${fd} vs grad ${r.grad[i]}`);
  }
  const single = await metaLossAndGrad(tf, flat, flatBlurRule(config), s, { ...opts, horizons: undefined });
  t.true(Math.abs(single.loss - r.loss) > 1e-4, 'the early horizon counts');
});

test('bad horizons are named, in the options and in a task config', async (t) => {
  const s = keyedSampler();
  const opts: BlurMetaOptions = { sizes: [2, 3, 3], unrollSteps: 4, batchSize: 4, seed: 0 };
  for (const horizons of [[2, 3], [3, 2, 4], [0, 4], [2.5, 4], []]) {
    await t.throwsAsync(() => evaluateBlurPopulation(tf, [backpropGenome(2)], s, { ...opts, horizons }), {
      message: `BLUR horizons must be ascending unroll lengths from 1 to unrollSteps, the last equal to unrollSteps = 4, e.g. [1,2,4] (got ${JSON.stringify(horizons)})`,
    });
  }
  const task = TASKS['blur-mnist']!;
  t.throws(() => task.resolveConfig({ unrollSteps: 200, horizons: [50, 100] }), {
    message: "task config 'horizons' must be ascending unroll lengths from 1 to unrollSteps, the last equal to unrollSteps = 200, e.g. [50,100,200] (got [50,100])",
  });
  t.deepEqual(task.resolveConfig({ unrollSteps: 200, horizons: [50, 100, 200] }).horizons, [50, 100, 200]);
  t.false('horizons' in task.resolveConfig({ unrollSteps: 200 }), 'absent unless given: configs written before it resolve as they did');
  // a resolved config re-resolves to itself, as every evaluation job does
  const resolved = task.resolveConfig({ unrollSteps: 8, horizons: [2, 8] });
  t.deepEqual(task.resolveConfig(resolved as unknown as Record<string, unknown>), resolved);
});
