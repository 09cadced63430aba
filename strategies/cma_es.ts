/**
 * CMA-ES (Hansen & Ostermeier 2001) and sep-CMA-ES (Ros & Hansen 2008) in one implementation.
 * Equations follow Hansen's tutorial (arXiv:1604.00772, "Eq. (n)" below); defaults follow pycma 4.4
 * where it deviates from the tutorial (c₁ × min(1, λ/6), c_σ, d_σ, c_μ with the ¼ offset, sep rates).
 *
 * Design choices:
 * - The whole state is plain JSON (number[] and null, never NaN or ±Infinity), so a checkpoint is
 *   `JSON.stringify(state)` and a resumed run continues bit for bit.
 * - Failed, NaN or infinite evaluations rank worst (shared `rankOrder`). A generation without any
 *   finite evaluation carries no information and leaves the distribution untouched; any update that
 *   would produce a non-finite number is dropped as a whole, so the state is never corrupted.
 * - Box bounds are handled by mirror reflection into [lower, upper], as a genotype → phenotype map
 *   (the idea of pycma's BoundTransform): the candidate handed out and evaluated is the reflected
 *   point, while the update learns from the unrepaired sample, i.e. CMA-ES optimises the unbounded
 *   function x ↦ f(reflect(x)). Feeding the repaired points into the update instead (y = (x_repaired
 *   − m)/σ) was tried and rejected: with the optimum on a bound the selected repaired steps are
 *   folded, C collapses along the bound while σ grows without limit (σ ≈ 1e100 after 400
 *   generations on a 5-D sphere with four active bounds, where this way reaches f − f* < 1e-12).
 *   So `mean` may lie outside the box; `reflect(mean)` and `best.x` are feasible.
 * - Integer coordinates (`options.integers`, declared by the genome kind, which rounds them): after
 *   each update their marginal std σ·√C_ii is raised to ≥ `integerMinStd` by rescaling row and
 *   column i of C (see enforceIntegerFloor), as pycma's `integer_variables`.
 */
import { Rng } from '../src/core/rng.js';
import { symEig } from '../src/core/sym_eig.js';
import { rankableFitness, rankOrder } from './ranking.js';
import { nonNegative, numberParam as checkedNumber, positive, rejectUnknownParams, unitInterval } from './params.js';
import type { Bounds, Candidate, Evaluation, StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../src/core/strategy.js';

/** Strategy parameters, all derived from (n, λ) unless overridden through `options.params`. */
export interface CmaParams {
  /** λ: candidates per generation (4 + ⌊3 ln n⌋). */
  popsize: number;
  /** μ = ⌊λ/2⌋: candidates with positive recombination weights. */
  mu: number;
  /** λ recombination weights by rank; the positive ones sum to 1, the rest are ≤ 0 (0 unless active). */
  weights: number[];
  /** Variance effective selection mass of the positive weights. */
  mueff: number;
  /** Cumulation constant of the σ path (pycma: (μeff + 2)/(n + μeff + 3)). */
  cs: number;
  /** Step-size damping d_σ. */
  damps: number;
  /** Cumulation constant of the rank-one path. */
  cc: number;
  /** Rank-one learning rate. */
  c1: number;
  /** Rank-μ learning rate. */
  cmu: number;
  /** E‖N(0, I)‖. */
  chiN: number;
  /** Active CMA: negative weights for the worst λ − μ candidates. */
  active: boolean;
  /** sep-CMA-ES: diagonal covariance, O(n) per candidate. */
  diagonal: boolean;
  /** Generations between eigendecompositions (lazy update, O(n²) per evaluation on average). */
  eigenGap: number;
  /** Termination thresholds (pycma names and defaults); 0 switches a criterion off. */
  tolfun: number;
  tolfunhist: number;
  tolx: number;
  conditioncov: number;
  tolfacupx: number;
  tolupsigma: number;
  tolstagnation: number;
  tolflatfitness: number;
  /**
   * Floor on the marginal standard deviation σ·√C_ii of each integer coordinate (`integers`), in the
   * units of x where one integer step is 1. Default min(0.2, μeff/n), the first two of pycma's three
   * `integer_std_lower_bound` terms. Unused when no coordinate is integer.
   */
  integerMinStd: number;
  /**
   * c_m, the learning rate of the mean (tutorial eq. 42; pycma CMA_cmean). Default 1. Below 1 the mean
   * averages its moves over about 1/c_m generations, which on a noisy fitness keeps it from jittering
   * around the optimum. Checkpoints written before it lack it (= 1).
   */
  cmean?: number;
}

/** Box bounds as JSON: null where a coordinate is unbounded. */
export interface JsonBounds {
  lower: (number | null)[];
  upper: (number | null)[];
}

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
  /** Samples of the last `ask`, waiting for `tell`: the evaluated (reflected) points and their unrepaired steps y = B·D·z. */
  pending: { x: number[][]; y: number[][] } | null;
  /** Best finite f of each recent generation (tolfun, tolfunhist), oldest first. */
  fitHistory: number[];
  /** f range of the last generation, null if it had a failed evaluation. */
  lastRange: number | null;
  /** Best and median finite f per generation over the last `tolstagnation` generations. */
  bestHistory: number[];
  medianHistory: number[];
  /** Consecutive generations with flat fitness. */
  flatGenerations: number;
  /** params.stds, the first distribution's per-coordinate scales (tolfacupx compares against σ0·stds0); absent = all 1. */
  stds0?: number[];
}

