/**
 * Evaluates jobs on `evometa worker` processes anywhere that reach one Redis server (`--redis URL`), through a BullMQ
 * queue of this search alone. Each search session (a start, or a resume) has its own queue, so the jobs of a search
 * that died are never collected by the one that resumes it; the queue is removed when the search ends.
 *
 * The results are the very numbers a thread would give (jobs carry their seeds, the text keeps every double), so the
 * run does not depend on which worker, or how many, evaluated it. Workers may come and go: a job whose worker died is
 * put back by BullMQ's stalled-job check (in the workers), and a job that Redis lost (a restart without persistence)
 * is put back by this evaluator's periodic check, which also announces the run again.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { failedJob, type EvalJob, type Evaluator, type JobResult } from '../protocol.js';
import { connectionOptions, QUEUE_PREFIX, RUNS_KEY, scanKeys, WORKER_KEY_PREFIX, type RunAnnouncement } from './cluster_keys.js';
import { decodeResult, encodeJob, type QueuedJob, type QueuedResult } from './job_payload.js';
import type { RedisTarget } from './redis_url.js';

export interface QueueRun {
  /** The run folder (absolute): a stale queue of the same folder on this host is removed when the run starts again. */
  dir: string;
  task: string;
  genomeKind: string;
  plugins: readonly string[];
}

export interface QueueEvaluatorOptions {
  target: RedisTarget;
  run: QueueRun;
  /** Where the evaluator says what it waits for (the run's log). */
  log?: (line: string) => void;
  /** How often the jobs still awaited are checked against Redis, ms (default 2000). */
  checkEveryMs?: number;
}

interface Pending {
  job: EvalJob;
  settle: (r: JobResult) => void;
}

/**
 * A job is removed from Redis by the worker's own finishing script (its result travels in the event stream), so no
 * clean-up call stands between two generations.
 */
const JOB_OPTIONS = (jobId: string) => ({ jobId, attempts: 1, removeOnComplete: true, removeOnFail: true });

/** How long closing waits for Redis to remove the queue (ms). */
const CLOSE_WAIT_MS = 5000;
/** Attempts at removing a dead session's queue (see removeQueue). */
const OBLITERATE_ATTEMPTS = 3;
/** How long a generation may wait without any worker before the log says so (ms). */
const NO_WORKER_NOTICE_MS = 10_000;

export class QueueEvaluator implements Evaluator {
  readonly workers = 0;
  readonly queueName = `run-${randomUUID()}`;
  private readonly queue: Queue<QueuedJob, QueuedResult>;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly pending = new Map<string, Pending>();
  private readonly announcement: RunAnnouncement;
  private readonly ready: Promise<void>;
  private calls = 0;
  private checking = false;
  /** Awaited jobs that the last check did not find in Redis. */
  private missing = new Set<string>();
  private lostSince: number | null = null;
  private readonly log: (line: string) => void;
  private readonly checkEveryMs: number;

