/** The ht-hparams genome kind: config, encoding of integers / categories / continuous fields, bounds, files. */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { HT_DEFAULTS, resolveHtConfig } from '../../src/models/ht/ht_config.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import {
  defaultHtGenome, htConfigOf, htHparamsGenome as kind, loadHtGenome, saveHtGenome, HT_DEFAULT_FIELDS, HT_VERSION1_FORMAT,
  type HtHparamsConfig, type HtHparamsGenome,
} from '../../genomes/ht_hparams_genome.js';
import { startVector } from '../../src/engine/engine.js';
import type { RunConfig } from '../../src/engine/run_config.js';

const dir = mkdtempSync(join(tmpdir(), 'evometa-ht-hparams-'));
const write = (name: string, json: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
  return p;
};
const readJson = (p: string): any => JSON.parse(readFileSync(p, 'utf8'));

const DEFAULT = kind.resolveConfig({ dim: 10 });
/** Every kind of coordinate: stepped integer, numeric and string categories, log and linear reals, a fixed-step int with an offset grid. */
const MIXED = kind.resolveConfig({
  fields: ['embeddingDim', 'heads', 'optimizer', 'learningRate', 'qkFraction', 'localFeatures', 'sharedLayers'],
  ranges: { embeddingDim: [12, 60, 16], heads: { values: [2, 8, 3] }, learningRate: [1e-5, 0.1], qkFraction: { min: 0.5, max: 3, scale: 'log' }, localFeatures: { min: 3, max: 7 } },
});
const CONFIGS: [string, HtHparamsConfig][] = [['default', DEFAULT], ['mixed', MIXED]];

/** Valid per resolveHtConfig, and inside the configured range. */
function assertValid(t: { true(v: boolean, m?: string): void }, g: HtHparamsGenome, c: HtHparamsConfig, x: readonly number[]): void {
  t.true(Object.keys(g).join() === c.fields.join(), `fields of ${JSON.stringify(g)}`);
  resolveHtConfig(g as Record<string, unknown>); // throws if invalid
  for (const f of c.fields) {
    const r = c.ranges[f]!;
    const v = (g as Record<string, unknown>)[f];
    const ok = 'values' in r ? r.values.includes(v as number | string) : typeof v === 'number' && v >= r.min && v <= r.max && ('step' in r ? (v - r.min) % r.step === 0 : true);
    t.true(ok, `${f} = ${String(v)} from x = ${JSON.stringify(x)}`);
  }
}

test('registered as ht-hparams; default space: 10 fields, dims match fields, integers are exactly the integer/category coordinates', (t) => {
  t.is(GENOME_KINDS['ht-hparams'], kind);
  t.deepEqual(DEFAULT.fields, [...HT_DEFAULT_FIELDS]);
  t.is(kind.dim(DEFAULT), 10);
  t.deepEqual(DEFAULT.ranges['heads'], { values: [1, 2, 4] });
  t.deepEqual(DEFAULT.ranges['embeddingDim'], { min: 8, max: 64, step: 8 });
  t.deepEqual(DEFAULT.ranges['learningRate'], { min: 1e-4, max: 1e-2, scale: 'log' });
  // everything but learningRate (7) and decayRate (8) is rounded
  t.deepEqual(kind.integers!(DEFAULT), [0, 1, 2, 3, 4, 5, 6, 9]);
  t.is(kind.dim(MIXED), 7);
  t.deepEqual(kind.integers!(MIXED), [0, 1, 2, 5, 6]);
  t.deepEqual(MIXED.ranges['learningRate'], { min: 1e-5, max: 0.1, scale: 'log' }, '[lo, hi] keeps the field’s log scale');
  t.deepEqual(MIXED.ranges['localFeatures'], { min: 3, max: 7, step: 1 });
  t.deepEqual(MIXED.ranges['sharedLayers'], { min: 2, max: 4, step: 1 }, 'a non-default field with a default range');
  const one = kind.resolveConfig({ fields: ['decayRate'] });
  t.is(kind.dim(one), 1);
  t.deepEqual(kind.integers!(one), []);
  // resolving a resolved config changes nothing (the engine may hand it around)
  for (const [, c] of CONFIGS) t.deepEqual(kind.resolveConfig(c as unknown as Record<string, unknown>), c);
});

