/**
 * The checked ask/tell surface over every registered strategy: plain numbers or evaluations in tell, a TypeError
 * for every wrong input (each message asserted), a drawn and recorded seed, and inject for the CMA-ES family.
 */
import test from 'ava';
import { STRATEGIES, cmaes, sepCmaes, ipopCmaes, metagrad, checkedStrategy } from '../../strategies/index.js';
import { cmaes as rawCmaes } from '../../strategies/cma_es.js';
import { injectedStepLimit } from '../../strategies/cma_inject.js';
import { invSqrtC } from '../../strategies/cma_covariance.js';
import { candidateFingerprint, numberEvaluation } from '../../strategies/tell_input.js';
import type { CmaState } from '../../strategies/cma_state.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';

const sphere = (x: readonly number[]): number => x.reduce((a, v) => a + v * v, 0);
const evaluate = (c: Candidate): Evaluation =>
  c.wants === 'fitness+grad' ? { status: 'ok', fitness: sphere(c.x), grad: c.x.map((v) => 2 * v) } : { status: 'ok', fitness: sphere(c.x) };
const start = (name: string) => ({ x0: [1, -2, 0.5], sigma0: 0.3, seed: 4, ...(name === 'ga-ordering' ? { categorical: { categories: [3] } } : {}) });

test('a pycma-style loop with plain numbers runs CMA-ES to its own stop', (t) => {
  const state = cmaes.init({ x0: [3, 3, 3], sigma0: 2, seed: 1 });
  let generations = 0;
  while (Object.keys(cmaes.stop(state)).length === 0) {
    const candidates = cmaes.ask(state);
    cmaes.tell(state, candidates, candidates.map((c) => sphere(c.x)));
    generations++;
  }
  t.true(generations < 300, `${generations} generations`);
  t.true(state.best!.fitness < 1e-10, `best ${state.best!.fitness}`);
  t.true('tolfun' in cmaes.stop(state) || 'tolx' in cmaes.stop(state), JSON.stringify(cmaes.stop(state)));
});

