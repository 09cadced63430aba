import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/runtime/backend.js';
import { resolveHtConfig } from '../../../src/models/ht/ht_config.js';
import { resolveContinualSettings } from '../../../src/models/ht/continual/cht_config.js';
import { DEFAULT_FEW_SHOT_DATA } from '../../../src/data/few_shot_data.js';
import { trainAndScoreContinual } from '../../../tasks/cht/continual_run.js';
import { disposeTree } from '../../../src/models/nn/tensor_tree.js';

test.before(async () => {
  await initBackend('wasm');
});

test.serial('a Continual HT meta-trained 80 steps beats chance on test classes, class-incremental, after 2 tasks; no tensor leaks', async (t) => {
  const before = tf.memory().numTensors;
  const r = await trainAndScoreContinual(tf, {
    kind: 'cht',
    config: resolveHtConfig({ ways: 2, shots: 5, queries: 5, channels: 4, transformerLayers: 1, embeddingDim: 16, episodesPerStep: 1 }),
    settings: resolveContinualSettings({ tasks: 2, embedding: 8 }),
    data: DEFAULT_FEW_SHOT_DATA, steps: 80, seed: 2, validateEvery: 40, validationSequences: 10,
    test: { source: 'test', sequences: 60, tasks: 2, scenario: 'class-incremental', evalSeed: 0 },
  });
  const [first, second] = r.test!.seenSoFar as [number, number];
  const [, ci] = r.test!.ci95 as [number, number];
  t.log(`after 1 task ${first}, after 2 tasks ${second} ± ${ci}`);
  // After 1 task: 2-way, chance 50 %. After 2 tasks: 4 distinct test classes compete, chance 25 %.
  t.true(first > 0.6, `accuracy after 1 task ${first}`);
  t.true(second - ci > 0.35, `accuracy after 2 tasks ${second} ± ${ci}`);
  t.deepEqual(r.validation.map((v) => v.step), [40, 80]);
  t.is(r.validationScore, Math.max(...r.validation.map((v) => v.score)));
  const early = r.history.slice(0, 10).reduce((a, p) => a + p.loss, 0) / 10;
  const late = r.history.slice(-10).reduce((a, p) => a + p.loss, 0) / 10;
  t.true(late < early, `training loss ${early} → ${late}`);
  disposeTree(tf, r.model.params);
  t.is(tf.memory().numTensors, before, 'training, checkpoints and evaluation leak no tensors');
});
