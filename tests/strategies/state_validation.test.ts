/**
 * `validateState`: a state read from a checkpoint is checked field by field before a run resumes from it, and a
 * bad one is named in one line ("checkpoint.json: strategy.mean has 7 numbers, the run has 10"); every state a
 * strategy writes passes. Also: extreme finite fitness values keep the CMA-ES state finite and JSON-exact.
 */
import test from 'ava';
import { STRATEGIES } from '../../strategies/index.js';
import { cmaes, type CmaState } from '../../strategies/cma_es.js';
import { UsageError } from '../../src/core/errors.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../../src/core/strategy.js';

type Json = Record<string, unknown>;

const sphere = (c: Candidate): Evaluation => {
  const fitness = c.x.reduce((a, v) => a + (v - 0.3) ** 2, 0);
  return c.wants === 'fitness+grad' ? { status: 'ok', fitness, grad: c.x.map((v) => 2 * (v - 0.3)) } : { status: 'ok', fitness };
};

/** n = 4 everywhere (the GA: two variables of 3 and 1 categories, 4 logits); tolstagnation 12 makes the restart strategies restart. */
function options(name: string): StrategyOptions {
  const cma = ['cmaes', 'sep-cmaes', 'ipop-cmaes', 'bipop-cmaes'].includes(name);
  return {
    x0: name === 'ga-ordering' ? [0, 1, 0, 1] : [0.5, -1, 2, 0.25],
    sigma0: 0.4,
    seed: 6,
    bounds: { lower: [-Infinity, -2, 0, -1], upper: [Infinity, 2, 3, 1] },
    ...(cma ? { integers: [2], params: { tolstagnation: 12, stds: [1, 2, 0.5, 1] } } : {}),
    ...(name === 'ga-ordering' ? { categorical: { categories: [3, 1] } } : {}),
  };
}

/** A state after `generations` told generations, with one more asked and pending when `pending`. */
function stateAfter(s: Strategy<StrategyState>, generations: number, pending: boolean): StrategyState {
  const state = s.init(options(s.name));
  for (let g = 0; g < generations; g++) {
    const cs = s.ask(state);
    s.tell(state, cs, cs.map((c, i) => (i === 1 ? { status: 'error', fitness: Number.NaN } : sphere(c))));
  }
  if (pending) s.ask(state);
  return JSON.parse(JSON.stringify(state)) as StrategyState;
}

/** Throws the expected one-line UsageError. */
function rejects(t: import('ava').ExecutionContext, s: Strategy<StrategyState>, state: unknown, message: string | RegExp, dimension?: number): void {
  const e = t.throws(() => s.validateState!(state, 'checkpoint.json', dimension), { instanceOf: UsageError });
  if (typeof message === 'string') t.is(e?.message, message);
  else t.regex(e?.message ?? '', message);
  t.false((e?.message ?? '').includes('\n'));
}

/** Every path to a number, boolean or string leaf, as the message names it (strategy.a.b[3]). */
function leaves(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (typeof v === 'object' && v !== null) return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return v === null ? [] : [path];
}
const named = (path: (string | number)[]): string => 'strategy' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
function replaced(state: unknown, path: (string | number)[], value: unknown): Json {
  const copy = JSON.parse(JSON.stringify(state)) as Json;
  let o = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) o = o[p] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = value;
  return copy;
}

