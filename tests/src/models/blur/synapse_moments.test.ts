/**
 * Moment buffers between the Hebbian update and the synapses (network option `synapseMoments`): the backprop
 * genome then takes exactly tf.train.momentum's and tf.train.adam's steps on the same MLP, the population axis
 * stays exact with a decay per genome, the meta-gradient through Adam's buffers is finite and matches central
 * differences, the decays are genome extras, and combinations that are not defined are refused in one line.
 */
import test from 'ava';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { relErr } from '../../../helpers/rel_err.js';
import { batches, CE, checkMetaGradient, SIZES, track, weights } from '../../../helpers/blur_reference.js';
import { backpropGenome, blurConfigOf, blurGenome, EXTRA_DEFAULTS, randomBlurGenome, validateBlurGenome } from '../../../../genomes/blur_genome.js';
import {
  BlurNetwork, blurRuleTensors, disposePopulation, initSynapses, networkStep, populationFromGenomes, resolveBlurNetworkOptions, synapseTensors,
  type BlurNetworkOptions,
} from '../../../../src/models/blur/blur_network.js';
import type { BlurMetaOptions } from '../../../../src/models/blur/meta_objective.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

test.serial("synapseMoments 'momentum': the backprop genome takes tf.train.momentum's steps", (t) => {
  const g = backpropGenome(2, 0.05);
  g.layers[0]!.synapse.momentum = 0.8;
  track(t, g, { synapseMoments: 'momentum' }, tf.train.momentum(0.05, 0.8), 1e-5);
});

test.serial("synapseMoments 'adam': the backprop genome takes tf.train.adam's steps on the batch-summed loss", (t) => {
  const g = backpropGenome(2, 0.01);
  g.layers[0]!.synapse.momentum = 0.85;
  g.layers[0]!.synapse.rmsDecay = 0.99;
  const eps = 1e-4;
  track(t, g, { synapseMoments: 'adam', momentEpsilon: eps }, tf.train.adam(0.01, 0.85, 0.99, eps), 1e-4);
});

test.serial('the moments differ from plain eq. S, and each genome of a population keeps its own decays and buffers', (t) => {
  const rng = new Rng(3);
  const genomes = [0.5, 0.9, 0].map((m) => {
    const g = randomBlurGenome(2, rng, { synapseUpdate: -0.05 });
    g.layers[0]!.synapse.momentum = m;
    g.layers[0]!.synapse.rmsDecay = 0.95;
    return g;
  });
  const data = batches(2, 4);
  for (const synapseMoments of ['momentum', 'adam'] as const) {
    const net = new BlurNetwork(genomes, SIZES, { synapseMoments }, { seed: 1, replicas: 2 });
    for (const { x, y } of data) net.step(x, y);
    genomes.forEach((g, p) => {
      const alone = new BlurNetwork(g, SIZES, { synapseMoments }, { seed: 1, replicas: 2 });
      for (const { x, y } of data) alone.step(x, y);
      const err = relErr(weights(net, p).flat(), weights(alone).flat());
      t.true(err < 1e-6, `${synapseMoments} genome ${p}: ${err}`);
      alone.dispose();
    });
    net.dispose();
  }
  // momentum with β₁ = 0 is eq. S itself; with β₁ > 0 it is not
  const plain = new BlurNetwork(genomes, SIZES, {}, { seed: 1, replicas: 2 });
  const heavy = new BlurNetwork(genomes, SIZES, { synapseMoments: 'momentum' }, { seed: 1, replicas: 2 });
  for (const { x, y } of data) {
    plain.step(x, y);
    heavy.step(x, y);
  }
  t.true(relErr(weights(heavy, 2).flat(), weights(plain, 2).flat()) < 1e-6);
  t.true(relErr(weights(heavy, 1).flat(), weights(plain, 1).flat()) > 1e-3);
  plain.dispose();
  heavy.dispose();
});

