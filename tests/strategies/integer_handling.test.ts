/**
 * Integer handling in the CMA-ES family: coordinates declared `integers` keep a marginal standard
 * deviation σ·√C_ii ≥ params.integerMinStd, so a search does not freeze on a rounding plateau.
 */
import test from 'ava';
import { cmaes, cmaParameters, sepCmaes, type CmaState } from '../../strategies/cma_es.js';
import { ipopCmaes } from '../../strategies/restarts.js';
import type { Evaluation } from '../../src/core/types.js';
import type { Strategy, StrategyOptions } from '../../src/core/strategy.js';

const ok = (fitness: number): Evaluation => ({ status: 'ok', fitness });

/** Two integer coordinates with the optimum on the plateau round(x) = 3 (f ≥ 0.32), then a continuous sphere. */
const K = 2;
function plateau(x: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += i < K ? (Math.round(x[i]!) - 3.4) ** 2 : x[i]! * x[i]!;
  return s;
}
const INTS = [0, 1];
const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);

/** Start on the wrong plateau (0) with the continuous part already solved: σ shrinks from the start. */
function start(seed: number, extra: Partial<StrategyOptions> = {}): StrategyOptions {
  return { x0: [0, 0, 0, 0], sigma0: 0.1, seed, ...extra };
}

/** σ·√C_ii as stored, and as sampled (σ·√(B·D²·Bᵀ)_ii from the decomposition `ask` uses). */
function marginalStd(s: CmaState, i: number): { stored: number; sampled: number } {
  const n = s.dimension;
  if (s.params.diagonal) return { stored: s.sigma * Math.sqrt(s.C[i]!), sampled: s.sigma * s.D[i]! };
  let v = 0;
  for (let k = 0; k < n; k++) v += s.B[i * n + k]! ** 2 * s.D[k]! ** 2;
  return { stored: s.sigma * Math.sqrt(s.C[i * n + i]!), sampled: s.sigma * Math.sqrt(v) };
}

const onOptimum = (x: readonly number[]): boolean => INTS.every((i) => Math.round(x[i]!) === 3);

/** Runs until the integer optimum is found, a stop criterion fires, or 1000 generations. */
function run(strategy: Strategy<CmaState>, state: CmaState, each: (s: CmaState) => void = () => {}): 'found' | 'stopped' | 'budget' {
  for (let g = 0; g < 1000; g++) {
    const candidates = strategy.ask(state);
    strategy.tell(state, candidates, candidates.map((c) => ok(plateau(c.x))));
    each(state);
    if (state.best && onOptimum(state.best.x)) return 'found';
    if (Object.keys(strategy.stop(state)).length > 0) return 'stopped';
  }
  return 'budget';
}

for (const strategy of [cmaes, sepCmaes]) {
  test(`${strategy.name}: without integers the integer coordinates freeze on a wrong plateau and the run stops there`, (t) => {
    let stalled = 0;
    for (const seed of SEEDS) {
      const state = strategy.init(start(seed));
      if (run(strategy, state) !== 'stopped') continue;
      stalled++;
      t.false(onOptimum(state.best!.x));
      // Frozen: a std under a quarter of the floor (0.2) reaches the next rounding boundary, 0.5 away, with
      // probability below 1e-23 a draw.
      for (const i of INTS) t.true(marginalStd(state, i).stored < 0.05, `seed ${seed}: std ${marginalStd(state, i).stored}`);
    }
    t.true(stalled >= 6, `${stalled} of ${SEEDS.length} seeds stalled`);
  });

  test(`${strategy.name}: with integers the marginal std never drops below the floor and every seed finds the integer optimum`, (t) => {
    for (const seed of SEEDS) {
      const state = strategy.init(start(seed, { integers: [1, 0] }));
      t.deepEqual(state.integers, INTS);
      const floor = state.params.integerMinStd;
      t.is(floor, 0.2); // min(0.2, μeff/n) with n = 4
      let lowest = Infinity;
      const check = (s: CmaState): void => {
        for (const i of INTS) {
          const { stored, sampled } = marginalStd(s, i);
          lowest = Math.min(lowest, stored, sampled);
        }
      };
      check(state); // σ0 = 0.1 is already widened at init
      const outcome = run(strategy, state, check);
      t.is(outcome, 'found', `seed ${seed}`);
      t.true(lowest >= floor * (1 - 1e-9), `seed ${seed}: lowest marginal std ${lowest}`);
    }
  });
}

