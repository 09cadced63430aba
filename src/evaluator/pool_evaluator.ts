/**
 * Evaluates jobs on a piscina pool of worker threads (`--workers N`). At most N jobs are in flight, so a
 * job's time limit counts from when it starts running, not from when it was queued. A job past its limit
 * is aborted, which terminates its thread; a crashed thread is replaced by piscina (minThreads = N).
 */
import { Piscina } from 'piscina';
import { failedJob, type EvalJob, type Evaluator, type EvaluatorEvent, type JobResult } from './protocol.js';

export interface PoolOptions {
  workers: number;
  /**
   * The module each thread imports (a file URL): its default export takes an EvalJob and returns a JobResult.
   * It is a composition root: it builds the thread's registry once, from `workerData`, at thread start.
   */
  workerModule: string;
  /** Plain data every thread receives (e.g. the plug-in specifiers to load); a job carries none of it. */
  workerData?: unknown;
}

export class PoolEvaluator implements Evaluator {
  private readonly pool: Piscina;
  readonly workers: number;

  constructor(
    options: PoolOptions,
    private readonly onEvent: (e: EvaluatorEvent) => void = () => {},
  ) {
    this.workers = options.workers;
    this.pool = new Piscina({
      filename: options.workerModule,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: 60_000,
      workerData: options.workerData,
    });
  }

  async evaluate(jobs: readonly EvalJob[]): Promise<JobResult[]> {
    const results = new Array<JobResult>(jobs.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await this.runOne(jobs[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.workers, jobs.length) }, lane));
    return results;
  }

  private async runOne(job: EvalJob): Promise<JobResult> {
    const ac = new AbortController();
    const start = performance.now();
    const timer = setTimeout(() => ac.abort(), job.timeoutMs);
    try {
      return (await this.pool.run(job, { signal: ac.signal })) as JobResult;
    } catch (e) {
      const wallMs = performance.now() - start;
      const indices = job.items.map((i) => i.index);
      if (ac.signal.aborted) {
        this.onEvent({ generation: job.generation, indices, message: `timeout after ${job.timeoutMs} ms; worker thread terminated and replaced` });
        return failedJob(job, 'timeout', `no result within ${job.timeoutMs} ms`, wallMs);
      }
      const message = e instanceof Error ? e.message : String(e);
      this.onEvent({ generation: job.generation, indices, message: `worker thread failed (${message}); replaced` });
      return failedJob(job, 'error', `worker thread failed: ${message}`, wallMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