test('bounds: integers span ±½ around their ends, categories [−½, K − ½), reals linear or log10', (t) => {
  const b = kind.bounds(DEFAULT)!;
  const near = (a: number, e: number): boolean => Math.abs(a - e) < 1e-5;
  t.true(near(b.lower[0]!, 0.5) && near(b.upper[0]!, 4.5), 'transformerLayers 1…4');
  t.true(near(b.lower[1]!, -0.5) && near(b.upper[1]!, 2.5), 'heads: 3 categories');
  t.true(near(b.lower[2]!, 0.5) && near(b.upper[2]!, 8.5), 'embeddingDim / 8: 1…8');
  t.true(b.lower[0]! > 0.5 && b.upper[0]! < 4.5, 'the edge points round inward');
  t.deepEqual([b.lower[7], b.upper[7]], [-4, -2]);
  t.deepEqual([b.lower[8], b.upper[8]], [0.5, 1]);
  t.true(near(b.lower[9]!, -0.5) && near(b.upper[9]!, 2.5));
  // the natural-unit encoding: x is the value for plain integers, value/step, the index, log10
  const g = { transformerLayers: 3, heads: 4, embeddingDim: 48, localFeatures: 5, sharedFeatures: 0, channels: 16, generatedConvLayers: 2, learningRate: 0.001, decayRate: 0.75, transformerActivation: 'gelu' } as const;
  t.deepEqual(kind.encode(g, DEFAULT), [3, 2, 6, 5, 0, 16, 2, -3, 0.75, 2]);
});

test('fuzz: 1000 points in the box (and 1000 around it) decode to valid genomes; encode(decode(x)) is a fixed point', (t) => {
  const rng = new Rng(7);
  for (const [name, c] of CONFIGS) {
    const b = kind.bounds(c)!;
    for (let i = 0; i < 2000; i++) {
      const widen = i < 1000 ? 0 : 2; // the mean of a search may lie outside the box
      const x = b.lower.map((lo, j) => {
        const w = b.upper[j]! - lo;
        return lo - widen * w + rng.uniform() * (1 + 2 * widen) * w;
      });
      if (i === 0) x.splice(0, x.length, ...b.lower);
      if (i === 1) x.splice(0, x.length, ...b.upper);
      const g = kind.decode(x, c);
      assertValid(t, g, c, x);
      const e = kind.encode(g, c);
      t.deepEqual(kind.decode(e, c), g, `${name}: decode(encode(decode(x)))`);
      t.deepEqual(kind.encode(kind.decode(e, c), c), e, `${name}: fixed point`);
      e.forEach((v, j) => t.true(v >= b.lower[j]! && v <= b.upper[j]!, `${name}: encoded coordinate ${j} inside the box`));
    }
  }
});

test('round trip: decode(encode(g)) = g for random and default genomes; integer moves of 1 in x change the value by one step', (t) => {
  const rng = new Rng(3);
  for (const [, c] of CONFIGS) {
    for (let i = 0; i < 200; i++) {
      const g = kind.random(c, rng);
      assertValid(t, g, c, []);
      t.deepEqual(kind.decode(kind.encode(g, c), c), g);
    }
    const d = defaultHtGenome(c);
    t.deepEqual(kind.decode(kind.encode(d, c), c), d);
  }
  const x = kind.encode({ embeddingDim: 32 }, DEFAULT);
  t.is(kind.decode(x.map((v, j) => (j === 2 ? v + 1 : v)), DEFAULT).embeddingDim, 40);
  t.is(kind.decode(x.map((v, j) => (j === 2 ? v - 0.49 : v)), DEFAULT).embeddingDim, 32);
});