/** The keys `options.params` may hold. */
export const CMA_PARAM_KEYS = [
  'popsize',
  'active',
  'cs',
  'damps',
  'cc',
  'c1',
  'cmu',
  'tolfun',
  'tolfunhist',
  'tolx',
  'conditioncov',
  'tolfacupx',
  'tolupsigma',
  'tolstagnation',
  'tolflatfitness',
  'integerMinStd',
  'stds',
  'cmean',
] as const;

type ParamKey = (typeof CMA_PARAM_KEYS)[number];

// ---------------------------------------------------------------------------------------------
// Parameters (tutorial Table 1 / App. A, pycma variants)

/** Default λ = 4 + ⌊3 ln n⌋. */
export function defaultPopsize(n: number): number {
  return 4 + Math.floor(3 * Math.log(n));
}


/**
 * Resolves the parameters for dimension n. `overrides` is `options.params` (validated here);
 * `popsize` there wins over the `popsize` argument only if the latter is undefined.
 */
export function cmaParameters(n: number, options: { diagonal: boolean; popsize?: number; params?: Record<string, unknown> }): CmaParams {
  const o = options.params ?? {};
  const who = options.diagonal ? 'sep-cmaes' : 'cmaes';
  rejectUnknownParams(o, CMA_PARAM_KEYS, who);
  const numberParam = (key: ParamKey, fallback: number, check: (v: number) => boolean, what: string): number => checkedNumber(o, key, fallback, check, what, who);
  const isInt2 = (v: number) => Number.isInteger(v) && v >= 2;
  const fromParams = numberParam('popsize', NaN, isInt2, 'an integer ≥ 2');
  if (options.popsize !== undefined && !isInt2(options.popsize)) throw new Error(`cmaes: popsize must be an integer ≥ 2 (got ${options.popsize})`);
  if (options.popsize !== undefined && !Number.isNaN(fromParams) && fromParams !== options.popsize) {
    throw new Error(`cmaes: popsize given twice with different values (${options.popsize} and params.popsize ${fromParams})`);
  }
  const lambda = options.popsize ?? (Number.isNaN(fromParams) ? defaultPopsize(n) : fromParams);
  const activeRaw = o['active'];
  if (activeRaw !== undefined && typeof activeRaw !== 'boolean') throw new Error(`cmaes: parameter 'active' must be true or false (got ${JSON.stringify(activeRaw)})`);
  const active = activeRaw ?? true;

  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: lambda }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1)); // w'ᵢ
  let sumPos = 0;
  let sumPos2 = 0;
  let sumNeg = 0;
  let sumNeg2 = 0;
  for (let i = 0; i < lambda; i++) {
    const w = raw[i]!;
    if (i < mu) {
      sumPos += w;
      sumPos2 += w * w;
    } else {
      sumNeg += Math.abs(w);
      sumNeg2 += w * w;
    }
  }
  const mueff = (sumPos * sumPos) / sumPos2;
  const mueffNeg = sumNeg2 > 0 ? (sumNeg * sumNeg) / sumNeg2 : 0;

  let c1: number;
  let cmu: number;
  let cc: number;
  if (options.diagonal) {
    // pycma's separable rates (Ros & Hansen 2008, as parameterised in pycma).
    c1 = numberParam('c1', 1 / (n + 2 * Math.sqrt(n) + mueff / n), unitInterval, 'in (0, 1]');
    cmu = numberParam('cmu', Math.min(1 - c1, (0.25 + mueff + 1 / mueff - 2) / (n + 4 * Math.sqrt(n) + mueff / 2)), nonNegative, '≥ 0');
    cc = numberParam('cc', (1 + 1 / n + mueff / n) / (Math.sqrt(n) + 1 / n + (2 * mueff) / n), unitInterval, 'in (0, 1]');
  } else {
    c1 = numberParam('c1', (Math.min(1, lambda / 6) * 2) / ((n + 1.3) ** 2 + mueff), unitInterval, 'in (0, 1]');
    cmu = numberParam('cmu', Math.min(1 - c1, (2 * (0.25 + mueff + 1 / mueff - 2)) / ((n + 2) ** 2 + mueff)), nonNegative, '≥ 0');
    cc = numberParam('cc', (4 + mueff / n) / (n + 4 + (2 * mueff) / n), unitInterval, 'in (0, 1]');
  }
  if (c1 + cmu > 1) throw new Error(`cmaes: c1 + cmu must not exceed 1 (got ${c1} + ${cmu})`);
  const cs = numberParam('cs', (mueff + 2) / (n + mueff + 3), (v) => v > 0 && v < 1, 'in (0, 1)');
  const damps = numberParam('damps', 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs, positive, '> 0');

  // Negative weights (App. A): their sum is capped so that C stays positive definite.
  let negScale = 0;
  if (active && sumNeg > 0 && cmu > 0) {
    const alphaMu = 1 + c1 / cmu;
    const alphaMueff = 1 + (2 * mueffNeg) / (mueff + 2);
    let alpha = Math.min(alphaMu, alphaMueff);
    // pycma drops the positive-definiteness cap for the diagonal model.
    if (!options.diagonal) alpha = Math.min(alpha, (1 - c1 - cmu) / (n * cmu));
    negScale = alpha / sumNeg;
  }
  const weights = raw.map((w, i) => (i < mu ? w / sumPos : w * negScale));

  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const eigenGap = Math.max(1, Math.floor(1 / (10 * n * (c1 + cmu))));
  return {
    popsize: lambda,
    mu,
    weights,
    mueff,
    cs,
    damps,
    cc,
    c1,
    cmu,
    chiN,
    active,
    diagonal: options.diagonal,
    eigenGap,
    tolfun: numberParam('tolfun', 1e-11, nonNegative, '≥ 0'),
    tolfunhist: numberParam('tolfunhist', 1e-12, nonNegative, '≥ 0'),
    tolx: numberParam('tolx', 1e-11, nonNegative, '≥ 0'),
    conditioncov: numberParam('conditioncov', 1e14, nonNegative, '≥ 0'),
    tolfacupx: numberParam('tolfacupx', 1e3, nonNegative, '≥ 0'),
    tolupsigma: numberParam('tolupsigma', 1e20, nonNegative, '≥ 0'),
    tolstagnation: numberParam('tolstagnation', Math.floor(100 + (100 * n ** 1.5) / lambda), (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0'),
    tolflatfitness: numberParam('tolflatfitness', 1, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0'),
    integerMinStd: numberParam('integerMinStd', Math.min(0.2, mueff / n), nonNegative, '≥ 0 (0 switches the floor off)'),
    cmean: numberParam('cmean', 1, (v) => v > 0 && v <= 1, 'in (0, 1]'),
  };
}

// ---------------------------------------------------------------------------------------------
// Bounds

/** Bounds as JSON (±Infinity → null), validated against dimension n. */
export function boundsToJson(bounds: Bounds, n: number): JsonBounds {
  if (bounds.lower.length !== n || bounds.upper.length !== n) {
    throw new Error(`cmaes: bounds must have ${n} lower and upper entries (got ${bounds.lower.length} and ${bounds.upper.length})`);
  }
  const lower: (number | null)[] = [];
  const upper: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const l = bounds.lower[i]!;
    const u = bounds.upper[i]!;
    if (Number.isNaN(l) || Number.isNaN(u) || l === Infinity || u === -Infinity || l > u) {
      throw new Error(`cmaes: invalid bounds [${l}, ${u}] for coordinate ${i}`);
    }
    lower.push(Number.isFinite(l) ? l : null);
    upper.push(Number.isFinite(u) ? u : null);
  }
  return { lower, upper };
}

/** The inverse of `boundsToJson`. */
export function boundsFromJson(b: JsonBounds): Bounds {
  return { lower: b.lower.map((v) => v ?? -Infinity), upper: b.upper.map((v) => v ?? Infinity) };
}

/** The feasible point a genotype stands for (e.g. `state.mean`): each coordinate mirrored into its bounds. */
export function reflectIntoBounds(x: readonly number[], bounds: JsonBounds | null): number[] {
  return bounds ? x.map((v, i) => reflect(v, bounds.lower[i] ?? null, bounds.upper[i] ?? null)) : x.slice();
}

/** Mirror reflection of v into [l, u] (either side may be open); 2(u − l)-periodic when both are finite. */
function reflect(v: number, l: number | null, u: number | null): number {
  if (l !== null && u !== null) {
    const width = u - l;
    if (width === 0) return l;
    let t = (v - l) % (2 * width);
    if (t < 0) t += 2 * width;
    const r = l + (t <= width ? t : 2 * width - t);
    return Math.min(u, Math.max(l, r));
  }
  if (l !== null && v < l) return 2 * l - v;
  if (u !== null && v > u) return 2 * u - v;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Strategy

function assertFiniteVector(v: unknown, what: string): asserts v is number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`${what} must be a non-empty array of finite numbers`);
  }
}

