/**
 * Minimise a plain synchronous function with a given strategy object in the calling thread, with evaluations
 * counted as pycma counts them: the run stops after the generation in which some f ≤ target. This is the
 * strategies' own test and bench loop; the library's `minimize(f, x0, sigma0, options)` (src/minimize.ts: async f,
 * tasks on worker threads, the CLI's summary) is the one users get from 'evometa'.
 */
import type { StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../src/core/strategy.js';

export interface MinimizeResult<S extends StrategyState> {
  /** Evaluations spent (the whole last generation included). */
  evaluations: number;
  /** Whether some evaluation reached f ≤ target. */
  success: boolean;
  /** Why it stopped: {target}, {maxEvaluations} or the strategy's own reasons. */
  stop: StopReasons;
  state: S;
}

export function minimize<S extends StrategyState>(
  strategy: Strategy<S>,
  f: (x: readonly number[]) => number,
  options: StrategyOptions,
  budget: { target?: number; maxEvaluations?: number } = {},
): MinimizeResult<S> {
  const target = budget.target ?? -Infinity;
  const maxEvaluations = budget.maxEvaluations ?? Infinity;
  const state = strategy.init(options);
  for (;;) {
    if (state.evaluations >= maxEvaluations) return { evaluations: state.evaluations, success: false, stop: { maxEvaluations }, state };
    const candidates = strategy.ask(state);
    const evaluations = candidates.map((c) => ({ status: 'ok' as const, fitness: f(c.x) }));
    strategy.tell(state, candidates, evaluations);
    if (evaluations.some((e) => e.fitness <= target)) return { evaluations: state.evaluations, success: true, stop: { target }, state };
    const reasons = strategy.stop(state);
    if (Object.keys(reasons).length > 0) return { evaluations: state.evaluations, success: false, stop: reasons, state };
  }
}
