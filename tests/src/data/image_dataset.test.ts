import test from 'ava';
import { Rng } from '../../../src/core/rng.js';
import { UsageError } from '../../../src/core/errors.js';
import {
  classCounts,
  downsample,
  gather,
  makeSplit,
  oneHot,
  permutation,
  poolDatasets,
  sampleBatch,
  sampleWithoutReplacement,
  selectClasses,
  splitValidation,
  takeFirst,
  takePerClass,
  takeRandom,
  withValidation,
  type ImageDataset,
  type ImageSplit,
} from '../../../src/data/image_dataset.js';

/** A split of n 2×2 images whose pixels encode the example index: pixel j of example i = (4i + j) / 1000. */
function toySplit(labels: number[], idBase = 0): ImageSplit {
  const n = labels.length;
  const images = Float32Array.from({ length: 4 * n }, (_, k) => k / 1000);
  return makeSplit(images, Uint8Array.from(labels), 4, Uint32Array.from(labels.map((_, i) => idBase + i)));
}

function toyDataset(): ImageDataset {
  const trainLabels = Array.from({ length: 40 }, (_, i) => i % 4);
  return {
    name: 'toy',
    width: 2,
    height: 2,
    numClasses: 4,
    classNames: ['a', 'b', 'c', 'd'],
    train: toySplit(trainLabels),
    test: toySplit([0, 1, 2, 3, 3, 2], 1000),
  };
}

/** Every example's pixels still belong to its id. */
function consistent(t: { true: (b: boolean, m?: string) => void }, s: ImageSplit, idBase = 0): void {
  for (let k = 0; k < s.labels.length; k++) {
    const i = s.ids[k]! - idBase;
    t.true(Math.abs(s.images[4 * k]! - Math.fround((4 * i) / 1000)) < 1e-9, `row ${k} holds example ${i}`);
  }
}

test('makeSplit checks lengths', (t) => {
  t.throws(() => makeSplit(new Float32Array(7), new Uint8Array(2), 4), { instanceOf: UsageError });
  t.deepEqual([...makeSplit(new Float32Array(8), new Uint8Array(2), 4).ids], [0, 1]);
});

test('downsample: exact block means on a hand-made 4×4 image; bad factors rejected', (t) => {
  // pixel (r, c) = (4r + c) / 16
  const img = Float32Array.from({ length: 16 }, (_, k) => k / 16);
  const ds: ImageDataset = {
    name: 'hand',
    width: 4,
    height: 4,
    numClasses: 2,
    train: makeSplit(img, Uint8Array.from([1]), 16),
    test: makeSplit(new Float32Array(0), new Uint8Array(0), 16),
  };
  const d2 = downsample(ds, 2);
  t.is(d2.width, 2);
  t.is(d2.height, 2);
  // blocks: {0,1,4,5} → 2.5/16, {2,3,6,7} → 4.5/16, {8,9,12,13} → 10.5/16, {10,11,14,15} → 12.5/16
  t.deepEqual([...d2.train.images], [2.5 / 16, 4.5 / 16, 10.5 / 16, 12.5 / 16]);
  t.deepEqual([...d2.train.labels], [1]);
  t.is(d2.test.images.length, 0);
  t.deepEqual([...downsample(ds, 4).train.images], [7.5 / 16]);
  t.deepEqual([...downsample(ds, 1).train.images], [...img]);
  const e = t.throws(() => downsample(ds, 3), { instanceOf: UsageError });
  t.regex(e!.message, /does not divide.*1, 2, 4/);
  t.throws(() => downsample(ds, 1.5), { instanceOf: UsageError });
  t.throws(() => downsample(ds, 0), { instanceOf: UsageError });
});

test('selectClasses relabels in the given order, keeps original order, maps class names', (t) => {
  const ds = toyDataset();
  const s = selectClasses(ds, [2, 0]);
  t.is(s.numClasses, 2);
  t.deepEqual(s.classNames, ['c', 'a']);
  t.is(s.train.labels.length, 20);
  t.deepEqual([...s.train.labels.slice(0, 4)], [1, 0, 1, 0]); // originals 0, 2, 0, 2
  t.deepEqual([...s.train.ids.slice(0, 4)], [0, 2, 4, 6]);
  t.deepEqual([...s.test.labels], [1, 0, 0]);
  t.deepEqual([...s.test.ids], [1000, 1002, 1005]);
  consistent(t, s.train);
  const keep = selectClasses(ds, [3, 1], { relabel: false });
  t.is(keep.numClasses, 4);
  t.deepEqual([...keep.test.labels], [1, 3, 3]);
  t.throws(() => selectClasses(ds, []), { instanceOf: UsageError });
  t.throws(() => selectClasses(ds, [4]), { instanceOf: UsageError, message: /0…3/ });
  t.throws(() => selectClasses(ds, [1, 1]), { instanceOf: UsageError, message: /twice/ });
  // input untouched
  t.is(ds.train.labels.length, 40);
  t.is(ds.train.labels[2], 2);
});

