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
  /**
   * Validates and fills the kind's settings (e.g. `dim`); errors name the field and the fix. Resolving a
   * resolved config gives it back unchanged, so a genome file stores the resolved settings and reads them again.
   */
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

  // Genome files (src/core/genome_file.ts): the codec reads and writes the envelope `{format, version, kind,
  // config, genome, meta}` and knows no kind; these members are the kind's part, its `genome` payload.

  /** The genome as a genome file's `genome` payload: a plain JSON object that `fromFile` reads back to an equal genome. */
  toFile(genome: G, config: C): Record<string, unknown>;
  /**
   * Checks a genome file's payload against the kind's format and the file's own settings (`config`, resolved
   * by `resolveConfig`) and returns the genome. Errors start with `where` (e.g. `g.json: genome`) and name the field.
   */
  fromFile(payload: unknown, config: C, where: string): G;
  /**
   * Reads what this kind wrote before the common envelope: its own version-1 file format (e.g. the plain JSON
   * array of a vector), or the bare genome a run record (best.json) holds. Returns the envelope's `config`
   * (derived from the genome; `resolveConfig` reads it) and `genome` payload, or undefined where `json` is not
   * of this kind. With `claimed` false, answer only for JSON that names this kind (a version-1 `format`) or has a
   * shape no other kind writes; with `claimed` true the caller knows the kind (--genome, a run's manifest), so a
   * bare genome that names no format is read as well. Absent where the kind has no files older than the envelope.
   */
  fromVersion1?(json: unknown, where: string, claimed: boolean): GenomeFileBody | undefined;
}

/** A genome file's kind-specific part: the raw settings and the payload, as `fromVersion1` upgrades them. */
export interface GenomeFileBody {
  config: Record<string, unknown>;
  genome: Record<string, unknown>;
}