test('defaultHtGenome: HT_DEFAULTS on the searched fields, moved onto the range where outside', (t) => {
  const d = defaultHtGenome(DEFAULT);
  t.deepEqual(Object.keys(d), [...HT_DEFAULT_FIELDS]);
  for (const f of HT_DEFAULT_FIELDS) t.is((d as Record<string, unknown>)[f], HT_DEFAULTS[f], f);
  const c = kind.resolveConfig({
    fields: ['embeddingDim', 'heads', 'learningRate', 'transformerActivation'],
    ranges: { embeddingDim: [40, 64, 8], heads: { values: [8, 3, 16] }, learningRate: [1e-2, 1], transformerActivation: ['gelu', 'lrelu'] },
  });
  t.deepEqual(defaultHtGenome(c), { embeddingDim: 40, heads: 3, learningRate: 1e-2, transformerActivation: 'gelu' });
  // a genome missing a searched field takes the default there
  t.deepEqual(kind.decode(kind.encode({ heads: 8 }, c), c), { embeddingDim: 40, heads: 8, learningRate: 1e-2, transformerActivation: 'gelu' });
});

test('random is uniform over the space: categories and grid values equally likely, learning rate log-uniform', (t) => {
  const rng = new Rng(11);
  const heads = new Map<unknown, number>();
  const dims = new Map<unknown, number>();
  let lowDecade = 0;
  const N = 6000;
  for (let i = 0; i < N; i++) {
    const g = kind.random(DEFAULT, rng);
    heads.set(g.heads, (heads.get(g.heads) ?? 0) + 1);
    dims.set(g.embeddingDim, (dims.get(g.embeddingDim) ?? 0) + 1);
    if (g.learningRate! < 1e-3) lowDecade++;
  }
  t.deepEqual([...heads.keys()].sort(), [1, 2, 4]);
  for (const n of heads.values()) t.true(Math.abs(n / N - 1 / 3) < 0.03, `heads share ${n / N}`);
  t.is(dims.size, 8);
  for (const n of dims.values()) t.true(Math.abs(n / N - 1 / 8) < 0.02, `embeddingDim share ${n / N}`);
  t.true(Math.abs(lowDecade / N - 0.5) < 0.03, `learningRate below 1e-3: ${lowDecade / N}`);
});

