/**
 * 2-D Boolean (and a few other 2-D) classification functions for the BLUR learned-rule
 * meta-training (papers.md §1.9, after `blur/data/func2d.py`).
 *
 * Inputs are x ~ U[−1, 1)² drawn from an `Rng`; labels are ±1.
 *
 * **Sign convention.** A coordinate is "true" when it is > 0. Then
 * - `xor`  = sign(x₀·x₁): +1 when the signs of x₀ and x₁ AGREE, −1 when they differ (func2d.py's
 *   definition, kept so that training on xor and validating on nxor is the notebook's split);
 * - `nxor` = −xor, +1 when the signs differ;
 * - `or`   = +1 when x₀ > 0 or x₁ > 0;
 * - `and`  = +1 when x₀ > 0 and x₁ > 0;
 * - `qand` = +1 when x₀ < 0 and x₁ > 0 (func2d's `bool_qand`, the notebook's "nand").
 *
 * Note: this `xor` is the negation of the logical XOR of (x₀ > 0, x₁ > 0); reflecting x₀ → −x₀ maps
 * one onto the other, so the two are equally hard.
 *
 * Points exactly on an axis (probability 0, but possible with float32) follow the "> 0" rule.
 * Labels are computed on the float32-rounded inputs that are returned, so they always agree.
 */
import { Rng } from '../core/rng.js';
import { UsageError, unknownName } from '../core/errors.js';

export type Label = 1 | -1;
/** A ±1 labelling of the plane. */
export type Func2d = (x0: number, x1: number) => Label;

const pm = (b: boolean): Label => (b ? 1 : -1);

/** The BLUR notebook's Boolean functions (training: xor, or; validation: and, qand, nxor). */
export const BOOLEAN_FUNCTIONS = ['xor', 'or', 'and', 'nxor', 'qand'] as const;
export type BooleanFunctionName = (typeof BOOLEAN_FUNCTIONS)[number];

/** Extra fixed-parameter 2-D functions from func2d.py, relabelled to ±1. */
export const EXTRA_FUNC2D = ['circle', 'cross', 'triangle', 'angular_slice'] as const;
export type ExtraFunc2dName = (typeof EXTRA_FUNC2D)[number];
export type Func2dName = BooleanFunctionName | ExtraFunc2dName;
/** Every name `getFunc2d` / `sampleFunc2d` accept. */
export const FUNC2D_NAMES: readonly Func2dName[] = [...BOOLEAN_FUNCTIONS, ...EXTRA_FUNC2D];

/** +1 inside the disc |x − c| < r (func2d `circ`, which draws c and r at random; fix them here). */
export function makeCircle(cx = 0, cy = 0, r = Math.sqrt(2 / Math.PI)): Func2d {
  if (!(r > 0) || !Number.isFinite(cx) || !Number.isFinite(cy)) {
    throw new UsageError(`circle: radius must be > 0 and the centre finite (got c=(${cx}, ${cy}), r=${r})`);
  }
  const r2 = r * r;
  return (x0, x1) => pm((x0 - cx) ** 2 + (x1 - cy) ** 2 < r2);
}

/**
 * func2d `random_xor`: xor (sign-AGREE, as func2d) of the projected point x·P + b, with
 * P ~ U[−1,1)^{2×2} and b ~ U[−0.5,0.5)² drawn once from `rng`.
 */
export function makeRandomXor(rng: Rng): Func2d {
  const p = [0, 0, 0, 0].map(() => 2 * rng.uniform() - 1) as [number, number, number, number];
  const b0 = rng.uniform() - 0.5;
  const b1 = rng.uniform() - 0.5;
  return (x0, x1) => {
    const y0 = x0 * p[0] + x1 * p[2] + b0;
    const y1 = x0 * p[1] + x1 * p[3] + b1;
    return pm(y0 > 0 === y1 > 0);
  };
}