function init(name: string, diagonal: boolean, options: StrategyOptions): CmaState {
  assertFiniteVector(options.x0, `${name}: x0`);
  if (!(Number.isFinite(options.sigma0) && options.sigma0 > 0)) throw new Error(`${name}: sigma0 must be a positive finite number (got ${options.sigma0})`);
  if (!Number.isFinite(options.seed)) throw new Error(`${name}: seed must be a finite number`);
  const n = options.x0.length;
  const params = cmaParameters(n, { diagonal, popsize: options.popsize, params: options.params });
  const bounds = options.bounds ? boundsToJson(options.bounds, n) : null;
  const integers = checkIntegers(name, options.integers, n);
  const mean = options.x0.slice(); // a genotype: outside the box it stands for its reflection
  const stds = initialStds(name, options.params?.['stds'], n);
  const identity = diagonal ? [] : Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  const variances = stds.map((v) => v * v);
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
    C: diagonal ? variances : identity.map((v, k) => (v ? variances[k % n]! : 0)),
    B: identity.slice(),
    D: stds,
    eigenGeneration: 0,
    bounds,
    integers,
    pending: null,
    fitHistory: [],
    lastRange: null,
    bestHistory: [],
    medianHistory: [],
    flatGenerations: 0,
    ...(options.params?.['stds'] !== undefined ? { stds0: stds.slice() } : {}),
  };
  // A σ0 below the floor widens the integer coordinates from the first generation on.
  if (enforceIntegerFloor(state)) {
    if (diagonal) state.D = state.C.map(Math.sqrt);
    else updateEigensystem(state);
  }
  return state;
}

