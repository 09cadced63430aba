/**
 * Evaluates one job in the current thread: the same code runs inline and inside pool workers. A job names its
 * task and genome kind; they are looked up in the registry this thread was given, and no code named by a job
 * is ever loaded.
 */
import { UsageError, unknownName } from '../core/errors.js';
import type { Registry } from '../core/plugin.js';
import type { Task, TaskResult } from '../core/task.js';
import type { Evaluation } from '../core/types.js';
import type { EvalItem, EvalJob, JobResult } from './protocol.js';

/** Backend set once per thread, the first time a TensorFlow.js task runs here. */
let backendInThread: Promise<{ backend: string; adapter?: string }> | null = null;
let backendRequested: string | null = null;

async function ensureBackend(job: EvalJob): Promise<{ backend: string; adapter?: string }> {
  if (!backendInThread || backendRequested !== job.backend) {
    backendRequested = job.backend;
    backendInThread = import('../runtime/backend.js').then(async (m) => {
      const info = await m.initBackend(job.backend);
      return { backend: info.backend, ...(info.adapter ? { adapter: info.adapter } : {}) };
    });
  }
  return backendInThread;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A task's answer as an Evaluation: NaN → 'nan', a missing gradient that was asked for → 'error'. */
function toEvaluation(r: TaskResult, item: EvalItem, taskName: string): Evaluation {
  if (typeof r.fitness !== 'number' || Number.isNaN(r.fitness)) return { status: 'nan', fitness: Number.NaN, error: 'fitness is NaN' };
  if (item.wants === 'fitness+grad' && !r.grad) return { status: 'error', fitness: Number.NaN, error: `task '${taskName}' returned no gradient` };
  const out: Evaluation = { status: 'ok', fitness: r.fitness };
  if (r.grad) out.grad = r.grad;
  if (r.metrics) out.metrics = r.metrics;
  return out;
}

/** A name the job gives that this thread's registry lacks: the run was started with other plug-ins than this thread. */
function notInRegistry(what: string, name: string, valid: Readonly<Record<string, unknown>>): UsageError {
  const e = unknownName(what, name, Object.keys(valid));
  return new UsageError(`${e.message} (this evaluator knows the built-ins and the plug-ins it was started with; it loads no code named by a job)`);
}

function taskOf(job: EvalJob, registry: Registry): Task<unknown, unknown> {
  const has = (r: Readonly<Record<string, unknown>>, k: string) => Object.prototype.hasOwnProperty.call(r, k);
  if (!has(registry.genomes, job.genomeKind)) throw notInRegistry('genome kind', job.genomeKind, registry.genomes);
  if (!has(registry.tasks, job.task.name)) throw notInRegistry('task', job.task.name, registry.tasks);
  return registry.tasks[job.task.name]!;
}

/**
 * Runs `job` against `registry`. `onStart` is called once the job's own work begins (task found, settings checked,
 * backend ready): a pool's time limit counts from there, not from the thread's start-up.
 */
export async function runJob(job: EvalJob, registry: Registry, onStart?: () => void): Promise<JobResult> {
  const start = performance.now();
  let backend: string | null = null;
  let adapter: string | undefined;
  const failAll = (e: unknown): Evaluation[] => job.items.map(() => ({ status: 'error', fitness: Number.NaN, error: errorText(e) }));
  let results: Evaluation[];
  try {
    const task = taskOf(job, registry);
    const config = task.resolveConfig(job.task.config);
    if (task.usesTensorflow) ({ backend, adapter } = await ensureBackend(job));
    onStart?.();
    if (job.batched) {
      if (!task.evaluateBatch) throw new UsageError(`task '${task.name}' has no batched evaluation`);
      const rs = await task.evaluateBatch(job.items.map((i) => i.genome), config, { seed: job.seed, wants: 'fitness', genomeKind: job.genomeKind, genomeConfig: job.genomeConfig });
      if (rs.length !== job.items.length) throw new Error(`task '${task.name}' returned ${rs.length} results for ${job.items.length} genomes`);
      results = rs.map((r, k) => toEvaluation(r, job.items[k]!, task.name));
    } else {
      results = [];
      for (const item of job.items) {
        try {
          const r = await task.evaluate(item.genome, config, { seed: item.seed, wants: item.wants, genomeKind: job.genomeKind, genomeConfig: job.genomeConfig });
          results.push(toEvaluation(r, item, task.name));
        } catch (e) {
          results.push({ status: 'error', fitness: Number.NaN, error: errorText(e) });
        }
      }
    }
  } catch (e) {
    results = failAll(e);
  }
  return { results, wallMs: performance.now() - start, backend, ...(adapter ? { adapter } : {}) };
}
