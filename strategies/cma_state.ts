/**
 * The CMA-ES state, plain JSON, and its start: the mean at x0, σ = σ0, C = I, the fixed per-coordinate
 * scaling `stds` (params.stds, all 1 by default), zero evolution paths. `mean` is a genotype: outside the box it
 * stands for its mirror image.
 */
import { Rng } from '../src/core/rng.js';
import { cmaParameters, type CmaParams } from './cma_params.js';
import { boundsToJson, type JsonBounds } from './bounds.js';
import { startVector } from './json_safe.js';
import { enforceIntegerFloor, updateEigensystem } from './cma_covariance.js';
import type { StrategyOptions, StrategyState } from '../src/core/strategy.js';


export interface CmaState extends StrategyState {
  dimension: number;
  params: CmaParams;
  mean: number[];
  sigma0: number;
  /** Conjugate evolution path p_σ. */
  ps: number[];
  /** Evolution path p_c for the rank-one update. */
  pc: number[];
  /** Covariance: n×n row-major, or the n variances when diagonal. */
  C: number[];
  /** Eigenvectors of C as columns of an n×n row-major matrix ([] when diagonal). */
  B: number[];
  /** Square roots of C's eigenvalues (ascending), matching B; √C_ii when diagonal. */
  D: number[];
  /** Generation at which B and D were last computed from C. */
  eigenGeneration: number;
  bounds: JsonBounds | null;
  /**
   * Coordinates the genome kind rounds to integers (ascending), whose marginal standard deviation is
   * held at ≥ params.integerMinStd. Checkpoints written before integer handling lack it (= none).
   */
  integers: number[];
  /**
   * Samples of the last `ask`, waiting for `tell`: the evaluated (reflected) points, their unrepaired steps
   * y = B·D·z and each ‖z‖² (= ‖C^{-1/2} y‖², which the negative weights need; absent in checkpoints written
   * before it was kept, whose tell computes it from y).
   */
  pending: { x: number[][]; y: number[][]; zNorm2?: number[] } | null;
  /** Best finite f of each recent generation (tolfun, tolfunhist), oldest first. */
  fitHistory: number[];
  /** f range of the last generation, null if it had a failed evaluation. */
  lastRange: number | null;
  /** Best and median finite f per generation over the last `tolstagnation` generations. */
  bestHistory: number[];
  medianHistory: number[];
  /** Consecutive generations with flat fitness. */
  flatGenerations: number;
  /**
   * params.stds (pycma's CMA_stds): a fixed per-coordinate scaling outside C. Candidates are x = m + σ·stds ⊙ y with
   * y = B·D·z, and C, p_c, p_σ all live in the scaled coordinates y. Absent = all 1.
   */
  stds?: number[];
  /**
   * Legacy: checkpoints written when `stds` was put into C as C₀ = diag(stds²) hold the scales here, as the
   * reference of tolfacupx only (their C already carries them). New states never have it.
   */
  stds0?: number[];
  /** Generations in a row without a successful evaluation (stop at params.maxFailedGenerations); absent in older checkpoints (= 0). */
  failedGenerations?: number;
}

export function initCmaState(name: string, diagonal: boolean, options: StrategyOptions): CmaState {
  const mean = startVector(options.x0, name); // a genotype: outside the box it stands for its reflection
  if (!(Number.isFinite(options.sigma0) && options.sigma0 > 0)) throw new Error(`${name}: sigma0 must be a positive finite number (got ${options.sigma0})`);
  if (!Number.isFinite(options.seed)) throw new Error(`${name}: seed must be a finite number`);
  const n = options.x0.length;
  const params = cmaParameters(n, { diagonal, popsize: options.popsize, params: options.params });
  const bounds = options.bounds ? boundsToJson(options.bounds, n) : null;
  const integers = checkIntegers(name, options.integers, n);
  const stds = initialStds(name, options.params?.['stds'], n);
  const identity = diagonal ? [] : Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  const state: CmaState = {
    strategy: name,
    generation: 0,
    evaluations: 0,
    sigma: options.sigma0,
    best: null,
    rng: new Rng(options.seed).state(),
    dimension: n,
    params,
    mean,
    sigma0: options.sigma0,
    ps: new Array<number>(n).fill(0),
    pc: new Array<number>(n).fill(0),
    C: diagonal ? new Array<number>(n).fill(1) : identity.slice(),
    B: identity.slice(),
    D: new Array<number>(n).fill(1),
    eigenGeneration: 0,
    bounds,
    integers,
    pending: null,
    fitHistory: [],
    lastRange: null,
    bestHistory: [],
    medianHistory: [],
    flatGenerations: 0,
    failedGenerations: 0,
    ...(stds !== null ? { stds } : {}),
  };
  // A σ0 below the floor widens the integer coordinates from the first generation on.
  if (enforceIntegerFloor(state)) {
    if (diagonal) state.D = state.C.map(Math.sqrt);
    else updateEigensystem(state);
  }
  return state;
}

/**
 * Params `stds` (pycma's CMA_stds): a fixed scaling of each coordinate, so the first step of coordinate i has std
 * σ0·stds[i] and every later one σ·stds[i]·√C_ii. This is how a search restarts from an earlier one's mean and
 * learned scales (`warmStart`) when coordinates differ by orders of magnitude in sensitivity.
 * Why a scaling outside C rather than C₀ = diag(stds²), as evometa had it before: parity with pycma, where
 * CMA_stds is "not represented in C". C then starts at I, so its condition number (conditioncov), the eigen-
 * decomposition and the active update's n/‖C^{-1/2}y‖² see the scaled, well-conditioned problem, and the
 * learning rates act on what is still to learn rather than on the given scales. null when not given (all 1).
 */
export function initialStds(name: string, raw: unknown, n: number): number[] | null {
  if (raw === undefined) return null;
  if (!Array.isArray(raw) || raw.length !== n || raw.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v <= 0))
    throw new Error(`${name}: parameter 'stds' must be a list of ${n} positive numbers, one scale per coordinate (got ${Array.isArray(raw) ? `a list of ${raw.length}` : JSON.stringify(raw)})`);
  return raw.slice() as number[];
}

/** `options.integers` as sorted, distinct coordinate indices in [0, n). */
function checkIntegers(name: string, integers: readonly number[] | undefined, n: number): number[] {
  if (integers === undefined) return [];
  if (!Array.isArray(integers)) throw new Error(`${name}: integers must be a list of coordinate indices (got ${JSON.stringify(integers)})`);
  const seen = new Set<number>();
  for (const i of integers) {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= n)
      throw new Error(`${name}: integers holds ${JSON.stringify(i)}, not a coordinate index from 0 to ${n - 1}`);
    if (seen.has(i)) throw new Error(`${name}: integers lists coordinate ${i} twice`);
    seen.add(i);
  }
  return [...seen].sort((a, b) => a - b);
}

