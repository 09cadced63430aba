/**
 * Piscina worker entry: the composition root of one pool thread. At thread start it builds the thread's registry
 * from the plug-in modules named in `workerData` (never from a job), then serves jobs against it; the thread
 * keeps its backend and dataset caches between jobs. It writes each job's start time on the pool's start board,
 * so that the job's time limit does not count the thread's start-up.
 */
import { workerData } from 'node:worker_threads';
import { epochMs, type JobResult, type PoolWorkerData, type WorkerTask } from './evaluator/protocol.js';
import { runJob } from './evaluator/run_job.js';
import { loadRegistry, type PluginWorkerData } from './plugins.js';

const given = workerData as PoolWorkerData<PluginWorkerData>;
const registry = await loadRegistry(given.data.plugins);
const startBoard = new Float64Array(given.startBoard);

export default function evaluateJob({ job, slot }: WorkerTask): Promise<JobResult> {
  return runJob(job, registry, () => {
    startBoard[slot] = epochMs();
  });
}
