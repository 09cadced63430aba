import test from 'ava';
import { UsageError } from '../../../src/core/errors.js';
import {
  addNoise, canonicalDomainName, DEFAULT_SOURCE_DOMAINS, invertImages, loadDomainDataset, parseDomain, rotateImages, transformSplit,
} from '../../../src/data/mnist_domains.js';
import { loadMnist } from '../../../src/data/mnist.js';

const f32 = (v: number[]) => Float32Array.from(v);

test('rotation by 90° moves pixels exactly (counter-clockwise); 180° and 270° too', (t) => {
  // two 3×3 images
  const img = f32([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  t.deepEqual(Array.from(rotateImages(img, 3, 3, 90)), [3, 6, 9, 2, 5, 8, 1, 4, 7, 30, 60, 90, 20, 50, 80, 10, 40, 70]);
  t.deepEqual(Array.from(rotateImages(img.subarray(0, 9), 3, 3, 180)), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  t.deepEqual(Array.from(rotateImages(img.subarray(0, 9), 3, 3, 270)), [7, 4, 1, 8, 5, 2, 9, 6, 3]);
  // even side: the centre falls between pixels and 90° is still a permutation
  const four = f32(Array.from({ length: 16 }, (_, i) => i));
  const r = rotateImages(four, 4, 4, 90);
  t.deepEqual(Array.from(r).sort((a, b) => a - b), Array.from(four));
  t.is(r[0], 3); // top-right corner → top-left
  t.deepEqual(Array.from(rotateImages(rotateImages(four, 4, 4, 90), 4, 4, 270)), Array.from(four));
});

test('rotation by 45° interpolates bilinearly and fills the outside with 0', (t) => {
  // a single bright centre pixel of a 3×3 image stays put; a corner pixel leaves the image
  const centre = f32([0, 0, 0, 0, 1, 0, 0, 0, 0]);
  const rc = rotateImages(centre, 3, 3, 45);
  t.true(Math.abs(rc[4]! - 1) < 1e-6);
  // output (0, 1), the top middle, reads the input at (0.29, 1.71): one turn of 45° back toward the top-right corner,
  // whose bilinear weight there is (1 − 0.29)·0.71 = 0.5
  const corner = f32([0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const out = rotateImages(corner, 3, 3, 45);
  t.true(Math.abs(out[1]! - 0.5) < 1e-6, `top middle ${out[1]}`);
  t.is(out[0], 0);
  // a constant image keeps its value where the source is inside, and is 0 beyond
  const ones = rotateImages(f32(new Array<number>(49).fill(1)), 7, 7, 45);
  t.true(Math.abs(ones[24]! - 1) < 1e-6);
  t.is(ones[0], 0);
});

test('inversion is 1 − x; noise is seeded by the image id, clipped, and deterministic', (t) => {
  t.deepEqual(Array.from(invertImages(f32([0, 0.25, 1]))), [1, 0.75, 0]);
  const imgs = f32(new Array<number>(12).fill(0.5));
  const a = addNoise(imgs, [7, 8, 9], 0.3);
  const b = addNoise(imgs, [7, 8, 9], 0.3);
  t.deepEqual(a, b);
  // the same id gives the same noise wherever it sits in the batch
  const c = addNoise(imgs.subarray(0, 4), [9], 0.3);
  t.deepEqual(Array.from(c), Array.from(a.subarray(8, 12)));
  t.notDeepEqual(Array.from(a.subarray(0, 4)), Array.from(a.subarray(4, 8)));
  t.true(a.every((v) => v >= 0 && v <= 1));
  t.true(addNoise(f32([1, 1, 1, 1]), [1], 1).every((v) => v >= 0 && v <= 1));
});

test('domain names: parse, canonical order, errors', (t) => {
  t.deepEqual(parseDomain('plain'), { rotate: 0, inverted: false, noise: 0 });
  t.deepEqual(parseDomain('rotate45'), { rotate: 45, inverted: false, noise: 0 });
  t.deepEqual(parseDomain('noise50-inverted'), { rotate: 0, inverted: true, noise: 0.5 });
  t.is(canonicalDomainName('noise-inverted'), 'inverted-noise');
  t.is(canonicalDomainName('inverted-rotate90'), 'rotate90-inverted');
  t.is(canonicalDomainName('mnist'), 'plain');
  t.is(canonicalDomainName('fashion-mnist'), 'fashion-mnist');
  t.deepEqual(DEFAULT_SOURCE_DOMAINS.map(canonicalDomainName), ['plain', 'inverted', 'rotate90', 'noise']);
  t.throws(() => parseDomain('blurred'), { instanceOf: UsageError, message: /unknown domain part 'blurred'/ });
  t.throws(() => parseDomain('rotate400'), { message: /1 to 359/ });
  t.throws(() => parseDomain('inverted-inverted'), { message: /gives inverted twice/ });
  t.throws(() => parseDomain('plain-noise'), { message: /'plain' stands alone/ });
});

test('MNIST variants keep MNIST splits, labels and ids; transforms compose in order', (t) => {
  const base = loadMnist({ train: 20, test: 10 });
  const inv = loadDomainDataset('inverted', { train: 20, test: 10 });
  t.is(inv.name, 'inverted');
  t.deepEqual(inv.train.labels, base.train.labels);
  t.deepEqual(inv.test.ids, base.test.ids);
  t.true(inv.train.images.every((v, i) => Math.abs(v - (1 - base.train.images[i]!)) < 1e-7));
  const r90 = loadDomainDataset('rotate90', { train: 20, test: 10 });
  t.deepEqual(Array.from(r90.test.images.subarray(0, 784)), Array.from(rotateImages(base.test.images.subarray(0, 784), 28, 28, 90)));
  // inverted-noise = noise added to the inverted image, the noise fixed by the image id
  const a = loadDomainDataset('noise-inverted', { train: 20, test: 10 });
  t.is(a.name, 'inverted-noise');
  const expect = transformSplit(base.train, 28, 28, { rotate: 0, inverted: true, noise: 0.3 });
  t.deepEqual(a.train.images, expect.images);
  // determinism across loads of other sizes: the first images agree
  const bigger = loadDomainDataset('inverted-noise', { train: 30, test: 10 });
  t.deepEqual(Array.from(bigger.train.images.subarray(0, 20 * 784)), Array.from(a.train.images));
  // cached per options
  t.is(loadDomainDataset('inverted-noise', { train: 20, test: 10 }), a);
  const fm = loadDomainDataset('fashion-mnist', { train: 10, test: 10 });
  t.is(fm.name, 'fashion-mnist');
});
