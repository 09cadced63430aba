/** Ranking shared by all strategies: failed, NaN or infinite evaluations rank worst, ties keep candidate order. */
import { rankableFitness, type Evaluation } from '../src/core/types.js';

export { rankableFitness };

/** Indices of `evaluations` sorted best first (stable). */
export function rankOrder(evaluations: readonly Evaluation[]): number[] {
  const f = evaluations.map(rankableFitness);
  return f.map((_, i) => i).sort((a, b) => (f[a]! === f[b]! ? a - b : f[a]! < f[b]! ? -1 : 1));
}
