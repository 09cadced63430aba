import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/runtime/backend.js';
import { resolveHtConfig } from '../../../../src/models/ht/ht_config.js';
import { DEFAULT_FEW_SHOT_DATA } from '../../../../src/data/few_shot_data.js';
import { trainAndScore } from '../../../../tasks/ht/few_shot_run.js';
import { learningRateAt, summarize } from '../../../../src/models/ht/ht_training.js';
import { initFewShotModel } from '../../../../src/models/ht/few_shot_model.js';
import { disposeTree } from '../../../../src/models/nn/tensor_tree.js';

test.before(async () => {
  await initBackend('wasm');
});

const run = (kind: 'hypertransformer' | 'protonet', steps: number, extra: Record<string, unknown> = {}, evalEpisodes = 200) =>
  trainAndScore(tf, {
    kind, config: resolveHtConfig({ ways: 2, channels: 4, episodesPerStep: 2, ...extra }), data: DEFAULT_FEW_SHOT_DATA,
    steps, seed: 1, evalEpisodes, evalSource: 'test', evalSeed: 0,
  });

test.serial('an HT trained 250 steps on 2-way 1-shot episodes beats chance clearly on held-out classes', async (t) => {
  const before = tf.memory().numTensors;
  const r = await run('hypertransformer', 250);
  // Chance is 50 %; the whole 95 % interval must lie well above it.
  t.true(r.score.accuracy - r.score.ci95 > 0.6, `held-out accuracy ${r.score.accuracy} ± ${r.score.ci95}`);
  const first = r.history.slice(0, 25).reduce((a, p) => a + p.loss, 0) / 25;
  const last = r.history.slice(-25).reduce((a, p) => a + p.loss, 0) / 25;
  t.true(last < first, `training loss ${first} → ${last}`);
  disposeTree(tf, r.model.params);
  t.is(tf.memory().numTensors, before, 'training and evaluation leak no tensors');
});

test.serial('the same seed gives the same training run and the same held-out score', async (t) => {
  const a = await run('hypertransformer', 4, { generatedConvLayers: 1 }, 10);
  const b = await run('hypertransformer', 4, { generatedConvLayers: 1 }, 10);
  t.deepEqual(a.history.map((p) => p.loss), b.history.map((p) => p.loss));
  t.is(a.score.accuracy, b.score.accuracy);
  const p = await run('protonet', 4, {}, 10);
  t.true(p.history.every((h) => Number.isFinite(h.loss)));
  for (const r of [a, b, p]) disposeTree(tf, r.model.params);
});

test('learning-rate schedule and interval arithmetic', async (t) => {
  const m = initFewShotModel(tf, 'protonet', resolveHtConfig({ learningRate: 0.02, decayRate: 0.5, decaySteps: 100 }), 0);
  t.is(learningRateAt(m, 0), 0.02);
  t.true(Math.abs(learningRateAt(m, 100) - 0.01) < 1e-12);
  t.true(Math.abs(learningRateAt(m, 50) - 0.02 * Math.SQRT1_2) < 1e-12);
  disposeTree(tf, m.params);
  const s = summarize([0, 1, 0, 1]);
  t.is(s.mean, 0.5);
  t.true(Math.abs(s.std - Math.sqrt(1 / 3)) < 1e-12);
  t.true(Math.abs(s.ci95 - (1.96 * Math.sqrt(1 / 3)) / 2) < 1e-12);
});
