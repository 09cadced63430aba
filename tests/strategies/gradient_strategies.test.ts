import test from 'ava';
import { adamInit, adamStep } from '../../strategies/adam.js';
import { metagrad, meanGradient } from '../../strategies/metagrad.js';
import { esGrad, centredRanks } from '../../strategies/es_grad.js';
import { runSearch } from '../../src/search.js';
import { resolveRunConfig } from '../../src/engine/run_config.js';
import { join } from 'node:path';
import { tempDir } from '../helpers/run_files.js';

test('Adam: the first step, worked out by hand', (t) => {
  const x = [1, -1];
  const s = adamInit(2);
  // m = 0.1·g, v = 0.001·g², bias-corrected m̂ = g, v̂ = g²: the step is lr·sign(g) (up to ε).
  t.true(adamStep(x, [2, -0.5], s, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }));
  t.true(Math.abs(x[0]! - 0.9) < 1e-8 && Math.abs(x[1]! + 0.9) < 1e-8, `${x}`);
  t.is(s.t, 1);
  t.false(adamStep(x, [Number.NaN, 1], s, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }));
  t.is(s.t, 1);
});

test('metagrad averages only the usable gradients', (t) => {
  const m = meanGradient(2, [
    { status: 'ok', fitness: 1, grad: [1, 2] },
    { status: 'ok', fitness: 3, grad: [3, 4] },
    { status: 'error', fitness: Number.NaN },
    { status: 'ok', fitness: 2, grad: [Number.NaN, 0] },
  ]);
  t.deepEqual(m, { grad: [2, 3], loss: 2, used: 2 });
  t.is(meanGradient(2, [{ status: 'timeout', fitness: Number.NaN }]), null);
});

test('centred ranks: best -0.5, worst +0.5, failures worst', (t) => {
  t.deepEqual(centredRanks([{ status: 'ok', fitness: 3 }, { status: 'error', fitness: Number.NaN }, { status: 'ok', fitness: 1 }]), [0, 0.5, -0.5]);
});

test('metagrad fits linear regression through the engine with TensorFlow.js gradients', async (t) => {
  const config = resolveRunConfig(
    { task: 'linear-regression', strategy: 'metagrad', dim: 4, x0: 0, sigma0: 0.05, 'max-generations': 250, workers: 0, backend: 'cpu', seed: 1, 'strategy-params': { metaBatch: 2 } },
    () => 0,
  );
  const s = await runSearch(config, join(tempDir(), 'run'));
  // Noise std 0.1: the least-squares optimum has MSE ≈ 0.01.
  t.true(s.bestFitness! < 0.015, `best ${s.bestFitness}`);
  t.is(s.evaluations, 500);
});

test('es-grad descends the sphere and shares one seed per antithetic pair', (t) => {
  const state = esGrad.init({ x0: [2, -1, 1, 0.5], sigma0: 0.1, seed: 3, params: { pairs: 6, learningRate: 0.05 } });
  const cs = esGrad.ask(state);
  t.deepEqual(cs.map((c) => c.seedIndex), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  t.deepEqual(cs[0]!.x.map((v, i) => v + cs[1]!.x[i]!), [4, -2, 2, 1].map((v) => v)); // x+σε and x−σε average to x
  esGrad.tell(state, cs, cs.map((c) => ({ status: 'ok' as const, fitness: c.x.reduce((a, v) => a + v * v, 0) })));
  for (let g = 0; g < 400; g++) {
    const c = esGrad.ask(state);
    esGrad.tell(state, c, c.map((k) => ({ status: 'ok' as const, fitness: k.x.reduce((a, v) => a + v * v, 0) })));
  }
  const f = state.x.reduce((a, v) => a + v * v, 0);
  t.true(f < 1e-2, `f(x) = ${f}`);
  t.throws(() => metagrad.init({ x0: [0], sigma0: 1, seed: 0, params: { lr: 1 } }), { message: /metagrad: unknown parameter 'lr'; valid parameters are: metaBatch, learningRate/ });
});
