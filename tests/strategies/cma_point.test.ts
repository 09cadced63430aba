/**
 * The CMA-ES family's `point` and `warmStart` give exactly what the run store read from the state before they
 * existed: the mean mirrored into the box (a restart strategy's current inner run's), σ, and √C_ii as `stds`.
 */
import test from 'ava';
import { STRATEGIES } from '../../strategies/index.js';
import { reflectIntoBounds, type CmaState } from '../../strategies/cma_es.js';
import type { RestartState } from '../../strategies/restarts.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { StrategyState } from '../../src/core/strategy.js';

/** Ellipsoid around a point outside the box, so the mean leaves it and the reflection matters. */
function evaluate(c: Candidate): Evaluation {
  return { status: 'ok', fitness: c.x.reduce((a, v, i) => a + 10 ** i * (v - 2.5) ** 2, 0) };
}

const bounds = { lower: [0, 0, -1, 0], upper: [1, 2, 1, 1] };

for (const name of ['cmaes', 'sep-cmaes', 'ipop-cmaes', 'bipop-cmaes']) {
  test(`${name}: point and warmStart are the (inner) mean mirrored into the box, σ and √C_ii`, (t) => {
    const s = STRATEGIES[name]!;
    // tolstagnation 10 makes the restart strategies restart within the run (from generation 10), so their inner run is not the first.
    const state = s.init({ x0: [0.5, 1, 0, 0.5], sigma0: 0.5, seed: 7, bounds, params: { tolstagnation: 10 } });
    let outside = false;
    for (let g = 0; g < 40; g++) {
      const cs = s.ask(state);
      s.tell(state, cs, cs.map(evaluate));
      const inner: CmaState = 'inner' in state ? (state as RestartState).inner : (state as StrategyState as CmaState);
      outside ||= inner.mean.some((v, i) => v < bounds.lower[i]! || v > bounds.upper[i]!);
      // What src/store/run_point.ts and run_export.ts computed from the checkpoint before.
      const n = inner.dimension;
      const stds = Array.from({ length: n }, (_, i) => Math.sqrt(inner.params.diagonal ? inner.C[i]! : inner.C[i * n + i]!));
      const mirrored = reflectIntoBounds(inner.mean, inner.bounds);
      t.deepEqual(s.point(state), mirrored);
      t.deepEqual(s.warmStart!(state), { x0: mirrored, sigma0: inner.sigma, params: { stds } });
    }
    t.true(outside, 'the mean never left the box, so the reflection went untested');
    if (name.endsWith('pop-cmaes')) t.true((state as RestartState).restart > 0, `${name} did not restart`);
  });
}
