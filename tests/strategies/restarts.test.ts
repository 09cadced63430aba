import test from 'ava';
import { minimize } from '../../strategies/minimize.js';
import { cmaes } from '../../strategies/cma_es.js';
import { bipopCmaes, ipopCmaes, type RestartState } from '../../strategies/restarts.js';
import type { Evaluation } from '../../src/core/types.js';
import type { Strategy, StrategyOptions } from '../../src/core/strategy.js';
import { BENCHMARK_FUNCTIONS, type BenchmarkFunction } from '../../tasks/benchmark_functions.js';
import { trajectory } from './trajectory.js';

const SEEDS = Array.from({ length: 11 }, (_, i) => i + 1);
const ok = (fitness: number): Evaluation => ({ status: 'ok', fitness });

function start(n: number, seed: number, extra: Partial<StrategyOptions> = {}): StrategyOptions {
  return { x0: new Array<number>(n).fill(3), sigma0: 2, seed, ...extra };
}

/** pycma's count: stop after the generation in which some f ≤ target, counting all its evaluations. */
function evaluationsToTarget(strategy: Strategy<RestartState>, f: BenchmarkFunction, options: StrategyOptions, maxEvaluations: number, target = 1e-8): number {
  const r = minimize(strategy, f, options, { target, maxEvaluations });
  return r.success ? r.evaluations : Infinity;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const generations = trajectory;

test('rosenbrock n=10 with IPOP: ≥ 10 of 11 seeds reach 1e-8, median within 1.15× of pycma’s 5340', (t) => {
  const evals = SEEDS.map((seed) => evaluationsToTarget(ipopCmaes, BENCHMARK_FUNCTIONS.rosenbrock, start(10, seed), 1e5));
  t.log(`rosenbrock: median ${median(evals)} (pycma 5340); per seed ${evals.join(' ')}`);
  t.true(evals.filter(Number.isFinite).length >= 10);
  t.true(median(evals) <= 1.15 * 5340);
});

test('rastrigin n=10 with IPOP: 11 of 11 seeds reach 1e-8 within 200,000 evaluations', (t) => {
  const evals = SEEDS.map((seed) => evaluationsToTarget(ipopCmaes, BENCHMARK_FUNCTIONS.rastrigin, start(10, seed), 2e5));
  t.log(`rastrigin (IPOP): median ${median(evals)}; per seed ${evals.join(' ')}`);
  t.is(evals.filter(Number.isFinite).length, 11);
});

test('rastrigin n=10 with BIPOP: most seeds reach 1e-8 within 200,000 evaluations', (t) => {
  const evals = SEEDS.map((seed) => evaluationsToTarget(bipopCmaes, BENCHMARK_FUNCTIONS.rastrigin, start(10, seed), 2e5));
  t.log(`rastrigin (BIPOP): median ${median(evals)}; per seed ${evals.join(' ')}`);
  t.true(evals.filter(Number.isFinite).length >= 9);
});

test('run 0 is exactly the plain cmaes run with the same seed', (t) => {
  const f = BENCHMARK_FUNCTIONS.ellipsoid;
  const plain = cmaes.init(start(5, 4));
  const expected: number[][] = [];
  for (let g = 0; g < 30; g++) {
    const candidates = cmaes.ask(plain);
    expected.push(...candidates.map((c) => c.x));
    cmaes.tell(plain, candidates, candidates.map((c) => ok(f(c.x))));
  }
  t.deepEqual(generations(ipopCmaes, ipopCmaes.init(start(5, 4)), f, 30), expected);
});

test('IPOP doubles λ at each restart, keeps x0 and σ0, keeps best-so-far, counts all evaluations', (t) => {
  const state = ipopCmaes.init(start(10, 2));
  let evaluations = 0;
  let bestSeen = Infinity;
  while (state.restart < 4) {
    const candidates = ipopCmaes.ask(state);
    t.is(candidates.length, state.popsize);
    const evals = candidates.map((c) => ok(BENCHMARK_FUNCTIONS.rastrigin(c.x)));
    evaluations += evals.length;
    bestSeen = Math.min(bestSeen, ...evals.map((e) => e.fitness));
    ipopCmaes.tell(state, candidates, evals);
    t.is(state.best!.fitness, bestSeen);
  }
  t.deepEqual(
    state.runs.map((r) => r.popsize),
    [10, 20, 40, 80],
  );
  t.is(state.popsize, 160);
  t.is(state.inner.params.popsize, 160);
  t.true(state.runs.every((r) => r.sigma0 === 2 && r.regime === 'large' && Object.keys(r.stop).length > 0));
  t.deepEqual(state.inner.mean, new Array<number>(10).fill(3));
  t.is(state.evaluations, evaluations);
  t.is(state.runs.reduce((s, r) => s + r.evaluations, 0) + state.runEvaluations, evaluations);
  t.deepEqual(ipopCmaes.stop(state), {});
});

test('the wrapper stops only after maxRestarts, with the last run’s reasons', (t) => {
  // a large tolfun ends every run after a few generations
  const state = ipopCmaes.init(start(4, 1, { params: { maxRestarts: 2, tolfun: 1e6 } }));
  let guard = 0;
  while (Object.keys(ipopCmaes.stop(state)).length === 0 && guard++ < 1000) generations(ipopCmaes, state, BENCHMARK_FUNCTIONS.sphere, 1);
  t.deepEqual(ipopCmaes.stop(state), { tolfun: 1e6, maxrestarts: 2 });
  t.is(state.runs.length, 3);
  t.is(state.restart, 2);
});

test('BIPOP interleaves small runs (smaller σ, capped budget) with doubling large runs', (t) => {
  const state = bipopCmaes.init(start(10, 2));
  while (state.runs.length < 12) generations(bipopCmaes, state, BENCHMARK_FUNCTIONS.rastrigin, 1);
  const small = state.runs.filter((r) => r.regime === 'small');
  const large = state.runs.filter((r) => r.regime === 'large');
  t.true(small.length > 0 && large.length > 1);
  t.deepEqual(
    large.map((r) => r.popsize),
    large.map((_, i) => 10 * 2 ** i),
  );
  for (const r of small) {
    t.true(r.sigma0 <= 2 && r.sigma0 >= 0.02);
    t.true(r.popsize >= 10);
  }
  // each small run is capped at half the evaluations of the large run before it
  let lastLarge = 0;
  for (const r of state.runs) {
    if (r.regime === 'large') lastLarge = r.evaluations;
    else t.true(r.evaluations < lastLarge / 2 + r.popsize, `small run ${r.evaluations} vs large ${lastLarge}`);
  }
  t.is(state.largeRestarts, large.length - (state.regime === 'large' ? 0 : 1));
});

test('JSON round trip across restarts continues bit for bit (IPOP and BIPOP)', (t) => {
  for (const strategy of [ipopCmaes, bipopCmaes]) {
    const f = BENCHMARK_FUNCTIONS.rastrigin;
    const options = start(6, 3, { params: { tolfun: 1e-3 } });
    const expected = generations(strategy, strategy.init(options), f, 300);
    let state = strategy.init(options);
    const got = generations(strategy, state, f, 120);
    state = JSON.parse(JSON.stringify(state)) as RestartState;
    got.push(...generations(strategy, state, f, 180));
    t.true(state.restart >= 2, `${strategy.name} restarted ${state.restart} times`);
    t.deepEqual(got, expected);
  }
});

test('params: unknown keys are rejected listing restart and cmaes keys; cmaes params reach the inner runs', (t) => {
  const e = t.throws(() => ipopCmaes.init(start(4, 1, { params: { maxrestarts: 3 } })));
  t.regex(e!.message, /ipop-cmaes: unknown parameter 'maxrestarts'; valid parameters are: maxRestarts, incPopsize, popsize, active/);
  t.throws(() => bipopCmaes.init(start(4, 1, { params: { maxRestarts: -1 } })), { message: /maxRestarts/ });
  const state = ipopCmaes.init(start(4, 1, { params: { active: false, popsize: 6, incPopsize: 3, tolfun: 1e6 } }));
  t.false(state.inner.params.active);
  t.is(state.popsize, 6);
  generations(ipopCmaes, state, BENCHMARK_FUNCTIONS.sphere, 5);
  t.true(state.restart > 1);
  t.is(state.popsize, 6 * 3 ** state.restart);
  t.false(state.inner.params.active);
});

test('bounds reach every inner run', (t) => {
  const bounds = { lower: [2, 2], upper: [4, 4] };
  const state = ipopCmaes.init({ x0: [3, 3], sigma0: 5, seed: 1, bounds, params: { tolfun: 1e3 } });
  for (let g = 0; g < 20; g++) {
    const candidates = ipopCmaes.ask(state);
    t.true(candidates.every((c) => c.x.every((v) => v >= 2 && v <= 4)));
    ipopCmaes.tell(state, candidates, candidates.map((c) => ok(BENCHMARK_FUNCTIONS.sphere(c.x))));
  }
  t.true(state.restart > 0);
});

test('params.normals: new runs record the ziggurat for every restart; a checkpoint from before it keeps Box–Muller across restarts', (t) => {
  const f = BENCHMARK_FUNCTIONS.sphere;
  const fresh = ipopCmaes.init(start(4, 1, { params: { maxRestarts: 3, tolfun: 1e6 } }));
  t.is(fresh.config.innerParams['normals'], 'ziggurat');
  // A checkpoint written before params.normals: neither the wrapper's inner params nor the inner run name it.
  const legacy = JSON.parse(JSON.stringify(fresh)) as RestartState;
  delete legacy.config.innerParams['normals'];
  delete legacy.inner.params.normals;
  for (const [state, expected] of [[fresh, 'ziggurat'], [legacy, 'box-muller']] as const) {
    while (state.restart < 2) generations(ipopCmaes, state, f, 1);
    t.is(state.inner.params.normals, expected);
  }
  t.throws(() => cmaes.init(start(3, 1, { params: { normals: 'polar' } })), { message: /cmaes: parameter 'normals' must be one of box-muller, ziggurat \(got "polar"\)/ });
});
