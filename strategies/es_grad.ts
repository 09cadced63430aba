/**
 * Evolution-strategies gradient (Salimans et al. 2017): antithetic pairs x ± σε share one evaluation
 * seed (common random numbers), their centred-rank fitness differences estimate the gradient of the
 * Gaussian-smoothed objective, and Adam follows it. For inner loops too long to differentiate.
 */
import { Rng } from '../src/core/rng.js';
import { adamInit, adamStep, ADAM_DEFAULTS, type AdamParams, type AdamState } from './adam.js';
import { booleanParam, numberParam, positive, positiveInteger, rejectUnknownParams } from './params.js';
import { rankOrder, rankableFitness } from './ranking.js';
import { boundsToJson, projectIntoBox, type JsonBounds } from './bounds.js';
import type { Candidate, Evaluation, StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../src/core/strategy.js';

export interface EsGradParams extends AdamParams {
  /** Antithetic pairs per generation (population = 2 × pairs). */
  pairs: number;
  /** Perturbation standard deviation σ. */
  noiseStd: number;
  /** Centred ranks in [-0.5, 0.5] instead of raw fitness (robust to outliers; failures rank worst). */
  rankShaping: boolean;
  maxFailedGenerations: number;
}

export interface EsGradState extends StrategyState {
  x: number[];
  params: EsGradParams;
  adam: AdamState;
  /** The perturbations ε of the generation asked and not yet told. */
  pending: number[][];
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
    maxFailedGenerations: numberParam(p, 'maxFailedGenerations', 10, positiveInteger, 'a positive integer', NAME),
  };
  return {
    strategy: NAME,
    generation: 0,
    evaluations: 0,
    sigma: noiseStd,
    best: null,
    rng: new Rng(o.seed).state(),
    x: o.x0.slice(),
    params,
    adam: adamInit(n),
    pending: [],
    failedInRow: 0,
    bounds: o.bounds ? boundsToJson(o.bounds, n) : null,
  };
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
    s.evaluations += evaluations.length;
    s.generation++;
    evaluations.forEach((e, i) => {
      const f = rankableFitness(e);
      if (f < Infinity && (!s.best || f < s.best.fitness)) s.best = { x: candidates[i]!.x.slice(), fitness: f };
    });
    const { pairs, noiseStd, rankShaping } = s.params;
    const score = rankShaping ? centredRanks(evaluations) : evaluations.map(rankableFitness);
    const grad = new Array<number>(s.x.length).fill(0);
    let used = 0;
    for (let i = 0; i < pairs; i++) {
      const d = score[2 * i]! - score[2 * i + 1]!;
      if (!Number.isFinite(d)) continue; // raw fitness with a failure in the pair
      used++;
      const eps = s.pending[i]!;
      for (let j = 0; j < grad.length; j++) grad[j]! += d * eps[j]!;
    }
    s.pending = [];
    if (used === 0) {
      s.failedInRow++;
      return;
    }
    const g = grad.map((v) => v / (2 * noiseStd * used));
    s.failedInRow = adamStep(s.x, g, s.adam, s.params) ? 0 : s.failedInRow + 1;
    s.x = projectIntoBox(s.x, s.bounds);
  },
  stop(s): StopReasons {
    return s.failedInRow >= s.params.maxFailedGenerations ? { failedGenerations: s.failedInRow } : {};
  },
  /** x, the centre of the perturbations (projected into the box after each step). */
  point: (s) => s.x.slice(),
};