/**
 * Params `stds` (pycma's CMA_stds): per-coordinate scales of the first sampling distribution, C₀ =
 * diag(stds²), so the initial step of coordinate i is σ0·stds[i]. This is how a search restarts from an
 * earlier one's mean and learned scales (σ and √C_ii of its checkpoint) when coordinates differ by orders of
 * magnitude in sensitivity. Default all 1.
 */
function initialStds(name: string, raw: unknown, n: number): number[] {
  if (raw === undefined) return new Array<number>(n).fill(1);
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

/**
 * Integer handling: raises σ·√C_ii of each integer coordinate to params.integerMinStd. Without it,
 * once every sample of an integer coordinate rounds to the same value, f carries no signal along it,
 * the continuous coordinates shrink σ and the integer one freezes on a rounding plateau (possibly the
 * wrong one). The floor keeps a steady chance of a ±1 move (≈1.2% per coordinate and sample at std
 * 0.2 from a plateau's centre), as pycma's `integer_variables`. Row and column i of C are scaled by
 * f (C_ii by f²), i.e. C ← S·C·S with S = diag(1, …, f, …, 1): C stays symmetric positive definite
 * and only the distribution's spread along coordinate i changes, its correlations are kept.
 * Returns whether C changed (B and D are then stale).
 */
function enforceIntegerFloor(state: CmaState): boolean {
  const ints = state.integers ?? [];
  const floor = state.params.integerMinStd ?? 0;
  if (ints.length === 0 || !(floor > 0)) return false;
  const { dimension: n, C, sigma } = state;
  const diagonal = state.params.diagonal;
  let changed = false;
  for (const i of ints) {
    const cii = diagonal ? C[i]! : C[i * n + i]!;
    const std = sigma * Math.sqrt(cii);
    if (std >= floor) continue;
    const f = std > 0 ? floor / std : NaN;
    if (!Number.isFinite(f)) continue; // σ or C_ii at 0 or absurd: nothing sensible to scale
    changed = true;
    if (diagonal) {
      C[i] = cii * f * f;
      continue;
    }
    for (let j = 0; j < n; j++) {
      C[i * n + j] = C[i * n + j]! * f;
      C[j * n + i] = C[j * n + i]! * f; // C_ii gets f twice
    }
  }
  return changed;
}

/** Eq. (38)–(40): x_k = m + σ·B·D·z_k, z_k ~ N(0, I); the candidate is x_k mirrored into the bounds. */
function ask(state: CmaState): Candidate[] {
  const { dimension: n, params: p, mean, sigma, B, D, bounds } = state;
  const rng = new Rng(state.rng);
  const dz = new Float64Array(n);
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let k = 0; k < p.popsize; k++) {
    for (let j = 0; j < n; j++) dz[j] = D[j]! * rng.normal();
    const y = new Array<number>(n);
    if (p.diagonal) {
      for (let i = 0; i < n; i++) y[i] = dz[i]!;
    } else {
      for (let i = 0; i < n; i++) {
        const row = i * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += B[row + j]! * dz[j]!;
        y[i] = s;
      }
    }
    const x = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let v = mean[i]! + sigma * y[i]!;
      if (!Number.isFinite(v)) v = v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE; // σ run away: keep the state JSON
      x[i] = bounds ? reflect(v, bounds.lower[i] ?? null, bounds.upper[i] ?? null) : v;
    }
    xs.push(x);
    ys.push(y);
  }
  state.rng = rng.state();
  state.pending = { x: xs, y: ys };
  return xs.map((x, index) => ({ index, x: x.slice(), wants: 'fitness' as const }));
}

