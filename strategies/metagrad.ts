/**
 * Gradient meta-learning: every candidate of a generation is the current point x, evaluated with its
 * own seed (a different task or data draw: the meta-batch), and asks for 'fitness+grad'. Workers
 * differentiate through the unrolled inner loop; this strategy averages the meta-gradients and takes
 * an Adam step. Evaluations that fail or return non-finite numbers are left out of the average.
 */
import { Rng } from '../src/core/rng.js';
import { adamInit, adamStep, ADAM_DEFAULTS, type AdamParams, type AdamState } from './adam.js';
import { numberParam, positive, positiveInteger, rejectUnknownParams } from './params.js';
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
    maxFailedGenerations: numberParam(p, 'maxFailedGenerations', 10, positiveInteger, 'a positive integer', NAME),
  };
  return {
    strategy: NAME,
    generation: 0,
    evaluations: 0,
    sigma: params.learningRate,
    best: null,
    rng: new Rng(o.seed).state(),
    x: o.x0.slice(),
    params,
    adam: adamInit(o.x0.length),
    failedInRow: 0,
    lastLoss: null,
    bounds: o.bounds ? boundsToJson(o.bounds, o.x0.length) : null,
  };
}

/** Mean of the usable gradients, or null if there is none. */
export function meanGradient(n: number, evaluations: readonly Evaluation[]): { grad: number[]; loss: number; used: number } | null {
  const grad = new Array<number>(n).fill(0);
  let loss = 0;
  let used = 0;
  for (const e of evaluations) {
    if (e.status !== 'ok' || !Number.isFinite(e.fitness) || !e.grad || e.grad.length !== n || !e.grad.every(Number.isFinite)) continue;
    for (let i = 0; i < n; i++) grad[i]! += e.grad[i]!;
    loss += e.fitness;
    used++;
  }
  if (used === 0) return null;
  return { grad: grad.map((g) => g / used), loss: loss / used, used };
}

export function clipToNorm(g: number[], maxNorm: number): number[] {
  if (maxNorm <= 0) return g;
  const norm = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
  return norm > maxNorm ? g.map((v) => (v * maxNorm) / norm) : g;
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
    if (!mean) {
      s.failedInRow++;
      s.lastLoss = null;
      return;
    }
    s.lastLoss = mean.loss;
    if (!s.best || mean.loss < s.best.fitness) s.best = { x: candidates[0]!.x.slice(), fitness: mean.loss };
    s.failedInRow = adamStep(s.x, clipToNorm(mean.grad, s.params.clipNorm), s.adam, s.params) ? 0 : s.failedInRow + 1;
    // Candidates must lie inside the declared bounds (strategy.ts): projected gradient descent.
    s.x = projectIntoBox(s.x, s.bounds);
  },
  stop(s): StopReasons {
    return s.failedInRow >= s.params.maxFailedGenerations ? { failedGenerations: s.failedInRow } : {};
  },
  /** x, the point the meta-gradient steps move (projected into the box after each step). */
  point: (s) => s.x.slice(),
};
