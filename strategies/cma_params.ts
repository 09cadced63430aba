/**
 * CMA-ES strategy parameters, all derived from (n, λ) as in Hansen's tutorial (arXiv:1604.00772, Table 1 /
 * App. A) with pycma 4.4's variants (c₁ × min(1, λ/6), c_σ, d_σ, c_μ with the ¼ offset, the separable rates of
 * sep-CMA-ES), unless overridden through `options.params`; plus pycma's termination thresholds.
 */
import { nonNegative, numberParam as checkedNumber, positive, rejectUnknownParams, unitInterval } from './params.js';
import { maxFailedGenerationsParam } from './failures.js';
import { jsonNumber } from './json_safe.js';
import { NORMAL_METHODS, type NormalMethod } from '../src/core/normals.js';

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
  /**
   * Generations between eigendecompositions (not rounded: C is decomposed once `generation − eigenGeneration ≥
   * eigenGap`, i.e. every generation while it is < 1 and every ⌈eigenGap⌉ generations above). Default
   * max(1/(10·n·(c₁ + c_μ)), 1/(100·(c₁ + c_μ))): pycma's `lazy_update_gap` up to n = 10, and above it 1/100 of the
   * time 1/(c₁ + c_μ) in which C adapts (see `defaultEigenGap`).
   */
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
  /**
   * Generations in a row without one successful evaluation after which the search stops with
   * `{ noSuccessfulEvaluations }` (default 10): such a generation leaves the distribution as it was, so without
   * this a task that only fails would run until the budget ends. Checkpoints written before it lack it (= 10).
   */
  maxFailedGenerations?: number;
  /**
   * How ask turns the random stream into normals (`src/core/normals.ts`). New runs get 'ziggurat'; checkpoints
   * written before it existed lack the field and keep 'box-muller', the stream they were recorded with, so that
   * resume and replay draw the same numbers.
   */
  normals?: NormalMethod;
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
  'maxFailedGenerations',
  'eigenGap',
  'normals',
] as const;

type ParamKey = (typeof CMA_PARAM_KEYS)[number];

/**
 * pycma's `lazy_update_gap`, 1/(10·n·(c₁ + c_μ)) generations, keeps the O(n³) decomposition at O(n²) per
 * evaluation with LAPACK's constant; it is a budget for the cost, not what the search needs. What bounds how
 * long B and D may lag behind C is how fast C moves: by about c₁ + c_μ of itself per generation. So evometa
 * decomposes when C has had 1/100 of its adaptation time 1/(c₁ + c_μ) to move, and never more often than
 * pycma: the same schedule up to n = 10 (where the two agree), every 12 generations at n = 100 instead of 2,
 * every 214 at n = 500 instead of 5. pycma run with its gap 5 to 20 times longer (`updatecovwait`; its own purecma
 * uses 5 times) reaches f ≤ 1e-8 on the rotated ellipsoid at n = 20 and 40 in the same evaluations (13032 / 12864
 * / 12936 at n = 20 for 1×, 5×, 20×), i.e. with lags of 1/10 (n = 20) and 1/20 (n = 40) of the adaptation time;
 * 1/100 keeps a wide margin. Between decompositions the sampling and p_σ use the same B, D, as in pycma, so the update stays
 * consistent; only the termination tests that read D (conditioncov, noeffectaxis) see it up to that lag late.
 */
export function defaultEigenGap(n: number, c1: number, cmu: number): number {
  return Math.max(1 / (10 * n * (c1 + cmu)), 1 / (100 * (c1 + cmu)));
}

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
    // c_μ = 1 − c₁ (n = 1, large λ) can leave 1 − c₁ − c_μ a rounding error below 0: no negative update then.
    negScale = Math.max(0, alpha) / sumNeg;
  }
  const weights = raw.map((w, i) => (i < mu ? w / sumPos : jsonNumber(w * negScale)));

  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const eigenGap = numberParam('eigenGap', defaultEigenGap(n, c1, cmu), positive, '> 0 (generations between eigendecompositions; pycma: 1/(10·n·(c1 + cmu)))');
  // pycma's default `tolstagnation` reads its `popsize` option, 4 + 3 ln n unrounded unless λ was given.
  const stagnationPopsize = options.popsize ?? (Number.isNaN(fromParams) ? 4 + 3 * Math.log(n) : fromParams);
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
    tolstagnation: numberParam('tolstagnation', Math.floor(100 + (100 * n ** 1.5) / stagnationPopsize), (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0'),
    tolflatfitness: numberParam('tolflatfitness', 1, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0'),
    integerMinStd: numberParam('integerMinStd', Math.min(0.2, mueff / n), nonNegative, '≥ 0 (0 switches the floor off)'),
    cmean: numberParam('cmean', 1, (v) => v > 0 && v <= 1, 'in (0, 1]'),
    maxFailedGenerations: maxFailedGenerationsParam(o, who),
    normals: normalMethodParam(o['normals'], who),
  };
}

/** The normals of a new run (params.normals not given). */
export const DEFAULT_NORMALS: NormalMethod = 'ziggurat';

/** params.normals: one of NORMAL_METHODS, DEFAULT_NORMALS when not given. */
function normalMethodParam(raw: unknown, who: string): NormalMethod {
  if (raw === undefined) return DEFAULT_NORMALS;
  if (typeof raw !== 'string' || !(NORMAL_METHODS as readonly string[]).includes(raw))
    throw new Error(`${who}: parameter 'normals' must be one of ${NORMAL_METHODS.join(', ')} (got ${JSON.stringify(raw)}); 'box-muller' draws the stream of runs recorded before the ziggurat`);
  return raw as NormalMethod;
}
