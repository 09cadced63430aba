/** ga-ordering: JSON state, seeded trajectories, elitism, convergence on a toy ordering problem, its categorical space, param errors. */
import test from 'ava';
import { Rng } from '../../src/core/rng.js';
import { encodeOrder, orderingGenome } from '../../genomes/ordering_genome.js';
import { gaOrdering, type GaOrderingState } from '../../strategies/genetic_ordering.js';
import { minimize } from '../../strategies/minimize.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { StrategyOptions } from '../../src/core/strategy.js';

const config = orderingGenome.resolveConfig({ length: 8, modules: 4 });
/** What the engine passes from the genome kind: 8 positions × 4 choices. */
const categorical = orderingGenome.categorical!(config);
const target = [3, 1, 0, 2, 2, 1, 3, 0];
/** What the engine does with a candidate: decode with the ordering kind, then score the genome. */
const hamming = (x: readonly number[]): number => orderingGenome.decode(x, config).order.reduce((a, m, l) => a + (m === target[l] ? 0 : 1), 0);
const evaluate = (c: Candidate): Evaluation => ({ status: 'ok', fitness: hamming(c.x) });
const start = encodeOrder([0, 0, 0, 0, 0, 0, 0, 0], 4);

function trajectory(options: StrategyOptions, generations: number, roundTrip: boolean): { xs: number[][]; state: GaOrderingState } {
  let state = gaOrdering.init(options);
  const xs: number[][] = [];
  for (let g = 0; g < generations; g++) {
    if (roundTrip) state = JSON.parse(JSON.stringify(state)) as GaOrderingState;
    const cs = gaOrdering.ask(state);
    xs.push(cs.flatMap((c) => c.x));
    if (roundTrip) state = JSON.parse(JSON.stringify(state)) as GaOrderingState;
    // some failures too, so null fitness goes through JSON
    gaOrdering.tell(state, cs, cs.map((c, i) => (i === 2 ? { status: 'error', fitness: NaN, error: 'boom' } : evaluate(c))));
  }
  return { xs, state };
}

for (const params of [{}, { crossover: 'one-point', reevaluateElites: true, elitism: 2 }]) {
  test(`a JSON round trip between every ask and tell gives the identical trajectory ${JSON.stringify(params)}`, (t) => {
    const o = { x0: start, sigma0: 1, seed: 5, popsize: 12, categorical, params };
    const a = trajectory(o, 30, true);
    const b = trajectory(o, 30, false);
    t.deepEqual(a.xs, b.xs);
    t.deepEqual(JSON.parse(JSON.stringify(a.state)), JSON.parse(JSON.stringify(b.state)));
    t.notDeepEqual(trajectory({ ...o, seed: 6 }, 30, false).xs, a.xs);
  });
}

test('candidates are one-hot ordering encodings; the first generation starts from x0', (t) => {
  const x0 = encodeOrder(target.map((m) => (m + 1) % 4), 4);
  const s = gaOrdering.init({ x0, sigma0: 1, seed: 1, popsize: 10, categorical });
  t.like(s.params, { categories: [4, 4, 4, 4, 4, 4, 4, 4], popsize: 10, tournamentSize: 3, crossover: 'uniform', crossoverRate: 0.9, mutationRate: 1 / 8, elitism: 1 });
  t.is(s.sigma, 1 / 8);
  const cs = gaOrdering.ask(s);
  t.is(cs.length, 10);
  t.deepEqual(cs[0]!.x, x0);
  for (const c of cs) {
    for (let l = 0; l < 8; l++) t.deepEqual(c.x.slice(4 * l, 4 * l + 4).sort(), [0, 0, 0, 1]);
    t.deepEqual(orderingGenome.encode(orderingGenome.decode(c.x, config), config), c.x);
    t.is(c.wants, 'fitness');
  }
  t.deepEqual(cs.map((c) => c.index), [...Array(10).keys()]);
});

test('finds a hidden target ordering (Hamming distance) within a bounded number of generations, every seed', (t) => {
  const gens: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const r = minimize(gaOrdering, hamming, { x0: start, sigma0: 1, seed, popsize: 20, categorical }, { target: 0, maxEvaluations: 20 * 60 });
    t.true(r.success, `seed ${seed}: best ${r.state.best?.fitness} after ${r.state.generation} generations`);
    t.deepEqual(orderingGenome.decode(r.state.best!.x, config).order, target);
    gens.push(r.state.generation);
  }
  t.log(`generations to the target (popsize 20, 4^8 = 65536 orderings): ${gens.join(', ')}`);
  // random search would need ~65536 / 20 generations on average
  t.true(Math.max(...gens) <= 40, `${gens}`);
});

test('both crossovers and reevaluated elites also reach the target', (t) => {
  for (const params of [{ crossover: 'one-point' }, { reevaluateElites: true, elitism: 2 }, { crossoverRate: 0, mutationRate: 0.2 }]) {
    const r = minimize(gaOrdering, hamming, { x0: start, sigma0: 1, seed: 3, popsize: 20, categorical, params }, { target: 0, maxEvaluations: 20 * 100 });
    t.true(r.success, `${JSON.stringify(params)}: best ${r.state.best?.fitness}`);
  }
});

