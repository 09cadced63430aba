/**
 * Evaluates jobs one after another in the calling thread (`--workers 0`): no thread start-up, easy
 * to debug. Nothing can preempt synchronous code in the calling thread, so a time limit here only cuts
 * short tasks that yield (async), and a synchronous evaluation runs to its end: the engine refuses
 * `--timeout-ms` with `--workers 0` (checkResources) rather than promise a limit it cannot keep.
 */
import type { Registry } from '../core/plugin.js';
import { runJob } from './run_job.js';
import { failedJob, type EvalJob, type Evaluator, type JobResult } from './protocol.js';

export class InlineEvaluator implements Evaluator {
  readonly workers = 0;

  /** `registry`: the tasks a job may name (the caller's, built-ins and plug-ins). */
  constructor(private readonly registry: Registry) {}

  async evaluate(jobs: readonly EvalJob[]): Promise<JobResult[]> {
    const out: JobResult[] = [];
    for (const job of jobs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<JobResult>((resolve) => {
        timer = setTimeout(() => resolve(failedJob(job, 'timeout', `no result within ${job.timeoutMs} ms`, job.timeoutMs)), job.timeoutMs);
      });
      out.push(await Promise.race([runJob(job, this.registry), timeout]));
      clearTimeout(timer);
    }
    return out;
  }

  async close(): Promise<void> {}
}
