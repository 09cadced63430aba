import test from 'ava';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { Rng } from '../../../src/core/rng.js';
import { sampleIclBatch } from '../../../src/data/linear_regression_icl.js';
import { gdPredict, halfMeanSquaredError } from '../../../src/models/lsa/gradient_descent.js';
import { gdConstructionWeights } from '../../../src/models/lsa/gd_construction.js';
import { lsaWeightsGenome } from '../../../genomes/lsa_weights.js';
import { iclLinearRegressionTask } from '../../../tasks/icl/icl_lsa_task.js';
import { iclGdTask } from '../../../tasks/icl/icl_gd_task.js';
import { TASKS } from '../../../tasks/index.js';
import type { TaskContext } from '../../../src/core/task.js';

test.before(async () => {
  await initBackend('cpu');
});

const ctx = (seed: number, wants: TaskContext['wants'] = 'fitness'): TaskContext => ({ seed, wants, genomeKind: 'lsa-weights', genomeConfig: {} });

test('both tasks are registered', (t) => {
  t.is(TASKS['icl-linear-regression'], iclLinearRegressionTask);
  t.is(TASKS['icl-gd'], iclGdTask);
});

test('the constructed LSA scores the loss of one GD step on the same tasks (fresh tasks from the evaluation seed)', async (t) => {
  const kc = lsaWeightsGenome.resolveConfig({ nx: 4 });
  const genome = lsaWeightsGenome.decode(gdConstructionWeights(kc, 1.5, 10), kc);
  const c = iclLinearRegressionTask.resolveConfig({ batchSize: 128 });
  const r = await iclLinearRegressionTask.evaluate(genome, c, ctx(5));
  const data = sampleIclBatch(128, { nx: 4, n: 10, inputRange: 1, weightScale: 1 }, 5);
  const want = halfMeanSquaredError(gdPredict(data, 1.5, 1), data.yq);
  t.true(Math.abs(r.fitness - want) < 1e-5 * want, `${r.fitness} vs ${want}`);
  t.not((await iclLinearRegressionTask.evaluate(genome, c, ctx(6))).fitness, r.fitness);
  const fixed = iclLinearRegressionTask.resolveConfig({ batchSize: 128, dataSeed: 5 });
  t.is((await iclLinearRegressionTask.evaluate(genome, fixed, ctx(6))).fitness, r.fitness);
});

test("icl-linear-regression's gradient with respect to the search vector matches central differences", async (t) => {
  const kc = lsaWeightsGenome.resolveConfig({ nx: 3, layers: 2 });
  const x = lsaWeightsGenome.encode(lsaWeightsGenome.random(kc, new Rng(2)), kc).map((v) => v * 30);
  const c = iclLinearRegressionTask.resolveConfig({ batchSize: 64 });
  const tf = getTf();
  const before = tf.memory().numTensors;
  const r = await iclLinearRegressionTask.evaluate(lsaWeightsGenome.decode(x, kc), c, ctx(3, 'fitness+grad'));
  t.is(tf.memory().numTensors, before, 'no tensor left behind');
  t.is(r.grad!.length, x.length);
  // the coordinates with the largest gradients, where float32 central differences are informative
  const coords = r.grad!.map((g, i) => [Math.abs(g), i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, i]) => i);
  for (const i of coords) {
    const h = 1e-2;
    const at = async (v: number) => (await iclLinearRegressionTask.evaluate(lsaWeightsGenome.decode(x.map((e, j) => (j === i ? v : e)), kc), c, ctx(3))).fitness;
    const fd = (await at(x[i]! + h) - await at(x[i]! - h)) / (2 * h);
    t.true(Math.abs(fd - r.grad![i]!) < 0.02 * Math.abs(fd) + 1e-4, `coordinate ${i}: ${r.grad![i]} vs ${fd}`);
  }
});

test('icl-gd: the loss of K GD steps at η = 10^x, its derivative by log10 η, and a fixed batch with dataSeed', async (t) => {
  const c = iclGdTask.resolveConfig({ nx: 4, steps: 2, batchSize: 256, dataSeed: 9 });
  const data = sampleIclBatch(256, { nx: 4, n: 10, inputRange: 1, weightScale: 1 }, 9);
  const r = await iclGdTask.evaluate([0.2], c, ctx(1, 'fitness+grad'));
  t.true(Math.abs(r.fitness - halfMeanSquaredError(gdPredict(data, 10 ** 0.2, 2), data.yq)) < 1e-12);
  t.true(Math.abs(r.metrics!['eta']! - 10 ** 0.2) < 1e-12);
  const h = 1e-5;
  const fd = ((await iclGdTask.evaluate([0.2 + h], c, ctx(2))).fitness - (await iclGdTask.evaluate([0.2 - h], c, ctx(3))).fitness) / (2 * h);
  t.true(Math.abs(r.grad![0]! - fd) < 1e-6 * Math.max(1, Math.abs(fd)), `${r.grad![0]} vs ${fd}`);
  const fresh = iclGdTask.resolveConfig({ nx: 4, steps: 2, batchSize: 256 });
  t.is((await iclGdTask.evaluate([0.2], fresh, ctx(9))).fitness, r.fitness);
  t.not((await iclGdTask.evaluate([0.2], fresh, ctx(10))).fitness, r.fitness);
});

test('bad settings and genomes are named', async (t) => {
  t.throws(() => iclLinearRegressionTask.resolveConfig({ batch: 3 }), { message: 'unknown task config key batch; valid keys: n, batchSize, inputRange, weightScale, dataSeed' });
  t.throws(() => iclGdTask.resolveConfig({ steps: 0 }), { message: "task config 'steps' must be an integer >= 1 and <= 1000 (got 0)" });
  t.throws(() => iclGdTask.resolveConfig({ inputRange: 0 }), { message: /task config 'inputRange' must be a number >= 0.000001/ });
  await t.throwsAsync(async () => iclGdTask.evaluate([0, 1], iclGdTask.resolveConfig({}), ctx(1)), { message: /icl-gd searches one number, log10 of the learning rate: use --dim 1/ });
});