test('elitism keeps the best: the population best never gets worse and the elite survives unevaluated', (t) => {
  // a noisy-looking but deterministic fitness: Hamming distance plus a per-ordering jitter
  const jitter = (x: readonly number[]): number => hamming(x) + (new Rng(x.join('')).uniform() - 0.5) * 0.1;
  const s = gaOrdering.init({ x0: start, sigma0: 1, seed: 9, popsize: 8, categorical, params: { elitism: 2, mutationRate: 0.5 } });
  let prevBest = Infinity;
  for (let g = 0; g < 25; g++) {
    const cs = gaOrdering.ask(s);
    t.is(cs.length, g === 0 ? 8 : 6); // elites are carried, not re-asked
    const elites = s.pending.carried;
    gaOrdering.tell(s, cs, cs.map((c) => ({ status: 'ok', fitness: jitter(c.x) })));
    const best = Math.min(...s.population.map((i) => i.fitness ?? Infinity));
    t.true(best <= prevBest, `generation ${g}: ${best} > ${prevBest}`);
    t.is(best, s.best!.fitness);
    for (const e of elites) t.true(s.population.some((i) => i.fitness === e.fitness && i.order.join() === e.order.join()));
    t.is(s.population.length, 8);
    prevBest = best;
  }
});

test('failed evaluations rank worst, keep the state JSON-safe, and never become best', (t) => {
  const s = gaOrdering.init({ x0: start, sigma0: 1, seed: 2, popsize: 6, categorical });
  const cs = gaOrdering.ask(s);
  const evs: Evaluation[] = cs.map((c, i) => (i < 5 ? { status: i % 2 ? 'timeout' : 'nan', fitness: NaN } : evaluate(c)));
  gaOrdering.tell(s, cs, evs);
  t.is(s.best!.fitness, hamming(cs[5]!.x));
  t.deepEqual(JSON.parse(JSON.stringify(s)), s);
  t.is(s.population.filter((i) => i.fitness === null).length, 5);
  const all = gaOrdering.ask(s);
  gaOrdering.tell(s, all, all.map(() => ({ status: 'error', fitness: NaN, error: 'x' })));
  t.is(s.best!.fitness, hamming(cs[5]!.x));
  t.is(s.population[0]!.fitness, hamming(cs[5]!.x)); // the elite
  const next = gaOrdering.ask(s);
  t.throws(() => gaOrdering.tell(s, next, []), { message: /ga-ordering: told 5 candidates with 0 evaluations, but 5 were asked/ });
});

test('stops after `patience` generations without a better best', (t) => {
  const r = minimize(gaOrdering, () => 1, { x0: start, sigma0: 1, seed: 1, popsize: 4, categorical, params: { patience: 7 } });
  t.deepEqual(r.stop, { stagnation: 7 });
  t.is(r.state.generation, 8);
});

test('the same seed gives the same population as before the categorical space (pinned)', (t) => {
  const s = gaOrdering.init({ x0: start, sigma0: 1, seed: 5, popsize: 6, categorical });
  for (let g = 0; g < 4; g++) {
    const cs = gaOrdering.ask(s);
    gaOrdering.tell(s, cs, cs.map(evaluate));
  }
  t.deepEqual(s.population, [
    { order: [0, 1, 0, 0, 2, 1, 0, 0], fitness: 3 },
    { order: [3, 1, 0, 1, 2, 3, 3, 3], fitness: 3 },
    { order: [1, 3, 0, 0, 0, 1, 0, 0], fitness: 5 },
    { order: [0, 1, 0, 0, 2, 1, 0, 1], fitness: 4 },
    { order: [0, 3, 0, 1, 2, 3, 0, 0], fitness: 5 },
    { order: [3, 3, 0, 1, 2, 3, 3, 2], fitness: 4 },
  ]);
});

test('a checkpoint written before the categorical space (choices × length) resumes on the same trajectory', (t) => {
  const o = { x0: start, sigma0: 1, seed: 8, popsize: 8, categorical };
  const fresh = gaOrdering.init(o);
  for (let g = 0; g < 3; g++) {
    const cs = gaOrdering.ask(fresh);
    gaOrdering.tell(fresh, cs, cs.map(evaluate));
  }
  const { categories: _, ...rest } = fresh.params;
  const older = JSON.parse(JSON.stringify({ ...fresh, params: { ...rest, choices: 4, length: 8 } })) as GaOrderingState;
  for (let g = 0; g < 5; g++) {
    const a = gaOrdering.ask(fresh);
    t.deepEqual(gaOrdering.ask(older), a);
    gaOrdering.tell(fresh, a, a.map(evaluate));
    gaOrdering.tell(older, a, a.map(evaluate));
    t.deepEqual(gaOrdering.point(older), gaOrdering.point(fresh));
  }
  t.deepEqual(older.best, fresh.best);
});