const FUNCS: Readonly<Record<Func2dName, Func2d>> = {
  xor: (x0, x1) => pm(x0 > 0 === x1 > 0),
  nxor: (x0, x1) => pm(x0 > 0 !== x1 > 0),
  or: (x0, x1) => pm(x0 > 0 || x1 > 0),
  and: (x0, x1) => pm(x0 > 0 && x1 > 0),
  qand: (x0, x1) => pm(x0 < 0 && x1 > 0),
  // radius √(2/π) makes the disc half of the square's area, so labels are balanced.
  circle: makeCircle(),
  // func2d `cross(width=0.3)`: |x₀| < 0.3 or |x₁| < 0.3 (func2d returns 0/1; here ±1).
  cross: (x0, x1) => pm(Math.abs(x0) < 0.3 || Math.abs(x1) < 0.3),
  // func2d `triangle`: x₀+x₁ < 1, −x₀+x₁ < 1, x₁ > −0.5.
  triangle: (x0, x1) => pm(x0 + x1 < 1 && -x0 + x1 < 1 && x1 > -0.5),
  // func2d `angular_slice(-0.78, 0.78)`: atan2(x₁, x₀) in [−0.78, 0.78].
  angular_slice: (x0, x1) => {
    const a = Math.atan2(x1, x0);
    return pm(a >= -0.78 && a <= 0.78);
  },
};

/** The labelling function for a name; an unknown name throws a UsageError listing the valid ones. */
export function getFunc2d(name: string): Func2d {
  if (!Object.prototype.hasOwnProperty.call(FUNCS, name)) throw unknownName('2-D function', name, FUNC2D_NAMES);
  return FUNCS[name as Func2dName];
}

/** Like `getFunc2d` but only the five Boolean functions. */
export function getBooleanFunction(name: string): Func2d {
  if (!(BOOLEAN_FUNCTIONS as readonly string[]).includes(name)) {
    throw unknownName('Boolean function', name, BOOLEAN_FUNCTIONS);
  }
  return FUNCS[name as BooleanFunctionName];
}

/** The ±1 label of one point. */
export function booleanLabel(name: string, x0: number, x1: number): Label {
  return getFunc2d(name)(x0, x1);
}

export interface Func2dBatch {
  /** n×2 row-major: x[2i], x[2i+1]; each in [−1, 1). */
  x: Float32Array;
  /** n labels, each +1 or −1. */
  y: Float32Array;
}

/**
 * n points x ~ U[−1, 1)² from `rng` (two `rng.uniform()` draws per point, x₀ then x₁) and
 * their ±1 labels. `fn` is a name from FUNC2D_NAMES or a `Func2d`.
 */
export function sampleFunc2d(fn: string | Func2d, n: number, rng: Rng): Func2dBatch {
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`batch size must be an integer >= 0 (got ${n})`);
  const f = typeof fn === 'function' ? fn : getFunc2d(fn);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = Math.fround(2 * rng.uniform() - 1);
    const x1 = Math.fround(2 * rng.uniform() - 1);
    x[2 * i] = x0;
    x[2 * i + 1] = x1;
    y[i] = f(x0, x1);
  }
  return { x, y };
}

/** `sampleFunc2d` restricted to the five Boolean functions (unknown names list those five). */
export function sampleBoolean(name: string, n: number, rng: Rng): Func2dBatch {
  return sampleFunc2d(getBooleanFunction(name), n, rng);
}

/** ±1 labels → class indices (−1 → 0, +1 → 1), e.g. for `oneHot`. */
export function signToClass(y: Float32Array): Uint8Array {
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i]! > 0 ? 1 : 0;
  return out;
}

/**
 * Held-out test functions that are not symmetries of the training pair. The notebook's held-out pair is one: with
 * input sign flips, input swaps and output negation, `nxor = −xor` and `and(x) = −or(−x)`, so and/nxor mainly test
 * that symmetry. The orbit of {xor, or} under that group holds 10 of the 16 two-input functions (xor, nxor and the
 * eight ±(ℓ₀ ∨ ℓ₁) with literals ℓᵢ = ±xᵢ); the other six are the projections and the constants below. The
 * three-input functions need a 3-input network: majority, parity (+1 for an odd number of coordinates > 0) and a
 * truth table drawn once from the fixed seed RANDOM3_SEED.
 */