/** ‖C^{-1/2} v‖² and, into `out` if given, C^{-1/2} v = B·D⁻¹·Bᵀ·v, from the current B, D. */
function invSqrtC(state: CmaState, v: ArrayLike<number>, out?: Float64Array): number {
  const { dimension: n, B, D } = state;
  if (state.params.diagonal) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const t = v[i]! / D[i]!;
      if (out) out[i] = t;
      s += t * t;
    }
    return s;
  }
  const t = new Float64Array(n); // Bᵀv, accumulated row by row
  for (let i = 0; i < n; i++) {
    const vi = v[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) t[j] += B[row + j]! * vi;
  }
  let s = 0;
  for (let j = 0; j < n; j++) {
    t[j] /= D[j]!;
    s += t[j]! * t[j]!;
  }
  if (out) {
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let u = 0;
      for (let j = 0; j < n; j++) u += B[row + j]! * t[j]!;
      out[i] = u;
    }
  }
  return s;
}

function allFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : 0.5 * (sorted[m - 1]! + sorted[m]!);
}

function pushCapped(list: number[], value: number, cap: number): void {
  list.push(value);
  if (list.length > cap) list.splice(0, list.length - cap);
}

function tell(state: CmaState, candidates: readonly Candidate[], evaluations: readonly Evaluation[]): void {
  const pending = state.pending;
  const p = state.params;
  const n = state.dimension;
  const lambda = p.popsize;
  if (!pending) throw new Error(`${state.strategy}: tell() without a pending ask()`);
  if (candidates.length !== lambda || evaluations.length !== lambda) {
    throw new Error(`${state.strategy}: tell() expects ${lambda} candidates and evaluations (got ${candidates.length} and ${evaluations.length})`);
  }
  candidates.forEach((c, i) => {
    if (c.index !== i) throw new Error(`${state.strategy}: candidates must be given in ask() order (position ${i} has index ${c.index})`);
  });
  const g = state.generation;
  state.pending = null;
  state.generation = g + 1;
  state.evaluations += lambda;

  const f = evaluations.map(rankableFitness);
  const order = rankOrder(evaluations);
  const finite = order.filter((k) => Number.isFinite(f[k]!));
  if (finite.length === 0) return; // nothing learned; mean, C, σ and paths stay as they were
  const bestK = finite[0]!;
  if (state.best === null || f[bestK]! < state.best.fitness) state.best = { x: pending.x[bestK]!.slice(), fitness: f[bestK]! };
  recordFitness(state, finite.map((k) => f[k]!), finite.length === lambda);

  const ys = order.map((k) => pending.y[k]!); // by rank
  const w = p.weights;

  // Eq. (41): ⟨y⟩_w over the μ best; Eq. (42): m ← m + c_m σ ⟨y⟩_w. The paths below use ⟨y⟩_w, whatever c_m.
  const ymean = new Float64Array(n);
  for (let r = 0; r < p.mu; r++) {
    const y = ys[r]!;
    for (let i = 0; i < n; i++) ymean[i] += w[r]! * y[i]!;
  }
  const cm = p.cmean ?? 1;
  const mean = state.mean.map((m, i) => m + cm * state.sigma * ymean[i]!);

  // Eq. (43): p_σ ← (1 − c_σ) p_σ + √(c_σ(2 − c_σ) μeff) C^{-1/2} ⟨y⟩_w.
  const zmean = new Float64Array(n);
  invSqrtC(state, ymean, zmean);
  const csFactor = Math.sqrt(p.cs * (2 - p.cs) * p.mueff);
  const ps = state.ps.map((v, i) => (1 - p.cs) * v + csFactor * zmean[i]!);
  let psNorm2 = 0;
  for (const v of ps) psNorm2 += v * v;
  const psNorm = Math.sqrt(psNorm2);

  // h_σ with the start-up correction 1 − (1 − c_σ)^{2(g+1)}; Eq. (45): p_c.
  const hsig = psNorm / Math.sqrt(1 - (1 - p.cs) ** (2 * (g + 1))) < (1.4 + 2 / (n + 1)) * p.chiN;
  const ccFactor = hsig ? Math.sqrt(p.cc * (2 - p.cc) * p.mueff) : 0;
  const pc = state.pc.map((v, i) => (1 - p.cc) * v + ccFactor * ymean[i]!);

  // Eq. (46): w°ᵢ = wᵢ for wᵢ ≥ 0, else wᵢ · n / ‖C^{-1/2} yᵢ‖².
  const used: number[] = [];
  const coef: number[] = [];
  let sumW = 0;
  for (let r = 0; r < lambda; r++) {
    const wr = w[r]!;
    sumW += wr;
    if (wr === 0) continue;
    let wo = wr;
    if (wr < 0) {
      const norm2 = invSqrtC(state, ys[r]!);
      if (!(norm2 > 0)) continue;
      wo = (wr * n) / norm2;
    }
    used.push(r);
    coef.push(p.cmu * wo);
  }

  // Eq. (44), with pycma's clip of |Δ ln σ| ≤ 1; flat fitness (tutorial's remedy) inflates σ.
  let logStep = Math.max(-1, Math.min(1, (p.cs / p.damps) * (psNorm / p.chiN - 1)));
  const flat = isFlat(state, f, order);
  if (flat) logStep += 0.2 + p.cs / p.damps;
  const sigma = Math.min(1e300, Math.max(1e-300, state.sigma * Math.exp(logStep)));
  if (!(allFinite(mean) && allFinite(ps) && allFinite(pc) && Number.isFinite(sigma))) return;

  // Eq. (47): C ← (1 + c₁δ(h_σ) − c₁ − c_μ Σwⱼ) C + c₁ p_c p_cᵀ + c_μ Σ w°ᵢ yᵢ yᵢᵀ, in place.
  const delta = hsig ? 0 : p.cc * (2 - p.cc);
  const decay = 1 + p.c1 * delta - p.c1 - p.cmu * sumW;
  if (p.diagonal) updateDiagonalC(state.C, decay, p.c1, pc, ys, used, coef);
  else updateFullC(state.C, n, decay, p.c1, pc, ys, used, coef);
  if (!allFinite(state.C)) {
    // Only absurd inputs (|y| near 1e154) get here: fall back to the last decomposition, learn nothing.
    if (p.diagonal) state.C = state.D.map((d) => d * d);
    else rebuildC(state);
    return;
  }
  state.mean = mean;
  state.ps = ps;
  state.pc = pc;
  state.sigma = sigma;
  state.flatGenerations = flat ? state.flatGenerations + 1 : 0;
  // A widened C must reach the next ask at once, so it forces the (otherwise lazy) decomposition.
  const widened = enforceIntegerFloor(state);
  if (p.diagonal) {
    state.D = state.C.map(Math.sqrt);
    state.eigenGeneration = state.generation;
  } else if (widened || state.generation - state.eigenGeneration >= p.eigenGap) {
    updateEigensystem(state);
  }
}

