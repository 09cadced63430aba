/**
 * Evaluates jobs on a piscina pool of worker threads (`--workers N`). At most N jobs are in flight, and a job's
 * time limit counts from when its thread wrote on the start board that the job started running (after the
 * thread's start-up, the plug-in imports and the TensorFlow.js backend; see PoolWorkerData), not from when it was
 * queued or sent. Until then a start-up allowance (STARTUP_ALLOWANCE_MS) applies, so a thread stuck in start-up
 * also fails.
 * A job past its limit is aborted, which terminates its thread; a crashed thread, or one that ran out of its heap
 * limit (`WorkerLimits.heapMb`), is replaced by piscina (minThreads = N). Each such failure comes back as the
 * job's result (status 'timeout' or 'error' with the reason), which the engine logs once.
 */
import { totalmem } from 'node:os';
import { Piscina } from 'piscina';
import { epochMs, failedJob, type EvalJob, type Evaluator, type JobResult, type PoolWorkerData, type WorkerTask } from './protocol.js';

/** How long a job may wait for its thread to start running it (thread start, plug-in imports, backend). */
export const STARTUP_ALLOWANCE_MS = 60_000;
/**
 * Start-board slots per worker. Job k uses slot k mod (workers × this), so a thread still finishing a job it was
 * aborted for cannot write into the slot of a job that runs now.
 */
const SLOTS_PER_WORKER = 64;
/** Bounds of the default per-thread heap (MB): V8's own default is about 4 GB on 64-bit machines. */
const MIN_DEFAULT_HEAP_MB = 256;
const MAX_DEFAULT_HEAP_MB = 4096;

/**
 * Each worker thread's heap limit when none is given: half the machine's memory shared among the threads, from
 * 256 MB to 4096 MB. The threads together then leave half the memory to the main thread and everything else.
 */
export function defaultWorkerHeapMb(workers: number): number {
  const share = Math.floor(totalmem() / 2 ** 20 / 2 / Math.max(1, workers));
  return Math.max(MIN_DEFAULT_HEAP_MB, Math.min(MAX_DEFAULT_HEAP_MB, share));
}

export interface PoolOptions {
  workers: number;
  /**
   * The module each thread imports (a file URL): its default export takes a WorkerTask and returns a JobResult.
   * It is a composition root: it builds the thread's registry once, from `workerData` (a PoolWorkerData whose
   * `data` is the option below), at thread start.
   */
  workerModule: string;
  /** Plain data every thread receives (e.g. the plug-in specifiers to load); a job carries none of it. */
  workerData?: unknown;
  /** Each thread's V8 heap limit in MB (default defaultWorkerHeapMb(workers)). */
  heapMb?: number;
}

export class PoolEvaluator implements Evaluator {
  private readonly pool: Piscina;
  private readonly startBoard: Float64Array;
  private jobsSent = 0;
  readonly workers: number;
  readonly heapMb: number;

  constructor(options: PoolOptions) {
    this.workers = options.workers;
    this.heapMb = options.heapMb ?? defaultWorkerHeapMb(options.workers);
    this.startBoard = new Float64Array(new SharedArrayBuffer(8 * SLOTS_PER_WORKER * options.workers));
    const workerData: PoolWorkerData = { data: options.workerData, startBoard: this.startBoard.buffer as SharedArrayBuffer };
    this.pool = new Piscina({
      filename: options.workerModule,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: 60_000,
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
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
    const slot = this.jobsSent++ % this.startBoard.length;
    this.startBoard[slot] = 0;
    const ac = new AbortController();
    const sent = epochMs();
    let why = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    // Due times are re-checked against the board whenever a timer fires; the abort waits one turn of the event
    // loop, so that a result already on its way is taken.
    const check = (): void => {
      const started = this.startBoard[slot]!;
      const now = epochMs();
      const due = started > 0 ? started + job.timeoutMs : sent + STARTUP_ALLOWANCE_MS;
      if (now < due) {
        timer = setTimeout(check, Math.min(due - now, job.timeoutMs) + 1);
        return;
      }
      setImmediate(() => {
        if (settled) return;
        why = started > 0 ? `no result within ${job.timeoutMs} ms of its start` : `did not start within the start-up allowance of ${STARTUP_ALLOWANCE_MS} ms`;
        ac.abort();
      });
    };
    timer = setTimeout(check, job.timeoutMs);
    const task: WorkerTask = { job, slot };
    try {
      return (await this.pool.run(task, { signal: ac.signal })) as JobResult;
    } catch (e) {
      const started = this.startBoard[slot]!;
      const wallMs = epochMs() - (started > 0 ? started : sent);
      if (ac.signal.aborted) return failedJob(job, 'timeout', `${why}; its worker thread was terminated and replaced`, wallMs);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY')
        return failedJob(job, 'error', `the evaluation ran out of its worker thread's heap limit (${this.heapMb} MB, --worker-heap-mb); the thread was replaced`, wallMs);
      const message = e instanceof Error ? e.message : String(e);
      return failedJob(job, 'error', `worker thread failed (${message}); it was replaced`, wallMs);
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
