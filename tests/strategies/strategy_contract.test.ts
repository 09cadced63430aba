/**
 * Every registered strategy keeps the contract: JSON state, seeded determinism, failures never corrupt it, a
 * feasible `point` and a consistent `warmStart`.
 */
import test from 'ava';
import { STRATEGIES } from '../../strategies/index.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../../src/core/strategy.js';

/** Sphere with its gradient, so gradient strategies can run too. */
function evaluate(c: Candidate): Evaluation {
  const fitness = c.x.reduce((a, v) => a + v * v, 0);
  return c.wants === 'fitness+grad' ? { status: 'ok', fitness, grad: c.x.map((v) => 2 * v) } : { status: 'ok', fitness };
}

/** The shared start point; the GA searches a categorical space (here one variable with 5 categories), as a genome kind declares it. */
const start = (name: string, seed: number): StrategyOptions => ({
  x0: [1, -2, 0.5, 3, -1],
  sigma0: 0.3,
  seed,
  ...(name === 'ga-ordering' ? { categorical: { categories: [5] } } : {}),
});

/** A box around x0 (holding 0 and 1, the GA's one-hot values) that excludes the shifted optimum below on four coordinates. */
const BOUNDS = { lower: [-1, -3, 0, 0, -2], upper: [2, 1, 1, 4, 1] };
const OPTIMUM = [3, -5, 0.5, -1, 2];

/** Sphere around OPTIMUM, with its gradient: the bounds are active, so strategies must keep their point inside. */
function evaluateShifted(c: Candidate): Evaluation {
  const d = c.x.map((v, i) => v - OPTIMUM[i]!);
  const fitness = d.reduce((a, v) => a + v * v, 0);
  return c.wants === 'fitness+grad' ? { status: 'ok', fitness, grad: d.map((v) => 2 * v) } : { status: 'ok', fitness };
}

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

  test(`${name}: point is a finite vector of length n inside the bounds; the state's JSON round trip is exact`, (t) => {
    const state = s.init({ ...start(name, 11), bounds: BOUNDS });
    t.is(s.point(state).length, 5);
    for (let g = 0; g < 8; g++) {
      const cs = s.ask(state);
      s.tell(state, cs, cs.map(evaluateShifted));
      const p = s.point(state);
      t.is(p.length, 5);
      p.forEach((v, i) => t.true(Number.isFinite(v) && v >= BOUNDS.lower[i]! && v <= BOUNDS.upper[i]!, `generation ${g}: point[${i}] = ${v}`));
    }
    const copy = JSON.parse(JSON.stringify(state)) as StrategyState;
    t.deepEqual(copy, state);
    t.deepEqual(s.point(copy), s.point(state));
    // The point is a copy: changing it leaves the state alone.
    const before = JSON.stringify(state);
    s.point(state).fill(NaN);
    t.is(JSON.stringify(state), before);
  });

  test(`${name}: a warm start, where the strategy has one, starts from its point with a positive σ and JSON params`, (t) => {
    const state = s.init({ ...start(name, 12), bounds: BOUNDS });
    for (let g = 0; g < 4; g++) {
      const cs = s.ask(state);
      s.tell(state, cs, cs.map(evaluateShifted));
    }
    if (!s.warmStart) {
      t.true(['metagrad', 'es-grad', 'ga-ordering'].includes(name), `${name} should carry its distribution to a warm start`);
      return;
    }
    const w = s.warmStart(state);
    t.deepEqual(w.x0, s.point(state));
    t.true(Number.isFinite(w.sigma0) && w.sigma0 > 0);
    t.deepEqual(JSON.parse(JSON.stringify(w.params)), w.params);
    // What a warm-started search needs is accepted by the strategy itself.
    const next = s.init({ ...start(name, 13), bounds: BOUNDS, x0: w.x0, sigma0: w.sigma0, params: w.params });
    t.deepEqual(s.point(next), w.x0);
  });
}