export const OUTSIDE_CLASS_FUNCTIONS = ['x0', 'x1', 'not_x0', 'not_x1', 'true', 'false'] as const;
export const THREE_INPUT_FUNCTIONS = ['majority3', 'parity3', 'random3'] as const;
/** Every function a BLUR Boolean task may train on or hold out. */
export const BOOLEAN_TASK_FUNCTIONS: readonly string[] = [...BOOLEAN_FUNCTIONS, ...OUTSIDE_CLASS_FUNCTIONS, ...THREE_INPUT_FUNCTIONS];

/** Seed of `random3`'s truth table; changing it changes the benchmark's test function. */
export const RANDOM3_SEED = 20261128;

/** A ±1 labelling of [−1, 1)ⁿ, read from point `at` of a row-major n-column batch. */
export interface BooleanTaskFunction {
  inputs: number;
  label: (x: Float32Array, at: number) => Label;
}

/** Truth-table index of a point: bit i set when coordinate i is > 0. */
function truthIndex(x: Float32Array, at: number, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (x[at * n + i]! > 0) k |= 1 << i;
  return k;
}

/** The 8-entry table of `random3`, redrawn while constant (a constant would duplicate `true`/`false`). */
export function random3Table(seed = RANDOM3_SEED): Label[] {
  const rng = new Rng(seed);
  for (;;) {
    const table = Array.from({ length: 8 }, () => pm(rng.uniform() < 0.5));
    if (table.some((v) => v !== table[0])) return table;
  }
}

const fromTable = (inputs: number, table: readonly Label[]): BooleanTaskFunction => ({ inputs, label: (x, at) => table[truthIndex(x, at, inputs)]! });
const popcount3 = (k: number): number => (k & 1) + ((k >> 1) & 1) + ((k >> 2) & 1);

const TASK_FUNCS: Readonly<Record<string, BooleanTaskFunction>> = {
  x0: { inputs: 2, label: (x, at) => pm(x[2 * at]! > 0) },
  x1: { inputs: 2, label: (x, at) => pm(x[2 * at + 1]! > 0) },
  not_x0: { inputs: 2, label: (x, at) => pm(!(x[2 * at]! > 0)) },
  not_x1: { inputs: 2, label: (x, at) => pm(!(x[2 * at + 1]! > 0)) },
  true: { inputs: 2, label: () => 1 },
  false: { inputs: 2, label: () => -1 },
  majority3: fromTable(3, Array.from({ length: 8 }, (_, k) => pm(popcount3(k) >= 2))),
  parity3: fromTable(3, Array.from({ length: 8 }, (_, k) => pm(popcount3(k) % 2 === 1))),
  random3: fromTable(3, random3Table()),
};

/** The function for any name of BOOLEAN_TASK_FUNCTIONS; an unknown name throws a UsageError listing them. */
export function getBooleanTaskFunction(name: string): BooleanTaskFunction {
  if ((BOOLEAN_FUNCTIONS as readonly string[]).includes(name)) {
    const f = FUNCS[name as BooleanFunctionName];
    return { inputs: 2, label: (x, at) => f(x[2 * at]!, x[2 * at + 1]!) };
  }
  if (!Object.prototype.hasOwnProperty.call(TASK_FUNCS, name)) throw unknownName('Boolean function', name, BOOLEAN_TASK_FUNCTIONS);
  return TASK_FUNCS[name]!;
}

/**
 * n points x ~ U[−1, 1)^inputs (inputs draws per point, in coordinate order, float32-rounded) and their ±1 labels.
 * For the notebook's five functions the draws and labels equal `sampleBoolean`'s.
 */
export function sampleBooleanTask(name: string, n: number, rng: Rng): Func2dBatch & { inputs: number } {
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`batch size must be an integer >= 0 (got ${n})`);
  const f = getBooleanTaskFunction(name);
  const x = new Float32Array(f.inputs * n);
  const y = new Float32Array(n);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(2 * rng.uniform() - 1);
  for (let i = 0; i < n; i++) y[i] = f.label(x, i);
  return { x, y, inputs: f.inputs };
}
