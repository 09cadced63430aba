/**
 * A genome kind maps between the flat real vector a strategy searches and the genome a task
 * evaluates (plain JSON, so it crosses worker threads and lands in best.json as is).
 */
import type { Bounds } from '../strategies/strategy.js';

export interface GenomeKind<G = unknown, C = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /** Validates and fills the kind's settings (e.g. `dim`); errors name the field and the fix. */
  resolveConfig(raw: Record<string, unknown>): C;
  /** Length of the search vector. */
  dim(config: C): number;
  /** Box bounds the strategy must respect, or undefined where the space is free. */
  bounds(config: C): Bounds | undefined;
  decode(x: readonly number[], config: C): G;
  encode(genome: G, config: C): number[];
}
