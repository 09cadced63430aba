/**
 * Task sequences for continual few-shot learning: each sequence is T few-shot episodes whose classes come from one
 * class set, fresh classes first (a shuffled pass over the set, `ways` at a time) and, once the set is used up, classes
 * seen before in a new shuffle (the "novel or already-seen classes" of the Continual HyperTransformer's setting).
 * Meta-training, meta-validation and test use three disjoint class sets fixed before any training.
 */
import { Rng } from '../../src/core/rng.js';
import { UsageError } from '../../src/core/errors.js';
import { classImagesFromSplit, EpisodeSampler, episodeSeed, fewShotSource, type ClassImages, type EpisodeOptions } from '../../src/data/fewshot_episodes.js';
import { permutation } from '../../src/data/image_dataset.js';
import { loadOmniglot, omniglotSource } from '../../src/data/omniglot.js';
import type { FewShotData } from '../../src/data/few_shot_data.js';
import type { ContinualTask } from '../../src/models/ht/continual/continual_sequence.js';

export type ContinualSourceName = 'train' | 'validation' | 'test';

/**
 * Pooled MNIST (0–9) + Fashion-MNIST (10–19) classes: meta-training MNIST 0–4 and Fashion 0–4, meta-validation MNIST
 * 5–6 and Fashion 5–6 (training-split images), test MNIST 7–9 and Fashion 7–9 (test-split images).
 */
export const CONTINUAL_CLASS_SETS: Readonly<Record<ContinualSourceName, readonly number[]>> = Object.freeze({
  train: [0, 1, 2, 3, 4, 10, 11, 12, 13, 14],
  validation: [5, 6, 15, 16],
  test: [7, 8, 9, 17, 18, 19],
});

/** Omniglot: the last tenth of the background alphabets' characters is meta-validation; images_evaluation is the test. */
const OMNIGLOT_VALIDATION_FRACTION = 0.1;

/** The images and classes a source's sequences draw from. */
export function continualSource(data: FewShotData, which: ContinualSourceName, imageSize: number): { source: ClassImages; classes: number[] } {
  if (data.dataset === 'omniglot') {
    const ds = loadOmniglot(data.omniglotRoot!, { imageSize });
    const { source, classes } = omniglotSource(ds, which === 'test' ? 'test' : 'train');
    if (which === 'test') return { source, classes };
    const cut = classes.length - Math.max(1, Math.round(classes.length * OMNIGLOT_VALIDATION_FRACTION));
    return { source, classes: which === 'train' ? classes.slice(0, cut) : classes.slice(cut) };
  }
  if (imageSize !== 28) throw new UsageError(`the MNIST + Fashion-MNIST tasks are 28×28: set imageSize to 28 (got ${imageSize})`);
  const sets = CONTINUAL_CLASS_SETS;
  // fewShotSource reads train-split images for 'train' and 'validation', test-split images for 'test'.
  const split = which === 'train' ? { train: [...sets.train], test: [...sets.test] } : { train: [...sets.train], test: [...sets[which]] };
  const { split: images, classes } = fewShotSource(which, split);
  return { source: classImagesFromSplit(images), classes };
}

/** Draws reproducible task sequences from one class set. */
export class TaskSequenceSampler {
  constructor(
    readonly source: ClassImages,
    readonly classes: readonly number[],
    readonly opts: EpisodeOptions,
  ) {
    if (classes.length < opts.ways) throw new UsageError(`ways = ${opts.ways} but the class set has only ${classes.length} classes; lower ways`);
    new EpisodeSampler(source, classes, opts); // checks every class has shots + queries images
  }

  /** Sequence `index` of `stream` under `root`, `tasks` tasks long: the same arguments always give the same tasks. */
  sequenceAt(root: number, stream: string, index: number, tasks: number): ContinualTask[] {
    const rng = new Rng(episodeSeed(root, `sequence-${stream}`, index));
    const out: ContinualTask[] = [];
    let order: number[] = [];
    for (let t = 0; t < tasks; t++) {
      if (order.length < this.opts.ways) order = Array.from(permutation(this.classes.length, rng), (k) => this.classes[k]!);
      const picked = order.splice(0, this.opts.ways);
      const episode = new EpisodeSampler(this.source, picked, this.opts).sample(rng);
      out.push({ support: episode.support, query: episode.query, classes: episode.classes });
    }
    return out;
  }
}

/** A sampler over one source, shaped by the learner's episode settings. */
export function sequenceSampler(data: FewShotData, which: ContinualSourceName, c: EpisodeOptions): TaskSequenceSampler {
  const { source, classes } = continualSource(data, which, c.imageSize);
  return new TaskSequenceSampler(source, classes, { ways: c.ways, shots: c.shots, queries: c.queries, imageSize: c.imageSize });
}
