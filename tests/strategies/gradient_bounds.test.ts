import test from 'ava';
import { metagrad } from '../../strategies/metagrad.js';
import { esGrad } from '../../strategies/es_grad.js';
import type { Evaluation } from '../../src/core/types.js';

// Candidates must lie inside the declared bounds (strategy.ts); a gradient pushing past a bound stops there.
test('metagrad keeps x inside the bounds (projected Adam step)', (t) => {
  const s = metagrad.init({ x0: [0.99, 0], sigma0: 0.1, seed: 1, popsize: 1, bounds: { lower: [0, -Infinity], upper: [1, Infinity] } });
  for (let g = 0; g < 5; g++) {
    const cands = metagrad.ask(s);
    for (const c of cands) t.true(c.x[0]! >= 0 && c.x[0]! <= 1);
    const evals: Evaluation[] = cands.map(() => ({ status: 'ok', fitness: 1, grad: [-1, -1] }));
    metagrad.tell(s, cands, evals);
  }
  t.is(s.x[0], 1);
  t.true(s.x[1]! > 0.4); // the unbounded coordinate moves freely
});

test('metagrad without bounds is unchanged', (t) => {
  const s = metagrad.init({ x0: [0.99], sigma0: 0.1, seed: 1, popsize: 1 });
  const cands = metagrad.ask(s);
  metagrad.tell(s, cands, [{ status: 'ok', fitness: 1, grad: [-1] }]);
  t.true(Math.abs(s.x[0]! - 1.09) < 1e-6);
});

test('es-grad: every candidate lies inside the bounds and x stays inside', (t) => {
  const s = esGrad.init({ x0: [0.95, 0], sigma0: 0.3, seed: 2, params: { pairs: 4, learningRate: 0.2 }, bounds: { lower: [0, -Infinity], upper: [1, Infinity] } });
  for (let g = 0; g < 20; g++) {
    const cands = esGrad.ask(s);
    for (const c of cands) t.true(c.x[0]! >= 0 && c.x[0]! <= 1, `${c.x}`);
    // f decreases as x[0] grows: the optimum is on the upper bound.
    esGrad.tell(s, cands, cands.map((c) => ({ status: 'ok' as const, fitness: -c.x[0]! + c.x[1]! ** 2 })));
    t.true(s.x[0]! >= 0 && s.x[0]! <= 1);
  }
  t.true(s.x[0]! > 0.99, `x ${s.x}`);
});
