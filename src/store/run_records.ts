/** The records a run folder holds (types only, so readers such as the report need not load the engine). */
import type { StopReasons } from '../core/types.js';
import type { StrategyState } from '../core/strategy.js';

export const CHECKPOINT_FORMAT = 'evometa-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** The best candidate of the run and where it came from. */
export interface BestRecord {
  fitness: number;
  x: number[];
  genome: unknown;
  generation: number;
  index: number;
  /** 1-based number of the evaluation that found it. */
  evaluation: number;
  /** The task's extra numbers for it (e.g. held-out accuracy). */
  metrics?: Record<string, number>;
}

/** One line of generations.jsonl. `wallMs` and `elapsedMs` are the only timing fields. */
export interface GenerationRecord {
  generation: number;
  evaluations: number;
  bestFitness: number | null;
  medianFitness: number | null;
  bestSoFar: number | null;
  sigma: number;
  popsize: number;
  failures: number;
  /** Task metrics of the generation's best candidate (e.g. accuracy). */
  bestMetrics?: Record<string, number>;
  restart?: number;
  /**
   * The strategy's distribution after the generation (Strategy.diagnostics, 6 significant digits): the axis ratio
   * every generation; the per-coordinate scales σ·√C_ii and the mean only for dimensions up to
   * DIAGNOSTIC_VECTORS_MAX_DIM, so generations.jsonl stays small.
   */
  axisRatio?: number;
  scales?: number[];
  mean?: number[];
  wallMs: number;
  elapsedMs: number;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Number of completed generations (the next one to run). */
  generation: number;
  evaluations: number;
  elapsedMs: number;
  best: BestRecord | null;
  strategy: StrategyState;
}

export interface RunSummary {
  evaluations: number;
  bestFitness: number | null;
  generations: number;
  stopReason: StopReasons;
  runDir: string;
}

