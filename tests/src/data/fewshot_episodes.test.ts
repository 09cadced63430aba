import test, { type ExecutionContext } from 'ava';
import { Rng } from '../../../src/core/rng.js';
import { UsageError } from '../../../src/core/errors.js';
import { classCounts, type ImageSplit } from '../../../src/data/image_dataset.js';
import {
  DEFAULT_FEWSHOT_SPLIT,
  EpisodeSampler,
  episodeSeed,
  fewShotSource,
  loadPooledFewShot,
  mapPixel,
  validateFewShotSplit,
  type Episode,
} from '../../../src/data/fewshot_episodes.js';

const OPTS = { ways: 5, shots: 1, queries: 3, imageSize: 28 };

function checkEpisode(t: ExecutionContext, ep: Episode, allowed: readonly number[]): void {
  const { ways, shots, queries } = ep;
  t.is(ep.support.labels.length, ways * shots);
  t.is(ep.query.labels.length, ways * queries);
  t.is(ep.support.x.length, ways * shots * 784);
  t.is(ep.query.x.length, ways * queries * 784);
  for (const [part, per] of [[ep.support, shots], [ep.query, queries]] as const) {
    const counts = new Array<number>(ways).fill(0);
    part.labels.forEach((l, i) => {
      counts[l]!++;
      t.is(l, Math.floor(i / per), 'class-major order');
    });
    t.deepEqual(counts, new Array<number>(ways).fill(per));
  }
  const supportIds = new Set(ep.support.ids);
  t.is(supportIds.size, ways * shots);
  t.is(new Set(ep.query.ids).size, ways * queries);
  t.true(ep.query.ids.every((id) => !supportIds.has(id)), 'support ∩ query = ∅');
  t.is(new Set(ep.classes).size, ways);
  t.true(ep.classes.every((c) => allowed.includes(c)), `classes ${ep.classes.join(',')} ⊂ ${allowed.join(',')}`);
}

test('default split is disjoint and covers the 20 pooled classes', (t) => {
  const { train, test: held } = DEFAULT_FEWSHOT_SPLIT;
  t.is(train.length, 12);
  t.is(held.length, 8);
  t.true(train.every((c) => !held.includes(c)));
  t.deepEqual([...train, ...held].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  t.notThrows(() => validateFewShotSplit({ train: [...train], test: [...held] }, 20, 8));
});

test('pooled set: 20 classes, 28×28, default per-class counts, cached', (t) => {
  const ds = loadPooledFewShot();
  t.is(ds.numClasses, 20);
  t.is(ds.width, 28);
  t.deepEqual(classCounts(ds.train, 20), new Array<number>(20).fill(1000));
  t.deepEqual(classCounts(ds.test, 20), new Array<number>(20).fill(300));
  t.is(loadPooledFewShot(), ds);
  const trainIds = new Set(ds.train.ids);
  t.is(trainIds.size, 20000);
  t.true(ds.test.ids.every((id) => !trainIds.has(id)), 'train and test ids disjoint');
  t.true(ds.classNames![0]!.startsWith('mnist:') && ds.classNames![10]!.startsWith('fashion-mnist:'));
});

test('episodes: sizes, labels, disjoint support/query, pixel mapping', (t) => {
  const { split, classes } = fewShotSource('train');
  const sampler = new EpisodeSampler(split, classes, OPTS);
  const ep = sampler.sample(new Rng(1));
  checkEpisode(t, ep, classes);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...ep.support.x, ...ep.query.x]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  t.is(lo, -1);
  t.true(hi < 1 && hi > 0.9, `max ${hi}`);
  t.is(mapPixel(0), -1);
  t.is(mapPixel(1), 255 / 128 - 1);
  // The pixels are the source image's, mapped: find the first support image by id.
  const id = ep.support.ids[0]!;
  const i = split.ids.indexOf(id);
  t.is(split.labels[i], ep.classes[0]);
  for (let p = 0; p < 784; p += 97) t.is(ep.support.x[p], Math.fround(mapPixel(split.images[i * 784 + p]!)));
});

