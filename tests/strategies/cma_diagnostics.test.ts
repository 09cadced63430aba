import test from 'ava';
import { cmaes, sepCmaes, type CmaState } from '../../strategies/cma_es.js';
import { bipopCmaes, ipopCmaes } from '../../strategies/restarts.js';
import { cmaDiagnostics } from '../../strategies/cma_diagnostics.js';

test('at the start, C = I with the stds a fixed scaling outside it (pycma CMA_stds): the scales are σ0·stds, the axis ratio of C is 1, the mean x0', (t) => {
  for (const s of [cmaes, sepCmaes]) {
    const state = s.init({ x0: [1, -2, 3], sigma0: 0.5, seed: 1, params: { stds: [1, 4, 2] } });
    t.deepEqual(s.diagnostics!(state), { axisRatio: 1, scales: [0.5, 2, 1], mean: [1, -2, 3] }, s.name);
  }
});

test('after generations: σ·√C_ii of the state and max D / min D of its eigendecomposition', (t) => {
  const state = cmaes.init({ x0: [3, 3, 3, 3], sigma0: 1, seed: 2 }) as CmaState;
  for (let g = 0; g < 30; g++) {
    const cands = cmaes.ask(state);
    cmaes.tell(state, cands, cands.map((c) => ({ fitness: c.x.reduce((a, v, i) => a + 10 ** i * v * v, 0), status: 'ok' as const })));
  }
  const d = cmaDiagnostics(state);
  const n = 4;
  t.deepEqual(d.scales, [0, 1, 2, 3].map((i) => state.sigma * Math.sqrt(state.C[i * n + i]!)));
  t.is(d.axisRatio, Math.max(...state.D) / Math.min(...state.D));
  // An ellipsoid with axis scales 1 … 10^1.5 apart: CMA-ES has learned part of that shape.
  t.true(d.axisRatio! > 3, `axis ratio ${d.axisRatio}`);
  t.deepEqual(d.mean, state.mean);
  t.not(d.mean, state.mean); // a copy: the record never aliases the state
});

test("a restart strategy reports its current inner run's distribution", (t) => {
  for (const s of [ipopCmaes, bipopCmaes]) {
    const state = s.init({ x0: [0.5, 0.5], sigma0: 0.3, seed: 3 });
    t.deepEqual(s.diagnostics!(state), cmaDiagnostics(state.inner), s.name);
  }
});
