/**
 * The WebAssembly kernels of CMA-ES against the plain scalar loops they replace, bit for bit: the steps B·v, the
 * products of C^{-1/2}·v and the rank-μ update of C, at odd and even n and candidate counts (every block and tail
 * of the kernels), and the kept copy of B when states with different B take turns.
 */
import test from 'ava';
import { multiplyRowsByB } from '../../strategies/cma_sampling.js';
import { invSqrtC, updateFullC } from '../../strategies/cma_covariance.js';
import { cmaes, type CmaState } from '../../strategies/cma_es.js';
import { Rng } from '../../src/core/rng.js';

const randomArray = (rng: Rng, length: number): number[] => Array.from({ length }, () => rng.normal());

/** y_k[i] = Σ_j B[i·n + j]·v[k·n + j], j ascending: a plain matrix-vector product per vector. */
function plainSteps(B: readonly number[], n: number, v: Float64Array, count: number): number[][] {
  return Array.from({ length: count }, (_, k) =>
    Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += B[i * n + j]! * v[k * n + j]!;
      return s;
    }),
  );
}

for (const [n, count] of [[1, 1], [2, 3], [7, 5], [8, 4], [13, 7], [30, 10], [33, 9]] as const) {
  test(`steps B·v: bit for bit the plain products at n = ${n}, ${count} vectors`, (t) => {
    const rng = new Rng(n * 100 + count);
    const B = randomArray(rng, n * n);
    const v = Float64Array.from(randomArray(rng, n * count));
    t.deepEqual(multiplyRowsByB(B, n, v, count), plainSteps(B, n, v, count));
  });
}

test('steps: the kept copy of B follows the array given (states taking turns, a new B of the same n)', (t) => {
  const rng = new Rng(5);
  const n = 9;
  const [B1, B2] = [randomArray(rng, n * n), randomArray(rng, n * n)];
  const v = Float64Array.from(randomArray(rng, n * 3));
  for (const B of [B1, B2, B1, B1, B2]) t.deepEqual(multiplyRowsByB(B, n, v, 3), plainSteps(B, n, v, 3));
  const small = randomArray(rng, 16);
  t.deepEqual(multiplyRowsByB(small, 4, v, 2), plainSteps(small, 4, v, 2));
  t.deepEqual(multiplyRowsByB(B1, n, v, 3), plainSteps(B1, n, v, 3));
});

/** Eq. (47) entry by entry as the scalar code wrote it: decay·C_ij + (c₁·pc_i)·pc_j, then Σ_u (c_u·y_ui)·y_uj in order. */
function plainRankMu(C: readonly number[], n: number, decay: number, c1: number, pc: readonly number[], ys: readonly number[][], used: readonly number[], coef: readonly number[]): number[] {
  const out = C.slice();
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = decay * C[i * n + j]! + c1 * pc[i]! * pc[j]!;
      used.forEach((r, u) => {
        s += coef[u]! * ys[r]![i]! * ys[r]![j]!;
      });
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** A symmetric positive definite n×n matrix (G·Gᵀ + n·I). */
function spd(rng: Rng, n: number): number[] {
  const G = randomArray(rng, n * n);
  const C = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += G[i * n + k]! * G[j * n + k]!;
      C[i * n + j] = s;
    }
  }
  return C;
}

for (const [n, lambda] of [[1, 2], [2, 3], [5, 6], [8, 8], [13, 9], [30, 12]] as const) {
  test(`rank-μ update: bit for bit the plain loop, C symmetric, at n = ${n} with ${lambda} vectors`, (t) => {
    const rng = new Rng(n + 1000 * lambda);
    const C = spd(rng, n);
    const ys = Array.from({ length: lambda }, () => randomArray(rng, n));
    const pc = randomArray(rng, n);
    const used = Array.from({ length: lambda - 1 }, (_, u) => (u * 7 + 1) % lambda); // a subset, out of order
    const coef = used.map((_, u) => (u % 3 === 2 ? -0.01 : 0.05) / (u + 1));
    const expected = plainRankMu(C, n, 0.93, 0.02, pc, ys, used, coef);
    const actual = C.slice();
    t.true(updateFullC(actual, n, 0.93, 0.02, pc, ys, used, coef));
    t.deepEqual(actual, expected);
  });
}

test('rank-μ update: an overflowing entry is reported (false), a finite one not', (t) => {
  const n = 6;
  const rng = new Rng(3);
  const C = spd(rng, n);
  const ys = [randomArray(rng, n), randomArray(rng, n)];
  ys[1]![4] = 1e200;
  t.false(updateFullC(C.slice(), n, 0.9, 0.01, new Array<number>(n).fill(0), ys, [0, 1], [0.1, 0.1]));
  t.true(updateFullC(C.slice(), n, 0.9, 0.01, new Array<number>(n).fill(0), ys, [0], [0.1]));
});

test('C^{-1/2}·v: bit for bit B·(D⁻¹ ⊙ (Bᵀ·v)) written as plain loops (n = 11, after some generations)', (t) => {
  const n = 11;
  const state: CmaState = cmaes.init({ x0: new Array<number>(n).fill(1), sigma0: 0.5, seed: 9 });
  const f = (x: readonly number[]): number => x.reduce((a, v, i) => a + 10 ** (i / 2) * v * v, 0);
  for (let g = 0; g < 40; g++) {
    const cs = cmaes.ask(state);
    cmaes.tell(state, cs, cs.map((c) => ({ status: 'ok' as const, fitness: f(c.x) })));
  }
  const { B, D } = state;
  const v = randomArray(new Rng(1), n);
  const tv: number[] = [];
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += B[i * n + j]! * v[i]!;
    tv.push(s / D[j]!);
  }
  const expected: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += B[i * n + j]! * tv[j]!;
    expected.push(s);
  }
  const out = new Float64Array(n);
  const norm2 = invSqrtC(state, v, out);
  t.deepEqual(Array.from(out), expected);
  t.is(norm2, tv.reduce((a, x) => a + x * x, 0));
});