  constructor(private readonly options: QueueEvaluatorOptions) {
    const { target, run } = options;
    this.log = options.log ?? (() => {});
    this.checkEveryMs = options.checkEveryMs ?? 2000;
    this.queue = new Queue(this.queueName, { connection: connectionOptions(target, 'evometa-search'), prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(this.queueName, { connection: connectionOptions(target, 'evometa-search-events'), prefix: QUEUE_PREFIX });
    this.redis = new Redis(target.url, connectionOptions(target, 'evometa-search-runs') as object);
    this.announcement = { queue: this.queueName, runDir: run.dir, host: hostname(), pid: process.pid, task: run.task, genomeKind: run.genomeKind, plugins: [...run.plugins], startedAt: new Date().toISOString() };
    this.events.on('completed', ({ jobId, returnvalue }) => this.take(jobId, () => decodeResult(returnvalue, jobId)));
    this.events.on('failed', ({ jobId, failedReason }) => this.take(jobId, (job) => failedJob(job, 'error', `the queue worker refused or failed the job (${failedReason})`, 0)));
    // Errors of a lost connection are retried by ioredis; the periodic check reports a long outage.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
    this.redis.on('error', () => {});
    this.ready = this.start();
  }

  /** Removes queues that earlier sessions of the same run folder on this host left behind, then announces this one. */
  private async start(): Promise<void> {
    await Promise.all([this.events.waitUntilReady(), this.queue.waitUntilReady()]);
    const all = await this.redis.hgetall(RUNS_KEY);
    for (const [name, text] of Object.entries(all)) {
      let a: RunAnnouncement;
      try {
        a = JSON.parse(text) as RunAnnouncement;
      } catch {
        continue;
      }
      if (a.runDir !== this.announcement.runDir || a.host !== this.announcement.host || name === this.queueName) continue;
      await this.removeQueue(name);
      this.log(`removed the queue ${name} of an earlier session of this run (pid ${a.pid}); its jobs are not counted`);
    }
    await this.announce();
  }

  private async announce(): Promise<void> {
    await this.redis.hset(RUNS_KEY, this.queueName, JSON.stringify(this.announcement));
  }

  private async removeQueue(name: string): Promise<void> {
    await this.redis.hdel(RUNS_KEY, name);
    const q = new Queue(name, { connection: connectionOptions(this.options.target, 'evometa-search-cleanup'), prefix: QUEUE_PREFIX });
    q.on('error', () => {});
    try {
      // BullMQ's obliterate pauses the queue, then runs a script that refuses a queue it finds not paused. With a live
      // worker still finishing the dead session's jobs, CI saw that refusal once ("Cannot obliterate non-paused
      // queue"); each call pauses again, so a few attempts remove the queue where one made resume fail.
      for (let attempt = 1; ; attempt++) {
        try {
          await q.obliterate({ force: true });
          break;
        } catch (e) {
          if (attempt >= OBLITERATE_ATTEMPTS || !/non-paused/.test((e as Error).message)) throw e;
        }
      }
    } finally {
      await q.close();
    }
  }

  private take(jobId: string, result: (job: EvalJob) => JobResult): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    let r: JobResult;
    try {
      r = result(p.job);
    } catch (e) {
      r = failedJob(p.job, 'error', (e as Error).message, 0);
    }
    this.pending.delete(jobId);
    p.settle(r);
  }

  async evaluate(jobs: readonly EvalJob[]): Promise<JobResult[]> {
    await this.ready;
    const call = this.calls++;
    const ids = jobs.map((_, i) => `c${call}j${i}`);
    const done = jobs.map((job, i) => new Promise<JobResult>((settle) => this.pending.set(ids[i]!, { job, settle })));
    await this.add(ids);
    const waitStart = Date.now();
    let noticed = false;
    const timer = setInterval(() => {
      void this.check();
      if (!noticed && Date.now() - waitStart > NO_WORKER_NOTICE_MS) {
        noticed = true;
        void this.workerCount().then((n) => {
          if (n === 0) this.log(`waiting: no evometa worker is registered at ${this.options.target.shown}; start one with \`evometa worker --redis URL\``);
        }, () => {});
      }
    }, this.checkEveryMs);
    try {
      return await Promise.all(done);
    } finally {
      clearInterval(timer);
    }
  }

  private async add(ids: readonly string[]): Promise<void> {
    const bulk = ids.filter((id) => this.pending.has(id)).map((id) => ({ name: this.pending.get(id)!.job.task.name, data: encodeJob(this.pending.get(id)!.job), opts: JOB_OPTIONS(id) }));
    if (bulk.length) await this.queue.addBulk(bulk);
  }

  /**
   * Each job still awaited, looked up in Redis: a finished one is taken (its event was missed), one missing at two
   * checks in a row (Redis lost it) is put back; a single miss may be a job that just finished and was removed while
   * its event is on the way. The run is announced again, in case Redis lost that too.
   */
  private async check(): Promise<void> {
    if (this.checking || this.pending.size === 0) return;
    this.checking = true;
    try {
      if (!(await this.redis.hexists(RUNS_KEY, this.queueName))) await this.announce();
      const lost: string[] = [];
      const missing = new Set<string>();
      for (const id of [...this.pending.keys()]) {
        const job = (await this.queue.getJob(id)) as Job<QueuedJob, QueuedResult> | undefined;
        if (!job && this.missing.has(id)) lost.push(id);
        else if (!job) missing.add(id);
        else if (job.finishedOn && job.returnvalue) this.take(id, () => decodeResult(job.returnvalue, id));
        else if (job.finishedOn && job.failedReason) this.take(id, (j) => failedJob(j, 'error', `the queue worker refused or failed the job (${job.failedReason})`, 0));
      }
      this.missing = missing;
      if (lost.length) {
        this.log(`${lost.length} job(s) were no longer in Redis (was it restarted?); put back on the queue`);
        await this.add(lost);
      }
      if (this.lostSince !== null) this.log(`Redis at ${this.options.target.shown} answers again`);
      this.lostSince = null;
    } catch (e) {
      if (this.lostSince === null) {
        this.lostSince = Date.now();
        this.log(`Redis at ${this.options.target.shown} does not answer (${(e as Error).message}); waiting for it`);
      }
    } finally {
      this.checking = false;
    }
  }

  private async workerCount(): Promise<number> {
    return (await scanKeys(this.redis, `${WORKER_KEY_PREFIX}*`)).length;
  }

  /** Removes the run's queue and its announcement: nothing of the run stays in Redis. */
  async close(): Promise<void> {
    const cleanUp = async (): Promise<void> => {
      await this.ready;
      await this.redis.hdel(RUNS_KEY, this.queueName);
      await this.queue.obliterate({ force: true });
    };
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_WAIT_MS)));
    try {
      const outcome = await Promise.race([cleanUp().then(() => 'done' as const, (e: Error) => e), gaveUp]);
      if (outcome !== 'done')
        this.log(`could not remove the queue ${this.queueName} from ${this.options.target.shown} (${outcome === 'late' ? `no answer within ${CLOSE_WAIT_MS} ms` : outcome.message}); the next session of this run removes it`);
    } finally {
      clearTimeout(timer);
      await Promise.race([Promise.allSettled([this.events.close(), this.queue.close()]), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
      this.redis.disconnect();
    }
  }
}
