/**
 * Evolution-strategies gradient (Salimans et al. 2017): antithetic pairs x ± σε share one evaluation
 * seed (common random numbers), their centred-rank fitness differences estimate the gradient of the
 * Gaussian-smoothed objective, and Adam follows it. For inner loops too long to differentiate.
 *
 * Failures teach nothing: only pairs whose two evaluations both succeeded (status ok, finite fitness) enter the
 * estimate, ranked among themselves; a failure ranked "worst" would otherwise pull x away from wherever the task
 * happens to fail, and with every evaluation failing x drifted on rank ties alone. A generation without one
 * complete pair leaves x and Adam's moments as they were, and `maxFailedGenerations` of them in a row stop the
 * search with `{ noSuccessfulEvaluations }`.
 */
import { Rng } from '../src/core/rng.js';
import { adamInit, adamStep, ADAM_DEFAULTS, type AdamParams, type AdamState } from './adam.js';
import { booleanParam, numberParam, positive, positiveInteger, rejectUnknownParams } from './params.js';
import { rankOrder, rankableFitness } from './ranking.js';
import { boundsToJson, projectIntoBox, type JsonBounds } from './bounds.js';
import { failedInRowAfter, failureStop, maxFailedGenerationsParam } from './failures.js';
import { checkEsGradState } from './gradient_state_check.js';
import { StateCheck } from './state_checks.js';
import { startVector } from './json_safe.js';
import type { Candidate, Evaluation, StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../src/core/strategy.js';

export interface EsGradParams extends AdamParams {
  /** Antithetic pairs per generation (population = 2 × pairs). */
  pairs: number;
  /** Perturbation standard deviation σ. */
  noiseStd: number;
  /** Centred ranks in [-0.5, 0.5] of the complete pairs' fitness instead of raw fitness (robust to outliers). */
  rankShaping: boolean;
  /** Generations in a row without a complete pair (both evaluations successful) before the search stops. */
  maxFailedGenerations: number;
}

export interface EsGradState extends StrategyState {
  x: number[];
  params: EsGradParams;
  adam: AdamState;
  /** The perturbations ε of the generation asked and not yet told. */
  pending: number[][];
  /** Generations in a row that taught nothing (no complete pair, or a step that would overflow). */
  failedInRow: number;
  /** The genome kind's box: candidates are clipped into it and x is projected after each step. */
  bounds?: JsonBounds | null;
}

const NAME = 'es-grad';
const KEYS = ['pairs', 'noiseStd', 'learningRate', 'beta1', 'beta2', 'epsilon', 'rankShaping', 'maxFailedGenerations'];

function init(o: StrategyOptions): EsGradState {
  const p = o.params ?? {};
  rejectUnknownParams(p, KEYS, NAME);
  const n = o.x0.length;
  const pairs = numberParam(p, 'pairs', Math.ceil((o.popsize ?? 4 + Math.floor(3 * Math.log(n))) / 2), positiveInteger, 'a positive integer', NAME);
  const noiseStd = numberParam(p, 'noiseStd', o.sigma0, positive, 'a positive number (default: sigma0)', NAME);
  const params: EsGradParams = {
    pairs,
    noiseStd,
    learningRate: numberParam(p, 'learningRate', noiseStd / 2, positive, 'a positive number (default: sigma0 / 2)', NAME),
    beta1: numberParam(p, 'beta1', ADAM_DEFAULTS.beta1, (v) => v >= 0 && v < 1, 'in [0, 1)', NAME),
    beta2: numberParam(p, 'beta2', ADAM_DEFAULTS.beta2, (v) => v >= 0 && v < 1, 'in [0, 1)', NAME),
    epsilon: numberParam(p, 'epsilon', ADAM_DEFAULTS.epsilon, positive, 'a positive number', NAME),
    rankShaping: booleanParam(p, 'rankShaping', true, NAME),
    maxFailedGenerations: maxFailedGenerationsParam(p, NAME),
  };
  return {
    strategy: NAME,
    generation: 0,
    evaluations: 0,
    sigma: noiseStd,
    best: null,
    rng: new Rng(o.seed).state(),
    x: startVector(o.x0, NAME),
    params,
    adam: adamInit(n),
    pending: [],
    failedInRow: 0,
    bounds: o.bounds ? boundsToJson(o.bounds, n) : null,
  };
}

/**
 * The gradient estimate from the complete pairs (indices into `eps`): Σ (s⁺ − s⁻)·ε / (2σ·pairs), with s the
 * centred ranks of the pairs' 2·pairs fitness values or the raw values (halved before subtracting, so two finite
 * values never overflow). Null if it is not finite (raw values near ±1.8e308).
 */
function gradientEstimate(complete: readonly number[], f: readonly number[], eps: readonly number[][], noiseStd: number, rankShaping: boolean): number[] | null {
  const values = complete.flatMap((i) => [f[2 * i]!, f[2 * i + 1]!]);
  const score = rankShaping ? centredRanks(values.map((fitness) => ({ status: 'ok' as const, fitness }))) : values.map((v) => v / 2);
  const n = eps[0]!.length;
  const grad = new Array<number>(n).fill(0);
  complete.forEach((i, k) => {
    const d = rankShaping ? (score[2 * k]! - score[2 * k + 1]!) / 2 : score[2 * k]! - score[2 * k + 1]!;
    for (let j = 0; j < n; j++) grad[j]! += d * eps[i]![j]!;
  });
  const g = grad.map((v) => v / (noiseStd * complete.length));
  return g.every(Number.isFinite) ? g : null;
}

/** Centred ranks: best → -0.5, worst → +0.5 (minimisation), failures at the worst end. */
export function centredRanks(evaluations: readonly Evaluation[]): number[] {
  const order = rankOrder(evaluations);
  const out = new Array<number>(evaluations.length);
  const denom = Math.max(1, evaluations.length - 1);
  order.forEach((idx, rank) => (out[idx] = rank / denom - 0.5));
  return out;
}

export const esGrad: Strategy<EsGradState> = {
  name: NAME,
  description: 'antithetic evolution-strategies gradient estimate followed by Adam (sigma0 = perturbation std)',
  init,
  ask(s): Candidate[] {
    const rng = new Rng(s.rng);
    const { pairs, noiseStd } = s.params;
    s.pending = Array.from({ length: pairs }, () => s.x.map(() => rng.normal()));
    s.rng = rng.state();
    return s.pending.flatMap((eps, i) => [
      { index: 2 * i, seedIndex: i, x: projectIntoBox(s.x.map((v, j) => v + noiseStd * eps[j]!), s.bounds), wants: 'fitness' as const },
      { index: 2 * i + 1, seedIndex: i, x: projectIntoBox(s.x.map((v, j) => v - noiseStd * eps[j]!), s.bounds), wants: 'fitness' as const },
    ]);
  },
  tell(s, candidates, evaluations) {
    const { pairs, noiseStd, rankShaping } = s.params;
    if (s.pending.length !== pairs || candidates.length !== 2 * pairs || evaluations.length !== 2 * pairs)
      throw new Error(`${NAME}: tell() expects the ${2 * pairs} candidates of the pending ask() and their evaluations (got ${candidates.length} and ${evaluations.length}${s.pending.length ? '' : ', and no ask() is pending'})`);
    s.evaluations += evaluations.length;
    s.generation++;
    const f = evaluations.map(rankableFitness);
    f.forEach((v, i) => {
      if (v < Infinity && (!s.best || v < s.best.fitness)) s.best = { x: candidates[i]!.x.slice(), fitness: v };
    });
    const eps = s.pending;
    s.pending = [];
    const complete = eps.map((_, i) => i).filter((i) => Number.isFinite(f[2 * i]!) && Number.isFinite(f[2 * i + 1]!));
    const step = complete.length > 0 ? gradientEstimate(complete, f, eps, noiseStd, rankShaping) : null;
    const moved = step !== null && adamStep(s.x, step, s.adam, s.params);
    s.failedInRow = failedInRowAfter(s.failedInRow, moved);
    if (moved) s.x = projectIntoBox(s.x, s.bounds);
  },
  stop(s): StopReasons {
    return failureStop(s.failedInRow, s.params.maxFailedGenerations);
  },
  validateState: (state, where, dimension) => checkEsGradState(new StateCheck(where), state, dimension),
  /** x, the centre of the perturbations (projected into the box after each step). */
  point: (s) => s.x.slice(),
};
