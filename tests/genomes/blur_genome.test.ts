/** The blur genome kind: flat layout, round trips, bounds, the file format and the shipped reference genomes. */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../src/runtime/backend.js';
import { Rng } from '../../src/core/rng.js';
import {
  SYNAPSE_UPDATE_SCALE,
  backpropGenome, blurGenome, blurGenomeFromFlat, loadBlurGenome, randomBlurGenome, saveBlurGenome, validateBlurGenome,
  type BlurGenome,
} from '../../genomes/blur_genome.js';
import { RANDOM_REFERENCE_SEED } from '../../genomes/write_blur_references.js';

const tf = getTf();
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test.before(async () => {
  await initBackend('cpu');
});

const randomVector = (n: number, seed: number): number[] => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal());
};

test('config defaults, dimension and canonical extras order', (t) => {
  const c = blurGenome.resolveConfig({ dim: 5 });
  t.deepEqual(c, { k: 2, perLayer: false, numLayers: 1, extras: [] });
  t.is(blurGenome.dim(c), 4 * 4 + 4); // 20 for k = 2 (§1.7)
  const c3 = blurGenome.resolveConfig({ k: 3, perLayer: true, numLayers: 2, extras: ['ojaMultiplier', 'saturation'] });
  t.deepEqual(c3.extras, ['saturation', 'ojaMultiplier']);
  t.is(blurGenome.dim(c3), 2 * (4 * 9 + 4 + 2));
  t.is(blurGenome.dim(blurGenome.resolveConfig({ k: 4, extras: ['saturation', 'rescaleTo', 'ojaMultiplier'] })), 71);
});

test('config errors name the field and the fix', (t) => {
  t.throws(() => blurGenome.resolveConfig({ k: 1 }), { message: /genome 'blur' k must be an integer from 2 to 16 \(got 1\)/ });
  t.throws(() => blurGenome.resolveConfig({ perLayer: 'yes' }), { message: /perLayer must be true or false/ });
  t.throws(() => blurGenome.resolveConfig({ extras: ['oja'] }), { message: /extras must be a list drawn from saturation, rescaleTo, ojaMultiplier/ });
  t.throws(() => blurGenome.resolveConfig({ kk: 2 }), { message: /unknown genome 'blur' config key kk; valid keys: k, perLayer, numLayers, extras/ });
});

test('encode/decode round trip exactly, in the documented flat order', (t) => {
  for (const raw of [{}, { k: 3, perLayer: true, numLayers: 3, extras: ['saturation', 'rescaleTo', 'ojaMultiplier'] }]) {
    const c = blurGenome.resolveConfig(raw);
    const x = randomVector(blurGenome.dim(c), 1);
    const g = blurGenome.decode(x, c);
    t.deepEqual(blurGenome.encode(g, c), x);
    t.deepEqual(blurGenome.decode(blurGenome.encode(g, c), c), g);
    t.is(validateBlurGenome(JSON.parse(JSON.stringify(g))).layers.length, c.perLayer ? 3 : 1);
  }
  // order: ν, μ, α, β row-major, then κ_n, η_n, κ_w, η_w / SYNAPSE_UPDATE_SCALE
  const c = blurGenome.resolveConfig({});
  const g = blurGenome.decode(Array.from({ length: 20 }, (_, i) => i), c);
  const l = g.layers[0]!;
  t.deepEqual(l.neuron.nu, [[0, 1], [2, 3]]);
  t.deepEqual(l.neuron.mu, [[4, 5], [6, 7]]);
  t.deepEqual(l.synapse.pre, [[8, 9], [10, 11]]);
  t.deepEqual(l.synapse.post, [[12, 13], [14, 15]]);
  t.deepEqual([l.neuron.keep, l.neuron.update, l.synapse.keep, l.synapse.update], [16, 17, 18, 19 * SYNAPSE_UPDATE_SCALE]);
  t.deepEqual([l.synapse.saturation, l.synapse.rescaleTo, l.synapse.ojaMultiplier], [1, 1, 1]); // unsearched: defaults
  // a shared genome encodes into a per-layer config by repetition
  const per = blurGenome.resolveConfig({ perLayer: true, numLayers: 2 });
  t.deepEqual(blurGenome.encode(g, per), [...blurGenome.encode(g, c), ...blurGenome.encode(g, c)]);
  t.throws(() => blurGenome.encode(backpropGenome(3), c), { message: /k = 3 but the config wants k = 2/ });
});