/** Eq. (47) on the upper triangle, mirrored: C stays exactly symmetric. */
function updateFullC(C: number[], n: number, decay: number, c1: number, pc: readonly number[], ys: readonly number[][], used: readonly number[], coef: readonly number[]): void {
  const nu = used.length;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const a = c1 * pc[i]!;
    for (let j = i; j < n; j++) C[row + j] = decay * C[row + j]! + a * pc[j]!;
    for (let u = 0; u < nu; u++) {
      const y = ys[used[u]!]!;
      const b = coef[u]! * y[i]!;
      if (b === 0) continue;
      for (let j = i; j < n; j++) C[row + j] += b * y[j]!;
    }
    for (let j = i + 1; j < n; j++) C[j * n + i] = C[row + j]!;
  }
}

/** Eq. (47) for the diagonal model. */
function updateDiagonalC(C: number[], decay: number, c1: number, pc: readonly number[], ys: readonly number[][], used: readonly number[], coef: readonly number[]): void {
  for (let i = 0; i < C.length; i++) C[i] = decay * C[i]! + c1 * pc[i]! * pc[i]!;
  used.forEach((r, u) => {
    const y = ys[r]!;
    for (let i = 0; i < C.length; i++) C[i] += coef[u]! * y[i]! * y[i]!;
  });
  // Without the positive-definiteness cap a variance may in principle reach ≤ 0; keep it usable.
  let max = 0;
  for (let i = 0; i < C.length; i++) max = Math.max(max, C[i]!);
  const floor = Math.max(max * 1e-20, Number.MIN_VALUE);
  for (let i = 0; i < C.length; i++) if (!(C[i]! >= floor)) C[i] = floor;
}

