/**
 * The optimised ask and tell of CMA-ES against the tutorial's equations written out plainly (explicit C^{-1/2},
 * full outer products, one matrix-vector product per candidate), so the blocked kernels, the ‖z‖² shortcut for
 * the negative weights and the inlined random stream are checked against what they replace.
 */
import test from 'ava';
import { cmaes, sepCmaes, type CmaState } from '../../strategies/cma_es.js';
import { hsigma } from '../../strategies/cma_generation.js';
import { fillNormals } from '../../src/core/normals.js';
import { Rng } from '../../src/core/rng.js';
import { BENCHMARK_FUNCTIONS } from '../../tasks/benchmark_functions.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { Strategy } from '../../src/core/strategy.js';

const N = 30;
const f = BENCHMARK_FUNCTIONS.ellipsoid;
const evaluate = (cs: readonly Candidate[]): Evaluation[] => cs.map((c) => ({ status: 'ok', fitness: f(c.x) }));
const clone = (s: CmaState): CmaState => JSON.parse(JSON.stringify(s)) as CmaState;

/** max |a − b| / max |b|: the error relative to the array's scale. */
function relativeError(a: readonly number[], b: readonly number[]): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** `Rng.normal`'s stream (Box–Muller on Rng.uniform), the stream of checkpoints written before params.normals. */
function rngNormals(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.normal());
}

for (const legacy of [false, true]) {
  const which = legacy ? 'a checkpoint without params.normals: Rng.normal’s Box–Muller stream' : 'a new run: the ziggurat';
  test(`ask: each step is B·(D ⊙ z) for the normals of the recorded state, and ‖z‖² is kept (n = 30; ${which})`, (t) => {
    const state = cmaes.init({ x0: new Array<number>(N).fill(1), sigma0: 0.5, seed: 3 });
    t.is(state.params.normals, 'ziggurat');
    if (legacy) delete state.params.normals;
    for (let g = 0; g < 6; g++) {
      const cs = cmaes.ask(state);
      cmaes.tell(state, cs, evaluate(cs));
    }
    const before = clone(state);
    const candidates = cmaes.ask(state);
    const lambda = before.params.popsize;
    let z: number[];
    let after: unknown;
    if (legacy) {
      const rng = new Rng(before.rng);
      z = rngNormals(rng, lambda * N);
      after = rng.state();
    } else {
      const out = new Float64Array(lambda * N);
      after = fillNormals(before.rng, out, 'ziggurat');
      z = Array.from(out);
    }
    const { B, D, mean, sigma } = before;
    for (let k = 0; k < lambda; k++) {
      const y: number[] = [];
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let j = 0; j < N; j++) s += B[i * N + j]! * (D[j]! * z[k * N + j]!);
        y.push(s);
      }
      t.deepEqual(state.pending!.y[k], y);
      t.deepEqual(candidates[k]!.x, y.map((v, i) => mean[i]! + sigma * 1 * v));
      t.is(state.pending!.zNorm2![k], z.slice(k * N, (k + 1) * N).reduce((a, v) => a + v * v, 0));
    }
    t.deepEqual(state.rng, after);
  });
}

