/** Every registered strategy keeps the contract: JSON state, seeded determinism, failures never corrupt it. */
import test from 'ava';
import { STRATEGIES } from '../../strategies/index.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { Strategy, StrategyState } from '../../src/core/strategy.js';

/** Sphere with its gradient, so gradient strategies can run too. */
function evaluate(c: Candidate): Evaluation {
  const fitness = c.x.reduce((a, v) => a + v * v, 0);
  return c.wants === 'fitness+grad' ? { status: 'ok', fitness, grad: c.x.map((v) => 2 * v) } : { status: 'ok', fitness };
}

/** Strategy-specific settings the shared start point needs (the GA must be told how many choices a position has). */
const PARAMS: Record<string, Record<string, unknown>> = { 'ga-ordering': { choices: 5 } };
const start = (name: string, seed: number) => ({ x0: [1, -2, 0.5, 3, -1], sigma0: 0.3, seed, params: PARAMS[name] ?? {} });

function run(s: Strategy<StrategyState>, generations: number, roundTrip: boolean): number[][] {
  let state = s.init(start(s.name, 17));
  const trace: number[][] = [];
  for (let g = 0; g < generations; g++) {
    if (roundTrip) state = JSON.parse(JSON.stringify(state)) as StrategyState;
    const cs = s.ask(state);
    trace.push(cs.flatMap((c) => c.x));
    if (roundTrip) state = JSON.parse(JSON.stringify(state)) as StrategyState;
    s.tell(state, cs, cs.map(evaluate));
  }
  return trace;
}

for (const [name, s] of Object.entries(STRATEGIES)) {
  test(`${name}: a JSON round trip between every ask and tell changes nothing`, (t) => {
    t.deepEqual(run(s, 25, true), run(s, 25, false));
  });

  test(`${name}: candidates have the right length and are finite; best improves on the sphere`, (t) => {
    const state = s.init(start(name, 5));
    const f0 = 1 + 4 + 0.25 + 9 + 1;
    for (let g = 0; g < 60; g++) {
      const cs = s.ask(state);
      t.true(cs.length >= 1);
      for (const c of cs) t.true(c.x.length === 5 && c.x.every(Number.isFinite));
      s.tell(state, cs, cs.map(evaluate));
    }
    t.true(state.best !== null && state.best.fitness < f0 / 4, `${name} best ${state.best?.fitness}`);
    t.is(state.generation, 60);
  });

  test(`${name}: a generation of failures and NaNs leaves the state finite and the best unchanged`, (t) => {
    const state = s.init(start(name, 9));
    const cs0 = s.ask(state);
    s.tell(state, cs0, cs0.map(evaluate));
    const best = JSON.stringify(state.best);
    const cs = s.ask(state);
    const bad: Evaluation[] = cs.map((c, i) =>
      i % 3 === 0 ? { status: 'error', fitness: Number.NaN, error: 'boom' } : i % 3 === 1 ? { status: 'ok', fitness: Number.NaN, grad: c.x.map(() => Number.NaN) } : { status: 'timeout', fitness: Number.NaN },
    );
    s.tell(state, cs, bad);
    t.is(JSON.stringify(state.best), best);
    t.true(Number.isFinite(state.sigma));
    t.is(state.generation, 2);
    const next = s.ask(state);
    t.true(next.every((c) => c.x.every(Number.isFinite)));
  });
}