/**
 * B, D from C. C needs no symmetrising: updateFullC mirrors the upper triangle, which is also all
 * symEig reads. Eigenvalues are clamped to ≥ 1e-20·max so D stays usable (the
 * conditioncov stop fires long before); if clamping was needed, C is rebuilt from the clamped
 * decomposition. If C is unusable (decomposition fails), the last good decomposition is kept and
 * C reset to it.
 */
function updateEigensystem(state: CmaState): void {
  const n = state.dimension;
  const C = state.C;
  state.eigenGeneration = state.generation;
  let eig: ReturnType<typeof symEig>;
  try {
    eig = symEig(C, n);
  } catch {
    rebuildC(state);
    return;
  }
  const max = eig.values[n - 1]!;
  if (!(max > 0 && Number.isFinite(max))) {
    rebuildC(state);
    return;
  }
  const floor = max * 1e-20;
  let clamped = false;
  const D = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    let v = eig.values[j]!;
    if (!(v >= floor)) {
      v = floor;
      clamped = true;
    }
    D[j] = Math.sqrt(v);
  }
  state.B = Array.from(eig.vectors);
  state.D = D;
  if (clamped) rebuildC(state);
}

/** C = B·D²·Bᵀ. */
function rebuildC(state: CmaState): void {
  const { dimension: n, B, D } = state;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += B[i * n + k]! * D[k]! * D[k]! * B[j * n + k]!;
      state.C[i * n + j] = s;
      state.C[j * n + i] = s;
    }
  }
}

/** Updates the fitness histories behind tolfun, tolfunhist and tolstagnation. */
function recordFitness(state: CmaState, finiteSorted: readonly number[], complete: boolean): void {
  const p = state.params;
  const n = state.dimension;
  pushCapped(state.fitHistory, finiteSorted[0]!, 10 + Math.ceil((30 * n) / p.popsize));
  state.lastRange = complete ? finiteSorted[finiteSorted.length - 1]! - finiteSorted[0]! : null;
  if (p.tolstagnation > 0) {
    pushCapped(state.bestHistory, finiteSorted[0]!, p.tolstagnation);
    pushCapped(state.medianHistory, median(finiteSorted), p.tolstagnation);
  }
}

/** Flat fitness as in the tutorial's reference code: best equals the ⌈0.7λ⌉-th best (finite). */
function isFlat(state: CmaState, f: readonly number[], order: readonly number[]): boolean {
  const k = Math.ceil(0.7 * state.params.popsize) - 1;
  const a = f[order[0]!]!;
  const b = f[order[k]!]!;
  return Number.isFinite(b) && a === b;
}