for (const [name, s] of Object.entries(STRATEGIES)) {
  test(`${name}: every state it writes passes validateState, against its own or the run's dimension`, (t) => {
    t.truthy(s.validateState, `${name} has no validateState`);
    for (const [generations, pending] of [[0, false], [0, true], [30, false], [30, true]] as const) {
      const state = stateAfter(s, generations, pending);
      t.notThrows(() => s.validateState!(state, 'checkpoint.json'), `${generations} generations${pending ? ', pending' : ''}`);
      t.notThrows(() => s.validateState!(state, 'checkpoint.json', 4));
    }
    if (name.endsWith('pop-cmaes')) t.true((stateAfter(s, 30, false) as unknown as { restart: number }).restart > 0, 'no restart happened');
  });

  test(`${name}: a wrong dimension, strategy name or non-object state is named in one line`, (t) => {
    const state = stateAfter(s, 3, true) as unknown as Json;
    rejects(t, s, state, /^checkpoint\.json: strategy\.\S+ (has \d+ (numbers|entries)|is \d+|hold 4 logits), the run has 6$/, 6);
    rejects(t, s, { ...state, strategy: 'other' }, `checkpoint.json: strategy.strategy is "other", this run's strategy is '${name}'`);
    rejects(t, s, [1, 2], 'checkpoint.json: strategy must be an object (got a list of 2)');
  });

  test(`${name}: every number, flag and name in its state is checked: a string or null in its place is named`, (t) => {
    const state = stateAfter(s, 30, true);
    let checked = 0;
    for (const path of leaves(state)) {
      // The fields documented as allowed to hold null: open bounds, failed evaluations' fitness, and the like.
      const last = String(path[path.length - 1]);
      const parent = String(path[path.length - 2] ?? '');
      const nullable = ['lower', 'upper'].includes(parent) || ['lastRange', 'lastLoss', 'runMaxEvaluations', 'bestFitness'].includes(last) || (last === 'fitness' && path[0] !== 'best');
      const inInnerParams = path.includes('innerParams');
      const bad = typeof path.reduce<unknown>((o, p) => (o as Record<string | number, unknown>)[p], state) === 'string' ? 7 : 'abc';
      for (const value of nullable ? [bad] : [bad, null]) {
        const e = t.throws(() => s.validateState!(replaced(state, path, value), 'checkpoint.json'), { instanceOf: UsageError }, `${named(path)} = ${JSON.stringify(value)} passed`);
        const at = inInnerParams ? 'strategy.config.innerParams' : named(path);
        t.true(e?.message.startsWith(`checkpoint.json: ${at}`), `${named(path)} = ${JSON.stringify(value)}: ${e?.message}`);
        checked++;
      }
    }
    t.log(`${checked} corrupted states rejected`);
  });
}

