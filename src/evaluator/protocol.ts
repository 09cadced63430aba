/** The only data that crosses the thread boundary: a job out, a result back. Both are plain JSON. */
import type { Evaluation, Wants } from '../core/types.js';
import type { BackendRequest } from '../runtime/backend_names.js';

/** One candidate inside a job. */
export interface EvalItem {
  /** Candidate index in its generation. */
  index: number;
  genome: unknown;
  wants: Wants;
  /** deriveSeed(run seed, 'eval', generation, seed index): never depends on the worker. */
  seed: number;
}

/**
 * A unit of work for one thread: a single candidate, or several that a batched task evaluates in one set
 * of tensor ops (the population axis). Batched items share `seed`, i.e. the same task randomness.
 */
export interface EvalJob {
  genomeKind: string;
  /** The genome kind's resolved settings (plain JSON). */
  genomeConfig: unknown;
  task: { name: string; config: Record<string, unknown> };
  generation: number;
  items: EvalItem[];
  /** True: call the task's evaluateBatch on all items with `seed`; false: evaluate each item alone. */
  batched: boolean;
  seed: number;
  /** Wall-clock limit for the whole job; past it every item comes back as status 'timeout'. */
  timeoutMs: number;
  backend: BackendRequest;
}

export interface JobResult {
  /** One evaluation per item, in item order. */
  results: Evaluation[];
  wallMs: number;
  /** The TensorFlow.js backend that ran the job, or null for tasks that use none. */
  backend: string | null;
  /** The GPU behind the backend (webgpu), as its adapter describes itself: the manifest records it. */
  adapter?: string;
  /** The queue worker that evaluated the job (`host:pid`), where another process did: the run log names it for failures. */
  worker?: string;
}

export interface Evaluator {
  /** Results in job order, never rejected for a failing job: failures come back with a status. */
  evaluate(jobs: readonly EvalJob[]): Promise<JobResult[]>;
  close(): Promise<void>;
  /** 0 for inline evaluation. */
  readonly workers: number;
}

/** Limits on each worker thread, so that a runaway evaluation fails alone instead of taking the machine. */
export interface WorkerLimits {
  /** V8 old-generation heap of each thread in MB (piscina `resourceLimits.maxOldGenerationSizeMb`); default `defaultWorkerHeapMb`. */
  heapMb?: number;
}

/** Where a run's jobs are evaluated: the run's `workers`, `workerHeapMb` and `redis` settings, and what a queue announces. */
export interface EvaluatorSettings {
  /** Worker threads of this process (0: inline); not used with `redis`. */
  workers: number;
  limits?: WorkerLimits;
  /** A Redis URL: the jobs go to `evometa worker` processes through a BullMQ queue of the run. */
  redis?: string;
  /** The run, as a queue announces it to workers. */
  run?: { dir: string; task: string; genomeKind: string; plugins: readonly string[] };
  /** The run's log, for what an evaluator waits for (e.g. a Redis server that went away). */
  log?: (line: string) => void;
}

/**
 * Builds the evaluator for a run's settings (inline, worker threads, or a queue). The composition root supplies it,
 * because only it knows which worker module builds the same registry in each thread. A failed evaluation (a crash or
 * timeout included) comes back as a result, and the engine logs it once from there.
 */
export type EvaluatorFactory = (settings: EvaluatorSettings) => Evaluator;

/**
 * What a pool thread is handed per job: the job, and the slot of the pool's start board (PoolWorkerData) where it
 * writes when the job starts running (after the thread's start-up, the registry and the TensorFlow.js backend):
 * the job's time limit counts from there.
 */
export interface WorkerTask {
  job: EvalJob;
  slot: number;
}

/**
 * A pool thread's piscina `workerData`: the composition root's own data (e.g. the plug-ins to load) and the start
 * board, shared memory in which each job's thread writes its start time (ms since the epoch, as
 * performance.timeOrigin + performance.now()) into the job's slot. Shared memory instead of a message per job:
 * nothing is allocated per job, and the pool reads the time whenever a deadline comes due.
 */
export interface PoolWorkerData<T = unknown> {
  data: T;
  startBoard: SharedArrayBuffer;
}

/** The same failure for every item of a job (a timeout, a crashed thread). */
export function failedJob(job: EvalJob, status: Evaluation['status'], error: string, wallMs: number): JobResult {
  return { results: job.items.map(() => ({ status, fitness: Number.NaN, error })), wallMs, backend: null };
}

/** Milliseconds since the epoch on the clock that every thread of this process reads alike (the start board's). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
