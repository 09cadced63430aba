/**
 * The in-memory image-dataset format every loader returns, and the utilities that cut it up:
 * class selection, downsampling, per-class / random subsets, a train/validation split, batch
 * sampling and one-hot targets.
 *
 * Conventions
 * - Images are row-major, one channel, values in [0, 1]; a split with N examples holds
 *   `images.length === N·height·width` and `labels.length === ids.length === N`.
 * - `ids` name each example's origin in the dataset's source pool (for MNIST the file index, see
 *   each loader). Every operation carries them through, so disjointness of train / validation /
 *   test can be checked by id.
 * - The held-out `test` split is never touched by `splitValidation` / `withValidation`: inner
 *   loops train on `train`, pick hyper-parameters on `validation`, and only a final report reads
 *   `test`.
 * - Loaders cache and share their datasets; treat every split as read-only. All operations here
 *   return new arrays and never modify their input.
 * - All randomness comes from the `Rng` passed in.
 */
import { Rng } from '../core/rng.js';
import { UsageError } from '../core/errors.js';

export interface ImageSplit {
  /** N × (height·width), row-major, values in [0, 1]. */
  images: Float32Array;
  /** N class indices in [0, numClasses). */
  labels: Uint8Array;
  /** N example ids, unique within the dataset's source pool (see the loader's doc). */
  ids: Uint32Array;
}

export interface ImageDataset {
  name: string;
  width: number;
  height: number;
  numClasses: number;
  /** Optional human-readable names, `classNames[label]`. */
  classNames?: readonly string[];
  train: ImageSplit;
  /** Present after `withValidation`: carved out of the original train split. */
  validation?: ImageSplit;
  /** Held-out test split: disjoint from train and validation. */
  test: ImageSplit;
}

export interface Batch {
  /** batch × (height·width), row-major. */
  x: Float32Array;
  labels: Uint8Array;
  ids: Uint32Array;
}

/** Number of examples in a split. */
export function splitSize(split: ImageSplit): number {
  return split.labels.length;
}

/** Pixels per image of a split (0 for an empty split). */
export function pixelsPerImage(split: ImageSplit): number {
  const n = split.labels.length;
  return n === 0 ? 0 : split.images.length / n;
}

/**
 * Builds a split and checks the lengths agree; `ids` default to 0…N−1.
 * `pixels` is the image size (height·width), needed to check `images.length`.
 */
export function makeSplit(images: Float32Array, labels: Uint8Array, pixels: number, ids?: Uint32Array): ImageSplit {
  const n = labels.length;
  if (images.length !== n * pixels) {
    throw new UsageError(`split: images has ${images.length} values but ${n} labels × ${pixels} pixels = ${n * pixels}`);
  }
  const theIds = ids ?? Uint32Array.from({ length: n }, (_, i) => i);
  if (theIds.length !== n) throw new UsageError(`split: ids has ${theIds.length} entries but labels has ${n}`);
  return { images, labels, ids: theIds };
}

/** The examples at `indices` (in that order; repeats allowed). */
export function gather(split: ImageSplit, indices: ArrayLike<number>): ImageSplit {
  const p = pixelsPerImage(split);
  const n = indices.length;
  const images = new Float32Array(n * p);
  const labels = new Uint8Array(n);
  const ids = new Uint32Array(n);
  const total = split.labels.length;
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < total) || !Number.isInteger(i)) throw new RangeError(`gather: index ${i} outside [0, ${total})`);
    images.set(split.images.subarray(i * p, (i + 1) * p), k * p);
    labels[k] = split.labels[i]!;
    ids[k] = split.ids[i]!;
  }
  return { images, labels, ids };
}

