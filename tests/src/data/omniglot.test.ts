import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../src/core/rng.js';
import { UsageError } from '../../../src/core/errors.js';
import { EpisodeSampler } from '../../../src/data/fewshot_episodes.js';
import { clearOmniglotCache, loadOmniglot, omniglotSource, resizeArea } from '../../../src/data/omniglot.js';

import { fakeOmniglot, SIZE } from '../../helpers/fake_omniglot.js';

/** Mean of the size/2 × size/2 quarter starting at (r0, c0). */
function quarterMean(img: Float32Array, size: number, r0: number, c0: number): number {
  const h = size / 2;
  let s = 0;
  for (let r = r0; r < r0 + h; r++) for (let c = c0; c < c0 + h; c++) s += img[r * size + c]!;
  return s / (h * h);
}

test('loads the fake dataset: classes, splits, shape, inverted and resized pixels', (t) => {
  const root = fakeOmniglot();
  try {
    const ds = loadOmniglot(root);
    t.is(ds.imageSize, 28);
    t.deepEqual(
      ds.classes.map((c) => `${c.split}:${c.name}`),
      [
        'background:Alpha/character01',
        'background:Alpha/character02',
        'background:Beta/character01',
        'background:Beta/character02',
        'evaluation:Gamma/character01',
        'evaluation:Gamma/character02',
        'evaluation:Gamma/character03',
      ],
    );
    const ids = ds.classes.flatMap((c) => [...c.ids]);
    t.deepEqual(ids, Array.from({ length: 21 }, (_, i) => i));
    const img = ds.classes[0]!.images.subarray(0, 784);
    t.is(ds.classes[0]!.images.length, 3 * 784);
    // The black square covers rows/cols 0…51 of 105 = 13.87 of 28 output pixels: the top-left
    // 14×14 quarter is ink except a partial last row/column, the bottom-right is paper.
    const tl = quarterMean(img, 28, 0, 0);
    const br = quarterMean(img, 28, 14, 14);
    t.true(tl > 0.97 && tl < 1, `top-left mean ${tl}`);
    t.true(br < 0.01 && br > 0, `bottom-right mean ${br} (one marker pixel)`);
    t.true(Math.abs(img[0]! - 1) < 1e-6 && Math.abs(img[27 * 28 + 20]!) < 1e-6, 'pure ink 1, pure paper 0');
    t.true(Math.abs(img[13]! - 3.25 / 3.75) < 1e-5, `edge pixel ${img[13]} is 3.25/3.75 ink`);
    const plain = loadOmniglot(root, { invert: false, imageSize: 14 });
    t.is(plain.classes[0]!.images.length, 3 * 196);
    t.true(Math.abs(plain.classes[0]!.images[0]!) < 1e-6, 'not inverted: ink 0');
    t.true(Math.abs(plain.classes[0]!.images[195]! - (1 - 1 / (7.5 * 7.5))) < 1e-5, 'marker pixel: 1/56.25 of the corner area');
    t.is(loadOmniglot(root), ds, 'cached');
  } finally {
    clearOmniglotCache();
    rmSync(root, { recursive: true, force: true });
  }
});

test('an EpisodeSampler on Omniglot yields valid episodes from the right classes', (t) => {
  const root = fakeOmniglot();
  try {
    const ds = loadOmniglot(root);
    const train = omniglotSource(ds, 'train');
    const held = omniglotSource(ds, 'test');
    t.deepEqual(train.classes, [0, 1, 2, 3]);
    t.deepEqual(held.classes, [4, 5, 6]);
    const sampler = new EpisodeSampler(train.source, train.classes, { ways: 3, shots: 1, queries: 2, imageSize: 28 });
    for (let i = 0; i < 20; i++) {
      const ep = sampler.episodeAt(1, 'train', i);
      t.is(ep.support.x.length, 3 * 784);
      t.is(ep.query.x.length, 6 * 784);
      t.deepEqual([...ep.support.labels], [0, 1, 2]);
      t.deepEqual([...ep.query.labels], [0, 0, 1, 1, 2, 2]);
      const all = [...ep.support.ids, ...ep.query.ids];
      t.is(new Set(all).size, 9);
      t.true(all.every((id) => id < 12), 'background images only');
      ep.classes.forEach((c, k) => t.true(ds.classes[c]!.ids.includes(ep.support.ids[k]!)));
      t.true(Math.abs(ep.support.x[0]! - (255 / 128 - 1)) < 1e-5, 'ink maps to 127/128');
    }
    const heldSampler = new EpisodeSampler(held.source, held.classes, { ways: 3, shots: 2, queries: 1, imageSize: 28 });
    const ep = heldSampler.sample(new Rng(4));
    t.deepEqual([...ep.classes].sort(), [4, 5, 6]);
    t.true([...ep.support.ids, ...ep.query.ids].every((id) => id >= 12));
    t.throws(() => new EpisodeSampler(held.source, held.classes, { ways: 3, shots: 3, queries: 1, imageSize: 28 }), {
      instanceOf: UsageError,
      message: /has 3 images, fewer than shots \+ queries = 4/,
    });
  } finally {
    clearOmniglotCache();
    rmSync(root, { recursive: true, force: true });
  }
});

test('resizeArea averages areas with fractional edges', (t) => {
  const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 3×3 → 2×2: each output covers 1.5×1.5
  const out = new Float32Array(4);
  resizeArea(src, 3, 3, 2, out);
  const expect00 = (1 + 0.5 * 2 + 0.5 * 4 + 0.25 * 5) / 2.25;
  t.true(Math.abs(out[0]! - expect00) < 1e-6, `${out[0]} vs ${expect00}`);
  t.true(Math.abs(out.reduce((s, v) => s + v, 0) / 4 - 5) < 1e-6, 'mean preserved');
});

test('clear errors: missing root, missing split folder, corrupt PNG', (t) => {
  t.throws(() => loadOmniglot('/nonexistent/omniglot-root'), {
    instanceOf: UsageError,
    message: /omniglot root \/nonexistent\/omniglot-root is not a folder; pass the folder that holds images_background/,
  });
  const root = fakeOmniglot();
  try {
    rmSync(join(root, 'images_evaluation'), { recursive: true });
    t.throws(() => loadOmniglot(root), { instanceOf: UsageError, message: /images_evaluation is missing; extract images_evaluation\.zip/ });
    mkdirSync(join(root, 'images_evaluation', 'Gamma', 'character01'), { recursive: true });
    const bad = join(root, 'images_evaluation', 'Gamma', 'character01', 'broken.png');
    writeFileSync(bad, Buffer.from('not a png at all'));
    t.throws(() => loadOmniglot(root), { instanceOf: UsageError, message: new RegExp(`cannot decode ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} as PNG`) });
    t.throws(() => loadOmniglot(root, { imageSize: 0 }), { instanceOf: UsageError, message: /imageSize must be an integer >= 1/ });
  } finally {
    clearOmniglotCache();
    rmSync(root, { recursive: true, force: true });
  }
});
