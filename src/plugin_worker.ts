/**
 * Piscina worker entry: the composition root of one pool thread. At thread start it builds the thread's registry
 * from the plug-in modules named in `workerData` (never from a job), then serves jobs against it; the thread
 * keeps its backend and dataset caches between jobs.
 */
import { workerData } from 'node:worker_threads';
import type { EvalJob, JobResult } from './evaluator/protocol.js';
import { runJob } from './evaluator/run_job.js';
import { loadRegistry, type PluginWorkerData } from './plugins.js';

const registry = await loadRegistry((workerData as PluginWorkerData | undefined)?.plugins ?? []);

export default function evaluateJob(job: EvalJob): Promise<JobResult> {
  return runJob(job, registry);
}
