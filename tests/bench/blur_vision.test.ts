/** The blur_vision bench's flags become the search config and network options it records in protocol.json. */
import test from 'ava';
import { NETWORK, SEARCHES, START_LEARNING_RATE, startGenome, visionNetwork, visionSearch, visionSettings } from '../../bench/blur_vision.js';
import { blurMnistTask } from '../../tasks/blur/blur_tasks.js';
import { blurGenome } from '../../genomes/blur_genome.js';

test('no flags keep the SEARCHES entry and the backprop network options', (t) => {
  const v = visionSettings([]);
  t.is(v.startLearningRate, START_LEARNING_RATE);
  t.deepEqual(visionNetwork(v), NETWORK);
  t.deepEqual(visionSearch(SEARCHES['cmaes']!, v), { ...SEARCHES['cmaes']!, 'task-config': { ...(SEARCHES['cmaes']!['task-config'] as object), network: NETWORK } });
});

test('the cross-entropy flags set the objective, feedback, outputs, unroll, per-layer genome and strategy params', (t) => {
  const v = visionSettings(['--objective', 'cross-entropy', '--feedback', 'softmax-error', '--output-activation', 'identity', '--init-scale', '1.5',
    '--start-lr', '0.005', '--unroll', '200', '--ways', '10', '--episodes', '4', '--lr', '0.05', '--per-layer', '--domains', 'plain,noise',
    '--strategy-params', '{"stds":[1,2]}']);
  const raw = visionSearch(SEARCHES['cmaes']!, v);
  const task = raw['task-config'] as Record<string, unknown>;
  t.like(task, { objective: 'cross-entropy', unrollSteps: 200, ways: 10, episodes: 4, domains: ['plain', 'noise'] });
  t.like(task['network'] as object, { feedback: 'softmax-error', outputActivation: 'identity', initScale: 1.5, derivativeInState1: true });
  t.is(raw['sigma0'], 0.05);
  t.deepEqual(raw['genome-config'], { perLayer: true, numLayers: 2 });
  t.deepEqual(raw['strategy-params'], { stds: [1, 2] });
  t.is(v.startLearningRate, 0.005);
  // the task accepts what the flags wrote
  t.is(blurMnistTask.resolveConfig(task).objective, 'cross-entropy');
  // metagrad keeps its own params beside the new ones
  t.deepEqual(visionSearch(SEARCHES['metagrad']!, visionSettings(['--strategy-params', '{"clipNorm":2}']))['strategy-params'], { metaBatch: 2, clipNorm: 2 });
  t.throws(() => visionSettings(['--unroll', '0']), { message: '--unroll must be a positive number (got 0)' });
});

test('--moments sets the network option and makes the decays searched extras, which the genome kind and task accept', (t) => {
  for (const [moments, extras] of [['adam', ['momentum', 'rmsDecay']], ['momentum', ['momentum']]] as const) {
    const raw = visionSearch(SEARCHES['cmaes']!, visionSettings(['--moments', moments]));
    const task = raw['task-config'] as Record<string, unknown>;
    t.like(task['network'] as object, { synapseMoments: moments, symmetricStates: true });
    t.deepEqual(raw['genome-config'], { extras });
    t.is(blurGenome.dim(blurGenome.resolveConfig(raw['genome-config'] as Record<string, unknown>)), 20 + extras.length);
    t.is(blurMnistTask.resolveConfig(task).network?.synapseMoments, moments);
  }
  t.deepEqual(visionSearch(SEARCHES['cmaes']!, visionSettings(['--moments', 'adam', '--per-layer']))['genome-config'], { perLayer: true, numLayers: 2, extras: ['momentum', 'rmsDecay'] });
  t.throws(() => visionSettings(['--moments', 'rms']), { message: '--moments must be one of none, momentum, adam (got rms)' });
});

test('--update-decay sets the start genome\'s δ and searches it as the last extra, after the moment decays', (t) => {
  const v = visionSettings(['--moments', 'adam', '--update-decay', '0.002']);
  const raw = visionSearch(SEARCHES['cmaes']!, v);
  t.deepEqual(raw['genome-config'], { extras: ['momentum', 'rmsDecay', 'updateDecay'] });
  const config = blurGenome.resolveConfig(raw['genome-config'] as Record<string, unknown>);
  const x = blurGenome.encode(startGenome(v), config);
  t.deepEqual(x.slice(-3), [0.9, 0.999, 0.002]);
  t.is(startGenome(visionSettings([])).layers[0]!.synapse.updateDecay, undefined);
  t.deepEqual(visionSearch(SEARCHES['cmaes']!, visionSettings(['--update-decay', '0']))['genome-config'], { extras: ['updateDecay'] });
  t.throws(() => visionSettings(['--update-decay', '-1']), { message: '--update-decay must be a number from 0 to 1 (got -1)' });
});