test('bad configs are named: unknown key or field, unsearched range, bad range, lo ≥ hi, bad step, bad values', (t) => {
  const bad = (raw: Record<string, unknown>, message: RegExp): void => {
    t.throws(() => kind.resolveConfig(raw), { message });
  };
  bad({ field: ['heads'] }, /unknown genome 'ht-hparams' config key field; valid keys: fields, ranges/);
  bad({ fields: ['heads', 'depth'] }, /fields: unknown field "depth" \(known: ways, shots/);
  bad({ fields: [] }, /fields must be a non-empty list/);
  bad({ fields: ['heads', 'heads'] }, /'heads' is listed twice/);
  bad({ fields: ['ways'] }, /'ways' has no default range; give one as ranges\.ways/);
  bad({ ranges: { depth: [1, 2] } }, /ranges: unknown field 'depth'/);
  bad({ ranges: { optimizer: ['sgd', 'adam'] } }, /ranges\.optimizer: 'optimizer' is not searched; add it to fields/);
  bad({ ranges: { transformerLayers: [4, 2] } }, /ranges\.transformerLayers: lo = 4 must be below hi = 2/);
  bad({ ranges: { channels: [8, 8] } }, /ranges\.channels: lo = 8 must be below hi = 8; to fix channels at 8, leave it out of fields/);
  bad({ ranges: { transformerLayers: [0, 3] } }, /ranges\.transformerLayers: lo = 0 must be an integer in \[1, 12\]/);
  bad({ ranges: { transformerLayers: [1.5, 3] } }, /ranges\.transformerLayers: lo = 1.5 must be an integer/);
  bad({ ranges: { learningRate: [1e-4, 20] } }, /ranges\.learningRate: hi = 20 must be a number in \[1e-7, 10\]/);
  bad({ ranges: { learningRate: 'wide' } }, /ranges\.learningRate must be \[lo, hi\]/);
  bad({ ranges: { learningRate: [1e-4, 1e-3, 1e-2] } }, /ranges\.learningRate must be/);
  bad({ ranges: { heads: [1, 2, 4] } }, /ranges\.heads: hi − lo = 1 is not a multiple of step 4/);
  bad({ ranges: { embeddingDim: { min: 8, max: 60, step: 8 } } }, /ranges\.embeddingDim: hi − lo = 52 is not a multiple of step 8/);
  bad({ ranges: { embeddingDim: { min: 8, max: 64, stride: 8 } } }, /ranges\.embeddingDim: unknown key stride; valid keys: min, max, step/);
  bad({ ranges: { decayRate: { min: 0.5, max: 1, scale: 'exp' } } }, /ranges\.decayRate: scale must be 'linear' or 'log'/);
  bad({ ranges: { heads: { values: [1, 64] } } }, /ranges\.heads: values\[1\] = 64 is not a valid heads; it must be an integer in \[1, 32\]/);
  bad({ ranges: { heads: { values: [2] } } }, /ranges\.heads: a searched field needs at least 2 values/);
  bad({ ranges: { heads: { values: [2, 2] } } }, /repeat a value/);
  bad({ ranges: { transformerActivation: ['relu', 'swish'] } }, /ranges\.transformerActivation: values\[1\] = "swish" is not a valid transformerActivation; it must be one of relu, lrelu, gelu/);
  bad({ ranges: { transformerActivation: [0, 1] } }, /ranges\.transformerActivation: values\[0\] = 0 is not a valid/);
});

test('decode and encode check their input, naming the field', (t) => {
  t.throws(() => kind.decode([1, 2], DEFAULT), { message: /must have 10 numbers \(one per searched field: transformerLayers, heads/ });
  t.throws(() => kind.decode([1, NaN, 0, 0, 0, 0, 0, 0, 0, 0], DEFAULT), { message: /coordinate 1 \(heads\) is NaN/ });
  t.throws(() => kind.encode({ ways: 5 }, DEFAULT), { message: /the genome sets 'ways', which the genome config does not search/ });
  t.throws(() => kind.encode({ heads: 3 }, DEFAULT), { message: /'heads' = 3 is outside the searched range; it must be one of 1, 2, 4 \(widen ranges\.heads\)/ });
  t.throws(() => kind.encode({ embeddingDim: 36 }, DEFAULT), { message: /'embeddingDim' = 36 is outside the searched range; it must be a multiple of 8 steps from 8 in \[8, 64\]/ });
  t.throws(() => kind.encode({ learningRate: 0.5 }, DEFAULT), { message: /'learningRate' = 0.5 .* a number in \[0.0001, 0.01\]/ });
  t.throws(() => kind.encode({ transformerLayers: '2' } as unknown as HtHparamsGenome, DEFAULT), { message: /'transformerLayers' = "2"/ });
});

test('genome files: save/load round trip, best.json, and errors that name the file and the field', (t) => {
  const g = kind.random(DEFAULT, new Rng(5));
  const path = join(dir, 'g.json');
  saveHtGenome(path, g, DEFAULT);
  t.deepEqual(loadHtGenome(path), g);
  const saved = readJson(path);
  t.like(saved, { format: 'evometa-genome', version: 2, kind: 'ht-hparams' });
  t.deepEqual(saved.config, DEFAULT); // the search space, resolved
  // a run's best.json holds the bare hyperparameters under `genome`
  t.deepEqual(loadHtGenome(write('best.json', { fitness: 0.3, x: [], genome: g })), g);
  // a version-1 file: any subset of HtConfig fields, read with a search space that holds it
  t.deepEqual(loadHtGenome(write('sub.json', { format: HT_VERSION1_FORMAT, version: 1, hparams: { heads: 4 } })), { heads: 4 });

  const file = (hparams: unknown, extra: Record<string, unknown> = {}) => ({ format: HT_VERSION1_FORMAT, version: 1, hparams, ...extra });
  const bad = (name: string, json: unknown, message: string): void => {
    const p = write(name, json);
    t.throws(() => loadHtGenome(p), { message: `${p}${message}` });
  };
  bad('b1.json', file({ heads: 0 }), ": hparams: 'heads' must be an integer in [1, 32] (got 0)");
  bad('b2.json', file({ transformerActivation: 'swish' }), ": hparams: 'transformerActivation' must be one of relu, lrelu, gelu (got \"swish\")");
  bad('b4.json', file({ learningRate: null }), ": hparams: 'learningRate' must be a number in [1e-7, 10] (got null)");
  bad('b5.json', file([1, 2]), ': hparams must be an object of HtConfig fields (got [1,2])');
  bad('b6.json', file({ heads: 2 }, { notes: 'x' }), ' has unknown key notes; valid keys: format, version, hparams');
  bad('b7.json', { ...file({ heads: 2 }), version: 2 }, `: unsupported version 2 of format "${HT_VERSION1_FORMAT}"; this build reads its version 1 and genome files of format "evometa-genome"`);
  bad('b8.json', { heads: 2 }, ': format must be "evometa-genome" (got nothing); is this a genome file?');
  bad('b9.json', { genome: { heads: 'two' } }, ": genome: 'heads' must be an integer in [1, 32] (got \"two\")");
  // version 2: the payload is checked against the file's own search space
  bad('b11.json', { ...saved, genome: { ...g, heads: 3 } }, ": genome: 'heads' = 3 is outside the searched range; it must be one of 1, 2, 4 (widen ranges.heads)");
  t.throws(() => loadHtGenome(write('b10.json', '{ not json')), { message: /not valid JSON/ });
  t.throws(() => loadHtGenome(join(dir, 'missing.json')), { message: /genome file not found/ });
});

test('htConfigOf: the default space, widened to hold a genome of unknown origin', (t) => {
  t.deepEqual(htConfigOf({ heads: 4 }), DEFAULT);
  const c = htConfigOf({ channels: 32, ways: 3 });
  t.deepEqual(c.fields, [...HT_DEFAULT_FIELDS, 'ways']);
  t.deepEqual(c.ranges['channels'], { min: 1, max: 256, step: 1 }); // 32 is outside the default 4..16
  t.deepEqual(c.ranges['ways'], { min: 2, max: 20, step: 1 }); // no default range
  t.deepEqual(kind.decode(kind.encode({ channels: 32, ways: 3 }, c), c), { ...defaultHtGenome(c), channels: 32, ways: 3 });
});

test('the engine starts a search from a saved default genome (--init FILE) and from --init random', (t) => {
  const path = join(dir, 'default.json');
  saveHtGenome(path, defaultHtGenome(DEFAULT));
  const config = { genome: 'ht-hparams', init: path, seed: 1, x0: 0 } as unknown as RunConfig;
  const x0 = startVector(config, { kind, kindConfig: DEFAULT });
  t.deepEqual(x0, kind.encode(defaultHtGenome(DEFAULT), DEFAULT));
  t.deepEqual(kind.decode(x0, DEFAULT), defaultHtGenome(DEFAULT));
  const xr = startVector({ ...config, init: 'random' }, { kind, kindConfig: DEFAULT });
  assertValid(t, kind.decode(xr, DEFAULT), DEFAULT, xr);
});