test('splitValidation: disjoint by index, covers train, test untouched, seeded', (t) => {
  const ds = toyDataset();
  const a = splitValidation(ds.train, 0.25, new Rng(1));
  t.is(a.validation.labels.length, 10);
  t.is(a.train.labels.length, 30);
  const tr = new Set(a.train.ids);
  const va = new Set(a.validation.ids);
  const te = new Set(ds.test.ids);
  for (const id of va) t.false(tr.has(id));
  for (const id of te) t.false(tr.has(id) || va.has(id));
  t.is(new Set([...tr, ...va]).size, 40);
  consistent(t, a.train);
  consistent(t, a.validation);
  t.deepEqual(splitValidation(ds.train, 0.25, new Rng(1)), a);
  t.notDeepEqual(splitValidation(ds.train, 0.25, new Rng(2)).validation.ids, a.validation.ids);
  t.is(splitValidation(ds.train, 7, new Rng(1)).validation.labels.length, 7);
  for (const bad of [0, 40, 1.5, -3, 41]) t.throws(() => splitValidation(ds.train, bad, new Rng(1)), { instanceOf: UsageError });

  const w = withValidation(ds, 0.1, new Rng(3));
  t.is(w.test, ds.test);
  t.is(w.validation.labels.length, 4);
  t.is(w.train.labels.length, 36);
  t.throws(() => withValidation(w, 0.1, new Rng(3)), { instanceOf: UsageError });
  // selectClasses / downsample carry the validation split along
  t.is(selectClasses(w, [0]).validation!.labels.length, w.validation.labels.filter((l) => l === 0).length);
});

test('takeFirst, takeRandom, takePerClass', (t) => {
  const s = toyDataset().train;
  const f = takeFirst(s, 5);
  t.deepEqual([...f.ids], [0, 1, 2, 3, 4]);
  t.is(f.images.length, 20);
  t.throws(() => takeFirst(s, 41), { instanceOf: UsageError });
  const r = takeRandom(s, 12, new Rng(4));
  t.is(new Set(r.ids).size, 12);
  consistent(t, r);
  t.deepEqual(takeRandom(s, 12, new Rng(4)), r);
  const p = takePerClass(s, 3, new Rng(5));
  t.deepEqual([...p.labels], [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
  t.is(new Set(p.ids).size, 12);
  consistent(t, p);
  const q = takePerClass(s, 2, new Rng(5), [3, 1]);
  t.deepEqual([...q.labels], [3, 3, 1, 1]);
  t.throws(() => takePerClass(s, 11, new Rng(5)), { instanceOf: UsageError, message: /class 0 has 10/ });
});

test('sampleBatch: distinct rows from the split, seeded; replace allows large batches', (t) => {
  const s = toyDataset().train;
  const b = sampleBatch(s, 16, new Rng(8));
  t.is(b.x.length, 64);
  t.is(new Set(b.ids).size, 16);
  for (let k = 0; k < 16; k++) {
    t.is(b.labels[k], s.labels[b.ids[k]!]);
    t.is(b.x[4 * k + 3], s.images[4 * b.ids[k]! + 3]);
  }
  t.deepEqual(sampleBatch(s, 16, new Rng(8)), b);
  t.throws(() => sampleBatch(s, 41, new Rng(8)), { instanceOf: UsageError, message: /replace: true/ });
  const big = sampleBatch(s, 100, new Rng(8), { replace: true });
  t.is(big.labels.length, 100);
  // over many batches every example shows up
  const rng = new Rng(9);
  const seen = new Set<number>();
  for (let i = 0; i < 30; i++) for (const id of sampleBatch(s, 8, rng).ids) seen.add(id);
  t.is(seen.size, 40);
});

test('permutation and sampleWithoutReplacement', (t) => {
  const p = permutation(50, new Rng(1));
  t.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  const s = sampleWithoutReplacement(1000, 30, new Rng(2));
  t.is(new Set(s).size, 30);
  t.true([...s].every((v) => v < 1000));
  t.deepEqual([...sampleWithoutReplacement(5, 5, new Rng(3))].sort(), [0, 1, 2, 3, 4]);
  // first draw uniform over [0, 10)
  const counts = new Array<number>(10).fill(0);
  const rng = new Rng(4);
  for (let i = 0; i < 5000; i++) counts[sampleWithoutReplacement(10, 3, rng)[0]!]!++;
  t.true(counts.every((c) => Math.abs(c - 500) < 100));
});

test('oneHot with 0 or -1 negatives', (t) => {
  t.deepEqual([...oneHot([2, 0], 3)], [0, 0, 1, 1, 0, 0]);
  t.deepEqual([...oneHot(Uint8Array.from([1]), 3, { negative: -1 })], [-1, 1, -1]);
  t.throws(() => oneHot([3], 3), { instanceOf: RangeError });
  t.throws(() => oneHot([0], 0), { instanceOf: UsageError });
});

test('poolDatasets offsets labels and ids', (t) => {
  const a = toyDataset();
  const b = { ...toyDataset(), name: 'toy2', numClasses: 4 };
  const p = poolDatasets([a, b]);
  t.is(p.numClasses, 8);
  t.is(p.name, 'toy+toy2');
  t.is(p.classNames![5], 'toy2:b');
  t.is(p.train.labels.length, 80);
  t.is(p.train.labels[41], 5);
  t.is(new Set([...p.train.ids, ...p.test.ids]).size, 92);
  t.deepEqual(classCounts(p.test, 8), [1, 1, 2, 2, 1, 1, 2, 2]);
  const small = downsample({ ...a, width: 2, height: 2 }, 2);
  t.throws(() => poolDatasets([a, small]), { instanceOf: UsageError });
});

test('gather rejects bad indices', (t) => {
  t.throws(() => gather(toyDataset().train, [40]), { instanceOf: RangeError });
});
