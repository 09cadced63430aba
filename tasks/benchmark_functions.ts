/**
 * The classic CMA-ES test functions, defined as pycma's `cma.ff` defines them, so evaluation counts
 * can be compared with pycma's. All are minimised with f(x*) = 0; the optimum is x* = 0 except for
 * Rosenbrock (x* = 1).
 */
import { Rng } from '../src/core/rng.js';

export type BenchmarkFunction = (x: ArrayLike<number>) => number;

/** Σ xᵢ². */
export function sphere(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

/** Σ 1e6^(i/(n−1)) xᵢ²: axis-parallel ellipsoid with condition number 1e6 (n = 1: x₀²). */
export function elli(x: ArrayLike<number>): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += (n > 1 ? 1e6 ** (i / (n - 1)) : 1) * x[i]! * x[i]!;
  return s;
}

/** Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²: the bent valley with optimum at (1, …, 1). */
export function rosen(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i]! * x[i]! - x[i + 1]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}

/** 10n + Σ (xᵢ² − 10 cos(2π xᵢ)): about 10ⁿ local minima on a sphere-shaped global trend. */
export function rastrigin(x: ArrayLike<number>): number {
  let s = 10 * x.length;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]! - 10 * Math.cos(2 * Math.PI * x[i]!);
  return s;
}

/** x₀² + 1e6 Σᵢ₌₁ xᵢ²: one long axis. */
export function cigar(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += x[i]! * x[i]!;
  return x.length > 0 ? x[0]! * x[0]! + 1e6 * s : 0;
}

/** 1e6 x₀² + Σᵢ₌₁ xᵢ²: one short axis. */
export function tablet(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += x[i]! * x[i]!;
  return x.length > 0 ? 1e6 * x[0]! * x[0]! + s : 0;
}

/** By the names tasks and benchmarks use. */
export const BENCHMARK_FUNCTIONS = {
  sphere,
  ellipsoid: elli,
  rosenbrock: rosen,
  rastrigin,
  cigar,
  tablet,
} as const satisfies Record<string, BenchmarkFunction>;

export type BenchmarkName = keyof typeof BENCHMARK_FUNCTIONS;

/**
 * A seeded random orthogonal n×n matrix (rows): Gram-Schmidt on the rows of a standard Gaussian
 * matrix, which gives the uniform (Haar) distribution over rotations and reflections.
 */
export function randomRotation(n: number, seed: number): number[][] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`randomRotation: n must be a positive integer (got ${n})`);
  const rng = new Rng(seed);
  const rows: number[][] = [];
  while (rows.length < n) {
    const v = Array.from({ length: n }, () => rng.normal());
    // Modified Gram-Schmidt, twice for orthogonality to machine precision.
    for (let pass = 0; pass < 2; pass++) {
      for (const r of rows) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += v[j]! * r[j]!;
        for (let j = 0; j < n; j++) v[j] -= dot * r[j]!;
      }
    }
    const norm = Math.sqrt(sphere(v));
    if (norm < 1e-8) continue; // (almost) dependent draw: probability zero, redraw
    rows.push(v.map((vj) => vj / norm));
  }
  return rows;
}

/** x ↦ f(R·x). */
export function rotated(f: BenchmarkFunction, R: readonly (readonly number[])[]): BenchmarkFunction {
  const n = R.length;
  const y = new Float64Array(n);
  return (x) => {
    if (x.length !== n) throw new Error(`rotated: expected a vector of length ${n}, got ${x.length}`);
    for (let i = 0; i < n; i++) {
      const r = R[i]!;
      let s = 0;
      for (let j = 0; j < n; j++) s += r[j]! * x[j]!;
      y[i] = s;
    }
    return f(y);
  };
}
