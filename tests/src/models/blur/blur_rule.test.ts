/**
 * The decoded BLUR rule: a rule becomes constant tensors field by field, and a genome's flat vector handed over as a
 * FlatBlurRule (tasks/blur/flat_blur_rule.ts) slices into the same tensors as the decoded genome, shared or per layer.
 */
import test from 'ava';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { blurRuleTensors, type BlurRuleTensors } from '../../../../src/models/blur/blur_rule.js';
import { backpropGenome, blurGenome } from '../../../../genomes/blur_genome.js';
import { flatBlurRule } from '../../../../tasks/blur/flat_blur_rule.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

/** Every field of every layer as plain numbers, for comparing two tensor forms of a rule. */
function values(r: BlurRuleTensors): number[][] {
  return r.layers.map((l) => [l.nu, l.mu, l.pre, l.post, l.neuronKeep, l.neuronUpdate, l.synapseKeep, l.synapseUpdate, l.saturation, l.rescaleTo, l.ojaMultiplier].flatMap((x) => Array.from(x.dataSync())));
}

test('blurRuleTensors: the backprop rule as k×k matrices and scalars, field by field', (t) => {
  const before = tf.memory().numTensors;
  const r = blurRuleTensors(tf, backpropGenome(2, 0.05));
  t.is(r.k, 2);
  t.is(r.layers.length, 1);
  const l = r.layers[0]!;
  t.deepEqual(l.nu.shape, [2, 2]);
  t.deepEqual(Array.from(l.nu.dataSync()), [1, 1, 0, 0]);
  t.deepEqual(Array.from(l.post.dataSync()), [0, 1, 1, 0]);
  t.deepEqual(l.synapseUpdate.shape, []);
  t.true(Math.abs(l.synapseUpdate.dataSync()[0]! + 0.05) < 1e-7);
  t.deepEqual([l.neuronKeep, l.neuronUpdate, l.synapseKeep, l.saturation, l.rescaleTo, l.ojaMultiplier].map((s) => s.dataSync()[0]), [1, 1, 1, 1, 1, 1]);
  tf.dispose(r.layers.flatMap((x) => Object.values(x)));
  t.is(tf.memory().numTensors, before);
});

test('flatBlurRule: dim and layer count of the genome config; its slices equal the decoded genome', (t) => {
  for (const raw of [{ k: 3 }, { k: 2, perLayer: true, numLayers: 3, extras: ['saturation', 'ojaMultiplier'] }]) {
    const config = blurGenome.resolveConfig(raw);
    const rule = flatBlurRule(config);
    t.is(rule.dim, blurGenome.dim(config));
    t.is(rule.k, config.k);
    t.is(rule.layers, config.perLayer ? config.numLayers : 1);
    const rng = new Rng(4);
    const x = Array.from({ length: rule.dim }, () => rng.normal());
    tf.tidy(() => {
      const sliced = values(rule.fromFlat(tf, tf.tensor1d(x)));
      const decoded = values(blurRuleTensors(tf, blurGenome.decode(x, config)));
      t.is(sliced.length, rule.layers);
      sliced.forEach((layer, i) => t.true(layer.every((v, j) => Math.abs(v - decoded[i]![j]!) < 1e-6), `${JSON.stringify(raw)} layer ${i}`));
    });
  }
});
