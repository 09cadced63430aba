/**
 * The queue evaluator and the worker service in one process, against a real redis-server: what a worker refuses,
 * which runs it joins, and what `status` sees.
 */
import test from 'ava';
import { Queue } from 'bullmq';
import { InlineEvaluator } from '../../../../src/evaluator/inline_evaluator.js';
import type { EvalJob } from '../../../../src/evaluator/protocol.js';
import { readClusterStatus } from '../../../../src/evaluator/queue/cluster_status.js';
import { QUEUE_PREFIX } from '../../../../src/evaluator/queue/cluster_keys.js';
import { QueueEvaluator } from '../../../../src/evaluator/queue/queue_evaluator.js';
import { QueueWorkerService } from '../../../../src/evaluator/queue/queue_worker.js';
import { parseRedisUrl } from '../../../../src/evaluator/queue/redis_url.js';
import { builtinRegistry } from '../../../../src/plugins.js';
import { needRedis, startRedis } from '../../../helpers/redis_server.js';

const registry = builtinRegistry();

function sphereJob(generation: number, index: number, x: number[], task = 'sphere'): EvalJob {
  return {
    genomeKind: 'vector',
    genomeConfig: { dim: x.length },
    task: { name: task, config: {} },
    generation,
    items: [{ index, genome: x, wants: 'fitness', seed: 7 }],
    batched: false,
    seed: 7,
    timeoutMs: 10_000,
    backend: 'auto',
  };
}

const run = { dir: '/tmp/evometa-queue-test', task: 'sphere', genomeKind: 'vector', plugins: [] };

test.serial('status lists the waiting jobs of a run with no worker, then the worker that takes them', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const target = parseRedisUrl(redis.url);
  const lines: string[] = [];
  const evaluator = new QueueEvaluator({ target, run, log: (l) => lines.push(l), checkEveryMs: 200 });
  const pending = evaluator.evaluate([sphereJob(0, 0, [1, 2]), sphereJob(0, 1, [3, 4]), sphereJob(0, 2, [0, 0])]);
  let s = await readClusterStatus(target);
  for (let k = 0; k < 50 && (s.runs.length === 0 || s.runs[0]!.waiting < 3); k++) {
    await new Promise((r) => setTimeout(r, 20));
    s = await readClusterStatus(target);
  }
  t.is(s.workers.length, 0);
  t.is(s.runs.length, 1);
  t.like(s.runs[0], { queue: evaluator.queueName, runDir: run.dir, task: 'sphere', waiting: 3, active: 0, pid: process.pid });
  const service = new QueueWorkerService({ target, registry, evaluator: new InlineEvaluator(registry), concurrency: 1, discoverEveryMs: 100 });
  await service.start();
  const results = await pending;
  t.deepEqual(results.map((r) => r.results[0]!.fitness), [5, 25, 0]);
  t.deepEqual(results.map((r) => r.worker), [service.id, service.id, service.id]);
  // Each job is removed by the worker that finished it: nothing of an evaluated generation stays in Redis.
  const raw = new Queue(evaluator.queueName, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
  t.like(await raw.getJobCounts('completed', 'failed', 'waiting', 'active'), { completed: 0, failed: 0, waiting: 0, active: 0 });
  t.is(await raw.getJob('c0j0'), undefined);
  await raw.close();
  s = await readClusterStatus(target);
  t.is(s.workers.length, 1);
  t.like(s.workers[0], { id: service.id, pid: process.pid, concurrency: 1, queues: [evaluator.queueName] });
  await evaluator.close();
  s = await readClusterStatus(target);
  t.is(s.runs.length, 0, 'the run is gone from Redis once its evaluator closed');
  await service.stop();
  s = await readClusterStatus(target);
  t.is(s.workers.length, 0, 'a stopped worker removes its heartbeat');
});

test.serial('a worker refuses a forged or oversized payload, naming the field, and evaluates nothing of it', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const target = parseRedisUrl(redis.url);
  const evaluator = new QueueEvaluator({ target, run, checkEveryMs: 200 });
  // The run is announced once the evaluator is ready; its first evaluate waits for that.
  const first = await evaluator.evaluate([]);
  t.deepEqual(first, []);
  const evaluated: EvalJob[] = [];
  const inline = new InlineEvaluator(registry);
  const spy = { workers: 0, evaluate: (jobs: readonly EvalJob[]) => (evaluated.push(...jobs), inline.evaluate(jobs)), close: () => inline.close() };
  const logged: string[] = [];
  const service = new QueueWorkerService({ target, registry, evaluator: spy, concurrency: 1, discoverEveryMs: 100, maxJobBytes: 2048, log: (l) => logged.push(l) });
  await service.start();
  const raw = new Queue(evaluator.queueName, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
  const forged = await raw.add('sphere', { payload: JSON.stringify({ ...sphereJob(0, 0, [1]), genomeKind: ['vector'] }) } as never);
  const huge = await raw.add('sphere', { payload: JSON.stringify(sphereJob(0, 0, new Array(1000).fill(1))) } as never);
  const code = await raw.add('sphere', { module: 'file:///tmp/evil.mjs' } as never);
  const reasons = await Promise.all([forged, huge, code].map(async (j) => {
    for (let k = 0; k < 100; k++) {
      const state = await j.getState();
      if (state === 'failed') return (await raw.getJob(j.id!))!.failedReason;
      await new Promise((r) => setTimeout(r, 20));
    }
    return 'never failed';
  }));
  t.is(reasons[0], `worker ${service.id} refused it: job field 'genomeKind' is not a name`);
  t.regex(reasons[1]!, new RegExp(`^worker ${service.id} refused it: job payload of \\d+ characters exceeds this worker's limit of 2048 \\(--max-job-bytes\\)$`));
  t.is(reasons[2], `worker ${service.id} refused it: job data has no text 'payload'; it was not put on the queue by evometa`);
  t.is(evaluated.length, 0, 'nothing of a refused job reached the evaluator');
  t.is(logged.filter((l) => l.startsWith('refused job')).length, 3);
  // A well-formed job that names a task this worker lacks comes back with a clear status, and no code is loaded.
  const [unknown] = await evaluator.evaluate([sphereJob(1, 0, [1], 'my-secret-task')]);
  t.is(unknown!.results[0]!.status, 'error');
  t.regex(unknown!.results[0]!.error!, /unknown task 'my-secret-task'.*it loads no code named by a job/);
  await raw.close();
  await evaluator.close();
  await service.stop();
});

test.serial('a worker joins only the runs whose task and genome kind it knows', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const target = parseRedisUrl(redis.url);
  const logged: string[] = [];
  const service = new QueueWorkerService({ target, registry, evaluator: new InlineEvaluator(registry), concurrency: 1, discoverEveryMs: 50, log: (l) => logged.push(l) });
  await service.start();
  const foreign = new QueueEvaluator({ target, run: { ...run, dir: '/tmp/evometa-foreign-run', task: 'plugin-task', plugins: ['my-plugin'] }, checkEveryMs: 200 });
  await foreign.evaluate([]);
  const own = new QueueEvaluator({ target, run, checkEveryMs: 200 });
  const [r] = await own.evaluate([sphereJob(0, 0, [2])]);
  t.is(r!.results[0]!.fitness, 4);
  const s = await readClusterStatus(target);
  t.deepEqual(s.workers[0]!.queues, [own.queueName]);
  t.true(logged.some((l) => l.includes("not joining run /tmp/evometa-foreign-run") && l.includes("task 'plugin-task'") && l.includes('my-plugin')));
  await Promise.all([foreign.close(), own.close()]);
  await service.stop();
});
