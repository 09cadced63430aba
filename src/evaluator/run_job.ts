/** Evaluates one job in the current thread: the same code runs inline and inside pool workers. */
import { lookup } from '../errors.js';
import { TASKS } from '../../tasks/index.js';
import type { EvalJob, JobResult } from './protocol.js';

/** Backend set once per thread, the first time a TensorFlow.js task runs here. */
let backendInThread: Promise<string> | null = null;
let backendRequested: string | null = null;

async function ensureBackend(job: EvalJob): Promise<string> {
  if (!backendInThread || backendRequested !== job.backend) {
    backendRequested = job.backend;
    backendInThread = import('../backend.js').then(async (m) => (await m.initBackend(job.backend)).backend);
  }
  return backendInThread;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function runJob(job: EvalJob): Promise<JobResult> {
  const start = performance.now();
  let backend: string | null = null;
  try {
    const task = lookup(TASKS, 'task', job.task.name);
    const config = task.resolveConfig(job.task.config);
    if (task.usesTensorflow) backend = await ensureBackend(job);
    const r = await task.evaluate(job.genome, config, { seed: job.seed, wants: job.wants, genomeKind: job.genomeKind });
    const wallMs = performance.now() - start;
    if (typeof r.fitness !== 'number' || Number.isNaN(r.fitness))
      return { status: 'nan', fitness: Number.NaN, wallMs, backend, error: 'fitness is NaN' };
    const out: JobResult = { status: 'ok', fitness: r.fitness, wallMs, backend };
    if (r.grad) out.grad = r.grad;
    if (r.metrics) out.metrics = r.metrics;
    if (job.wants === 'fitness+grad' && !r.grad)
      return { status: 'error', fitness: Number.NaN, wallMs, backend, error: `task '${job.task.name}' returned no gradient` };
    return out;
  } catch (e) {
    return { status: 'error', fitness: Number.NaN, wallMs: performance.now() - start, backend, error: errorText(e) };
  }
}
