/**
 * The service behind `evometa worker`: it serves, from one Redis server, the queues of every run whose task and genome
 * kind its registry knows, and evaluates their jobs with a local evaluator (a pool of threads running the very job
 * code of `--workers N`). It joins runs as they are announced and leaves them when they end. It loads no code named
 * by a job: a payload is checked before anything is built from it, and names are looked up in the registry it was
 * started with.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Registry } from '../../core/plugin.js';
import type { BackendRequest } from '../../runtime/backend_names.js';
import type { Evaluator } from '../protocol.js';
import { connectionOptions, processIdentity, QUEUE_PREFIX, RUNS_KEY, scanKeys, WORKER_KEY_PREFIX, type RunAnnouncement, type WorkerHeartbeat } from './cluster_keys.js';
import { decodeJob, DEFAULT_MAX_JOB_BYTES, encodeResult, JobRefused, type QueuedJob, type QueuedResult } from './job_payload.js';
import type { RedisTarget } from './redis_url.js';

export interface QueueWorkerOptions {
  target: RedisTarget;
  /** The tasks and genome kinds it may evaluate: the built-ins and the plug-ins it was started with. */
  registry: Registry;
  /** Runs the jobs here; its thread count is the concurrency. */
  evaluator: Evaluator;
  concurrency: number;
  /** The backend for jobs that ask for 'auto' (absent: 'auto' as everywhere else). */
  backend?: BackendRequest;
  /**
   * BullMQ's job lock, ms (default 30000): a worker that dies holding a job loses it after this long, and another
   * worker's stalled-job check puts the job back on the queue.
   */
  lockMs?: number;
  maxJobBytes?: number;
  /** How often the announced runs are read, ms (default 1000). */
  discoverEveryMs?: number;
  /** Where the service says what it does (joined a run, refused a job). */
  log?: (line: string) => void;
}

/**
 * Jobs taken per thread: one running and one waiting in the thread pool, so that fetching the next job and reporting
 * the last one overlap with an evaluation instead of standing between two (a job's time limit counts from its start).
 */
const PREFETCH = 2;
/** How many times a job may lose its worker before it fails (BullMQ maxStalledCount). */
const MAX_STALLS = 3;
/** A heartbeat key outlives its worker by this factor of the beat interval. */
const HEARTBEAT_TTL_BEATS = 5;
const BEAT_MS = 2000;

export class QueueWorkerService {
  readonly id = processIdentity();
  private readonly redis: Redis;
  private readonly served = new Map<string, Worker<QueuedJob, QueuedResult>>();
  private readonly startedAt = new Date().toISOString();
  private readonly log: (line: string) => void;
  private timers: NodeJS.Timeout[] = [];
  private jobsDone = 0;
  private jobsFailed = 0;
  private active = 0;
  private stopping = false;
  private refusedRuns = new Set<string>();

  constructor(private readonly options: QueueWorkerOptions) {
    this.redis = new Redis(options.target.url, connectionOptions(options.target, `evometa-worker-${this.id}`) as object);
    this.redis.on('error', () => {});
    this.log = options.log ?? (() => {});
  }

  /** Connects, announces the worker and joins the runs it can serve; resolves once the first look at the runs is done. */
  async start(): Promise<void> {
    await this.redis.ping();
    await this.beat();
    await this.discover();
    this.timers.push(setInterval(() => void this.discover().catch(() => {}), this.options.discoverEveryMs ?? 1000));
    this.timers.push(setInterval(() => void this.beat().catch(() => {}), BEAT_MS));
  }

  /** Whether a run's names are all in this worker's registry. */
  private canServe(a: RunAnnouncement): boolean {
    const has = (r: Readonly<Record<string, unknown>>, k: string) => Object.prototype.hasOwnProperty.call(r, k);
    return has(this.options.registry.tasks, a.task) && has(this.options.registry.genomes, a.genomeKind);
  }

