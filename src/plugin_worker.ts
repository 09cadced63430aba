/**
 * Piscina worker entry: the composition root of one pool thread. At thread start it builds the thread's registry
 * from the plug-in modules named in `workerData` (never from a job), then serves jobs against it; the thread
 * keeps its backend and dataset caches between jobs. It tells the pool when each job starts running, so that the
 * job's time limit does not count the thread's start-up.
 */
import { workerData } from 'node:worker_threads';
import type { JobResult, WorkerTask } from './evaluator/protocol.js';
import { runJob } from './evaluator/run_job.js';
import { loadRegistry, type PluginWorkerData } from './plugins.js';

const registry = await loadRegistry((workerData as PluginWorkerData | undefined)?.plugins ?? []);

export default async function evaluateJob({ job, started }: WorkerTask): Promise<JobResult> {
  try {
    return await runJob(job, registry, () => started?.postMessage('started'));
  } finally {
    started?.close();
  }
}
