/** Ranking shared by all strategies: failed, NaN or infinite evaluations rank worst, ties keep candidate order. */
import type { Evaluation } from '../src/core/types.js';

/** A fitness usable for ranking: the value if the evaluation is ok and finite, else +Infinity. */
export function rankableFitness(e: Evaluation): number {
  return e.status === 'ok' && Number.isFinite(e.fitness) ? e.fitness : Number.POSITIVE_INFINITY;
}

/** Indices of `evaluations` sorted best first (stable). */
export function rankOrder(evaluations: readonly Evaluation[]): number[] {
  const f = evaluations.map(rankableFitness);
  return f.map((_, i) => i).sort((a, b) => (f[a]! === f[b]! ? a - b : f[a]! < f[b]! ? -1 : 1));
}