  private async discover(): Promise<void> {
    if (this.stopping) return;
    const runs = await this.redis.hgetall(RUNS_KEY);
    const before = this.served.size;
    for (const [queue, text] of Object.entries(runs)) {
      if (this.served.has(queue)) continue;
      let a: RunAnnouncement;
      try {
        a = JSON.parse(text) as RunAnnouncement;
      } catch {
        continue;
      }
      if (!this.canServe(a)) {
        if (!this.refusedRuns.has(queue)) this.log(`not joining run ${a.runDir} on ${a.host}: task '${a.task}' or genome kind '${a.genomeKind}' is not in this worker's registry (start it with the run's --plugin modules: ${a.plugins.join(', ') || 'none'})`);
        this.refusedRuns.add(queue);
        continue;
      }
      this.served.set(queue, this.serve(queue));
      this.log(`joined run ${a.runDir} on ${a.host} (task ${a.task}, queue ${queue})`);
    }
    let left = 0;
    for (const [queue, worker] of this.served) {
      if (queue in runs) continue;
      this.served.delete(queue);
      left++;
      this.log(`left queue ${queue}: its run ended`);
      await worker.close(true).catch(() => {});
      await this.removeLeftovers(queue).catch(() => {});
    }
    // The heartbeat says at once which runs it serves now (`status` reads it).
    if (left > 0 || this.served.size !== before) await this.beat();
  }

  /**
   * The search removed its queue when the run ended, but a worker that had not yet noticed may have written BullMQ's
   * bookkeeping keys (meta, stalled-check) again since; the worker that leaves removes them, so nothing of the run stays.
   */
  private async removeLeftovers(queue: string): Promise<void> {
    const keys = await scanKeys(this.redis, `${QUEUE_PREFIX}:${queue}:*`);
    if (keys.length) await this.redis.del(...keys);
  }

  private serve(queue: string): Worker<QueuedJob, QueuedResult> {
    const lockMs = this.options.lockMs ?? 30_000;
    const worker = new Worker<QueuedJob, QueuedResult>(queue, (job) => this.process(job), {
      connection: connectionOptions(this.options.target, `evometa-worker-${this.id}`),
      prefix: QUEUE_PREFIX,
      concurrency: this.options.concurrency * PREFETCH,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: MAX_STALLS,
      name: this.id,
    });
    worker.on('error', () => {});
    return worker;
  }

  private async process(job: Job<QueuedJob, QueuedResult>): Promise<QueuedResult> {
    this.active++;
    try {
      let evalJob;
      try {
        evalJob = decodeJob(job.data, this.options.maxJobBytes ?? DEFAULT_MAX_JOB_BYTES);
      } catch (e) {
        const why = e instanceof JobRefused ? e.message : String(e);
        this.log(`refused job ${job.id} of ${job.queueName}: ${why}`);
        throw new Error(`worker ${this.id} refused it: ${why}`);
      }
      if (evalJob.backend === 'auto' && this.options.backend) evalJob = { ...evalJob, backend: this.options.backend };
      const [result] = await this.options.evaluator.evaluate([evalJob]);
      const failed = result!.results.some((r) => r.status !== 'ok');
      if (failed) this.jobsFailed++;
      else this.jobsDone++;
      return encodeResult({ ...result!, worker: this.id });
    } finally {
      this.active--;
    }
  }

  private async beat(): Promise<void> {
    const beat: WorkerHeartbeat = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      concurrency: this.options.concurrency,
      plugins: [...this.options.registry.plugins],
      backend: this.options.backend ?? null,
      startedAt: this.startedAt,
      queues: [...this.served.keys()],
      jobsDone: this.jobsDone,
      jobsFailed: this.jobsFailed,
      active: this.active,
      at: new Date().toISOString(),
    };
    await this.redis.set(`${WORKER_KEY_PREFIX}${this.id}`, JSON.stringify(beat), 'PX', BEAT_MS * HEARTBEAT_TTL_BEATS);
  }

  /** Finishes the jobs in hand, leaves every queue, removes the heartbeat and closes the local evaluator. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.served.values()].map((w) => w.close()));
    this.served.clear();
    await this.redis.del(`${WORKER_KEY_PREFIX}${this.id}`).catch(() => 0);
    this.redis.disconnect();
    await this.options.evaluator.close();
  }
}
