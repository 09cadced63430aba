/**
 * Writes the shipped reference genomes: `node dist/genomes/write_blur_references.js` (from the repo root).
 * genomes/backprop.blur.json is `backpropGenome(2)`; genomes/random.blur.json is `randomBlurGenome(2, new Rng(0))`.
 */
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { backpropGenome, randomBlurGenome, saveBlurGenome } from './blur_genome.js';

/**
 * The backprop genome was never meta-trained; its `meta.trainedOn` is the setting `evometa replay` runs it in by
 * default: the blur-boolean task's training setting (tasks/blur/blur_training_setting.ts) for 2-20-1, 201 unrolled
 * steps (200 learning steps) of batch 32, which a test checks against the task's own.
 */
export const BACKPROP_REPLAY_SETTING = {
  task: 'blur-boolean',
  taskConfig: {
    hidden: [20],
    unrollSteps: 201,
    batchSize: 32,
    queryBatchSize: 512,
    replicas: 1,
    network: {},
    objective: 'mse',
    train: ['xor', 'or'],
    heldOut: ['and', 'nxor'],
    episodes: 1,
  },
  layers: [2, 20, 1],
  outputs: 'signed',
  steps: 200,
  unrollSteps: 201,
  batchSize: 32,
  replayTask: 'and',
};

/** Accuracy of the backprop genome in that setting (bench/blur_boolean.ts evaluateGenome, 20 seeds × 4 synapse initialisations). */
export const BACKPROP_SCORE = {
  accuracy: {
    and: 0.9661,
  },
  steps: 200,
  seeds: 20,
  replicas: 4,
  how: 'query accuracy after 200 learning steps in the trainedOn setting: mean over 20 evaluation seeds (bench/blur_boolean.ts evaluateGenome, seed root 20261126), each an episode of its own data and 4 synapse initialisations, 512 query points',
};

/** Seed of the shipped random genome. */
export const RANDOM_REFERENCE_SEED = 0;

export function writeBlurReferences(dir: string): string[] {
  const files = [join(dir, 'backprop.blur.json'), join(dir, 'random.blur.json')];
  saveBlurGenome(files[0]!, backpropGenome(2), {
    trainedOn: BACKPROP_REPLAY_SETTING,
    score: BACKPROP_SCORE,
    notes:
      'backpropGenome(2, 0.01) (genomes/blur_genome.ts): one step is one SGD step, learning rate 0.01, on ½ Σ (ŷ − y)² under its network options (papers.md §1.8). ' +
      'Not meta-trained: trainedOn is the Boolean setting replay runs it in by default (2-20-1, one ±1 output, 200 steps of batch 32, on and).',
  });
  saveBlurGenome(files[1]!, randomBlurGenome(2, new Rng(RANDOM_REFERENCE_SEED)), {
    seed: RANDOM_REFERENCE_SEED,
    notes: `randomBlurGenome(2, new Rng(${RANDOM_REFERENCE_SEED})) (genomes/blur_genome.ts): create_random_genome of papers.md §1.7`,
  });
  return files;
}

if (process.argv[1] && /write_blur_references\.js$/.test(process.argv[1])) {
  for (const f of writeBlurReferences(process.argv[2] ?? 'genomes')) console.log(`wrote ${f}`);
}
