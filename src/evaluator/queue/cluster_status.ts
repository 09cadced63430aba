/** What `evometa status --redis URL` shows: the live workers, and each announced run with its queue's job counts. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { UsageError } from '../../core/errors.js';
import { connectionOptions, QUEUE_PREFIX, scanKeys, RUNS_KEY, WORKER_KEY_PREFIX, type RunAnnouncement, type WorkerHeartbeat } from './cluster_keys.js';
import type { RedisTarget } from './redis_url.js';

export interface RunQueueStatus extends RunAnnouncement {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
}

export interface ClusterStatus {
  redis: string;
  workers: WorkerHeartbeat[];
  runs: RunQueueStatus[];
}

function parsed<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Reads the cluster's state; a Redis that does not answer within `timeoutMs` is an Error saying so. */
export async function readClusterStatus(target: RedisTarget, timeoutMs = 5000): Promise<ClusterStatus> {
  const redis = new Redis(target.url, { ...connectionOptions(target, 'evometa-status'), retryStrategy: () => null, connectTimeout: timeoutMs, maxRetriesPerRequest: 1 } as object);
  redis.on('error', () => {});
  try {
    await redis.ping();
    const keys = await scanKeys(redis, `${WORKER_KEY_PREFIX}*`);
    const workers = (keys.length ? await redis.mget(...keys) : []).map((t) => parsed<WorkerHeartbeat>(t)).filter((w): w is WorkerHeartbeat => w !== null);
    const runs: RunQueueStatus[] = [];
    for (const [queue, text] of Object.entries(await redis.hgetall(RUNS_KEY))) {
      const a = parsed<RunAnnouncement>(text);
      if (!a) continue;
      const q = new Queue(queue, { connection: redis, prefix: QUEUE_PREFIX });
      const c = await q.getJobCounts('waiting', 'active', 'completed', 'failed');
      runs.push({ ...a, queue, waiting: c['waiting'] ?? 0, active: c['active'] ?? 0, completed: c['completed'] ?? 0, failed: c['failed'] ?? 0 });
    }
    return { redis: target.shown, workers, runs };
  } finally {
    redis.disconnect();
  }
}

/**
 * Refuses, in one line naming the URL and the fix, a Redis that does not answer: a search checks it before it writes a
 * run folder, a worker before it starts.
 */
export async function requireRedis(target: RedisTarget): Promise<void> {
  const why = await redisAnswers(target);
  if (why !== null) throw new UsageError(doesNotAnswer(target, why));
}

/** The one line for a Redis that does not answer. */
export function doesNotAnswer(target: RedisTarget, why: string): string {
  return `--redis ${target.shown} does not answer (${why}); start redis-server there or fix the URL`;
}

/** Null where Redis answers at `target` within `timeoutMs`, else why not. */
export async function redisAnswers(target: RedisTarget, timeoutMs = 5000): Promise<string | null> {
  const redis = new Redis(target.url, { ...connectionOptions(target, 'evometa-check'), retryStrategy: () => null, connectTimeout: timeoutMs, maxRetriesPerRequest: 1, lazyConnect: true } as object);
  let last = '';
  redis.on('error', (e: Error) => (last = e.message));
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (e) {
    return last || (e as Error).message;
  } finally {
    redis.disconnect();
  }
}
