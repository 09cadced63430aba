/**
 * What a report shows of a CMA-ES distribution, as pycma's plot does: the axis ratio (longest over shortest
 * principal axis, max D / min D of C, from the last eigendecomposition, as pycma plots it: the fixed stds scaling is not in C; for sep-CMA-ES the ratio of the largest to the
 * smallest √C_ii), the per-coordinate standard deviations σ·stds_i·√C_ii (stds: pycma's fixed CMA_stds scaling) and the mean (a genotype: outside the box it
 * stands for its mirror image).
 */
import type { StrategyDiagnostics } from '../src/core/strategy.js';
import type { CmaState } from './cma_state.js';
import { coordinateScale } from './cma_covariance.js';

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
    scales: Array.from({ length: n }, (_, i) => state.sigma * coordinateScale(state, i) * Math.sqrt(variance(i))),
    mean: state.mean.slice(),
  };
}