for (const [name, s] of Object.entries(STRATEGIES)) {
  test(`${name}: numbers in tell give the same run as evaluation objects`, (t) => {
    const probe = s.init(start(name));
    const wanting = s.ask(probe);
    const gradAt = wanting.findIndex((c) => c.wants === 'fitness+grad');
    if (gradAt >= 0) {
      // Gradient candidates need `grad`, which a number cannot carry: refused, not taken as a failure.
      t.is(
        t.throws(() => s.tell(probe, wanting, wanting.map((c) => sphere(c.x))), { instanceOf: TypeError })!.message,
        `${name}.tell: candidate ${gradAt} wants a gradient too (wants: 'fitness+grad'), which a number cannot carry; give an evaluation {status: 'ok', fitness, grad}`,
      );
      t.is(probe.generation, 0);
      t.true(['metagrad', 'es-grad'].includes(name));
      return;
    }
    const a = s.init(start(name));
    const b = s.init(start(name));
    for (let g = 0; g < 15; g++) {
      const ca = s.ask(a);
      const cb = s.ask(b);
      s.tell(a, ca, ca.map((c) => sphere(c.x)));
      s.tell(b, cb, cb.map(evaluate));
    }
    t.deepEqual(a, b);
  });

  test(`${name}: tell refuses a wrong length, another ask's candidates, a second tell and values that are not fitnesses`, (t) => {
    const state = s.init(start(name));
    const cs = s.ask(state);
    const n = cs.length;
    const err = (f: () => void) => t.throws(f, { instanceOf: TypeError })!.message;
    t.is(err(() => s.tell(state, cs, cs.slice(1).map(evaluate))), `${name}.tell: got ${n - 1} fitnesses for ${n} candidates; give one per candidate, in candidate order`);
    t.is(err(() => s.tell(state, cs.slice(1), cs.map(evaluate))), `${name}.tell: got ${n - 1} candidates, but the last ask (generation 0) returned ${n}; pass the array ask returned`);
    const moved = cs.map((c, i) => (i === n - 1 ? { ...c, x: c.x.map((v) => v + 1e-9) } : c));
    t.is(err(() => s.tell(state, moved, cs.map(evaluate))), `${name}.tell: the candidates are not the ones the last ask (generation 0) returned; pass ask's array unchanged, in its order`);
    t.is(err(() => s.tell(state, cs.slice().reverse(), cs.map(evaluate))), `${name}.tell: the candidates are not the ones the last ask (generation 0) returned; pass ask's array unchanged, in its order`);
    t.is(err(() => s.tell(state, cs, cs.map((c) => String(sphere(c.x))) as never)), `${name}.tell: fitnesses[0] is the string ${JSON.stringify(String(sphere(cs[0]!.x)))}, neither a number nor an evaluation {status: 'ok' | 'nan' | 'error' | 'timeout', fitness: number}`);
    t.is(err(() => s.tell(state, cs, cs.map(async (c) => sphere(c.x)) as never)), `${name}.tell: fitnesses[0] is a Promise (await it first), neither a number nor an evaluation {status: 'ok' | 'nan' | 'error' | 'timeout', fitness: number}`);
    const mixed: unknown[] = cs.map(evaluate);
    mixed[n - 1] = { fitness: 1 };
    t.is(err(() => s.tell(state, cs, mixed as never)), `${name}.tell: fitnesses[${n - 1}] is an object with keys fitness, neither a number nor an evaluation {status: 'ok' | 'nan' | 'error' | 'timeout', fitness: number}`);
    t.is(err(() => s.tell(state, cs, undefined as never)), `${name}.tell: fitnesses must be an array with one number or evaluation per candidate (got undefined)`);
    t.is(err(() => s.tell(state, 'x' as never, cs.map(evaluate))), `${name}.tell: candidates must be the array the last ask returned (got the string "x")`);
    // None of the refused calls changed the state: the right call still works, once.
    t.is(state.generation, 0);
    s.tell(state, cs, cs.map(evaluate));
    t.is(state.generation, 1);
    t.is(err(() => s.tell(state, cs, cs.map(evaluate))), `${name}.tell: no ask is waiting for its fitnesses; call ask(state) and tell its candidates once`);
    // Only the last ask counts: an earlier list is refused after a second ask.
    const first = s.ask(state);
    const second = s.ask(state);
    if (JSON.stringify(first) !== JSON.stringify(second))
      t.regex(err(() => s.tell(state, first, first.map(evaluate))), /are not the ones the last ask \(generation 1\) returned/);
    s.tell(state, second, second.map(evaluate));
    t.is(state.generation, 2);
  });

  test(`${name}: init without a seed draws one and records it; with a seed the state records that seed`, (t) => {
    const { seed: _seed, ...noSeed } = start(name);
    const a = s.init(noSeed);
    const b = s.init(noSeed);
    t.true(Number.isInteger(a.seed) && a.seed! >= 0 && a.seed! < 2 ** 32);
    t.not(a.seed, b.seed, 'two draws of 2^32 values collide with probability 2^-32');
    // The recorded seed reproduces the run.
    const again = s.init({ ...noSeed, seed: a.seed! });
    t.is(again.seed, a.seed);
    t.deepEqual(s.ask(again), s.ask(a));
  });
}

test('NaN and ±Infinity given as numbers are failed evaluations that rank worst and never become the best', (t) => {
  t.deepEqual(numberEvaluation(2), { status: 'ok', fitness: 2 });
  t.deepEqual(numberEvaluation(Number.NaN), { status: 'nan', fitness: Number.NaN });
  t.deepEqual(numberEvaluation(-Infinity), { status: 'error', fitness: Number.NaN, error: 'non-finite fitness -Infinity' });
  t.deepEqual(numberEvaluation(Infinity), { status: 'error', fitness: Number.NaN, error: 'non-finite fitness Infinity' });
  const state = cmaes.init({ x0: [1, 1], sigma0: 0.5, seed: 3 });
  const cs = cmaes.ask(state);
  // -Infinity would be the smallest number: as a failure it must not be the best.
  const values = cs.map((c, i) => (i === 0 ? -Infinity : i === 1 ? Number.NaN : i === 2 ? Infinity : sphere(c.x)));
  cmaes.tell(state, cs, values);
  const finite = values.filter(Number.isFinite);
  t.is(state.best!.fitness, Math.min(...finite));
  t.deepEqual(state.best!.x, cs[values.indexOf(Math.min(...finite))]!.x);
  // The same generation told as evaluation objects moves the distribution the same way.
  const other = cmaes.init({ x0: [1, 1], sigma0: 0.5, seed: 3 });
  const cs2 = cmaes.ask(other);
  cmaes.tell(other, cs2, values.map(numberEvaluation));
  t.deepEqual(other.mean, state.mean);
});