test('cmaes: the messages name the field and what it must be', (t) => {
  const s = cmaes as unknown as Strategy<StrategyState>;
  const state = cmaes.init({ x0: new Array<number>(10).fill(1), sigma0: 1, seed: 1 });
  const cs = cmaes.ask(state);
  cmaes.tell(state, cs, cs.map(sphere));
  const at = (patch: Partial<CmaState> | Json) => ({ ...JSON.parse(JSON.stringify(state)), ...patch });
  rejects(t, s, at({ mean: [1, 2, 3, 4, 5, 6, 7] }), 'checkpoint.json: strategy.mean has 7 numbers, the run has 10');
  rejects(t, s, at({ sigma: 'abc' }), 'checkpoint.json: strategy.sigma must be a finite number > 0 (got "abc")');
  rejects(t, s, at({ sigma: 0 }), 'checkpoint.json: strategy.sigma must be a finite number > 0 (got 0)');
  rejects(t, s, at({ ps: [...state.ps.slice(0, 9), null] }), 'checkpoint.json: strategy.ps[9] must be a finite number (got null)');
  rejects(t, s, at({ C: state.C.slice(0, 90) }), "checkpoint.json: strategy.C has 90 numbers, n×n = 100 for the run's n = 10");
  const asymmetric = state.C.slice();
  asymmetric[1] = 0.5;
  rejects(t, s, at({ C: asymmetric }), /^checkpoint\.json: strategy\.C is not symmetric \(row 0, column 1: 0\.5; row 1, column 0: /);
  rejects(t, s, at({ rng: { c: 1, s0: 0.5, s1: 0.5 } }), 'checkpoint.json: strategy.rng.s2 must be a finite number ≥ 0 and < 1 (got nothing)');
  rejects(t, s, at({ pending: { x: [[1]], y: [] } }), 'checkpoint.json: strategy.pending.x has 1 entries, popsize is 10');
  rejects(t, s, at({ dimension: 7 }), 'checkpoint.json: strategy.dimension is 7, the run has 10', 10);
  rejects(t, s, at({ params: { ...state.params, diagonal: true } }), 'checkpoint.json: strategy.params.diagonal is true, but this strategy keeps a full covariance');
  rejects(t, s, at({ params: { ...state.params, normals: 'polar' } }), 'checkpoint.json: strategy.params.normals must be one of box-muller, ziggurat (got "polar")');
  const legacy = JSON.parse(JSON.stringify(state)) as CmaState;
  delete legacy.params.normals; // a checkpoint written before the ziggurat: valid, and drawn by Box–Muller
  t.notThrows(() => s.validateState!(legacy, 'checkpoint.json', 10));
  rejects(t, s, at({ bounds: { lower: new Array(10).fill(1), upper: new Array(10).fill(0) } }), 'checkpoint.json: strategy.bounds.lower[0] is above upper[0] (1 > 0)');
});

test('ipop-cmaes, es-grad, metagrad, ga-ordering: messages name the nested field', (t) => {
  const ipop = STRATEGIES['ipop-cmaes']!;
  const r = stateAfter(ipop, 2, false) as unknown as Json & { inner: Json };
  rejects(t, ipop, { ...r, inner: { ...r.inner, mean: [1, 2, 3] } }, 'checkpoint.json: strategy.inner.mean has 3 numbers, the run has 4');
  rejects(t, ipop, { ...r, config: { ...(r['config'] as Json), innerParams: { tolx: -1 } } }, "checkpoint.json: strategy.config.innerParams are not valid cmaes parameters: cmaes: parameter 'tolx' must be ≥ 0 (got -1)");
  const es = STRATEGIES['es-grad']!;
  const e = stateAfter(es, 2, true) as unknown as Json & { adam: Json };
  rejects(t, es, { ...e, adam: { ...e.adam, v: [1, -1, 1, 1] } }, 'checkpoint.json: strategy.adam.v[1] must be a finite number ≥ 0 (got -1)');
  rejects(t, es, { ...e, pending: [[1, 2, 3, 4]] }, 'checkpoint.json: strategy.pending has 1 perturbations, pairs is 4 (or none between generations)');
  rejects(t, es, e, 'checkpoint.json: strategy.x has 4 numbers, the run has 10', 10);
  const mg = STRATEGIES['metagrad']!;
  rejects(t, mg, { ...(stateAfter(mg, 2, false) as unknown as Json), lastLoss: 'x' }, 'checkpoint.json: strategy.lastLoss must be null or a finite number (got "x")');
  const ga = STRATEGIES['ga-ordering']!;
  const g = stateAfter(ga, 2, false) as unknown as Json & { population: { order: number[]; fitness: number | null }[] };
  const population = g.population.map((i) => ({ ...i }));
  population[2] = { order: [1, 1], fitness: 1 };
  rejects(t, ga, { ...g, population }, 'checkpoint.json: strategy.population[2].order[1] is category 1, but variable 1 has 1 (0 to 0)');
});

test('finite fitness near ±1.8e308 keeps the CMA-ES state finite and JSON-exact (lastRange, medianHistory)', (t) => {
  // λ = 8: the median averages the 4th and 5th value, both 1.7e308 (their sum overflows); the range is 3.4e308.
  const state = cmaes.init({ x0: [1, 2, 3, 4], sigma0: 1, seed: 2 });
  for (let g = 0; g < 30; g++) {
    const cs = cmaes.ask(state);
    cmaes.tell(state, cs, cs.map((_, i) => ({ status: 'ok', fitness: i === g % 8 ? -1.7e308 : 1.7e308 })));
    t.deepEqual(JSON.parse(JSON.stringify(state)), state);
  }
  t.is(state.lastRange, Number.MAX_VALUE);
  t.deepEqual(state.medianHistory, new Array(30).fill(1.7e308));
  t.notThrows(() => cmaes.validateState!(JSON.parse(JSON.stringify(state)), 'checkpoint.json'));
});
