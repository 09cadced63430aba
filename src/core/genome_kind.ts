/**
 * A genome kind maps between the flat real vector a strategy searches and the genome a task
 * evaluates (plain JSON, so it crosses worker threads and lands in best.json as is).
 */
import type { Bounds } from './types.js';
import type { Rng } from './rng.js';
import type { CategoricalSpace } from './categorical.js';

export interface GenomeKind<G = unknown, C = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /** Validates and fills the kind's settings (e.g. `dim`); errors name the field and the fix. */
  resolveConfig(raw: Record<string, unknown>): C;
  /** Length of the search vector. */
  dim(config: C): number;
  /** Box bounds the strategy must respect, or undefined where the space is free. */
  bounds(config: C): Bounds | undefined;
  /**
   * Coordinates whose decoded value is rounded to a unit grid (the encoding makes one integer or
   * category step 1.0 in x); the engine passes them to the strategy as `integers`. Absent or [] where
   * every coordinate is continuous.
   */
  integers?(config: C): number[];
  /**
   * The search vector as categorical variables (one-hot logit rows, read by argmax), for strategies that
   * search categories directly (ga-ordering); the engine passes it to the strategy as `categorical`.
   * Absent where the space is not categorical.
   */
  categorical?(config: C): CategoricalSpace;
  decode(x: readonly number[], config: C): G;
  encode(genome: G, config: C): number[];
  /** Optional: the kind's recommended start point (`--init default`), e.g. a model's default settings. */
  defaultGenome?(config: C): G;
  /** A random genome, the usual start of a search (`--init random`). */
  random(config: C, rng: Rng): G;
  /** Reads and validates a genome file (`--init FILE`); errors name the file and the field. */
  load(path: string): G;
}
