/**
 * The soak bench's pool thread: the plug-in worker (src/plugin_worker.ts) plus, on every sampled generation, this
 * thread's heap after a full collection and its live TensorFlow.js tensors, attached to the job's result as `soak`.
 */
import { threadId, workerData } from 'node:worker_threads';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import evaluateJob from '../../src/plugin_worker.js';
import type { JobResult, PoolWorkerData, WorkerTask } from '../../src/evaluator/protocol.js';

/** What the bench hands each thread besides the plug-ins: how often to sample. */
export interface SoakWorkerData {
  plugins: string[];
  every: number;
}

/** One thread's memory at a sampled generation. */
export interface WorkerSample {
  thread: number;
  heapMb: number;
  heapTotalMb: number;
  tensors: number;
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const every = (workerData as PoolWorkerData<SoakWorkerData>).data.every;

export default async function soakJob(task: WorkerTask): Promise<JobResult & { soak?: WorkerSample }> {
  const result = await evaluateJob(task);
  if ((task.job.generation + 1) % every !== 0) return result;
  collect();
  const { getTf } = await import('../../src/runtime/backend.js');
  const heap = getHeapStatistics();
  const soak: WorkerSample = { thread: threadId, heapMb: heap.used_heap_size / 2 ** 20, heapTotalMb: heap.total_heap_size / 2 ** 20, tensors: getTf().memory().numTensors };
  return { ...result, soak };
}
