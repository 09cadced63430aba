/**
 * Omniglot from a folder the user downloaded, in the standard layout
 *   ROOT/images_background/<Alphabet>/<characterNN>/<xxxx_yy>.png   (964 characters)
 *   ROOT/images_evaluation/<Alphabet>/<characterNN>/<xxxx_yy>.png   (659 characters)
 * 105×105 PNGs (1-bit, palette or grayscale; black strokes on white), decoded with the pure-JS
 * `pngjs`. Every character is one class; background characters are the training classes and
 * evaluation characters the held-out ones, as in the standard few-shot protocol.
 *
 * - Pixels: grayscale in [0, 1] (RGB by Rec. 601 luma, alpha composited over white); with
 *   `invert` (default true, as common Omniglot pipelines do) strokes are 1 and paper 0, matching
 *   MNIST's ink-is-1 convention.
 * - Resizing to `imageSize` (default 28) is by area averaging: each output pixel is the mean of the
 *   input area it covers, with fractional weights at the edges (105 → 28 is a 3.75 factor), so thin
 *   strokes fade rather than vanish as they could with bilinear sampling.
 * - Order: alphabets, characters and files sorted by name; background first. Image ids are the
 *   running index in that order, so they are unique across the whole dataset.
 * - Class labels can exceed 255 (1623 characters), so the dataset is a per-class list rather than
 *   an ImageSplit; `omniglotSource` turns it into the `ClassImages` the `EpisodeSampler` reads.
 * - Cached per thread by (resolved root, imageSize, invert); treat the result as read-only.
 * - A PNG's declared size is read from its header before it is decoded: over MAX_PNG_SIDE pixels a side it is
 *   refused, since a small file can declare an image whose decoded pixels would not fit in memory.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pngjs from 'pngjs';
import { UsageError } from '../core/errors.js';
import type { ClassImages } from './fewshot_episodes.js';

export type OmniglotSplitName = 'background' | 'evaluation';

export const OMNIGLOT_FOLDERS: Readonly<Record<OmniglotSplitName, string>> = {
  background: 'images_background',
  evaluation: 'images_evaluation',
};

export interface OmniglotClass {
  /** "Alphabet/characterNN". */
  name: string;
  split: OmniglotSplitName;
  /** n × imageSize², row-major, values in [0, 1]. */
  images: Float32Array;
  /** n ids, unique across the dataset. */
  ids: Uint32Array;
}

export interface OmniglotDataset {
  /** Background classes first, then evaluation; a class's index here is its class id. */
  classes: readonly OmniglotClass[];
  imageSize: number;
}

export interface OmniglotOptions {
  /** Output side length (default 28). */
  imageSize?: number;
  /** Strokes 1 and paper 0 (default true); false keeps the file's white-is-1. */
  invert?: boolean;
}

/** Row-normalised weights of an area-average resize from `from` to `to` samples along one axis. */
function areaWeights(from: number, to: number): { index: number; weight: number }[][] {
  const scale = from / to;
  const rows: { index: number; weight: number }[][] = [];
  for (let o = 0; o < to; o++) {
    const lo = o * scale;
    const hi = (o + 1) * scale;
    const row: { index: number; weight: number }[] = [];
    for (let i = Math.floor(lo); i < Math.min(from, Math.ceil(hi)); i++) {
      const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
      if (overlap > 0) row.push({ index: i, weight: overlap / scale });
    }
    rows.push(row);
  }
  return rows;
}

/** Area-average resize of one h×w image to size×size, written into `out` at `at`. */
export function resizeArea(src: Float32Array, height: number, width: number, size: number, out: Float32Array, at = 0): void {
  const rowW = areaWeights(height, size);
  const colW = areaWeights(width, size);
  const tmp = new Float32Array(height * size); // columns resized first
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < size; c++) {
      let s = 0;
      for (const { index, weight } of colW[c]!) s += weight * src[r * width + index]!;
      tmp[r * size + c] = s;
    }
  }
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let s = 0;
      for (const { index, weight } of rowW[r]!) s += weight * tmp[index * size + c]!;
      out[at + r * size + c] = s;
    }
  }
}

/**
 * The largest PNG side decoded (pixels). Omniglot's images are 105×105; 2048² pixels decode to 32 MB (RGBA bytes and
 * float gray), while a 389 KB file declaring 20000×20000 would need 3.2 GB.
 */
