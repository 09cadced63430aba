/**
 * The shipped vision rules with Adam's moment buffers (genomes/vision-adam.blur.json, and vision-adam-schedule.blur.json
 * with the η_w schedule too; BENCHMARKS.md, blur_vision) must keep training a fresh 196-64-10 network as `evometa replay` runs it: a regression in the moment buffers, the BLUR
 * network or the genome file's extras shows up here as lost accuracy. MNIST test images (meta-training saw MNIST train
 * episodes; Fashion-MNIST, its test task, stays out of the suite), 2 seeds, 50 steps: a few seconds.
 */
import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/runtime/backend.js';
import { readGenomeFile } from '../../src/core/genome_file.js';
import { backpropGenome, blurGenome, loadBlurGenome } from '../../genomes/blur_genome.js';
import { loadReplayData } from '../../src/workflows/replay/replay_data.js';
import { replayRule } from '../../src/workflows/replay/replay_blur.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Each file with the extras its search moved and the meta-training it names. */
const RULES = [
  { file: 'vision-adam.blur.json', extras: ['momentum', 'rmsDecay'], episodes: 2 },
  { file: 'vision-adam-schedule.blur.json', extras: ['momentum', 'rmsDecay', 'updateDecay'], episodes: 4 },
];

test.before(async () => {
  await initBackend('cpu');
});

for (const { file, extras, episodes } of RULES) {
  const FILE = join(repoRoot, 'genomes', file);

  test(`${file} says how it was meta-trained, searched its extras and runs with Adam buffers`, (t) => {
    const read = readGenomeFile(FILE, { kinds: { blur: blurGenome } });
    t.like(read.meta, { task: 'blur-mnist', strategy: 'cmaes', taskConfig: { objective: 'cross-entropy', ways: 10, unrollSteps: 1000, horizons: [50, 200, 1000], episodes } });
    t.deepEqual(read.config, { k: 2, perLayer: false, numLayers: 1, extras });
    const g = loadBlurGenome(FILE);
    t.like(g.network, { synapseMoments: 'adam', feedback: 'softmax-error', outputActivation: 'identity', initScale: 2 });
    const s = g.layers[0]!.synapse;
    t.true(s.momentum! > 0 && s.momentum! < 1 && s.rmsDecay! > 0 && s.rmsDecay! < 1);
    if (extras.includes('updateDecay')) t.true(s.updateDecay! > 0 && s.updateDecay! < 0.01, `δ ${s.updateDecay}`);
  });

  test(`${file} trains a fresh 196-64-10 MNIST network, well ahead of the same genome without its buffers`, async (t) => {
    const data = loadReplayData({ task: 'mnist', downsample: 2, classes: null, trainSamples: 2000, validation: 10, testSamples: 500 });
    const options = { hidden: [64], steps: 50, batchSize: 32, seeds: 2, seed: 5, compare: [], evalAt: [0, 20, 50], exportDir: null };
    const learned = loadBlurGenome(FILE);
    const rule = (await replayRule(learned, data, options)).methods[0]!;
    // the plain-SGD start of the earlier runs: the backprop genome, η_w = −0.005, no buffers
    const sgd = (await replayRule({ ...backpropGenome(2, 0.005), network: { ...learned.network, synapseMoments: 'none', initScale: 1.5 } }, data, options)).methods[0]!;
    for (const acc of rule.accuracy) {
      t.true(acc[0]! < 0.25, `untrained: ${acc[0]}`);
      t.true(acc[2]! > 0.78, `after 50 steps: ${acc[2]}`);
    }
    for (const j of [1, 2]) t.true(rule.mean[j]! > sgd.mean[j]! + 0.04, `step ${options.evalAt[j]}: rule ${rule.mean[j]} vs SGD start ${sgd.mean[j]}`);
  });
}
