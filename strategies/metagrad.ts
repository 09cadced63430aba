/**
 * Gradient meta-learning: every candidate of a generation is the current point x, evaluated with its
 * own seed (a different task or data draw: the meta-batch), and asks for 'fitness+grad'. Workers
 * differentiate through the unrolled inner loop; this strategy averages the meta-gradients and takes
 * an Adam step. Evaluations that fail or return non-finite numbers are left out of the average; a generation
 * without one usable gradient leaves x as it was, and `maxFailedGenerations` of them in a row stop the search
 * with `{ noSuccessfulEvaluations }`.
 */
import { Rng } from '../src/core/rng.js';
import { adamInit, adamStep, ADAM_DEFAULTS, type AdamParams, type AdamState } from './adam.js';
import { numberParam, positive, positiveInteger, rejectUnknownParams } from './params.js';
import { failedInRowAfter, failureStop, maxFailedGenerationsParam } from './failures.js';
import { checkMetagradState } from './gradient_state_check.js';
import { StateCheck } from './state_checks.js';
import { jsonNumber, startVector } from './json_safe.js';
import type { Candidate, Evaluation, StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../src/core/strategy.js';
import { boundsToJson, projectIntoBox, type JsonBounds } from './bounds.js';

export interface MetagradParams extends AdamParams {
  /** Tasks per meta-step (the population size). */
  metaBatch: number;
  /** Clip the averaged gradient to this L2 norm (0: no clipping). */
  clipNorm: number;
  /** Stop after this many generations in a row without one usable gradient. */
  maxFailedGenerations: number;
}

export interface MetagradState extends StrategyState {
  x: number[];
  params: MetagradParams;
  adam: AdamState;
  /** Generations in a row without a usable gradient. */
  failedInRow: number;
  /** Mean meta-loss of the last generation (null if none was finite). */
  lastLoss: number | null;
  /** The genome kind's box; each Adam step is projected (clipped) into it. Absent in older checkpoints. */
  bounds?: JsonBounds | null;
}

const NAME = 'metagrad';
const KEYS = ['metaBatch', 'learningRate', 'beta1', 'beta2', 'epsilon', 'clipNorm', 'maxFailedGenerations'];

function init(o: StrategyOptions): MetagradState {
  const p = o.params ?? {};
  rejectUnknownParams(p, KEYS, NAME);
  const params: MetagradParams = {
    metaBatch: numberParam(p, 'metaBatch', o.popsize ?? 4, positiveInteger, 'a positive integer', NAME),
    learningRate: numberParam(p, 'learningRate', o.sigma0, positive, 'a positive number (default: sigma0)', NAME),
    beta1: numberParam(p, 'beta1', ADAM_DEFAULTS.beta1, (v) => v >= 0 && v < 1, 'in [0, 1)', NAME),
    beta2: numberParam(p, 'beta2', ADAM_DEFAULTS.beta2, (v) => v >= 0 && v < 1, 'in [0, 1)', NAME),
    epsilon: numberParam(p, 'epsilon', ADAM_DEFAULTS.epsilon, positive, 'a positive number', NAME),
    clipNorm: numberParam(p, 'clipNorm', 0, (v) => v >= 0, 'a number >= 0', NAME),
    maxFailedGenerations: maxFailedGenerationsParam(p, NAME),
  };
  return {
    strategy: NAME,
    generation: 0,
    evaluations: 0,
    sigma: params.learningRate,
    best: null,
    rng: new Rng(o.seed).state(),
    x: startVector(o.x0, NAME),
    params,
    adam: adamInit(o.x0.length),
    failedInRow: 0,
    lastLoss: null,
    bounds: o.bounds ? boundsToJson(o.bounds, o.x0.length) : null,
  };
}

/**
 * Σ terms / count of finite terms. Where the sum overflows (terms near ±1.8e308) each term is divided first, and the
 * result is held within the terms' range, which the mean lies in, so rounding cannot carry it past ±MAX_VALUE.
 */
function meanOf(terms: readonly number[]): number {
  const sum = terms.reduce((a, v) => a + v, 0);
  if (Number.isFinite(sum)) return sum / terms.length;
  const mean = terms.reduce((a, v) => a + v / terms.length, 0);
  return Math.min(Math.max(...terms), Math.max(Math.min(...terms), mean));
}

/** Mean of the usable gradients (and losses), or null if there is none; finite whatever the finite inputs. */
export function meanGradient(n: number, evaluations: readonly Evaluation[]): { grad: number[]; loss: number; used: number } | null {
  const usable = evaluations.filter((e) => e.status === 'ok' && Number.isFinite(e.fitness) && Array.isArray(e.grad) && e.grad.length === n && e.grad.every(Number.isFinite));
  if (usable.length === 0) return null;
  const grad = Array.from({ length: n }, (_, i) => meanOf(usable.map((e) => e.grad![i]!)));
  return { grad, loss: jsonNumber(meanOf(usable.map((e) => e.fitness))), used: usable.length };
}

/** g scaled down to L2 norm `maxNorm` if it is longer (0: no clipping); a norm that overflows is computed rescaled. */
export function clipToNorm(g: number[], maxNorm: number): number[] {
  if (maxNorm <= 0) return g;
  let norm = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
  if (!Number.isFinite(norm)) {
    const scale = g.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    norm = scale * Math.sqrt(g.reduce((a, v) => a + (v / scale) ** 2, 0));
  }
  return norm > maxNorm ? g.map((v) => (Number.isFinite(v * maxNorm) ? (v * maxNorm) / norm : (v / norm) * maxNorm)) : g;
}

export const metagrad: Strategy<MetagradState> = {
  name: NAME,
  description: 'gradient meta-learning: Adam on the meta-gradient averaged over a meta-batch of tasks (sigma0 = learning rate)',
  init,
  ask(s): Candidate[] {
    return Array.from({ length: s.params.metaBatch }, (_, index) => ({ index, x: s.x.slice(), wants: 'fitness+grad' as const }));
  },
  tell(s, candidates, evaluations) {
    s.evaluations += evaluations.length;
    s.generation++;
    const mean = meanGradient(s.x.length, evaluations);
    s.lastLoss = mean ? mean.loss : null;
    if (mean && (!s.best || mean.loss < s.best.fitness)) s.best = { x: candidates[0]!.x.slice(), fitness: mean.loss };
    const moved = mean !== null && adamStep(s.x, clipToNorm(mean.grad, s.params.clipNorm), s.adam, s.params);
    s.failedInRow = failedInRowAfter(s.failedInRow, moved);
    // Candidates must lie inside the declared bounds (strategy.ts): projected gradient descent.
    if (moved) s.x = projectIntoBox(s.x, s.bounds);
  },
  stop(s): StopReasons {
    return failureStop(s.failedInRow, s.params.maxFailedGenerations);
  },
  validateState: (state, where, dimension) => checkMetagradState(new StateCheck(where), state, dimension),
  /** x, the point the meta-gradient steps move (projected into the box after each step). */
  point: (s) => s.x.slice(),
};
