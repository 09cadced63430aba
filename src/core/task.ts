/**
 * A task scores one genome. It runs inside a worker thread (or inline), so everything it receives
 * and returns is plain data; its randomness comes only from `ctx.seed`.
 */
import type { Wants } from './types.js';

export interface TaskContext {
  /** Derived from (run seed, generation, candidate index): independent of the worker that runs it. */
  seed: number;
  wants: Wants;
  /** Name of the genome kind the genome was decoded by. */
  genomeKind: string;
  /** That kind's resolved settings: a gradient must be taken with respect to the search vector it defines. */
  genomeConfig: unknown;
}

export interface TaskResult {
  /** Minimised; NaN or ±Infinity rank worst. */
  fitness: number;
  grad?: number[];
  metrics?: Record<string, number>;
}

export interface Task<G = unknown, C = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /** Genome kinds this task can score. */
  readonly genomeKinds: readonly string[];
  /** Whether the worker must load a TensorFlow.js backend before evaluating. */
  readonly usesTensorflow: boolean;
  /** Validates and fills the task's settings; errors name the field and the fix. */
  resolveConfig(raw: Record<string, unknown>): C;
  evaluate(genome: G, config: C, ctx: TaskContext): TaskResult | Promise<TaskResult>;
  /**
   * Optional: scores several genomes in one set of tensor ops (the population axis). All of them see
   * the same task randomness (`ctx.seed`), i.e. common random numbers; results in genome order.
   */
  evaluateBatch?(genomes: G[], config: C, ctx: TaskContext): Promise<TaskResult[]>;
  /**
   * Optional: the genome as it should be stored (best.json), with whatever task settings it only works
   * under, so that replaying the file reproduces what was scored (e.g. a learned rule's network options).
   */
  annotate?(genome: G, config: C): G;
  /**
   * Optional: the setting a genome is scored in, as plain data a replay can rebuild it from (a learned rule's
   * layer sizes, output encoding, inner steps, batch size and the task to replay on by default). Genome files of
   * a run record it, with the task and its resolved settings, as `meta.trainedOn`.
   */
  trainingSetting?(config: C): Record<string, unknown>;
}
