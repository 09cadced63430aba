/**
 * The strategy contract. A strategy proposes candidates (`ask`) and learns from their evaluations
 * (`tell`). Its whole state, random generator included, is plain JSON data, so a checkpoint is
 * `JSON.stringify(state)` and a resumed run continues bit for bit.
 */
import type { CategoricalSpace } from './categorical.js';
import type { RngState } from './rng.js';
import type { Bounds, Candidate, Evaluation, StopReasons } from './types.js';

export interface StrategyOptions {
  /** Start point (its length is the dimension). */
  x0: number[];
  /** Initial step size, in the units of x. */
  sigma0: number;
  seed: number;
  /** Population size; each strategy has its own default. */
  popsize?: number;
  bounds?: Bounds;
  /**
   * Coordinates the genome kind rounds to integers (one integer step = 1 in x), from
   * `GenomeKind.integers`. The CMA-ES family keeps their marginal step size above a floor so the search
   * never freezes on a rounding plateau; other strategies ignore it.
   */
  integers?: number[];
  /**
   * The genome kind's search space as categorical variables (`GenomeKind.categorical`), for strategies that
   * search categories directly (ga-ordering) rather than real vectors; the others ignore it.
   */
  categorical?: CategoricalSpace;
  /** Strategy-specific overrides, validated by the strategy (unknown keys are rejected). */
  params?: Record<string, unknown>;
}

/** Fields every strategy state carries, so the engine can report on any strategy. */
export interface StrategyState {
  /** Registry name of the strategy that owns this state (checked on resume). */
  strategy: string;
  generation: number;
  evaluations: number;
  /** Current overall step size (for logs); 0 where a strategy has none. */
  sigma: number;
  /** Best candidate seen so far, or null before the first finite evaluation. */
  best: { x: number[]; fitness: number } | null;
  rng: RngState;
  /** The seed the state was started from (drawn and recorded when `init` was given none). */
  seed?: number;
  /**
   * The last `ask` not yet told, so that `tell` can refuse another list (strategies/checked_strategy.ts): its
   * generation, how many candidates it returned and a fingerprint of their points.
   */
  asked?: AskedMarker;
  /** Points given to `inject`, evaluated as the first candidates of the coming `ask`s (pycma's inject). */
  injected?: number[][];
}

/** What `tell` checks its candidates against: the last `ask` of a state, as plain JSON. */
export interface AskedMarker {
  generation: number;
  count: number;
  /** FNV-1a hash (uint32) of the candidates' indices and points. */
  fingerprint: number;
}

export interface Strategy<S extends StrategyState = StrategyState> {
  readonly name: string;
  readonly description: string;
  init(options: StrategyOptions): S;
  /** Proposes the next population; mutates `state` (random state, pending samples). */
  ask(state: S): Candidate[];
  /** Learns from evaluations given in candidate order; mutates `state`. */
  tell(state: S, candidates: readonly Candidate[], evaluations: readonly Evaluation[]): void;
  /** Internal termination criteria met now ({} if none). Budget limits belong to the engine. */
  stop(state: S): StopReasons;
  /**
   * The search's current estimate, a feasible vector of length n: what a finished or killed run stands for
   * when best.json is only its luckiest single evaluation (with a noisy fitness, often a lucky draw).
   */
  point(state: S): number[];
  /**
   * Where a new search (other λ, fitness or episodes) can go on from, with what this one learned about the
   * landscape; absent where a strategy has nothing to carry beyond `point`.
   */
  warmStart?(state: S): WarmStart;
  /**
   * Checks a state read back from a checkpoint before a run resumes from it: field types, vector lengths against
   * the dimension, finite numbers, σ > 0, the random generator's state. Throws a UsageError of one line naming the
   * field and `where` (the checkpoint's path), e.g. "checkpoint.json: strategy.mean has 7 numbers, the run has 10",
   * because a damaged or hand-edited state would otherwise run on with nonsense. `dimension` is the run's n (the
   * length of its x0) where the caller knows it, else the state's own is used. Absent on strategies that cannot
   * check their state.
   */
  validateState?(state: unknown, where: string, dimension?: number): void;
  /**
   * About how many numbers the state holds for an n-dimensional search (full CMA-ES: C and its eigenvectors B,
   * 2n²). The engine refuses up front a dimension whose state or checkpoint this process cannot hold, instead of
   * dying of V8 out-of-memory generations later. Absent where the state is small (O(n)).
   */
  stateNumbers?(dimension: number): number;
  /**
   * Optional: numbers about the search distribution for the run's records and report (the panels of pycma's
   * plot); a strategy fills in what it has.
   */
  diagnostics?(state: S): StrategyDiagnostics;
}

/** What a report shows of a strategy's search distribution besides σ. */
export interface StrategyDiagnostics {
  /** Longest over shortest principal axis of the sampling distribution (√ of the condition number of C). */
  axisRatio?: number;
  /** Per-coordinate standard deviations σ·√C_ii. */
  scales?: number[];
  /** The distribution's mean, as the strategy holds it. */
  mean?: number[];
}

/** The options a warm-started search begins with, as a search config holds them (`--init`'s x, sigma0, strategy-params). */
export interface WarmStart {
  x0: number[];
  sigma0: number;
  params: Record<string, unknown>;
}