export const MAX_PNG_SIDE = 2048;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (bytes 16–23), read without reading the rest; null if it is not a PNG. */
export function pngHeaderSize(file: string): { width: number; height: number } | null {
  const head = Buffer.alloc(24);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 24, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 24 || !head.subarray(0, 8).equals(PNG_SIGNATURE) || head.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/** Decodes a PNG file to grayscale in [0, 1] (white = 1); a bad or oversized file is a UsageError naming it. */
export function decodeGrayPng(file: string): { pixels: Float32Array; width: number; height: number } {
  const size = pngHeaderSize(file);
  if (size && (size.width > MAX_PNG_SIDE || size.height > MAX_PNG_SIDE))
    throw new UsageError(`omniglot: ${file} declares ${size.width}×${size.height} pixels, over the ${MAX_PNG_SIDE}-pixel limit per side (Omniglot images are 105×105); remove the file`);
  let png: { width: number; height: number; data: Buffer };
  try {
    png = pngjs.PNG.sync.read(readFileSync(file));
  } catch (e) {
    throw new UsageError(`omniglot: cannot decode ${file} as PNG (${(e as Error).message}); re-extract the Omniglot archive or remove the file`);
  }
  const { width, height, data } = png;
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const luma = (0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!) / 255;
    const alpha = data[4 * i + 3]! / 255;
    pixels[i] = 1 - alpha * (1 - luma);
  }
  return { pixels, width, height };
}

function sortedDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

const cache = new Map<string, OmniglotDataset>();

/** Omniglot from `root` (see the module doc); cached per thread by options. */
export function loadOmniglot(root: string, opts: OmniglotOptions = {}): OmniglotDataset {
  const imageSize = opts.imageSize ?? 28;
  const invert = opts.invert ?? true;
  if (!Number.isInteger(imageSize) || imageSize < 1) throw new UsageError(`omniglot imageSize must be an integer >= 1 (got ${imageSize})`);
  const abs = resolve(root);
  const key = JSON.stringify([abs, imageSize, invert]);
  const hit = cache.get(key);
  if (hit) return hit;
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new UsageError(`omniglot root ${abs} is not a folder; pass the folder that holds images_background and images_evaluation`);
  }
  const classes: OmniglotClass[] = [];
  let nextId = 0;
  const pixels = imageSize * imageSize;
  for (const split of ['background', 'evaluation'] as const) {
    const dir = join(abs, OMNIGLOT_FOLDERS[split]);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError(`omniglot: ${dir} is missing; extract ${OMNIGLOT_FOLDERS[split]}.zip into ${abs}`);
    }
    const before = classes.length;
    for (const alphabet of sortedDirs(dir)) {
      for (const character of sortedDirs(join(dir, alphabet))) {
        const charDir = join(dir, alphabet, character);
        const files = readdirSync(charDir).filter((f) => f.toLowerCase().endsWith('.png')).sort();
        if (files.length === 0) throw new UsageError(`omniglot: ${charDir} holds no .png images; re-extract it or remove the folder`);
        const images = new Float32Array(files.length * pixels);
        const ids = new Uint32Array(files.length);
        files.forEach((f, k) => {
          const img = decodeGrayPng(join(charDir, f));
          resizeArea(img.pixels, img.height, img.width, imageSize, images, k * pixels);
          ids[k] = nextId++;
        });
        if (invert) for (let i = 0; i < images.length; i++) images[i] = 1 - images[i]!;
        classes.push({ name: `${alphabet}/${character}`, split, images, ids });
      }
    }
    if (classes.length === before) throw new UsageError(`omniglot: ${dir} holds no <Alphabet>/<character> folders`);
  }
  const ds: OmniglotDataset = Object.freeze({ classes: Object.freeze(classes), imageSize });
  cache.set(key, ds);
  return ds;
}

/** Drops this thread's cached Omniglot datasets. */
export function clearOmniglotCache(): void {
  cache.clear();
}

const sources = new WeakMap<OmniglotDataset, ClassImages>();

/** All classes as one `ClassImages` (class id = index in `ds.classes`); built once per dataset. */
export function omniglotClassImages(ds: OmniglotDataset): ClassImages {
  const hit = sources.get(ds);
  if (hit) return hit;
  const pixels = ds.imageSize * ds.imageSize;
  const total = ds.classes.reduce((s, c) => s + c.ids.length, 0);
  const images = new Float32Array(total * pixels);
  const ids = new Uint32Array(total);
  const byClass: Uint32Array[] = [];
  let at = 0;
  for (const c of ds.classes) {
    const n = c.ids.length;
    images.set(c.images, at * pixels);
    ids.set(c.ids, at);
    byClass.push(Uint32Array.from({ length: n }, (_, k) => at + k));
    at += n;
  }
  const source: ClassImages = { images, ids, pixels, byClass };
  sources.set(ds, source);
  return source;
}

/**
 * The source and classes for episodes: train → background characters, test → evaluation
 * characters (both index the same `ClassImages`).
 */
export function omniglotSource(ds: OmniglotDataset, which: 'train' | 'test'): { source: ClassImages; classes: number[] } {
  if (which !== 'train' && which !== 'test') throw new UsageError(`omniglot source must be 'train' or 'test' (got '${String(which)}')`);
  const want: OmniglotSplitName = which === 'train' ? 'background' : 'evaluation';
  const classes: number[] = [];
  ds.classes.forEach((c, k) => {
    if (c.split === want) classes.push(k);
  });
  return { source: omniglotClassImages(ds), classes };
}