/** pycma-like termination criteria; budget limits and f targets are the engine's. */
function stop(state: CmaState): StopReasons {
  const reasons: StopReasons = {};
  const p = state.params;
  const n = state.dimension;
  if (state.generation === 0) return reasons;
  const { sigma, C, D, mean, pc } = state;
  const variance = (i: number) => (p.diagonal ? C[i]! : C[i * n + i]!);

  const hist = state.fitHistory;
  if (p.tolfun > 0 && state.lastRange !== null && state.lastRange < p.tolfun && hist.length > 0 && Math.max(...hist) - Math.min(...hist) < p.tolfun) {
    reasons['tolfun'] = p.tolfun;
  }
  if (p.tolfunhist > 0 && hist.length > 9 && Math.max(...hist) - Math.min(...hist) < p.tolfunhist) reasons['tolfunhist'] = p.tolfunhist;

  // tolfacupx, per coordinate as in pycma: σ·√C_ii against its first value σ0·stds_i.
  let maxGrowth = 0;
  let tolxOk = p.tolx > 0;
  for (let i = 0; i < n; i++) {
    const sd = sigma * Math.sqrt(variance(i));
    maxGrowth = Math.max(maxGrowth, sd / (state.stds0?.[i] ?? 1));
    if (sd >= p.tolx || sigma * Math.abs(pc[i]!) >= p.tolx) tolxOk = false;
  }
  if (tolxOk) reasons['tolx'] = p.tolx;

  const dMax = Math.max(...D);
  const dMin = Math.min(...D);
  if (p.conditioncov > 0 && dMax * dMax > p.conditioncov * dMin * dMin) reasons['conditioncov'] = p.conditioncov;
  if (p.tolfacupx > 0 && maxGrowth > p.tolfacupx * state.sigma0) reasons['tolfacupx'] = p.tolfacupx;
  if (p.tolupsigma > 0 && sigma / state.sigma0 > p.tolupsigma * dMax) reasons['tolupsigma'] = p.tolupsigma;

  // No effect of a 0.1σ step along principal axis (g mod n), or of 0.2σ along any coordinate.
  const axis = state.generation % n;
  let axisNoEffect = true;
  for (let i = 0; i < n && axisNoEffect; i++) {
    const b = p.diagonal ? (i === axis ? 1 : 0) : state.B[i * n + axis]!;
    if (mean[i]! + 0.1 * sigma * D[axis]! * b !== mean[i]!) axisNoEffect = false;
  }
  if (axisNoEffect) reasons['noeffectaxis'] = 1;
  for (let i = 0; i < n; i++) {
    if (mean[i]! + 0.2 * sigma * Math.sqrt(variance(i)) === mean[i]!) {
      reasons['noeffectcoord'] = 1;
      break;
    }
  }

  // No improvement of the median of recent best and median f over the oldest of the window.
  const L = p.tolstagnation;
  if (L > 0 && state.bestHistory.length >= L) {
    const recent = Math.min(L, Math.max(20, Math.floor(L / 5)));
    const oldest = Math.min(L, 20);
    const med = (h: number[], from: number, to: number) => median(h.slice(from, to).sort((a, b) => a - b));
    const bh = state.bestHistory;
    const mh = state.medianHistory;
    if (med(bh, L - recent, L) >= med(bh, 0, oldest) && med(mh, L - recent, L) >= med(mh, 0, oldest)) reasons['tolstagnation'] = L;
  }
  if (p.tolflatfitness > 0 && state.flatGenerations > p.tolflatfitness) reasons['tolflatfitness'] = p.tolflatfitness;
  return reasons;
}

function makeStrategy(name: string, diagonal: boolean, description: string): Strategy<CmaState> {
  return {
    name,
    description,
    init: (options) => init(name, diagonal, options),
    ask,
    tell,
    stop,
  };
}

/** Full-covariance active CMA-ES with pycma's defaults. */
export const cmaes: Strategy<CmaState> = makeStrategy(
  'cmaes',
  false,
  'CMA-ES (active, full covariance, pycma 4.4 defaults); params: ' + CMA_PARAM_KEYS.join(', '),
);

/** sep-CMA-ES: diagonal covariance with pycma's separable learning rates; O(n) per candidate. */
export const sepCmaes: Strategy<CmaState> = makeStrategy(
  'sep-cmaes',
  true,
  'sep-CMA-ES (diagonal covariance, pycma separable learning rates); params: ' + CMA_PARAM_KEYS.join(', '),
);