test('train episodes never use held-out classes; sources are disjoint by id', (t) => {
  const train = fewShotSource('train');
  const validation = fewShotSource('validation');
  const heldOut = fewShotSource('test');
  t.deepEqual(validation.classes, DEFAULT_FEWSHOT_SPLIT.test);
  const sampler = new EpisodeSampler(train.split, train.classes, { ...OPTS, ways: 5, shots: 5, queries: 5 });
  const valIds = new Set([...validation.split.ids, ...heldOut.split.ids]);
  const used = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const ep = sampler.episodeAt(7, 'train', i);
    for (const c of ep.classes) {
      used.add(c);
      t.false(DEFAULT_FEWSHOT_SPLIT.test.includes(c));
    }
    for (const id of [...ep.support.ids, ...ep.query.ids]) if (valIds.has(id)) t.fail(`id ${id} from a held-out source`);
  }
  t.is(used.size, 12, 'all 12 train classes appear in 200 episodes');
  const valIdSet = new Set(validation.split.ids);
  t.true(heldOut.split.ids.every((id) => !valIdSet.has(id)), 'validation and test images disjoint');
  const held = new EpisodeSampler(heldOut.split, heldOut.classes, OPTS);
  checkEpisode(t, held.episodeAt(7, 'test', 0), DEFAULT_FEWSHOT_SPLIT.test);
});

test('episodes are reproducible from (seed, stream, index)', (t) => {
  const { split, classes } = fewShotSource('validation');
  const sampler = new EpisodeSampler(split, classes, OPTS);
  const a = sampler.episodeAt(3, 'validation', 5);
  const b = sampler.episodeAt(3, 'validation', 5);
  t.deepEqual(a, b);
  t.deepEqual(sampler.sample(new Rng(episodeSeed(3, 'validation', 5))), a);
  const c = sampler.episodeAt(3, 'validation', 6);
  t.notDeepEqual([...c.support.ids], [...a.support.ids]);
  const d = sampler.episodeAt(3, 'other', 5);
  t.notDeepEqual([...d.support.ids], [...a.support.ids]);
});

function tinySplit(perClass: number[]): ImageSplit {
  const n = perClass.reduce((s, k) => s + k, 0);
  const labels = new Uint8Array(n);
  let at = 0;
  perClass.forEach((k, c) => labels.fill(c, at, (at += k)));
  return { images: new Float32Array(n * 4), labels, ids: Uint32Array.from({ length: n }, (_, i) => 100 + i) };
}

test('sampler on a tiny split uses every image of a class exactly once when shots+queries = size', (t) => {
  const split = tinySplit([3, 3, 3]);
  const sampler = new EpisodeSampler(split, [0, 1, 2], { ways: 3, shots: 1, queries: 2, imageSize: 2 });
  const ep = sampler.sample(new Rng(9));
  t.deepEqual([...ep.support.ids, ...ep.query.ids].sort((a, b) => a - b), Array.from({ length: 9 }, (_, i) => 100 + i));
  ep.classes.forEach((c, k) => {
    t.true(ep.support.ids[k]! >= 100 + 3 * c && ep.support.ids[k]! < 103 + 3 * c);
  });
});

test('errors name the field and the fix', (t) => {
  const split = tinySplit([3, 2, 3]);
  const o = { ways: 2, shots: 1, queries: 2, imageSize: 2 };
  t.throws(() => new EpisodeSampler(split, [0, 1, 2], o), { instanceOf: UsageError, message: /class 1 has 2 images, fewer than shots \+ queries = 3/ });
  t.throws(() => new EpisodeSampler(split, [0], o), { instanceOf: UsageError, message: /ways = 2 but only 1 classes/ });
  t.throws(() => new EpisodeSampler(split, [0, 2], { ...o, imageSize: 28 }), { instanceOf: UsageError, message: /set imageSize to 2/ });
  t.throws(() => new EpisodeSampler(split, [0, 2], { ...o, shots: 0 }), { instanceOf: UsageError, message: /shots must be an integer >= 1/ });
  t.throws(() => new EpisodeSampler(split, [0, 0], o), { instanceOf: UsageError, message: /listed twice/ });
  t.throws(() => validateFewShotSplit({ train: [0, 1], test: [1, 2] }), { instanceOf: UsageError, message: /class 1 is in both split.train and split.test/ });
  t.throws(() => validateFewShotSplit({ train: [0, 20], test: [1] }), { instanceOf: UsageError, message: /split.train: 20 is not a class; use integers 0…19/ });
  t.throws(() => validateFewShotSplit({ train: [0, 1], test: [2] }, 20, 2), { instanceOf: UsageError, message: /split.test has 1 classes, fewer than ways = 2/ });
  t.throws(() => fewShotSource('train', { train: [0], test: [1, 2] }, { ways: 2 }), { instanceOf: UsageError, message: /split.train has 1 classes/ });
  t.throws(() => loadPooledFewShot({ trainPerClass: 0 }), { instanceOf: UsageError, message: /trainPerClass must be an integer >= 1/ });
});
