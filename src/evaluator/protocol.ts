/** The only data that crosses the thread boundary: a job out, a result back. Both are plain JSON. */
import type { Evaluation, Wants } from '../../strategies/strategy.js';
import type { BackendRequest } from '../backend_names.js';

export interface EvalJob {
  genomeKind: string;
  genome: unknown;
  task: { name: string; config: Record<string, unknown> };
  /** deriveSeed(run seed, 'eval', generation, index): never depends on the worker. */
  seed: number;
  generation: number;
  index: number;
  wants: Wants;
  /** Wall-clock limit; a job past it comes back as status 'timeout'. */
  timeoutMs: number;
  backend: BackendRequest;
}

export interface JobResult extends Evaluation {
  wallMs: number;
  /** The TensorFlow.js backend that ran the job, or null for tasks that use none. */
  backend: string | null;
}

/** Something the run log should record (a failure, a replaced worker). */
export interface EvaluatorEvent {
  generation: number;
  index: number;
  message: string;
}

export interface Evaluator {
  /** Results in job order, never rejected for a failing job: failures come back with a status. */
  evaluate(jobs: readonly EvalJob[]): Promise<JobResult[]>;
  close(): Promise<void>;
  /** 0 for inline evaluation. */
  readonly workers: number;
}
