/**
 * Image datasets by name. `loadImageDataset` loads (cached per thread by the loader), then
 * optionally keeps some classes and downsamples; the derived dataset is cached per thread too,
 * keyed by every option, so a worker builds it once. Treat results as read-only.
 */
import { UsageError, unknownName } from '../core/errors.js';
import { downsample, selectClasses, type ImageDataset } from './image_dataset.js';
import { loadMnist } from './mnist.js';
import { loadFashionMnist } from './fashion_mnist.js';

export const IMAGE_DATASETS = ['mnist', 'fashion-mnist'] as const;
export type ImageDatasetName = (typeof IMAGE_DATASETS)[number];

export interface ImageDatasetOptions {
  /** At most this many training examples (see each loader for which); default all. */
  train?: number;
  /** At most this many test examples; default all. */
  test?: number;
  /** Keep only these classes, relabelled 0…k−1 in this order (`selectClasses`). */
  classes?: readonly number[];
  /** Integer downsampling factor, area average (`downsample`); 2 gives 14×14. */
  downsample?: number;
}

const OPTION_KEYS = ['train', 'test', 'classes', 'downsample'] as const;

const LOADERS: Readonly<Record<ImageDatasetName, (o: { train?: number; test?: number }) => ImageDataset>> = {
  mnist: loadMnist,
  'fashion-mnist': loadFashionMnist,
};

const derived = new Map<string, ImageDataset>();

/** The named dataset; unknown names and options throw a UsageError listing the valid ones. */
export function loadImageDataset(name: string, opts: ImageDatasetOptions = {}): ImageDataset {
  if (!(IMAGE_DATASETS as readonly string[]).includes(name)) throw unknownName('image dataset', name, IMAGE_DATASETS);
  for (const k of Object.keys(opts)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) {
      throw new UsageError(`unknown image dataset option '${k}'; valid options: ${OPTION_KEYS.join(', ')}`);
    }
  }
  const base: { train?: number; test?: number } = {};
  if (opts.train !== undefined) base.train = opts.train;
  if (opts.test !== undefined) base.test = opts.test;
  const ds = LOADERS[name as ImageDatasetName](base);
  if (opts.classes === undefined && (opts.downsample === undefined || opts.downsample === 1)) return ds;
  const key = JSON.stringify([name, opts.train ?? null, opts.test ?? null, opts.classes ?? null, opts.downsample ?? 1]);
  const hit = derived.get(key);
  if (hit) return hit;
  let out = ds;
  if (opts.classes !== undefined) {
    if (!Array.isArray(opts.classes)) throw new UsageError(`classes must be an array of class indices (got ${String(opts.classes)})`);
    out = selectClasses(out, opts.classes, { relabel: true });
  }
  if (opts.downsample !== undefined && opts.downsample !== 1) out = downsample(out, opts.downsample);
  Object.freeze(out);
  derived.set(key, out);
  return out;
}

/** Drops this thread's cached derived datasets (the loaders' own caches have their own clear). */
export function clearDerivedDatasetCache(): void {
  derived.clear();
}
