/** The ordering genome kind: argmax logits, round trips, random orderings and the validated file format. */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import {
  decodeOrder, encodeOrder, loadOrderingGenome, makeOrderingGenome, orderingGenome, saveOrderingGenome, validateOrderingGenome,
} from '../../genomes/ordering_genome.js';

const dir = mkdtempSync(join(tmpdir(), 'evometa-ordering-'));

test('config: defaults match the network (L = 8, N = 4), dim = L × choices, engine dim ignored, errors name the key', (t) => {
  const c = orderingGenome.resolveConfig({ dim: 10 });
  t.deepEqual(c, { length: 8, modules: 4, allowSkip: false });
  t.is(orderingGenome.dim(c), 32);
  t.is(orderingGenome.bounds(c), undefined);
  t.is(orderingGenome.dim(orderingGenome.resolveConfig({ length: 5, modules: 3, allowSkip: true })), 20);
  t.throws(() => orderingGenome.resolveConfig({ length: 0 }), { message: /genome 'ordering' length must be an integer from 1 to 1024 \(got 0\)/ });
  t.throws(() => orderingGenome.resolveConfig({ modules: 2.5 }), { message: /modules must be an integer/ });
  t.throws(() => orderingGenome.resolveConfig({ allowSkip: 1 }), { message: /allowSkip must be true or false/ });
  t.throws(() => orderingGenome.resolveConfig({ blocks: 8 }), { message: /unknown genome 'ordering' config key blocks; valid keys: length, modules, allowSkip/ });
});

test('encode puts +1 at the index and 0 elsewhere; decode(encode(o)) = o, with and without skip', (t) => {
  t.deepEqual(encodeOrder([2, 0], 3), [0, 0, 1, 1, 0, 0]);
  const rng = new Rng(1);
  for (const raw of [{}, { length: 6, modules: 3, allowSkip: true }, { length: 1, modules: 1 }]) {
    const c = orderingGenome.resolveConfig(raw);
    for (let i = 0; i < 20; i++) {
      const g = orderingGenome.random(c, rng);
      const x = orderingGenome.encode(g, c);
      t.is(x.length, orderingGenome.dim(c));
      t.deepEqual(orderingGenome.decode(x, c), g);
      t.deepEqual(orderingGenome.encode(orderingGenome.decode(x, c), c), x);
    }
  }
});

test('decode is argmax per position: any real logits, first maximum on ties, NaN never wins', (t) => {
  const c = orderingGenome.resolveConfig({ length: 3, modules: 3 });
  t.deepEqual(orderingGenome.decode([0.1, 2, -1, 5, 5, 0, NaN, -3, -4], c).order, [1, 0, 1]);
  t.deepEqual(decodeOrder([NaN, NaN], 2), [0]);
  t.deepEqual(decodeOrder([NaN, -1, -Infinity, NaN], 2), [1, 0]);
  t.throws(() => orderingGenome.decode([1, 2, 3], c), { message: /ordering genome vector must have 9 numbers \(3 positions × 3 choices\), got 3/ });
});

test('random orderings cover every choice, skip included, and are seeded', (t) => {
  const c = orderingGenome.resolveConfig({ length: 200, modules: 4, allowSkip: true });
  const g = orderingGenome.random(c, new Rng(7));
  t.deepEqual([...new Set(g.order)].sort(), [0, 1, 2, 3, 4]);
  t.deepEqual(orderingGenome.random(c, new Rng(7)), g);
  const noSkip = orderingGenome.random(orderingGenome.resolveConfig({ length: 200 }), new Rng(7));
  t.true(noSkip.order.every((m) => m >= 0 && m < 4));
});