test('bounds: keeps in [0, 1], saturation ≥ 0, rescaleTo in [1e-3, 10], the rest free', (t) => {
  const c = blurGenome.resolveConfig({ extras: ['saturation', 'rescaleTo', 'ojaMultiplier'] });
  const b = blurGenome.bounds(c)!;
  t.is(b.lower.length, 23);
  t.deepEqual(b.lower.slice(16), [0, -Infinity, 0, -Infinity, 0, 1e-3, -Infinity]);
  t.deepEqual(b.upper.slice(16), [1, Infinity, 1, Infinity, Infinity, 10, Infinity]);
  t.true(b.lower.slice(0, 16).every((v) => v === -Infinity));
});

test('blurGenomeFromFlat: slices equal decode, and tf.grads comes back in flat order', (t) => {
  const c = blurGenome.resolveConfig({ k: 3, perLayer: true, numLayers: 2, extras: ['rescaleTo'] });
  const x = randomVector(blurGenome.dim(c), 2);
  const g = blurGenome.decode(x, c);
  tf.tidy(() => {
    const xt = tf.tensor1d(x);
    const gt = blurGenomeFromFlat(tf, xt, c);
    t.is(gt.layers.length, 2);
    const l1 = gt.layers[1]!;
    const close = (a: number[] | number, b: number[] | number) => {
      const aa = ([] as number[]).concat(a);
      const bb = ([] as number[]).concat(b);
      t.true(aa.every((v, i) => Math.abs(v - bb[i]!) < 1e-6));
    };
    close(Array.from(l1.mu.dataSync()), g.layers[1]!.neuron.mu.flat());
    close(l1.synapseUpdate.dataSync()[0]!, g.layers[1]!.synapse.update);
    close(l1.rescaleTo.dataSync()[0]!, g.layers[1]!.synapse.rescaleTo);
    t.is(l1.saturation.dataSync()[0], 1);
    // d/dx of Σ (weights · every field) recovers the weights at each field's flat position
    const grad = tf.grad((v: tfjs.Tensor) => {
      const gg = blurGenomeFromFlat(tf, v as tfjs.Tensor1D, c);
      let s: tfjs.Tensor = tf.scalar(0);
      gg.layers.forEach((l, li) => {
        s = s.add(l.nu.sum().mul(1 + li * 100)).add(l.post.sum().mul(4 + li * 100)).add(l.synapseUpdate.mul(8 + li * 100));
        s = s.add(l.rescaleTo.mul(9 + li * 100)).add(l.saturation.mul(1000));
      });
      return s as tfjs.Scalar;
    })(xt);
    const d = 4 * 9 + 4 + 1;
    const gv = Array.from(grad.dataSync());
    for (const li of [0, 1]) {
      const at = li * d;
      t.deepEqual(gv.slice(at, at + 9), new Array<number>(9).fill(1 + li * 100));
      t.deepEqual(gv.slice(at + 27, at + 36), new Array<number>(9).fill(4 + li * 100));
      t.is(gv[at + 39], (8 + li * 100) * SYNAPSE_UPDATE_SCALE); // d(η_w)/dx = the scale
      t.is(gv[at + 40], 9 + li * 100);
    }
  });
});

test('validation errors name the field path and the fix', (t) => {
  const good = JSON.parse(JSON.stringify(backpropGenome(2))) as Record<string, unknown>;
  const bad = (mutate: (g: any) => void): unknown => {
    const g = JSON.parse(JSON.stringify(good));
    mutate(g);
    return g;
  };
  t.throws(() => validateBlurGenome(bad((g) => { g.layers[0].synapse.pre = [[1, 0], [0, 1], [1, 1]]; })),
    { message: 'layers[0].synapse.pre must be 2×2 (k = 2), got 3×2' });
  t.throws(() => validateBlurGenome(bad((g) => { g.k = 3; })), { message: /layers\[0\]\.neuron\.nu must be 3×3 \(k = 3\), got 2×2/ });
  t.throws(() => validateBlurGenome(bad((g) => { g.k = 1; })), { message: /k must be an integer from 2 to 16 \(got 1\)/ });
  t.throws(() => validateBlurGenome(bad((g) => { g.layers[0].neuron.keep = NaN; })), { message: /layers\[0\]\.neuron\.keep must be a finite number/ });
  t.throws(() => validateBlurGenome(bad((g) => { g.layers[0].neuron.mu[1][0] = Infinity; })), { message: /layers\[0\]\.neuron\.mu\[1\]\[0\] must be a finite number/ });
  t.throws(() => validateBlurGenome(bad((g) => { g.format = 'other'; })), { message: 'blur genome has unknown key format; valid keys: k, layers, network' });
  t.throws(() => validateBlurGenome(bad((g) => { g.layers = []; })), { message: /layers must be a non-empty list/ });
  t.throws(() => validateBlurGenome(bad((g) => { g.layers[0].synapse.lr = 1; })), { message: /layers\[0\]\.synapse has unknown key lr/ });
  t.throws(() => validateBlurGenome(bad((g) => { g.network.backwardUpdate = 'x'; })), { message: /network\.backwardUpdate must be one of additive, multiplicative/ });
  t.throws(() => validateBlurGenome(bad((g) => { delete g.layers[0].synapse.update; })), { message: /layers\[0\]\.synapse\.update must be a finite number \(got nothing\)/ });
  // optional scalars default to 1
  const v = validateBlurGenome(bad((g) => { delete g.layers[0].synapse.saturation; }));
  t.is(v.layers[0]!.synapse.saturation, 1);
});

