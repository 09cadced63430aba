import test from 'ava';
import { UsageError } from '../../../src/core/errors.js';
import { classCounts } from '../../../src/data/image_dataset.js';
import {
  FASHION_ID_STRIDE,
  FASHION_MNIST_CLASS_NAMES,
  clearFashionMnistCache,
  indexImages,
  loadFashionMnist,
  parseImage,
} from '../../../src/data/fashion_mnist.js';

const enc = (s: string) => new TextEncoder().encode(s);

test('indexImages / parseImage on a hand-made class file', (t) => {
  const a = Array.from({ length: 784 }, (_, i) => i % 256);
  const b = new Array<number>(784).fill(255);
  const buf = enc(JSON.stringify({ data: [a, [], b, []] }));
  const starts = indexImages(buf);
  t.is(starts.length, 2);
  const out = new Float32Array(2 * 784);
  parseImage(buf, starts[0]!, out, 0);
  parseImage(buf, starts[1]!, out, 784);
  t.is(out[0], 0);
  t.is(out[300], Math.fround((300 % 256) / 255));
  t.is(out[784], 1);
  t.throws(() => indexImages(enc('{"x":[]}')), { message: /start with/ });
  const short = enc(JSON.stringify({ data: [[1, 2, 3]] }));
  t.throws(() => parseImage(short, indexImages(short)[0]!, out, 0), { message: /3 pixels, expected 784/ });
  const big = enc(JSON.stringify({ data: [[256, ...a.slice(1)]] }));
  t.throws(() => parseImage(big, indexImages(big)[0]!, out, 0), { message: /bad pixel/ });
});

test('limited load: class-balanced, shapes, ranges, class names, disjoint ids, cached', (t) => {
  const t0 = performance.now();
  const ds = loadFashionMnist({ train: 205, test: 100 });
  t.log(`fashion-mnist 205/100 loaded in ${(performance.now() - t0).toFixed(0)} ms`);
  t.is(ds.width, 28);
  t.is(ds.height, 28);
  t.is(ds.numClasses, 10);
  t.deepEqual(ds.classNames, FASHION_MNIST_CLASS_NAMES);
  t.is(ds.classNames![9], 'Ankle boot');
  t.is(ds.train.images.length, 205 * 784);
  t.deepEqual(classCounts(ds.train, 10), [21, 21, 21, 21, 21, 20, 20, 20, 20, 20]);
  t.deepEqual(classCounts(ds.test, 10), new Array(10).fill(10));
  t.true(ds.train.images.every((v) => v >= 0 && v <= 1));
  const trainIds = new Set(ds.train.ids);
  t.is(trainIds.size, 205);
  for (const id of ds.test.ids) t.false(trainIds.has(id));
  for (let i = 0; i < 205; i++) t.is(Math.floor(ds.train.ids[i]! / FASHION_ID_STRIDE), ds.train.labels[i]);
  // classes are mixed (seeded order), not grouped: a grouped order would change label 9 times
  let changes = 0;
  for (let i = 1; i < 205; i++) if (ds.train.labels[i] !== ds.train.labels[i - 1]) changes++;
  t.true(changes > 150, `${changes} label changes`);
  t.is(loadFashionMnist({ train: 205, test: 100 }), ds);
  // deterministic across a fresh load
  clearFashionMnistCache();
  const again = loadFashionMnist({ train: 205, test: 100 });
  t.not(again, ds);
  t.deepEqual(again, ds);
  t.throws(() => loadFashionMnist({ train: -5 }), { instanceOf: UsageError, message: /fashion-mnist train/ });
  t.throws(() => loadFashionMnist({ split: 'random' as 'seeded' }), { instanceOf: UsageError, message: /package-order/ });
});

test('full load: 60000/10000, 6000/1000 per class, train and test disjoint, subsets consistent', (t) => {
  const t0 = performance.now();
  const ds = loadFashionMnist();
  t.log(`fashion-mnist full loaded in ${(performance.now() - t0).toFixed(0)} ms`);
  t.is(ds.train.labels.length, 60000);
  t.is(ds.test.labels.length, 10000);
  t.deepEqual(classCounts(ds.train, 10), new Array(10).fill(6000));
  t.deepEqual(classCounts(ds.test, 10), new Array(10).fill(1000));
  const trainIds = new Set(ds.train.ids);
  t.is(trainIds.size, 60000);
  for (const id of ds.test.ids) if (trainIds.has(id)) t.fail(`id ${id} in train and test`);
  let sum = 0;
  for (const v of ds.train.images) sum += v;
  t.true(Math.abs(sum / ds.train.images.length - 0.286) < 2e-3, `mean ${sum / ds.train.images.length}`);
  // a limited load is a subset of the full split, with identical pixels per id
  const small = loadFashionMnist({ train: 50, test: 20 });
  const row = new Map<number, number>();
  ds.train.ids.forEach((id, i) => row.set(id, i));
  for (let k = 0; k < 50; k++) {
    const i = row.get(small.train.ids[k]!);
    t.not(i, undefined);
    t.deepEqual(small.train.images.subarray(k * 784, (k + 1) * 784), ds.train.images.subarray(i! * 784, (i! + 1) * 784));
  }
  const testIds = new Set(ds.test.ids);
  for (const id of small.test.ids) t.true(testIds.has(id));
});

test("split 'package-order': the first 1000 per class are test", (t) => {
  const ds = loadFashionMnist({ train: 100, test: 100, split: 'package-order' });
  for (const id of ds.test.ids) t.true(id % FASHION_ID_STRIDE < 1000);
  for (const id of ds.train.ids) t.true(id % FASHION_ID_STRIDE >= 1000);
});
