/**
 * Injected points for the CMA-ES family (pycma's `CMAEvolutionStrategy.inject` with `force=True`): a given
 * point replaces one sampled candidate of the next `ask`, so it is evaluated (mirrored into the bounds, as every
 * candidate is) and enters the update as an ordinary sample.
 *
 * The update learns from the step y = (x − m)/σ of the unrepaired point, as for a sampled candidate, with the
 * step's Mahalanobis length ‖C^{-1/2} y‖ clipped at √n + 2n/(n + 2), the limit pycma's `repair_genotype` puts
 * on solutions it did not sample: a far-away point then moves the mean by no more than a long sampled step
 * would, while its fitness still counts at its true place. One simplification against pycma: the active
 * (negative-weight) update uses injected steps like sampled ones (pycma zeroes their negative weights,
 * `CMA_active_injected = 0`); the active update here already rescales every negative-weight step to
 * Mahalanobis length √n (tutorial eq. 46), so a bad injected point shrinks C no more than a bad sample does.
 */
import { reflectIntoBounds } from './bounds.js';
import { invSqrtC } from './cma_covariance.js';
import type { CmaState } from './cma_state.js';
import type { Candidate } from '../src/core/types.js';

/** Dimension of a CMA-ES state, to check injected points against. */
export function cmaDimension(state: CmaState): number {
  return state.dimension;
}

/** pycma's `repair_genotype` bound on the Mahalanobis length of a step it did not sample. */
export function injectedStepLimit(n: number): number {
  return Math.sqrt(n) + (2 * n) / (n + 2);
}

/**
 * Puts `points` in place of the first candidates of the pending `ask` (at most λ of them): the candidate and
 * `pending.x` become the point mirrored into the bounds, `pending.y` its clipped step. Returns how many it used.
 */
export function injectIntoCma(state: CmaState, candidates: Candidate[], points: readonly number[][]): number {
  const pending = state.pending;
  if (!pending) throw new Error(`${state.strategy}: injecting needs a pending ask`);
  const n = state.dimension;
  const limit = injectedStepLimit(n);
  const used = Math.min(points.length, candidates.length);
  for (let k = 0; k < used; k++) {
    const point = points[k]!;
    const y = point.map((v, i) => (v - state.mean[i]!) / state.sigma);
    const length = Math.sqrt(invSqrtC(state, y));
    if (length > limit) for (let i = 0; i < n; i++) y[i] = (y[i]! * limit) / length;
    const x = reflectIntoBounds(point, state.bounds);
    pending.x[k] = x;
    pending.y[k] = y;
    candidates[k] = { ...candidates[k]!, x: x.slice() };
  }
  return used;
}
