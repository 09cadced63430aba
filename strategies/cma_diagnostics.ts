/**
 * What a report shows of a CMA-ES distribution, as pycma's plot does: the axis ratio (longest over shortest
 * principal axis, max D / min D, from the last eigendecomposition; for sep-CMA-ES the ratio of the largest to the
 * smallest √C_ii), the per-coordinate standard deviations σ·√C_ii and the mean (a genotype: outside the box it
 * stands for its mirror image).
 */
import type { StrategyDiagnostics } from '../src/core/strategy.js';
import type { CmaState } from './cma_state.js';

export function cmaDiagnostics(state: CmaState): StrategyDiagnostics {
  const n = state.dimension;
  const variance = (i: number): number => (state.params.diagonal ? state.C[i]! : state.C[i * n + i]!);
  let lo = Infinity;
  let hi = 0;
  for (const d of state.D) {
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  return {
    ...(lo > 0 && Number.isFinite(hi) ? { axisRatio: hi / lo } : {}),
    scales: Array.from({ length: n }, (_, i) => state.sigma * Math.sqrt(variance(i))),
    mean: state.mean.slice(),
  };
}