test('save/load round trip; load errors name the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'blur-genome-'));
  const g = { ...randomBlurGenome(3, new Rng(4), { layers: 2 }), network: { normalizeSynapses: true } };
  g.layers[1]!.synapse.rescaleTo = 0.5;
  const p = join(dir, 'g.blur.json');
  saveBlurGenome(p, g, { notes: 'a test' });
  t.deepEqual(loadBlurGenome(p), g);
  const file = JSON.parse(readFileSync(p, 'utf8'));
  t.like(file, { format: 'evometa-genome', version: 2, kind: 'blur', meta: { notes: 'a test' } });
  // the settings the genome fits: its k, one layer genome per synapse layer, the extra that moved
  t.deepEqual(file.config, { k: 3, perLayer: true, numLayers: 2, extras: ['rescaleTo'] });
  t.regex(readFileSync(p, 'utf8'), /"nu": \[\n {12}\[-?[\d.e-]+, -?[\d.e-]+, -?[\d.e-]+\],/); // matrices read as rows
  writeFileSync(join(dir, 'bad.json'), '{"format": ');
  t.throws(() => loadBlurGenome(join(dir, 'bad.json')), { message: /genome file is damaged \(not valid JSON.*bad\.json/ });
  writeFileSync(join(dir, 'v2.json'), JSON.stringify({ format: 'evometa-blur-genome', version: 2, ...g }));
  t.throws(() => loadBlurGenome(join(dir, 'v2.json')), {
    message: `${join(dir, 'v2.json')}: unsupported version 2 of format "evometa-blur-genome"; this build reads its version 1 and genome files of format "evometa-genome"`,
  });
  writeFileSync(join(dir, 'k.json'), JSON.stringify({ ...file, config: { ...file.config, k: 2 } }));
  t.throws(() => loadBlurGenome(join(dir, 'k.json')), { message: `${join(dir, 'k.json')}: genome: k = 3 but the file's config has k = 2; make them agree` });
  t.throws(() => loadBlurGenome(join(dir, 'missing.json')), { message: /genome file not found: .*missing\.json/ });
  // a file that would not load is not written, and the old file stays
  t.throws(() => saveBlurGenome(p, { ...g, k: 1 }), { message: /k must be an integer from 2 to 16/ });
  t.deepEqual(loadBlurGenome(p), g);
});

test('random genome follows §1.7; backprop genome follows §1.8', (t) => {
  const r = randomBlurGenome(2, new Rng(1));
  const l = r.layers[0]!;
  t.deepEqual([l.neuron.keep, l.neuron.update, l.synapse.keep, l.synapse.update], [1, 1, 1, -1e-3]);
  t.true([l.neuron.nu, l.neuron.mu, l.synapse.pre, l.synapse.post].every((m) => m.flat().every((v) => v !== 0)));
  t.deepEqual(randomBlurGenome(2, new Rng(1)), r); // seeded
  const b = backpropGenome(2, 0.1).layers[0]!;
  t.deepEqual(b.neuron.nu, [[1, 1], [0, 0]]);
  t.deepEqual(b.neuron.mu, [[1, 0], [0, 1]]);
  t.deepEqual(b.synapse.pre, [[1, 0], [0, 1]]);
  t.deepEqual(b.synapse.post, [[0, 1], [1, 0]]);
  t.is(b.synapse.update, -0.1);
  t.is(backpropGenome(2).network?.backwardUpdate, 'multiplicative_second_state');
});

test('shipped reference genomes validate; backprop.blur.json equals backpropGenome(2)', (t) => {
  const bp: BlurGenome = loadBlurGenome(join(repoRoot, 'genomes', 'backprop.blur.json'));
  t.deepEqual(bp, backpropGenome(2));
  const rnd = loadBlurGenome(join(repoRoot, 'genomes', 'random.blur.json'));
  t.deepEqual(rnd, randomBlurGenome(2, new Rng(RANDOM_REFERENCE_SEED)));
  t.deepEqual(blurGenome.decode(blurGenome.encode(rnd, blurGenome.resolveConfig({})), blurGenome.resolveConfig({})), rnd);
});