test.serial("metaLossAndGrad through 'adam' buffers: finite where V is 0, equal to the population evaluation and to central differences", async (t) => {
  const config = blurGenome.resolveConfig({ extras: ['momentum', 'rmsDecay'] });
  const network: Partial<BlurNetworkOptions> = { hiddenActivation: 'tanh', backwardActivation: 'tanh', ...CE, synapseMoments: 'adam', momentEpsilon: 1e-3 };
  const opts: BlurMetaOptions = { sizes: [3, 4, 3], unrollSteps: 5, batchSize: 6, queryBatchSize: 16, replicas: 2, seed: 3, network, loss: 'cross-entropy' };
  const g = randomBlurGenome(2, new Rng(11), { synapseUpdate: -0.02, neuronStd: 0.7 });
  g.layers[0]!.synapse.momentum = 0.7;
  g.layers[0]!.synapse.rmsDecay = 0.9;
  t.is(blurGenome.dim(config), 22);
  const { grad, scale } = await checkMetaGradient(t, g, config, opts, [0, 9, 17, 19, 20, 21]);
  t.true(Math.abs(grad[20]!) > 1e-4 * scale, 'β₁ moves the loss');
});

test('the decays are genome extras: searched in a box below 1, defaulted when a file has none', (t) => {
  const config = blurGenome.resolveConfig({ extras: ['rmsDecay', 'momentum'] });
  t.deepEqual(config.extras, ['momentum', 'rmsDecay']);
  const b = blurGenome.bounds!(config);
  t.deepEqual([b!.lower.slice(-2), b!.upper.slice(-2)], [[0, 0], [0.9999, 0.9999]]);
  const g = backpropGenome(2, 0.01);
  g.layers[0]!.synapse.momentum = 0.5;
  g.layers[0]!.synapse.rmsDecay = 0.97;
  const x = blurGenome.encode(g, config);
  t.deepEqual(x.slice(-2), [0.5, 0.97]);
  t.deepEqual(blurGenome.decode(x, config).layers[0]!.synapse, g.layers[0]!.synapse);
  const bare = JSON.parse(JSON.stringify(g)) as { layers: { synapse: Record<string, unknown> }[] };
  delete bare.layers[0]!.synapse['momentum'];
  delete bare.layers[0]!.synapse['rmsDecay'];
  // a genome that names no decay keeps none in its file (files from before read and write unchanged) and runs with Adam's
  const read = validateBlurGenome(bare);
  t.false('momentum' in read.layers[0]!.synapse || 'rmsDecay' in read.layers[0]!.synapse);
  t.deepEqual(blurConfigOf(read).extras, []);
  t.deepEqual([EXTRA_DEFAULTS.momentum, EXTRA_DEFAULTS.rmsDecay], [0.9, 0.999]);
  const tensors = blurRuleTensors(tf, read);
  t.deepEqual([tensors.layers[0]!.momentum.dataSync()[0], tensors.layers[0]!.rmsDecay.dataSync()[0]], [Math.fround(0.9), Math.fround(0.999)]);
  tf.dispose(tensors.layers.flatMap((l) => Object.values(l)));
  t.deepEqual(blurConfigOf(g).extras, ['momentum', 'rmsDecay']);
  t.throws(() => validateBlurGenome({ ...g, layers: [{ ...g.layers[0], synapse: { ...g.layers[0]!.synapse, momentum: 'high' } }] }), {
    message: /layers\[0\]\.synapse\.momentum/,
  });
});

test('moments with saturation or the Oja term are refused in one line naming the options', (t) => {
  t.throws(() => resolveBlurNetworkOptions({ synapseMoments: 'adam', oja: true }), {
    message: "network option synapseMoments 'adam' works with saturation 'none' and oja false only (got saturation 'none', oja true); drop one of them",
  });
  t.throws(() => resolveBlurNetworkOptions({ synapseMoments: 'rms' as never }), { message: /synapseMoments must be one of none, momentum, adam/ });
  t.is(resolveBlurNetworkOptions({}).synapseMoments, 'none');
});

test.serial('a step under synapseMoments refuses synapses made without their buffers, rather than quietly taking plain steps', (t) => {
  const g = backpropGenome(2, 0.01);
  const plain = resolveBlurNetworkOptions(g.network, CE);
  const adam = resolveBlurNetworkOptions(g.network, CE, { synapseMoments: 'adam' });
  const pop = populationFromGenomes(tf, [g], 1, 2);
  const syn = initSynapses(tf, SIZES, 2, 1, 1, 0, plain);
  const { x, y } = batches(1, 1)[0]!;
  t.throws(() => tf.tidy(() => void networkStep(tf, syn, pop, tf.tensor2d(x), tf.tensor2d(y), adam)), {
    message: "synapseMoments 'adam' needs synapses made by initSynapses with that option (they have no moment buffers)",
  });
  tf.dispose(synapseTensors(syn));
  disposePopulation(pop);
});
