/** Shared by the CMA-ES tests: run generations of a strategy on a plain function and record what it asked. */
import type { Strategy, StrategyState } from '../../src/core/strategy.js';

/** Every candidate of `generations` generations on f, in the order ask proposed them; f's values are told back. */
export function trajectory<S extends StrategyState>(strategy: Strategy<S>, state: S, f: (x: readonly number[]) => number, generations: number): number[][] {
  const xs: number[][] = [];
  for (let g = 0; g < generations; g++) {
    const candidates = strategy.ask(state);
    xs.push(...candidates.map((c) => c.x));
    strategy.tell(state, candidates, candidates.map((c) => ({ status: 'ok' as const, fitness: f(c.x) })));
  }
  return xs;
}
