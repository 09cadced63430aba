/**
 * Episode samplers for the BLUR meta-objective: a 2-D Boolean function, or an image classification
 * episode of a few classes drawn from a pool and relabelled at random (so a rule must learn each
 * episode from scratch). Support batches come from the train split, query batches from the
 * validation split; the test split is never touched during meta-training.
 */
import { Rng } from '../../src/core/rng.js';
import { UsageError } from '../../src/core/errors.js';
import { getBooleanTaskFunction, sampleBooleanTask } from '../../src/data/boolean_functions.js';
import { gather, oneHot, sampleBatch, type ImageDataset, type ImageSplit } from '../../src/data/image_dataset.js';
import type { BlurBatch, BlurSampler } from '../../src/models/blur/meta_objective.js';

/** One ±1 output: the function's label; as many inputs as the function has (2, or 3 for the 3-input functions). */
export function booleanSampler(name: string): BlurSampler {
  const inputs = getBooleanTaskFunction(name).inputs;
  const draw = (rng: Rng, n: number): BlurBatch => {
    const b = sampleBooleanTask(name, n, rng);
    return { x: b.x, y: b.y };
  };
  return { numInputs: inputs, numOutputs: 1, support: (_s, rng, n) => draw(rng, n), query: draw };
}

/** Example indices of each class in a split, computed once per split object. */
const byClassCache = new WeakMap<ImageSplit, number[][]>();

export function indicesByClass(split: ImageSplit, numClasses: number): number[][] {
  let out = byClassCache.get(split);
  if (!out) {
    out = Array.from({ length: numClasses }, () => [] as number[]);
    split.labels.forEach((l, i) => out![l]!.push(i));
    byClassCache.set(split, out);
  }
  return out;
}

/** The examples of `classes` in a split, relabelled by their position in `classes`. */
function episodeSplit(split: ImageSplit, numClasses: number, classes: readonly number[]): ImageSplit {
  const by = indicesByClass(split, numClasses);
  const idx = classes.flatMap((c) => by[c]!);
  const g = gather(split, idx);
  const relabel = new Map(classes.map((c, k) => [c, k]));
  return { ...g, labels: Uint8Array.from(g.labels, (l) => relabel.get(l)!) };
}

export interface ImageEpisodeOptions {
  /** Classes an episode may use (dataset labels). */
  classPool: readonly number[];
  /** Classes per episode: the network's outputs. */
  ways: number;
}

/**
 * An episode sampler whose classes are drawn from the pool with `episodeSeed` (not the data Rng), so
 * every genome batched together sees the same episode.
 */
export function imageEpisodeSampler(ds: ImageDataset & { validation: ImageSplit }, o: ImageEpisodeOptions, episodeSeed: number): BlurSampler & { classes: number[] } {
  if (o.ways < 2 || o.ways > o.classPool.length)
    throw new UsageError(`task config 'ways' must be from 2 to the ${o.classPool.length} classes of 'classes' (got ${o.ways})`);
  const rng = new Rng(episodeSeed);
  const pool = o.classPool.slice();
  const classes: number[] = [];
  for (let k = 0; k < o.ways; k++) classes.push(pool.splice(rng.int(pool.length), 1)[0]!);
  const train = episodeSplit(ds.train, ds.numClasses, classes);
  const validation = episodeSplit(ds.validation, ds.numClasses, classes);
  const draw = (split: ImageSplit, r: Rng, n: number): BlurBatch => {
    const b = sampleBatch(split, n, r, { replace: true });
    return { x: b.x, y: oneHot(b.labels, o.ways, { negative: -1 }) };
  };
  return {
    classes,
    numInputs: ds.width * ds.height,
    numOutputs: o.ways,
    support: (_s, r, n) => draw(train, r, n),
    query: (r, n) => draw(validation, r, n),
  };
}
