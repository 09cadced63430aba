/**
 * The meta-trained genomes shipped in genomes/ (BENCHMARKS.md, blur_boolean acceptance chains) must keep
 * training the notebook's 2-20-1 network to the accuracies they were accepted at. A regression anywhere in the
 * BLUR network, its options or the genome file format shows up here as lost accuracy.
 */
import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, getTf } from '../../src/runtime/backend.js';
import { deriveSeed } from '../../src/core/rng.js';
import { loadBlurGenome, type BlurGenome } from '../../genomes/blur_genome.js';
import { evaluateBlurPopulation } from '../../src/models/blur/meta_objective.js';
import { booleanSampler } from '../../tasks/blur/blur_samplers.js';
import { blurBooleanTask } from '../../tasks/blur/blur_tasks.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test.before(async () => {
  await initBackend('cpu');
});

/** Mean query accuracy over `seeds` fresh episodes (4 synapse initialisations each), the genome's own network options. */
async function accuracy(genome: BlurGenome, fn: string, seeds: number): Promise<number> {
  const c = blurBooleanTask.resolveConfig({});
  let sum = 0;
  for (let s = 0; s < seeds; s++) {
    const r = await evaluateBlurPopulation(getTf(), [genome], booleanSampler(fn), {
      sizes: [2, ...c.hidden, 1], unrollSteps: c.unrollSteps, batchSize: c.batchSize, queryBatchSize: c.queryBatchSize, replicas: 4,
      seed: deriveSeed(31, 'learned-genome-test', fn, s),
    });
    sum += r.accuracy[0]!;
  }
  return sum / seeds;
}

for (const name of ['boolean-cmaes', 'boolean-metagrad'])
  test(`${name}.blur.json trains the 2-20-1 network to ≥ 95 % on held-out and and ≥ 94 % on nxor in 4 steps`, async (t) => {
    const g = loadBlurGenome(join(repoRoot, 'genomes', `${name}.blur.json`));
    t.is(g.layers.length, 2);
    t.deepEqual(g.network, { normalizeSynapses: true, rescale: true });
    const scores: Record<string, number> = {};
    for (const fn of ['xor', 'and', 'nxor']) scores[fn] = await accuracy(g, fn, 8);
    t.log(JSON.stringify(scores));
    t.true(scores['and']! >= 0.95, `and ${scores['and']}`);
    t.true(scores['nxor']! >= 0.94, `nxor ${scores['nxor']}`);
    t.true(scores['xor']! >= 0.94, `xor ${scores['xor']}`);
  });

test('the random reference genome, in the same setting, does not learn xor: the scores above come from the rule', async (t) => {
  const g = loadBlurGenome(join(repoRoot, 'genomes', 'random.blur.json'));
  const xor = await accuracy({ ...g, network: { normalizeSynapses: true, rescale: true } }, 'xor', 4);
  t.true(xor < 0.7, `xor ${xor}`);
});