/** A uniformly random permutation of 0…n−1 (Fisher–Yates, n−1 draws from `rng`). */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** k distinct indices from 0…n−1, uniformly, in drawn order: a partial Fisher–Yates in O(k) memory. */
export function sampleWithoutReplacement(n: number, k: number, rng: Rng): Uint32Array {
  if (k > n) throw new RangeError(`cannot draw ${k} distinct indices from ${n}`);
  const swapped = new Map<number, number>();
  const out = new Uint32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const vj = swapped.get(j) ?? j;
    const vi = swapped.get(i) ?? i;
    out[i] = vj;
    swapped.set(j, vi);
  }
  return out;
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${what} must be an integer >= 0 (got ${n})`);
}

/** The classes present in a split, ascending. */
export function classesPresent(split: ImageSplit): number[] {
  const seen = new Set<number>(split.labels);
  return [...seen].sort((a, b) => a - b);
}

/** Example count per label 0…numClasses−1. */
export function classCounts(split: ImageSplit, numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (const l of split.labels) if (l < numClasses) c[l]!++;
  return c;
}

function checkClasses(ds: ImageDataset, classes: readonly number[]): void {
  if (classes.length === 0) throw new UsageError(`classes: give at least one class of ${ds.name} (0…${ds.numClasses - 1})`);
  const seen = new Set<number>();
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= ds.numClasses) {
      throw new UsageError(`classes: ${c} is not a class of ${ds.name}; use integers 0…${ds.numClasses - 1}`);
    }
    if (seen.has(c)) throw new UsageError(`classes: ${c} is listed twice; list each class once`);
    seen.add(c);
  }
}

/** Keeps the examples whose label is in `classes` (original order); relabel maps classes[k] → k. */
export function selectSplitClasses(split: ImageSplit, classes: readonly number[], relabel: boolean): ImageSplit {
  const map = new Int16Array(256).fill(-1);
  classes.forEach((c, k) => (map[c] = relabel ? k : c));
  const keep: number[] = [];
  for (let i = 0; i < split.labels.length; i++) if (map[split.labels[i]!]! >= 0) keep.push(i);
  const out = gather(split, keep);
  for (let i = 0; i < out.labels.length; i++) out.labels[i] = map[out.labels[i]!]!;
  return out;
}

/**
 * The dataset restricted to `classes` in every split. With `relabel` (the default) class
 * `classes[k]` becomes label k and numClasses = classes.length; without it labels keep their
 * values and numClasses is unchanged.
 */
export function selectClasses(
  ds: ImageDataset,
  classes: readonly number[],
  opts: { relabel?: boolean } = {},
): ImageDataset {
  checkClasses(ds, classes);
  const relabel = opts.relabel ?? true;
  const sel = (s: ImageSplit) => selectSplitClasses(s, classes, relabel);
  const out: ImageDataset = {
    name: ds.name,
    width: ds.width,
    height: ds.height,
    numClasses: relabel ? classes.length : ds.numClasses,
    train: sel(ds.train),
    test: sel(ds.test),
  };
  if (ds.classNames) out.classNames = relabel ? classes.map((c) => ds.classNames![c] ?? String(c)) : ds.classNames;
  if (ds.validation) out.validation = sel(ds.validation);
  return out;
}

/** Area-average downsampling of one split's h×w images by an integer factor. */
export function downsampleSplit(split: ImageSplit, height: number, width: number, factor: number): ImageSplit {
  const n = split.labels.length;
  const h2 = height / factor;
  const w2 = width / factor;
  const p = height * width;
  const p2 = h2 * w2;
  const images = new Float32Array(n * p2);
  const inv = 1 / (factor * factor);
  const src = split.images;
  for (let k = 0; k < n; k++) {
    const base = k * p;
    const obase = k * p2;
    for (let r = 0; r < h2; r++) {
      for (let c = 0; c < w2; c++) {
        let s = 0;
        for (let dr = 0; dr < factor; dr++) {
          const row = base + (r * factor + dr) * width + c * factor;
          for (let dc = 0; dc < factor; dc++) s += src[row + dc]!;
        }
        images[obase + r * w2 + c] = s * inv;
      }
    }
  }
  return { images, labels: split.labels.slice(), ids: split.ids.slice() };
}

/**
 * Every image shrunk by an integer `factor` in both directions, each output pixel the mean of a
 * factor×factor block (28×28 → 14×14 for factor 2). The factor must divide width and height.
 */
export function downsample(ds: ImageDataset, factor: number): ImageDataset {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new UsageError(`downsample factor must be a positive integer (got ${factor})`);
  }
  if (ds.width % factor !== 0 || ds.height % factor !== 0) {
    const divs = [];
    for (let f = 1; f <= Math.min(ds.width, ds.height); f++) if (ds.width % f === 0 && ds.height % f === 0) divs.push(f);
    throw new UsageError(
      `downsample factor ${factor} does not divide ${ds.name}'s ${ds.height}×${ds.width} images; use one of ${divs.join(', ')}`,
    );
  }
  const d = (s: ImageSplit) => downsampleSplit(s, ds.height, ds.width, factor);
  const out: ImageDataset = {
    name: ds.name,
    width: ds.width / factor,
    height: ds.height / factor,
    numClasses: ds.numClasses,
    train: d(ds.train),
    test: d(ds.test),
  };
  if (ds.classNames) out.classNames = ds.classNames;
  if (ds.validation) out.validation = d(ds.validation);
  return out;
}