test('encode checks the ordering against the config', (t) => {
  const c = orderingGenome.resolveConfig({});
  t.throws(() => orderingGenome.encode(makeOrderingGenome([0, 1, 2], 4), c), { message: /the ordering has 3 positions but the genome config has length = 8; set genome config length to 3/ });
  t.throws(() => orderingGenome.encode(makeOrderingGenome([0, 1, 2, 0, 1, 2, 0, 1], 3), c), { message: /over 3 modules but the genome config has modules = 4/ });
  t.throws(() => orderingGenome.encode(makeOrderingGenome([0, 1, 2, 0, 1, 2, 4, 1], 4, true), c), { message: /ordering: order\[6\] = 4 is out of range: module indices run from 0 to 3 \(set allowSkip/ });
  // a skip-capable ordering that does not skip fits a config without skip
  t.deepEqual(orderingGenome.encode(makeOrderingGenome([0, 0, 0, 0, 0, 0, 0, 3], 4, true), c).slice(28), [0, 0, 0, 1]);
});

test('file format: save, load, best.json, and validation messages for length, range and integers', (t) => {
  const g = makeOrderingGenome([3, 1, 1, 0, 4, 2], 4, true);
  const file = join(dir, 'o.json');
  saveOrderingGenome(file, g);
  t.regex(readFileSync(file, 'utf8'), /"order": \[3, 1, 1, 0, 4, 2\]/);
  t.deepEqual(loadOrderingGenome(file), g);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  t.deepEqual(saved.config, { length: 6, modules: 4, allowSkip: true });
  t.deepEqual(orderingGenome.fromFile(saved.genome, saved.config, 'o.json: genome'), g);
  t.deepEqual(validateOrderingGenome(orderingGenome.toFile(g, saved.config)), g);
  const best = join(dir, 'best.json');
  writeFileSync(best, JSON.stringify({ fitness: 0.1, x: [], genome: g }));
  t.deepEqual(loadOrderingGenome(best), g);
  t.throws(() => orderingGenome.fromFile(saved.genome, { ...saved.config, length: 8 }, 'o.json: genome'), {
    message: "o.json: genome: the ordering has length = 6 but the file's config has length = 8; make them agree",
  });

  const base = { modules: 4, order: [0, 1] };
  const bad = (patch: Record<string, unknown>, message: RegExp): void => {
    t.throws(() => validateOrderingGenome({ ...base, ...patch }, 'f.json'), { message });
  };
  bad({ order: [] }, /f\.json: order must be a non-empty list of module indices/);
  bad({ order: 'abc' }, /f\.json: order must be a non-empty list/);
  bad({ order: [0, 1.5] }, /f\.json: order\[1\] must be an integer module index \(got 1\.5\)/);
  bad({ order: [0, '1'] }, /f\.json: order\[1\] must be an integer module index \(got "1"\)/);
  bad({ order: [4, 0] }, /f\.json: order\[0\] = 4 is out of range: module indices run from 0 to 3 \(set allowSkip to use index 4 as skip\)/);
  bad({ order: [5], allowSkip: true }, /order\[0\] = 5 is out of range: module indices run from 0 to 3, and 4 is skip/);
  bad({ order: [-1] }, /order\[0\] = -1 is out of range/);
  bad({ modules: 0 }, /f\.json: modules must be an integer from 1 to 1024 \(got 0\)/);
  bad({ extra: 1 }, /f\.json has unknown key extra; valid keys: modules, allowSkip, order/);
  bad({ allowSkip: 'no' }, /allowSkip must be true or false/);
  // the wrong length for a config is caught where the config is known
  const loaded = validateOrderingGenome({ ...base, order: [0, 1, 2] });
  t.throws(() => orderingGenome.encode(loaded, orderingGenome.resolveConfig({})), { message: /has 3 positions but the genome config has length = 8/ });

  writeFileSync(join(dir, 'broken.json'), '{"format": ');
  t.throws(() => loadOrderingGenome(join(dir, 'broken.json')), { message: /genome file is damaged \(not valid JSON.*broken\.json/ });
  t.throws(() => loadOrderingGenome(join(dir, 'missing.json')), { message: /genome file not found: .*missing\.json/ });
});
