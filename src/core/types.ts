/**
 * The plain-data types every layer shares: what a strategy proposes, what an evaluation returns, the
 * box a genome kind declares, and why a search stopped. They cross threads and machines as JSON.
 */

/** What a candidate needs back: the gradient-based meta-learning strategies ask for gradients too. */
export type Wants = 'fitness' | 'fitness+grad';

export interface Candidate {
  /** Position in this generation's population; also part of the evaluation seed. */
  index: number;
  /** The search-space point (already inside the declared bounds). */
  x: number[];
  wants: Wants;
  /**
   * Index that picks the evaluation seed, when it should differ from `index`: candidates that share it
   * see the same task randomness (common random numbers, e.g. an antithetic pair).
   */
  seedIndex?: number;
}

/** How an evaluation ended. Anything but 'ok' (or a non-finite fitness) ranks worst. */
export type EvalStatus = 'ok' | 'nan' | 'error' | 'timeout';

export interface Evaluation {
  status: EvalStatus;
  /** Minimised. NaN unless status is 'ok'. */
  fitness: number;
  /** d fitness / d x, when the candidate wanted it. */
  grad?: number[];
  /** Task-specific extra numbers (accuracy, loss parts). */
  metrics?: Record<string, number>;
  error?: string;
}

/** Box bounds a genome kind declares; ±Infinity where a coordinate is free. */
export interface Bounds {
  lower: number[];
  upper: number[];
}

/** Termination as data, pycma style: `{tolfun: 1e-11}`; empty when the strategy wants to go on. */
export type StopReasons = Record<string, number>;

/** A fitness usable for ranking: the value if the evaluation is ok and finite, else +Infinity (failed, NaN and infinite evaluations rank worst). */
export function rankableFitness(e: Evaluation): number {
  return e.status === 'ok' && Number.isFinite(e.fitness) ? e.fitness : Number.POSITIVE_INFINITY;
}
