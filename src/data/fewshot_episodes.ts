/**
 * N-way K-shot episodes for the HyperTransformer: a sampler over a per-class image source, the
 * pooled MNIST + Fashion-MNIST set it is usually fed from, and the train / held-out class split.
 *
 * - Pooled set: MNIST digits are classes 0–9, Fashion-MNIST classes 10–19 (28×28).
 * - Default split: train classes MNIST 0–5 + Fashion 10–15 (12), held-out classes MNIST 6–9 +
 *   Fashion 16–19 (8). Training samples the pooled train split on train classes; searches score on
 *   `validation` (held-out classes, pooled *train* split) so that the final report on `test`
 *   (held-out classes, pooled *test* split) reads images no search has seen.
 * - Episodes are reproducible from (root seed, stream, index) via `episodeSeed`.
 * - Pixels in an episode are mapped as the HyperTransformer code does for 0–255 images,
 *   `x / 128 − 1`; our images are in [0, 1], so `v · 255/128 − 1`, in [−1, 0.9922].
 */
import { Rng, deriveSeed } from '../core/rng.js';
import { UsageError } from '../core/errors.js';
import { classCounts, poolDatasets, sampleWithoutReplacement, selectSplitClasses, type ImageDataset, type ImageSplit } from './image_dataset.js';
import { loadImageDataset } from './registry.js';

/**
 * Images grouped by class, the one form the sampler reads. A flat pool plus per-class index lists
 * lets a pooled ImageSplit be used without copying, and lets Omniglot have more than 256 classes.
 */
export interface ClassImages {
  /** n × pixels, row-major, values in [0, 1]. */
  images: Float32Array;
  /** n ids, unique within the source; carried into episodes so overlap can be checked. */
  ids: Uint32Array;
  /** Pixels per image (imageSize²). */
  pixels: number;
  /** byClass[c] = indices into `images` of class c's images (empty for an absent class). */
  byClass: readonly Uint32Array[];
}

/** Which pooled classes are for training and which are held out. */
export interface FewShotClassSplit {
  train: number[];
  test: number[];
}

/** One side of an episode: n images, their episode labels and their source ids. */
export interface EpisodePart {
  /** n × pixels, values mapped to [−1, 1) (see the module doc). */
  x: Float32Array;
  /** Episode labels 0…ways−1: label k is `classes[k]`. */
  labels: Int32Array;
  ids: Uint32Array;
}

/**
 * An N-way K-shot task. Both parts are class-major: the support holds `shots` images of
 * classes[0], then `shots` of classes[1], …; the query likewise with `queries` per class. Support
 * and query never share an image.
 */
export interface Episode {
  support: EpisodePart;
  query: EpisodePart;
  ways: number;
  shots: number;
  queries: number;
  /** The source classes drawn, in episode-label order. */
  classes: number[];
}

export interface EpisodeOptions {
  /** Classes per episode (N). */
  ways: number;
  /** Support images per class (K). */
  shots: number;
  /** Query images per class. */
  queries: number;
  /** Side of the square images; the source's pixels must equal imageSize². */
  imageSize: number;
}

export interface PooledFewShotOptions {
  /** At most this many train-split images per class (default 1000). */
  trainPerClass?: number;
  /** At most this many test-split images per class (default 300). */
  testPerClass?: number;
}

/** Default per-class counts: ~1 s to load, and ample for 5-shot + 15-query episodes. */
export const DEFAULT_TRAIN_PER_CLASS = 1000;
export const DEFAULT_TEST_PER_CLASS = 300;
export const POOLED_NUM_CLASSES = 20;

export const DEFAULT_FEWSHOT_SPLIT: Readonly<FewShotClassSplit> = Object.freeze({
  train: [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15],
  test: [6, 7, 8, 9, 16, 17, 18, 19],
});

/** Where episodes are drawn from: see the module doc. */
export type FewShotSourceName = 'train' | 'validation' | 'test';

/** The HyperTransformer's `x / 128 − 1` for a pixel stored as v = x / 255. */
export function mapPixel(v: number): number {
  return (v * 255) / 128 - 1;
}

/** Seed of episode `index` of `stream` (e.g. 'train', 'validation') under a root seed. */
export function episodeSeed(root: number, stream: string, index: number): number {
  return deriveSeed(root, 'episode', stream, index);
}

/** Groups a split's examples by label (original order within a class); shares the images. */
export function classImagesFromSplit(split: ImageSplit): ClassImages {
  const n = split.labels.length;
  const pixels = n === 0 ? 0 : split.images.length / n;
  const counts = new Array<number>(256).fill(0);
  for (const l of split.labels) counts[l]!++;
  const byClass = counts.map((c) => new Uint32Array(c));
  const at = new Array<number>(256).fill(0);
  for (let i = 0; i < n; i++) {
    const l = split.labels[i]!;
    byClass[l]![at[l]!++] = i;
  }
  return { images: split.images, ids: split.ids, pixels, byClass };
}