test('the fingerprint sees every coordinate and the order; the marker survives a JSON round trip', (t) => {
  const cs: Candidate[] = [{ index: 0, x: [1, 2], wants: 'fitness' }, { index: 1, x: [3, 4], wants: 'fitness' }];
  const f = candidateFingerprint(cs);
  t.is(candidateFingerprint(JSON.parse(JSON.stringify(cs)) as Candidate[]), f);
  t.not(candidateFingerprint([cs[0]!, { ...cs[1]!, x: [3, 4 + 2 ** -40] }]), f);
  t.not(candidateFingerprint([{ ...cs[1]!, index: 0 }, { ...cs[0]!, index: 1 }]), f);
  const state = cmaes.init({ x0: [1, 1], sigma0: 0.5, seed: 3 });
  const asked = cmaes.ask(state);
  const copy = JSON.parse(JSON.stringify(state)) as CmaState;
  cmaes.tell(copy, JSON.parse(JSON.stringify(asked)) as Candidate[], asked.map((c) => sphere(c.x)));
  t.is(copy.generation, 1);
  t.false('asked' in copy, 'the marker is gone once told, so checkpoints hold no stale ask');
});

test('checkedStrategy wraps once and keeps a strategy without warmStart without one', (t) => {
  t.is(checkedStrategy(cmaes), cmaes);
  const plain = checkedStrategy(rawCmaes);
  t.is(checkedStrategy(plain), plain);
  t.false(plain.injects, 'inject needs the support handed to checkedStrategy');
  t.is(typeof cmaes.warmStart, 'function');
  t.is(metagrad.warmStart, undefined);
  t.true(cmaes.injects && sepCmaes.injects && ipopCmaes.injects);
  t.false(metagrad.injects);
});

test('inject: the points are the next generation\'s first candidates, evaluated; the best is always an evaluated point', (t) => {
  const optimum = [0.5, -0.25, 2];
  const f = (x: readonly number[]) => x.reduce((a, v, i) => a + (v - optimum[i]!) ** 2, 0);
  const state = cmaes.init({ x0: [3, 3, 3], sigma0: 0.1, seed: 8 });
  const evaluated: number[][] = [];
  const tellAll = () => {
    const cs = cmaes.ask(state);
    evaluated.push(...cs.map((c) => c.x));
    cmaes.tell(state, cs, cs.map((c) => f(c.x)));
    return cs;
  };
  tellAll();
  // A point far outside the current distribution (σ = 0.1 around (3, 3, 3)): CMA-ES would not sample it.
  cmaes.inject(state, [optimum, [1, 1, 1]]);
  t.deepEqual(state.injected, [optimum, [1, 1, 1]]);
  const cs = tellAll();
  t.deepEqual(cs[0]!.x, optimum);
  t.deepEqual(cs[1]!.x, [1, 1, 1]);
  t.is(state.injected, undefined, 'the queue is used up');
  t.deepEqual(state.best, { x: optimum, fitness: 0 });
  for (let g = 0; g < 30; g++) tellAll();
  t.true(evaluated.some((x) => JSON.stringify(x) === JSON.stringify(state.best!.x)), 'best.x is a point that was evaluated');
  t.is(state.best!.fitness, 0);
  // The injected point pulled the mean toward it by at most a clipped step: no jump to the optimum in one generation.
  t.true(Math.abs(state.mean[0]! - 3) < 3, `mean ${state.mean}`);
});