test("the genome kind's categorical space: skip adds a choice, any logits start the search by argmax", (t) => {
  t.deepEqual(orderingGenome.categorical!(orderingGenome.resolveConfig({ length: 3, modules: 4, allowSkip: true })), { categories: [5, 5, 5] });
  // x0 need not be one-hot: each position starts at its largest logit (the first on ties), as the kind decodes it.
  const x0 = [0.2, 0.9, -1, 0.9, /**/ 3, 0, 0, 0, /**/ -2, -1, -3, -1.5, /**/ 0, 0, 0, 0, /**/ 0.1, 0.2, 0.3, 0.4, /**/ 1, 1, 2, 1, /**/ 0, -1, 0, 5, /**/ 1, 0, 0, 0];
  const s = gaOrdering.init({ x0, sigma0: 1, seed: 1, categorical });
  t.deepEqual(s.start, orderingGenome.decode(x0, config).order);
  t.deepEqual(s.start, [1, 0, 1, 0, 3, 2, 3, 0]);
});

test('variables with different numbers of categories: every candidate stays one-hot within each variable', (t) => {
  const space = { categories: [2, 3, 1, 5] };
  const s = gaOrdering.init({ x0: [1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1], sigma0: 1, seed: 4, popsize: 8, categorical: space, params: { mutationRate: 0.9 } });
  t.deepEqual(s.start, [0, 2, 0, 4]);
  const seen = space.categories.map(() => new Set<number>());
  for (let g = 0; g < 20; g++) {
    const cs = gaOrdering.ask(s);
    for (const c of cs) {
      t.is(c.x.length, 11);
      let at = 0;
      space.categories.forEach((k, v) => {
        const row = c.x.slice(at, at + k);
        t.deepEqual(row.slice().sort(), [...new Array<number>(k - 1).fill(0), 1]);
        seen[v]!.add(row.indexOf(1));
        at += k;
      });
    }
    gaOrdering.tell(s, cs, cs.map((c) => ({ status: 'ok', fitness: c.x.reduce((a, v, i) => a + v * i, 0) })));
  }
  t.deepEqual(seen.map((set) => set.size), [2, 3, 1, 5]); // every category of every variable was proposed
});

test('point is the current elite, x0 before the first generation is told', (t) => {
  const s = gaOrdering.init({ x0: start, sigma0: 1, seed: 2, popsize: 6, categorical, params: { reevaluateElites: true } });
  t.deepEqual(gaOrdering.point(s), start);
  for (let g = 0; g < 5; g++) {
    const cs = gaOrdering.ask(s);
    gaOrdering.tell(s, cs, cs.map(evaluate));
    const top = Math.min(...s.population.map((i) => i.fitness ?? Infinity));
    t.is(hamming(gaOrdering.point(s)), top);
    t.deepEqual(gaOrdering.point(s), encodeOrder(s.population.find((i) => i.fitness === top)!.order, 4));
  }
  t.is(gaOrdering.warmStart, undefined);
});

test('refuses to start without a categorical space, or with one that does not fit x0', (t) => {
  t.throws(() => gaOrdering.init({ x0: start, sigma0: 1, seed: 1 }), {
    message: "ga-ordering: the genome kind declares no categorical space (GenomeKind.categorical) to search; use a categorical genome such as --genome ordering, or a real-valued strategy such as --strategy cmaes",
  });
  t.throws(() => gaOrdering.init({ x0: start, sigma0: 1, seed: 1, categorical: { categories: [4, 4, 4] } }), {
    message: 'ga-ordering: the categorical space has 12 logits (3 variables) but the search vector has 32 numbers',
  });
  t.throws(() => gaOrdering.init({ x0: start, sigma0: 1, seed: 1, categorical: { categories: [16, 0, 16] } }), {
    message: /ga-ordering: the categorical space must list at least one variable, each with an integer number of categories ≥ 1 \(got \[16,0,16\]\)/,
  });
});

test('parameter errors are named', (t) => {
  const o = { x0: start, sigma0: 1, seed: 1, categorical };
  const bad = (extra: Partial<StrategyOptions>, message: RegExp): void => {
    t.throws(() => gaOrdering.init({ ...o, ...extra }), { message });
  };
  bad({ params: { crossover: 'two-point' } }, /parameter 'crossover' must be one of 'uniform', 'one-point' \(got "two-point"\)/);
  bad({ params: { mutationRate: 1.5 } }, /parameter 'mutationRate' must be in \[0, 1\]/);
  bad({ params: { crossoverRate: -0.1 } }, /parameter 'crossoverRate' must be in \[0, 1\]/);
  bad({ params: { elitism: 16 } }, /parameter 'elitism' must be an integer from 0 to popsize − 1 \(15\)/);
  bad({ params: { tournamentSize: 17 } }, /parameter 'tournamentSize' must be an integer from 1 to popsize \(16\)/);
  bad({ params: { reevaluateElites: 'yes' } }, /parameter 'reevaluateElites' must be true or false/);
  bad({ params: { patience: 0 } }, /parameter 'patience' must be a positive integer/);
  bad({ params: { choices: 4 } }, /ga-ordering: unknown parameter 'choices'; valid parameters are: tournamentSize, crossover/);
  bad({ popsize: 1 }, /popsize must be an integer of at least 2/);
});
