import test from 'ava';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { symEig } from '../../../src/core/sym_eig.js';
import { Rng } from '../../../src/core/rng.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      c[i * n + j] = v;
      c[j * n + i] = v;
    }
  }
  return c;
}

/** max |B·diag(D)·Bᵀ − C| and max |BᵀB − I|. */
function errors(c: Float64Array, n: number): { reconstruction: number; orthonormality: number } {
  const { values, vectors: b } = symEig(c, n);
  let reconstruction = 0;
  let orthonormality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let r = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        r += b[i * n + k]! * values[k]! * b[j * n + k]!;
        o += b[k * n + i]! * b[k * n + j]!;
      }
      reconstruction = Math.max(reconstruction, Math.abs(r - c[i * n + j]!));
      orthonormality = Math.max(orthonormality, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { reconstruction, orthonormality };
}

for (const n of [2, 10, 50]) {
  test(`n=${n}: B·diag(D)·Bᵀ reconstructs C, B is orthonormal, eigenvalues match ml-matrix`, (t) => {
    const c = randomSymmetric(n, 1000 + n);
    const { values } = symEig(c, n);
    const e = errors(c, n);
    t.true(e.reconstruction < 1e-12 * n, `reconstruction error ${e.reconstruction}`);
    t.true(e.orthonormality < 1e-13 * n, `orthonormality error ${e.orthonormality}`);
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, c[i * n + j]!);
    const reference = new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
    for (let k = 0; k < n; k++) t.true(Math.abs(values[k]! - reference[k]!) < 1e-12 * n, `eigenvalue ${k}: ${values[k]} vs ${reference[k]}`);
    for (let k = 1; k < n; k++) t.true(values[k]! >= values[k - 1]!, 'ascending');
  });
}

test('a 2×2 matrix by hand: [[2, 1], [1, 2]] has eigenvalues 1 and 3 with vectors (1, ∓1)/√2', (t) => {
  const { values, vectors } = symEig([2, 1, 1, 2], 2);
  t.true(Math.abs(values[0]! - 1) < 1e-15 && Math.abs(values[1]! - 3) < 1e-15);
  // column 1 (eigenvalue 3) is ±(1, 1)/√2
  t.true(Math.abs(Math.abs(vectors[1]!) - Math.SQRT1_2) < 1e-15);
  t.true(Math.abs(vectors[1]! - vectors[3]!) < 1e-15);
});

test('diagonal, identity, zero and 1×1 matrices (the Householder steps that are the identity)', (t) => {
  const diag = symEig([3, 0, 0, 0, 1, 0, 0, 0, 2], 3);
  t.deepEqual(Array.from(diag.values), [1, 2, 3]);
  t.true(errors(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3).orthonormality < 1e-15);
  const eye = new Float64Array(25);
  for (let i = 0; i < 5; i++) eye[i * 6] = 1;
  t.deepEqual(Array.from(symEig(eye, 5).values), [1, 1, 1, 1, 1]);
  t.deepEqual(Array.from(symEig(new Float64Array(16), 4).values), [0, 0, 0, 0]);
  t.deepEqual(Array.from(symEig([7], 1).values), [7]);
});

/** R·diag(λ)·Rᵀ with a random orthogonal R, exactly symmetric. */
function withSpectrum(lambda: number[], seed: number): Float64Array {
  const n = lambda.length;
  const r = symEig(randomSymmetric(n, seed), n).vectors;
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += r[i * n + k]! * lambda[k]! * r[j * n + k]!;
      c[i * n + j] = s;
      c[j * n + i] = s;
    }
  }
  return c;
}

test('condition 1e14 (the CMA-ES stop level): relative accuracy of C and of the largest eigenvalue', (t) => {
  const n = 30;
  const lambda = Array.from({ length: n }, (_, i) => 10 ** ((14 * i) / (n - 1)));
  const c = withSpectrum(lambda, 5);
  const { values } = symEig(c, n);
  const e = errors(c, n);
  t.true(e.reconstruction < 1e-15 * 1e14 * n, `reconstruction ${e.reconstruction}`);
  t.true(e.orthonormality < 1e-13, `orthonormality ${e.orthonormality}`);
  t.true(Math.abs(values[n - 1]! / 1e14 - 1) < 1e-12);
  // small eigenvalues carry an absolute error of order ε·‖C‖
  t.true(Math.abs(values[0]! - 1) < 1e-15 * 1e14 * n, `smallest ${values[0]}`);
});

test('a cluster of ten equal eigenvalues keeps orthonormal vectors and exact values', (t) => {
  const n = 25;
  const lambda = Array.from({ length: n }, (_, i) => (i < 10 ? 1 : i - 8));
  const c = withSpectrum(lambda, 6);
  const { values } = symEig(c, n);
  const e = errors(c, n);
  t.true(e.reconstruction < 1e-13, `reconstruction ${e.reconstruction}`);
  t.true(e.orthonormality < 1e-13, `orthonormality ${e.orthonormality}`);
  lambda.forEach((l, k) => t.true(Math.abs(values[k]! - l) < 1e-13, `eigenvalue ${k}: ${values[k]} vs ${l}`));
});

test('rejects non-finite entries and wrong sizes', (t) => {
  t.throws(() => symEig([1, NaN, NaN, 1], 2), { message: /non-finite/ });
  t.throws(() => symEig([1, 2, 3], 2), { message: /expected 4 entries/ });
});