/** The first n examples (n ≤ size). */
export function takeFirst(split: ImageSplit, n: number): ImageSplit {
  checkCount('takeFirst n', n);
  const size = splitSize(split);
  if (n > size) throw new UsageError(`takeFirst: asked for ${n} examples but the split has ${size}; lower n`);
  const p = pixelsPerImage(split);
  return {
    images: split.images.slice(0, n * p),
    labels: split.labels.slice(0, n),
    ids: split.ids.slice(0, n),
  };
}

/** n distinct examples drawn uniformly at random, in drawn order. */
export function takeRandom(split: ImageSplit, n: number, rng: Rng): ImageSplit {
  checkCount('takeRandom n', n);
  const size = splitSize(split);
  if (n > size) throw new UsageError(`takeRandom: asked for ${n} examples but the split has ${size}; lower n`);
  return gather(split, sampleWithoutReplacement(size, n, rng));
}

/**
 * n distinct random examples of each class in `classes` (default: every class present, ascending).
 * Output is grouped by class in `classes` order (n of the first class, then n of the next, …),
 * drawn order within a class. Throws if a class has fewer than n examples.
 */
export function takePerClass(split: ImageSplit, n: number, rng: Rng, classes?: readonly number[]): ImageSplit {
  checkCount('takePerClass n', n);
  const cls = classes ?? classesPresent(split);
  const byClass = new Map<number, number[]>();
  for (const c of cls) byClass.set(c, []);
  for (let i = 0; i < split.labels.length; i++) byClass.get(split.labels[i]!)?.push(i);
  const chosen: number[] = [];
  for (const c of cls) {
    const members = byClass.get(c)!;
    if (members.length < n) {
      throw new UsageError(`takePerClass: class ${c} has ${members.length} examples, fewer than the ${n} asked; lower n`);
    }
    for (const j of sampleWithoutReplacement(members.length, n, rng)) chosen.push(members[j]!);
  }
  return gather(split, chosen);
}

/**
 * `validation` as a number: in (0, 1) a fraction of the split (rounded, at least 1), an integer
 * ≥ 1 a count. Must leave at least one training example.
 */
export function validationCount(size: number, validation: number): number {
  let count: number;
  if (validation > 0 && validation < 1) count = Math.max(1, Math.round(validation * size));
  else if (Number.isInteger(validation) && validation >= 1) count = validation;
  else {
    throw new UsageError(
      `validation must be a fraction in (0, 1) or an integer count >= 1 (got ${validation})`,
    );
  }
  if (count >= size) {
    throw new UsageError(`validation: ${count} of ${size} examples leaves none to train on; use a smaller fraction or count`);
  }
  return count;
}

/**
 * Splits a split into disjoint train / validation parts by a random permutation of its indices:
 * validation takes the first `count` permuted indices, train the rest; both keep the original
 * order. The dataset's test split is a different object and is never touched.
 */
export function splitValidation(
  split: ImageSplit,
  validation: number,
  rng: Rng,
): { train: ImageSplit; validation: ImageSplit } {
  const size = splitSize(split);
  const count = validationCount(size, validation);
  const perm = permutation(size, rng);
  const isVal = new Uint8Array(size);
  for (let k = 0; k < count; k++) isVal[perm[k]!] = 1;
  const tr: number[] = [];
  const va: number[] = [];
  for (let i = 0; i < size; i++) (isVal[i] ? va : tr).push(i);
  return { train: gather(split, tr), validation: gather(split, va) };
}

/** The dataset with `validation` carved out of its train split (test untouched). */
export function withValidation(
  ds: ImageDataset,
  validation: number,
  rng: Rng,
): ImageDataset & { validation: ImageSplit } {
  if (ds.validation) throw new UsageError(`${ds.name} already has a validation split; split the original dataset once`);
  const { train, validation: val } = splitValidation(ds.train, validation, rng);
  return { ...ds, train, validation: val };
}

/**
 * A random batch. Without replacement (the default) the examples are distinct and the batch may
 * not exceed the split; with `replace: true` each is an independent uniform draw.
 */
