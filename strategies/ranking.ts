/** Ranking shared by all strategies: failed, NaN or infinite evaluations rank worst, ties keep candidate order. */
import { rankableFitness as coreRankableFitness, type Evaluation } from '../src/core/types.js';
import { jsonNumber } from './json_safe.js';

/** The fitness to rank and keep: the value if the evaluation is ok and finite (−0 as +0, see json_safe), else +Infinity. */
export function rankableFitness(e: Evaluation): number {
  return jsonNumber(coreRankableFitness(e));
}

/** Indices of `evaluations` sorted best first (stable). */
export function rankOrder(evaluations: readonly Evaluation[]): number[] {
  return rankOrderOf(evaluations.map(rankableFitness));
}

/** Indices of the rankable fitnesses `f` sorted best first (stable), for a caller that has them already. */
export function rankOrderOf(f: readonly number[]): number[] {
  return f.map((_, i) => i).sort((a, b) => (f[a]! === f[b]! ? a - b : f[a]! < f[b]! ? -1 : 1));
}