test('inject: an injected step enters the update clipped at pycma\'s Mahalanobis length √n + 2n/(n+2)', (t) => {
  const n = 4;
  const state = cmaes.init({ x0: [0, 0, 0, 0], sigma0: 1, seed: 2 });
  const far = [100, 0, 0, 0];
  cmaes.inject(state, [far]);
  const cs = cmaes.ask(state);
  t.deepEqual(cs[0]!.x, far, 'the candidate is the point itself');
  t.deepEqual(state.pending!.x[0], far, 'and so is what tell records as its x');
  const y = state.pending!.y[0]!;
  t.true(Math.abs(Math.sqrt(invSqrtC(state, y)) - injectedStepLimit(n)) < 1e-12);
  t.true(Math.abs(injectedStepLimit(4) - (2 + 8 / 6)) < 1e-15);
  t.true(y[0]! > 0 && y.slice(1).every((v) => v === 0), `clipped along its own direction: ${y}`);
  // A near point keeps its exact step.
  cmaes.tell(state, cs, cs.map((c) => sphere(c.x)));
  const near = state.mean.map((m, i) => m + (i === 0 ? 0.1 * state.sigma : 0));
  cmaes.inject(state, [near]);
  cmaes.ask(state);
  const step = state.pending!.y[0]!;
  t.true(Math.abs(step[0]! - 0.1) < 1e-12 && step.slice(1).every((v) => Math.abs(v) < 1e-12), `${step}`);
});

test('inject: a point outside the bounds is evaluated mirrored into them, and that mirrored point is what best holds', (t) => {
  const bounds = { lower: [0, 0], upper: [1, 1] };
  const state = sepCmaes.init({ x0: [0.5, 0.5], sigma0: 0.1, seed: 5, bounds });
  sepCmaes.inject(state, [[1.25, -0.5]]);
  const cs = sepCmaes.ask(state);
  t.deepEqual(cs[0]!.x, [0.75, 0.5]);
  sepCmaes.tell(state, cs, cs.map((c, i) => (i === 0 ? -1 : sphere(c.x))));
  t.deepEqual(state.best, { x: [0.75, 0.5], fitness: -1 });
});

test('inject: more points than λ wait for the next asks; restart strategies inject into their current run', (t) => {
  const state = cmaes.init({ x0: [0, 0], sigma0: 1, seed: 1, popsize: 4 });
  const points = Array.from({ length: 6 }, (_, k) => [k, -k]);
  cmaes.inject(state, points);
  const a = cmaes.ask(state);
  t.deepEqual(a.map((c) => c.x), points.slice(0, 4));
  cmaes.tell(state, a, a.map((c) => sphere(c.x)));
  const b = cmaes.ask(state);
  t.deepEqual(b.slice(0, 2).map((c) => c.x), points.slice(4));
  t.is(state.injected, undefined);
  const r = ipopCmaes.init({ x0: [0, 0], sigma0: 1, seed: 1 });
  ipopCmaes.inject(r, [[0.125, 0.25]]);
  const rc = ipopCmaes.ask(r);
  t.deepEqual(rc[0]!.x, [0.125, 0.25]);
  ipopCmaes.tell(r, rc, rc.map((c) => (c.x[0] === 0.125 ? -5 : sphere(c.x))));
  t.deepEqual(r.best, { x: [0.125, 0.25], fitness: -5 });
});

test('inject: wrong points and strategies that cannot take them are TypeErrors that say why', (t) => {
  const state = cmaes.init({ x0: [0, 0, 0], sigma0: 1, seed: 1 });
  const err = (f: () => void) => t.throws(f, { instanceOf: TypeError })!.message;
  t.is(err(() => cmaes.inject(state, [[1, 2]])), 'cmaes.inject: points[0] must be 3 finite numbers (got 2 values)');
  t.is(err(() => cmaes.inject(state, [[1, Number.NaN, 2]])), 'cmaes.inject: points[0] must be 3 finite numbers (got 3 values, not all finite)');
  t.is(err(() => cmaes.inject(state, [1, 2, 3] as never)), 'cmaes.inject: points[0] must be 3 finite numbers (got 1)');
  t.is(err(() => cmaes.inject(state, 'x' as never)), 'cmaes.inject: points must be an array of points (number arrays); got string');
  t.is(state.injected, undefined, 'nothing was queued by a refused call');
  const m = metagrad.init({ x0: [0, 0], sigma0: 0.1, seed: 1 });
  t.is(err(() => metagrad.inject(m, [[1, 1]])), "metagrad.inject: strategy 'metagrad' cannot learn from points it did not sample; inject works with the CMA-ES family (cmaes, sep-cmaes, ipop-cmaes, bipop-cmaes)");
});