function checkCount(field: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${field} must be an integer >= ${min} (got ${v})`);
}

/**
 * Throws a UsageError unless both sides are non-empty lists of distinct integers in
 * [0, numClasses), disjoint, and (if `ways` is given) each has at least `ways` classes.
 */
export function validateFewShotSplit(split: FewShotClassSplit, numClasses = POOLED_NUM_CLASSES, ways?: number): void {
  const seen = new Map<number, string>();
  for (const side of ['train', 'test'] as const) {
    const list: unknown = split[side];
    if (!Array.isArray(list) || list.length === 0) {
      throw new UsageError(`split.${side} must be a non-empty array of class indices 0…${numClasses - 1}`);
    }
    for (const c of list as unknown[]) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= numClasses) {
        throw new UsageError(`split.${side}: ${String(c)} is not a class; use integers 0…${numClasses - 1}`);
      }
      const other = seen.get(c);
      if (other === side) throw new UsageError(`split.${side}: class ${c} is listed twice; list each class once`);
      if (other !== undefined) {
        throw new UsageError(`split: class ${c} is in both split.train and split.test; the held-out classes must be disjoint from the training classes`);
      }
      seen.set(c, side);
    }
    if (ways !== undefined && list.length < ways) {
      throw new UsageError(`split.${side} has ${list.length} classes, fewer than ways = ${ways}; add classes or lower ways`);
    }
  }
}

const pooledCache = new Map<string, ImageDataset>();

/** MNIST read far enough that every digit usually reaches `perClass` (digit frequencies are 9–11%). */
function mnistSplitCapped(which: 'train' | 'test', perClass: number): ImageSplit {
  const total = which === 'train' ? 60000 : 10000;
  let limit = Math.min(total, Math.ceil(perClass * 10 * 1.3));
  for (;;) {
    const ds = loadImageDataset('mnist', which === 'train' ? { train: limit, test: 0 } : { train: 0, test: limit });
    const split = ds[which];
    if (limit >= total || Math.min(...classCounts(split, 10)) >= perClass) return capPerClass(split, perClass);
    limit = total;
  }
}

/** The first `perClass` examples of each label, in the split's order. */
function capPerClass(split: ImageSplit, perClass: number): ImageSplit {
  const taken = new Array<number>(256).fill(0);
  const keep: number[] = [];
  for (let i = 0; i < split.labels.length; i++) {
    const l = split.labels[i]!;
    if (taken[l]! < perClass) {
      taken[l]!++;
      keep.push(i);
    }
  }
  if (keep.length === split.labels.length) return split;
  const p = split.images.length / split.labels.length;
  const images = new Float32Array(keep.length * p);
  const labels = new Uint8Array(keep.length);
  const ids = new Uint32Array(keep.length);
  keep.forEach((i, k) => {
    images.set(split.images.subarray(i * p, (i + 1) * p), k * p);
    labels[k] = split.labels[i]!;
    ids[k] = split.ids[i]!;
  });
  return { images, labels, ids };
}

/**
 * Pooled MNIST + Fashion-MNIST (20 classes, 28×28), at most `trainPerClass` / `testPerClass`
 * images per class: MNIST keeps the first of each digit in file order (its official splits),
 * Fashion-MNIST its class-balanced seeded subset. Ids follow `poolDatasets` (Fashion ids are
 * offset past MNIST's largest loaded id, so they depend on `testPerClass`). Cached per options;
 * read-only.
 */
export function loadPooledFewShot(opts: PooledFewShotOptions = {}): ImageDataset {
  const trainPerClass = opts.trainPerClass ?? DEFAULT_TRAIN_PER_CLASS;
  const testPerClass = opts.testPerClass ?? DEFAULT_TEST_PER_CLASS;
  checkCount('trainPerClass', trainPerClass, 1);
  checkCount('testPerClass', testPerClass, 1);
  const key = `${trainPerClass}/${testPerClass}`;
  const hit = pooledCache.get(key);
  if (hit) return hit;
  const mnistFull = loadImageDataset('mnist', { train: 0, test: 0 });
  const mnist: ImageDataset = {
    ...mnistFull,
    train: mnistSplitCapped('train', trainPerClass),
    test: mnistSplitCapped('test', testPerClass),
  };
  const fashion = loadImageDataset('fashion-mnist', {
    train: 10 * Math.min(trainPerClass, 6000),
    test: 10 * Math.min(testPerClass, 1000),
  });
  const pooled = Object.freeze(poolDatasets([mnist, fashion], 'mnist+fashion-mnist'));
  pooledCache.set(key, pooled);
  return pooled;
}

/** Drops this thread's cached pooled datasets. */
export function clearPooledFewShotCache(): void {
  pooledCache.clear();
}

/**
 * The split and classes episodes of `which` are drawn from: train → (pooled train, split.train),
 * validation → (pooled train, split.test), test → (pooled test, split.test). The returned split
 * holds only those classes (labels unchanged), so it can also feed plain classifiers.
 */
export function fewShotSource(
  which: FewShotSourceName,
  split: FewShotClassSplit = DEFAULT_FEWSHOT_SPLIT,
  opts: PooledFewShotOptions & { ways?: number } = {},
): { split: ImageSplit; classes: number[] } {
  if (which !== 'train' && which !== 'validation' && which !== 'test') {
    throw new UsageError(`few-shot source must be 'train', 'validation' or 'test' (got '${String(which)}')`);
  }
  validateFewShotSplit(split, POOLED_NUM_CLASSES, opts.ways);
  const pooledOpts: PooledFewShotOptions = {};
  if (opts.trainPerClass !== undefined) pooledOpts.trainPerClass = opts.trainPerClass;
  if (opts.testPerClass !== undefined) pooledOpts.testPerClass = opts.testPerClass;
  const pooled = loadPooledFewShot(pooledOpts);
  const classes = [...(which === 'train' ? split.train : split.test)];
  const from = which === 'test' ? pooled.test : pooled.train;
  return { split: selectSplitClasses(from, classes, false), classes };
}

/**
 * Draws N-way K-shot episodes from `classes` of a source: `ways` distinct classes, then per class
 * `shots + queries` distinct images (the first `shots` drawn are support, the rest query).
 */
export class EpisodeSampler {
  readonly source: ClassImages;
  readonly classes: readonly number[];
  readonly opts: Readonly<EpisodeOptions>;

  constructor(pool: ImageSplit | ClassImages, classes: readonly number[], opts: EpisodeOptions) {
    const { ways, shots, queries, imageSize } = opts;
    checkCount('ways', ways, 1);
    checkCount('shots', shots, 1);
    checkCount('queries', queries, 0);
    checkCount('imageSize', imageSize, 1);
    const source = 'byClass' in pool ? pool : classImagesFromSplit(pool);
    if (source.pixels !== imageSize * imageSize && source.images.length > 0) {
      throw new UsageError(`imageSize ${imageSize} needs ${imageSize * imageSize} pixels per image but the source has ${source.pixels}; set imageSize to ${Math.round(Math.sqrt(source.pixels))}`);
    }
    if (classes.length < ways) {
      throw new UsageError(`ways = ${ways} but only ${classes.length} classes are available (${classes.join(', ')}); lower ways or add classes`);
    }
    const seen = new Set<number>();
    const need = shots + queries;
    for (const c of classes) {
      if (seen.has(c)) throw new UsageError(`classes: ${c} is listed twice; list each class once`);
      seen.add(c);
      const have = source.byClass[c]?.length ?? 0;
      if (have < need) {
        throw new UsageError(`class ${c} has ${have} images, fewer than shots + queries = ${need}; lower shots or queries, load more images per class, or drop the class`);
      }
    }
    this.source = source;
    this.classes = [...classes];
    this.opts = { ways, shots, queries, imageSize };
  }

  /** One episode from `rng`'s draws. */
  sample(rng: Rng): Episode {
    const { ways, shots, queries } = this.opts;
    const { pixels, images, ids, byClass } = this.source;
    const picked = Array.from(sampleWithoutReplacement(this.classes.length, ways, rng), (k) => this.classes[k]!);
    const support = emptyPart(ways * shots, pixels);
    const query = emptyPart(ways * queries, pixels);
    picked.forEach((c, label) => {
      const members = byClass[c]!;
      const drawn = sampleWithoutReplacement(members.length, shots + queries, rng);
      for (let j = 0; j < drawn.length; j++) {
        const part = j < shots ? support : query;
        const slot = j < shots ? label * shots + j : label * queries + (j - shots);
        const i = members[drawn[j]!]!;
        const src = images.subarray(i * pixels, (i + 1) * pixels);
        const base = slot * pixels;
        for (let p = 0; p < pixels; p++) part.x[base + p] = mapPixel(src[p]!);
        part.labels[slot] = label;
        part.ids[slot] = ids[i]!;
      }
    });
    return { support, query, ways, shots, queries, classes: picked };
  }

  /** Episode `index` of `stream`: the same (root, stream, index) always gives the same episode. */
  episodeAt(root: number, stream: string, index: number): Episode {
    return this.sample(new Rng(episodeSeed(root, stream, index)));
  }
}

function emptyPart(n: number, pixels: number): EpisodePart {
  return { x: new Float32Array(n * pixels), labels: new Int32Array(n), ids: new Uint32Array(n) };
}
