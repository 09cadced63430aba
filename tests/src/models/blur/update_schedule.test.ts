/**
 * The η_w schedule (genome extra `updateDecay`, δ): the t-th Hebbian update uses η_w / (1 + δ (t − 1)). With it the
 * backprop genome takes tf.train.sgd's and tf.train.adam's steps under that learning-rate schedule; δ = 0 is the
 * fixed η_w bit for bit; each genome of a population keeps its own δ; the meta-gradient reaches δ; and δ is a genome
 * extra with a box and a default that leaves older files unchanged.
 */
import test from 'ava';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { relErr } from '../../../helpers/rel_err.js';
import { batches, CE, checkMetaGradient, SIZES, track, weights } from '../../../helpers/blur_reference.js';
import { backpropGenome, blurConfigOf, blurGenome, EXTRA_DEFAULTS, randomBlurGenome, validateBlurGenome, type BlurGenome } from '../../../../genomes/blur_genome.js';
import { BlurNetwork, type BlurNetworkOptions } from '../../../../src/models/blur/blur_network.js';
import type { BlurMetaOptions } from '../../../../src/models/blur/meta_objective.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

function withDecay(g: BlurGenome, delta: number): BlurGenome {
  g.layers[0]!.synapse.updateDecay = delta;
  return g;
}

test.serial('updateDecay: the backprop genome takes SGD steps with learning rate η / (1 + δ t), t = 0, 1, …', (t) => {
  const [eta, delta] = [0.2, 0.5];
  const rates: number[] = [];
  track(t, withDecay(backpropGenome(2, eta), delta), {}, tf.train.sgd(eta), 1e-5, (opt, step) => {
    rates.push(eta / (1 + delta * step));
    (opt as tfjs.SGDOptimizer).setLearningRate(rates[step]!);
  });
  t.is(rates.length, 6);
  t.true(rates[5]! < rates[0]! / 3, 'the schedule is strong enough for a wrong step count to fail the check');
});

test.serial("updateDecay with 'adam' buffers: tf.train.adam's steps under the same schedule", (t) => {
  const [eta, delta] = [0.01, 0.4];
  const g = withDecay(backpropGenome(2, eta), delta);
  g.layers[0]!.synapse.momentum = 0.85;
  g.layers[0]!.synapse.rmsDecay = 0.99;
  track(t, g, { synapseMoments: 'adam', momentEpsilon: 1e-4 }, tf.train.adam(eta, 0.85, 0.99, 1e-4), 1e-4, (opt, step) => {
    // AdamOptimizer has no setter; it reads this field at every step
    (opt as unknown as { learningRate: number }).learningRate = eta / (1 + delta * step);
  });
});

test.serial('δ = 0 is the fixed η_w bit for bit; each genome of a population keeps its own δ', (t) => {
  const rng = new Rng(4);
  const genomes = [0, 0.3, 0.05].map((d) => withDecay(randomBlurGenome(2, rng, { synapseUpdate: -0.05 }), d));
  const data = batches(3, 5);
  const run = (gs: BlurGenome | BlurGenome[]): BlurNetwork => {
    const net = new BlurNetwork(gs, SIZES, CE, { seed: 2, replicas: 2 });
    for (const { x, y } of data) net.step(x, y);
    return net;
  };
  const pop = run(genomes);
  const unnamed = JSON.parse(JSON.stringify(genomes[0])) as BlurGenome;
  delete unnamed.layers[0]!.synapse.updateDecay;
  const fixed = run(unnamed);
  t.deepEqual(weights(pop, 0), weights(fixed, 0));
  t.true(relErr(weights(pop, 1).flat(), weights(fixed, 0).flat()) > 1e-3, 'a decay changes the steps');
  genomes.forEach((g, p) => {
    const alone = run(g);
    t.true(relErr(weights(pop, p).flat(), weights(alone).flat()) < 1e-6, `genome ${p}`);
    alone.dispose();
  });
  pop.dispose();
  fixed.dispose();
});

test.serial('metaLossAndGrad reaches δ: equal to the population evaluation and to central differences', async (t) => {
  const config = blurGenome.resolveConfig({ extras: ['updateDecay'] });
  const network: Partial<BlurNetworkOptions> = { hiddenActivation: 'tanh', backwardActivation: 'tanh', ...CE };
  const opts: BlurMetaOptions = { sizes: [3, 4, 3], unrollSteps: 6, batchSize: 6, queryBatchSize: 16, replicas: 2, seed: 3, network, loss: 'cross-entropy' };
  const g = withDecay(randomBlurGenome(2, new Rng(11), { synapseUpdate: -0.05, neuronStd: 0.7 }), 0.3);
  t.is(blurGenome.dim(config), 21);
  const { grad, scale } = await checkMetaGradient(t, g, config, opts, [0, 19, 20]);
  t.true(Math.abs(grad[20]!) > 1e-3 * scale, 'δ moves the loss');
});

test('updateDecay is a genome extra in [0, 1], 0 when a file names none', (t) => {
  const config = blurGenome.resolveConfig({ extras: ['updateDecay', 'momentum'] });
  t.deepEqual(config.extras, ['momentum', 'updateDecay']);
  const b = blurGenome.bounds!(config);
  t.deepEqual([b!.lower.slice(-1), b!.upper.slice(-1)], [[0], [1]]);
  const g = withDecay(backpropGenome(2, 0.01), 0.002);
  const x = blurGenome.encode(g, config);
  t.deepEqual(x.slice(-2), [EXTRA_DEFAULTS.momentum, 0.002]);
  t.is(blurGenome.decode(x, config).layers[0]!.synapse.updateDecay, 0.002);
  t.deepEqual(blurConfigOf(g).extras, ['updateDecay']);
  const read = validateBlurGenome(backpropGenome(2, 0.01));
  t.false('updateDecay' in read.layers[0]!.synapse, 'a genome that names no decay keeps none in its file');
  t.is(EXTRA_DEFAULTS.updateDecay, 0);
  t.throws(() => validateBlurGenome({ ...g, layers: [{ ...g.layers[0], synapse: { ...g.layers[0]!.synapse, updateDecay: null } }] }), {
    message: /layers\[0\]\.synapse\.updateDecay must be a finite number/,
  });
});
