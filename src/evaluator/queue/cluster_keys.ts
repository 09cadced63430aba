/**
 * Where a queue run and its workers meet in Redis. A search announces its run (task, genome kind, queue) in one hash;
 * a worker reads it to join only the runs its registry can evaluate, and writes a heartbeat key that expires when the
 * worker dies. BullMQ's own keys live under the same prefix, so `evometa status` finds everything in one place.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { RedisTarget } from './redis_url.js';

/** BullMQ's key prefix for evometa queues. */
export const QUEUE_PREFIX = 'evometa';
/** Hash: queue name → RunAnnouncement (JSON). */
export const RUNS_KEY = `${QUEUE_PREFIX}:runs`;
/** Heartbeat keys `evometa:workers:HOST:PID` → WorkerHeartbeat (JSON), each with a time to live. */
export const WORKER_KEY_PREFIX = `${QUEUE_PREFIX}:workers:`;

/** What a search tells workers about its run. */
export interface RunAnnouncement {
  queue: string;
  /** The run folder on the search's host. */
  runDir: string;
  host: string;
  pid: number;
  task: string;
  genomeKind: string;
  /** The run's plug-in specifiers: a worker needs the same ones to join. */
  plugins: string[];
  startedAt: string;
}

/** What a worker says about itself, every few seconds. */
export interface WorkerHeartbeat {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  plugins: string[];
  backend: string | null;
  startedAt: string;
  /** The queues it serves now. */
  queues: string[];
  jobsDone: number;
  jobsFailed: number;
  active: number;
  at: string;
}

/** `HOST:PID` of this process: how run logs and `status` name a worker. */
export function processIdentity(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * ioredis options for BullMQ: retry for ever (a restarted Redis is waited for, not an error), no per-command retry
 * limit (BullMQ's blocking commands need none), TLS for rediss:// URLs (ioredis reads it from the scheme; a private
 * certificate authority is given to Node.js with NODE_EXTRA_CA_CERTS).
 */
export function connectionOptions(target: RedisTarget, name: string): Record<string, unknown> {
  return {
    url: target.url,
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    ...(target.tls ? { tls: {} } : {}),
  };
}

/** Every key matching `pattern`, by SCAN (never KEYS, which blocks a shared server). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out.sort();
}