export function sampleBatch(split: ImageSplit, batch: number, rng: Rng, opts: { replace?: boolean } = {}): Batch {
  checkCount('batch size', batch);
  const size = splitSize(split);
  if (size === 0 && batch > 0) throw new UsageError('sampleBatch: the split is empty');
  let idx: Uint32Array;
  if (opts.replace) {
    idx = new Uint32Array(batch);
    for (let k = 0; k < batch; k++) idx[k] = rng.int(size);
  } else {
    if (batch > size) {
      throw new UsageError(`sampleBatch: batch ${batch} exceeds the split's ${size} examples; lower batch or pass replace: true`);
    }
    idx = sampleWithoutReplacement(size, batch, rng);
  }
  const g = gather(split, idx);
  return { x: g.images, labels: g.labels, ids: g.ids };
}

/**
 * labels → N×numClasses row-major targets: 1 at the label, `negative` (default 0; −1 for ±1
 * targets as BLUR uses) elsewhere.
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number, opts: { negative?: -1 | 0 } = {}): Float32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new UsageError(`numClasses must be an integer >= 1 (got ${numClasses})`);
  const neg = opts.negative ?? 0;
  if (neg !== 0 && neg !== -1) throw new UsageError(`oneHot negative must be 0 or -1 (got ${String(neg)})`);
  const n = labels.length;
  const out = new Float32Array(n * numClasses);
  if (neg !== 0) out.fill(neg);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) throw new RangeError(`oneHot: label ${l} at ${i} outside [0, ${numClasses})`);
    out[i * numClasses + l] = 1;
  }
  return out;
}

/**
 * Several datasets of the same image size pooled into one: labels of the k-th dataset are offset
 * by the numClasses of those before it, and ids by (1 + the largest id) of those before it, so
 * ids stay unique. Names join with '+'; class names are prefixed "name:".
 */
export function poolDatasets(datasets: readonly ImageDataset[], name?: string): ImageDataset {
  if (datasets.length === 0) throw new UsageError('poolDatasets: give at least one dataset');
  const { width, height } = datasets[0]!;
  for (const d of datasets) {
    if (d.width !== width || d.height !== height) {
      throw new UsageError(`poolDatasets: ${d.name} is ${d.height}×${d.width} but ${datasets[0]!.name} is ${height}×${width}; downsample to one size first`);
    }
  }
  const total = datasets.reduce((s, d) => s + d.numClasses, 0);
  if (total > 256) throw new UsageError(`poolDatasets: ${total} classes exceed the 256 a Uint8 label holds`);
  const maxId = (d: ImageDataset) => {
    let m = -1;
    for (const s of [d.train, d.validation, d.test]) if (s) for (const id of s.ids) if (id > m) m = id;
    return m;
  };
  const labelOff: number[] = [];
  const idOff: number[] = [];
  let lo = 0;
  let io = 0;
  for (const d of datasets) {
    labelOff.push(lo);
    idOff.push(io);
    lo += d.numClasses;
    io += maxId(d) + 1;
  }
  if (io > 0xffffffff) throw new UsageError('poolDatasets: ids overflow 32 bits');
  const concat = (pick: (d: ImageDataset) => ImageSplit): ImageSplit => {
    const parts = datasets.map(pick);
    const n = parts.reduce((s, p) => s + p.labels.length, 0);
    const images = new Float32Array(n * width * height);
    const labels = new Uint8Array(n);
    const ids = new Uint32Array(n);
    let at = 0;
    parts.forEach((p, k) => {
      images.set(p.images, at * width * height);
      for (let i = 0; i < p.labels.length; i++) {
        labels[at + i] = p.labels[i]! + labelOff[k]!;
        ids[at + i] = p.ids[i]! + idOff[k]!;
      }
      at += p.labels.length;
    });
    return { images, labels, ids };
  };
  const out: ImageDataset = {
    name: name ?? datasets.map((d) => d.name).join('+'),
    width,
    height,
    numClasses: total,
    classNames: datasets.flatMap((d) =>
      Array.from({ length: d.numClasses }, (_, c) => `${d.name}:${d.classNames?.[c] ?? String(c)}`),
    ),
    train: concat((d) => d.train),
    test: concat((d) => d.test),
  };
  const withVal = datasets.filter((d) => d.validation).length;
  if (withVal === datasets.length) out.validation = concat((d) => d.validation!);
  else if (withVal > 0) throw new UsageError('poolDatasets: either all datasets or none should have a validation split');
  return out;
}
