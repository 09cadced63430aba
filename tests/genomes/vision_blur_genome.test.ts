/**
 * The shipped vision rule (genomes/vision-cmaes.blur.json; BENCHMARKS.md, blur_vision) must keep training a fresh
 * 196-64-10 network, as `evometa replay` runs it: a regression anywhere in the BLUR network, the 'softmax-error'
 * feedback or the genome file shows up here as lost accuracy. MNIST test images (the rule was meta-trained on MNIST
 * train episodes; Fashion-MNIST, its test task, stays out of the suite), 2 seeds, 50 steps: a few seconds.
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
const FILE = join(repoRoot, 'genomes', 'vision-cmaes.blur.json');

test.before(async () => {
  await initBackend('cpu');
});

test('vision-cmaes.blur.json says how it was meta-trained and runs with softmax-error feedback on logits', (t) => {
  const read = readGenomeFile(FILE, { kinds: { blur: blurGenome } });
  t.like(read.meta, { task: 'blur-mnist', strategy: 'cmaes', taskConfig: { objective: 'cross-entropy', ways: 10, unrollSteps: 200, horizons: [50, 100, 200] } });
  t.like(loadBlurGenome(FILE).network, { feedback: 'softmax-error', outputActivation: 'identity', initScaleByChannels: true, initScale: 1.5 });
});

test('vision-cmaes.blur.json trains a fresh 196-64-10 MNIST network, faster than its start genome in the first 50 steps', async (t) => {
  const data = loadReplayData({ task: 'mnist', downsample: 2, classes: null, trainSamples: 2000, validation: 10, testSamples: 500 });
  const options = { hidden: [64], steps: 50, batchSize: 32, seeds: 2, seed: 5, compare: [], evalAt: [0, 20, 50], exportDir: null };
  const learned = loadBlurGenome(FILE);
  const rule = (await replayRule(learned, data, options)).methods[0]!;
  // the start of the search: the backprop genome, η_w = −0.005, in the same network options
  const start = (await replayRule({ ...backpropGenome(2, 0.005), network: learned.network }, data, options)).methods[0]!;
  for (const acc of rule.accuracy) {
    t.true(acc[0]! < 0.25, `untrained: ${acc[0]}`);
    t.true(acc[2]! > 0.7, `after 50 steps: ${acc[2]}`);
  }
  for (const j of [1, 2]) t.true(rule.mean[j]! > start.mean[j]! + 0.02, `step ${options.evalAt[j]}: rule ${rule.mean[j]} vs start ${start.mean[j]}`);
});
