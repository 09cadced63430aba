import test from 'ava';
import { linearRegressionTask, regressionProblem } from '../../tasks/linear_regression.js';
import { initBackend } from '../../src/runtime/backend.js';

test.before(async () => {
  await initBackend('cpu');
});

test('fitness is the MSE and its gradient matches finite differences', async (t) => {
  const config = linearRegressionTask.resolveConfig({ samples: 64, noise: 0 });
  const dim = 4;
  const wStar = [1 / 4, -2 / 4, 3 / 4, -4 / 4];
  const atOptimum = await linearRegressionTask.evaluate(wStar, config, { seed: 0, wants: 'fitness', genomeKind: 'vector', genomeConfig: {} });
  t.true(atOptimum.fitness < 1e-10, `${atOptimum.fitness}`);
  const w = [0.3, 0.1, -0.2, 0.5];
  const r = await linearRegressionTask.evaluate(w, config, { seed: 0, wants: 'fitness+grad', genomeKind: 'vector', genomeConfig: {} });
  // Reference in float64 from the same data.
  const { x, y } = regressionProblem(dim, config);
  let mse = 0;
  const g = [0, 0, 0, 0];
  for (let i = 0; i < 64; i++) {
    let e = -y[i]!;
    for (let j = 0; j < dim; j++) e += x[i * dim + j]! * w[j]!;
    mse += (e * e) / 64;
    for (let j = 0; j < dim; j++) g[j]! += (2 * e * x[i * dim + j]!) / 64;
  }
  t.true(Math.abs(r.fitness - mse) < 1e-5 * mse);
  r.grad!.forEach((v, j) => t.true(Math.abs(v - g[j]!) < 1e-4 * Math.max(1, Math.abs(g[j]!)), `grad[${j}] ${v} vs ${g[j]}`));
});

test('bad settings name the field', (t) => {
  t.throws(() => linearRegressionTask.resolveConfig({ samples: 0 }), { message: /task config 'samples' must be an integer >= 1/ });
  t.throws(() => linearRegressionTask.resolveConfig({ sample: 3 }), { message: /unknown task config key sample; valid keys: samples, dataSeed, noise/ });
});

test('the batched evaluation equals one evaluation per genome', async (t) => {
  const config = linearRegressionTask.resolveConfig({});
  const ws = [
    [0.1, 0.2, 0.3],
    [-1, 0, 1],
    [0.5, -0.5, 0.25],
  ];
  const batch = await linearRegressionTask.evaluateBatch!(ws, config, { seed: 0, wants: 'fitness', genomeKind: 'vector', genomeConfig: {} });
  for (let i = 0; i < ws.length; i++) {
    const one = await linearRegressionTask.evaluate(ws[i]!, config, { seed: 0, wants: 'fitness', genomeKind: 'vector', genomeConfig: {} });
    t.true(Math.abs(batch[i]!.fitness - one.fitness) <= 1e-6 * one.fitness, `${batch[i]!.fitness} vs ${one.fitness}`);
  }
});