test('the continuous coordinates are left alone: they still converge with integers declared', (t) => {
  const state = cmaes.init({ x0: [3, 3, 1, 1], sigma0: 0.5, seed: 3, integers: INTS });
  for (let g = 0; g < 300; g++) {
    const candidates = cmaes.ask(state);
    cmaes.tell(state, candidates, candidates.map((c) => ok(plateau(c.x))));
  }
  t.true(state.best!.fitness - 0.32 < 1e-10, `f − f* = ${state.best!.fitness - 0.32}`);
  t.true(marginalStd(state, 2).stored < 1e-4);
  for (const i of INTS) t.true(marginalStd(state, i).stored >= state.params.integerMinStd * (1 - 1e-9));
});

test('JSON round trip with integers continues bit for bit (full, sep and IPOP)', (t) => {
  for (const strategy of [cmaes, sepCmaes, ipopCmaes] as Strategy[]) {
    const options = { ...start(4, { integers: INTS }), params: strategy === ipopCmaes ? { tolfun: 1e-3 } : {} };
    const straight = strategy.init(options);
    let state = strategy.init(options);
    for (let g = 0; g < 40; g++) {
      const a = strategy.ask(straight);
      if (g % 7 === 3) state = JSON.parse(JSON.stringify(state)) as typeof state;
      const b = strategy.ask(state);
      t.deepEqual(b, a, `${strategy.name} generation ${g}`);
      const evals = a.map((c) => ok(plateau(c.x)));
      strategy.tell(straight, a, evals);
      strategy.tell(state, b, evals);
    }
    t.deepEqual(JSON.parse(JSON.stringify(state)), JSON.parse(JSON.stringify(straight)));
  }
});

test('integers reach every IPOP inner run', (t) => {
  const state = ipopCmaes.init({ ...start(2, { integers: INTS }), params: { tolfun: 1e3 } });
  for (let g = 0; g < 6; g++) {
    const candidates = ipopCmaes.ask(state);
    ipopCmaes.tell(state, candidates, candidates.map((c) => ok(plateau(c.x))));
  }
  t.true(state.restart > 2);
  t.deepEqual(state.inner.integers, INTS);
  for (const i of INTS) t.true(marginalStd(state.inner, i).stored >= state.inner.params.integerMinStd * (1 - 1e-9));
});

test('integerMinStd: default min(0.2, μeff/n), overridable, 0 switches it off; bad values and indices are named', (t) => {
  t.is(cmaParameters(4, { diagonal: false }).integerMinStd, 0.2);
  const p100 = cmaParameters(100, { diagonal: false });
  t.is(p100.integerMinStd, p100.mueff / 100);
  t.is(cmaParameters(4, { diagonal: false, params: { integerMinStd: 0.5 } }).integerMinStd, 0.5);
  const off = cmaes.init(start(1, { integers: INTS, params: { integerMinStd: 0 } }));
  t.is(off.C[0], 1); // σ0 = 0.1 left as it is
  t.throws(() => cmaes.init(start(1, { integers: INTS, params: { integerMinStd: -1 } })), { message: /cmaes: parameter 'integerMinStd' must be ≥ 0/ });
  t.throws(() => sepCmaes.init(start(1, { params: { integerMinStd: 'big' } })), { message: /sep-cmaes: parameter 'integerMinStd'/ });
  t.throws(() => cmaes.init(start(1, { integers: [4] })), { message: /cmaes: integers holds 4, not a coordinate index from 0 to 3/ });
  t.throws(() => cmaes.init(start(1, { integers: [0.5] })), { message: /integers holds 0.5/ });
  t.throws(() => cmaes.init(start(1, { integers: [1, 1] })), { message: /integers lists coordinate 1 twice/ });
  t.throws(() => ipopCmaes.init(start(1, { integers: [9] })), { message: /integers holds 9/ });
});

test('a checkpoint from before integer handling (no integers, no integerMinStd) still runs', (t) => {
  const state = cmaes.init(start(2));
  const old = JSON.parse(JSON.stringify(state)) as Record<string, unknown> & { params: Record<string, unknown> };
  delete old['integers'];
  delete old.params['integerMinStd'];
  const resumed = old as unknown as CmaState;
  for (let g = 0; g < 5; g++) {
    const a = cmaes.ask(state);
    const b = cmaes.ask(resumed);
    t.deepEqual(b, a);
    cmaes.tell(state, a, a.map((c) => ok(plateau(c.x))));
    cmaes.tell(resumed, b, b.map((c) => ok(plateau(c.x))));
  }
});
