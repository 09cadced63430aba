/**
 * What crosses Redis: a job's text out, its result's text back. A queue worker takes jobs from a shared server, so it
 * checks a payload's size before parsing it and its shape before building anything from it; a job that fails the
 * checks is refused with a message naming the field, and nothing of it is evaluated.
 */
import { BACKEND_REQUESTS } from '../../runtime/backend_names.js';
import type { EvalJob, JobResult } from '../protocol.js';
import { fromExactJson, toExactJson } from './exact_json.js';

/** The data of a BullMQ job of a run's queue. */
export interface QueuedJob {
  /** The EvalJob as exact JSON. */
  payload: string;
}

/** The return value of a BullMQ job. */
export interface QueuedResult {
  /** The JobResult as exact JSON. */
  payload: string;
}

/** Largest payload a worker parses by default (characters): far above any built-in job, far below a worker's heap. */
export const DEFAULT_MAX_JOB_BYTES = 8 * 2 ** 20;
/** Most items a job may carry (the engine's largest --eval-batch). */
const MAX_ITEMS = 4096;

export function encodeJob(job: EvalJob): QueuedJob {
  return { payload: toExactJson(job) };
}

export function encodeResult(result: JobResult): QueuedResult {
  return { payload: toExactJson(result) };
}

/** A payload that is not a job this worker can take. */
export class JobRefused extends Error {
  override readonly name = 'JobRefused';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;

function need(ok: boolean, field: string, what: string): void {
  if (!ok) throw new JobRefused(`job field '${field}' ${what}`);
}

/** The job in a BullMQ job's data, checked: size first, then JSON, then every field an evaluator reads. */
export function decodeJob(data: unknown, maxBytes = DEFAULT_MAX_JOB_BYTES): EvalJob {
  if (!isRecord(data) || typeof data['payload'] !== 'string') throw new JobRefused("job data has no text 'payload'; it was not put on the queue by evometa");
  const text = data['payload'];
  if (text.length > maxBytes) throw new JobRefused(`job payload of ${text.length} characters exceeds this worker's limit of ${maxBytes} (--max-job-bytes)`);
  let job: unknown;
  try {
    job = fromExactJson(text);
  } catch (e) {
    throw new JobRefused(`job payload is not JSON (${(e as Error).message})`);
  }
  checkJobShape(job);
  return job;
}

function checkJobShape(job: unknown): asserts job is EvalJob {
  need(isRecord(job), 'job', 'is not an object');
  const j = job as Record<string, unknown>;
  need(typeof j['genomeKind'] === 'string' && j['genomeKind'] !== '', 'genomeKind', 'is not a name');
  need(isRecord(j['task']) && typeof j['task']['name'] === 'string' && isRecord(j['task']['config']), 'task', "is not { name, config }");
  need(isUint32(j['generation']), 'generation', 'is not a non-negative integer');
  need(typeof j['batched'] === 'boolean', 'batched', 'is not true or false');
  need(isUint32(j['seed']), 'seed', 'is not a 32-bit unsigned integer');
  need(typeof j['timeoutMs'] === 'number' && (j['timeoutMs'] as number) > 0 && (j['timeoutMs'] as number) <= 1e9, 'timeoutMs', 'is not a number in (0, 1e9]');
  need((BACKEND_REQUESTS as readonly unknown[]).includes(j['backend']), 'backend', `is not one of ${BACKEND_REQUESTS.join(', ')}`);
  const items = j['items'];
  need(Array.isArray(items) && items.length >= 1 && items.length <= MAX_ITEMS, 'items', `is not a list of 1 to ${MAX_ITEMS} candidates`);
  (items as unknown[]).forEach((it, k) => {
    need(isRecord(it), `items[${k}]`, 'is not an object');
    const item = it as Record<string, unknown>;
    need(isUint32(item['index']), `items[${k}].index`, 'is not a non-negative integer');
    need(item['wants'] === 'fitness' || item['wants'] === 'fitness+grad', `items[${k}].wants`, "is not 'fitness' or 'fitness+grad'");
    need(isUint32(item['seed']), `items[${k}].seed`, 'is not a 32-bit unsigned integer');
    need(item['genome'] !== undefined, `items[${k}].genome`, 'is missing');
  });
}

/** A result's text back to a JobResult; a damaged one is an Error naming the job. */
export function decodeResult(value: unknown, jobId: string): JobResult {
  const text = isRecord(value) ? value['payload'] : typeof value === 'string' ? (() => { try { return (JSON.parse(value) as Record<string, unknown>)['payload']; } catch { return undefined; } })() : undefined;
  if (typeof text !== 'string') throw new Error(`job ${jobId}: its worker returned no evometa result`);
  const r = fromExactJson(text) as JobResult;
  if (!isRecord(r) || !Array.isArray(r.results)) throw new Error(`job ${jobId}: its worker returned a damaged result`);
  return r;
}
