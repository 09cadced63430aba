/**
 * Writes the shipped reference genomes: `node dist/genomes/write_blur_references.js` (from the repo root).
 * genomes/backprop.blur.json is `backpropGenome(2)`; genomes/random.blur.json is `randomBlurGenome(2, new Rng(0))`.
 */
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { backpropGenome, randomBlurGenome, saveBlurGenome } from './blur_genome.js';

/** Seed of the shipped random genome. */
export const RANDOM_REFERENCE_SEED = 0;

export function writeBlurReferences(dir: string): string[] {
  const files = [join(dir, 'backprop.blur.json'), join(dir, 'random.blur.json')];
  saveBlurGenome(files[0]!, backpropGenome(2), {
    notes: 'backpropGenome(2, 0.01) (genomes/blur_genome.ts): one step is one SGD step, learning rate 0.01, on ½ Σ (ŷ − y)² under its network options (papers.md §1.8)',
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