/** Eqs. (41)–(47) of the tutorial as written, for a state between ask and tell (full or diagonal C). */
function referenceTell(s: CmaState, fitness: readonly number[]): { mean: number[]; sigma: number; ps: number[]; pc: number[]; C: number[] } {
  const p = s.params;
  const n = s.dimension;
  const lambda = p.popsize;
  const order = fitness.map((_, k) => k).sort((a, b) => fitness[a]! - fitness[b]! || a - b);
  const ys = order.map((k) => s.pending!.y[k]!);
  const w = p.weights;
  const ymean = new Array<number>(n).fill(0);
  for (let r = 0; r < p.mu; r++) for (let i = 0; i < n; i++) ymean[i] += w[r]! * ys[r]![i]!;
  const mean = s.mean.map((m, i) => m + s.sigma * ymean[i]!);
  // C^{-1/2} = B·D⁻¹·Bᵀ as an explicit matrix (D⁻¹ for the diagonal model).
  const invSqrt = (v: readonly number[]): number[] =>
    p.diagonal
      ? v.map((x, i) => x / s.D[i]!)
      : v.map((_, i) => {
          let sum = 0;
          for (let j = 0; j < n; j++) {
            let m = 0;
            for (let k = 0; k < n; k++) m += (s.B[i * n + k]! * s.B[j * n + k]!) / s.D[k]!;
            sum += m * v[j]!;
          }
          return sum;
        });
  const zmean = invSqrt(ymean);
  const ps = s.ps.map((v, i) => (1 - p.cs) * v + Math.sqrt(p.cs * (2 - p.cs) * p.mueff) * zmean[i]!);
  const psNorm2 = ps.reduce((a, v) => a + v * v, 0);
  const hsig = hsigma(psNorm2, n, p.cs, s.generation);
  const pc = s.pc.map((v, i) => (1 - p.cc) * v + (hsig ? Math.sqrt(p.cc * (2 - p.cc) * p.mueff) : 0) * ymean[i]!);
  const wo = w.map((wr, r) => (wr >= 0 ? wr : (wr * n) / invSqrt(ys[r]!).reduce((a, v) => a + v * v, 0)));
  const sumW = w.reduce((a, v) => a + v, 0);
  const sigma = s.sigma * Math.exp(Math.max(-1, Math.min(1, (p.cs / p.damps) * (Math.sqrt(psNorm2) / p.chiN - 1))));
  const decay = 1 + p.c1 * (hsig ? 0 : p.cc * (2 - p.cc)) - p.c1 - p.cmu * sumW;
  const C = s.C.map((c, idx) => {
    const [i, j] = p.diagonal ? [idx, idx] : [Math.floor(idx / n), idx % n];
    let v = decay * c + p.c1 * pc[i]! * pc[j]!;
    for (let r = 0; r < lambda; r++) v += p.cmu * wo[r]! * ys[r]![i]! * ys[r]![j]!;
    return v;
  });
  return { mean, sigma, ps, pc, C };
}

for (const [name, strategy] of [['cmaes', cmaes], ['sep-cmaes', sepCmaes]] as const) {
  test(`${name}: tell equals the plain equations within 1e-12 over 16 generations at n = 30, across eigendecompositions`, (t) => {
    const state = (strategy as Strategy<CmaState>).init({ x0: new Array<number>(N).fill(1), sigma0: 0.5, seed: 5 });
    let decompositions = 0;
    for (let g = 0; g < 16; g++) {
      const candidates = strategy.ask(state);
      const evaluations = evaluate(candidates);
      const expected = referenceTell(state, evaluations.map((e) => e.fitness));
      strategy.tell(state, candidates, evaluations);
      if (state.eigenGeneration === state.generation) decompositions++;
      for (const k of ['mean', 'ps', 'pc', 'C'] as const) {
        const e = relativeError(state[k], expected[k]);
        t.true(e < 1e-12, `generation ${g}: ${k} differs by ${e}`);
      }
      t.true(Math.abs(state.sigma / expected.sigma - 1) < 1e-12, `generation ${g}: σ ${state.sigma} vs ${expected.sigma}`);
    }
    t.true(decompositions >= (name === 'cmaes' ? 4 : 16), `${decompositions} decompositions`);
  });
}

test('a checkpoint written before ask kept ‖z‖² (no pending.zNorm2) tells the same within 1e-12', (t) => {
  const state = cmaes.init({ x0: new Array<number>(N).fill(1), sigma0: 0.5, seed: 9 });
  for (let g = 0; g < 5; g++) {
    const cs = cmaes.ask(state);
    cmaes.tell(state, cs, evaluate(cs));
  }
  const candidates = cmaes.ask(state);
  const legacy = clone(state);
  delete legacy.pending!.zNorm2;
  const evaluations = evaluate(candidates);
  cmaes.tell(state, candidates, evaluations);
  cmaes.tell(legacy, candidates, evaluations);
  t.true(relativeError(legacy.C, state.C) < 1e-12);
  t.deepEqual([legacy.mean, legacy.sigma], [state.mean, state.sigma]);
});

test('validateState checks pending.zNorm2: λ numbers ≥ 0, named in one line', (t) => {
  const state = cmaes.init({ x0: [1, 2, 3], sigma0: 0.5, seed: 2 });
  cmaes.ask(state);
  t.notThrows(() => cmaes.validateState!(clone(state), 'checkpoint.json'));
  const short = clone(state);
  short.pending!.zNorm2 = short.pending!.zNorm2!.slice(1);
  t.throws(() => cmaes.validateState!(short, 'checkpoint.json'), { message: /checkpoint\.json: .*pending\.zNorm2 .*popsize is 7/ });
  const negative = clone(state);
  negative.pending!.zNorm2![0] = -1;
  t.throws(() => cmaes.validateState!(negative, 'checkpoint.json'), { message: /pending\.zNorm2/ });
});
