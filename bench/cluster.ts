/**
 * `npm run bench -- cluster [--generations G] [--popsize L] [--delay MS] [--counts 1,2,4,8,16]`: how evaluation spreads
 * over queue workers (separate `evometa worker` processes through a redis-server of the bench's own on loopback),
 * beside piscina threads with the same counts, on an I/O-bound task (slow-sphere: each evaluation sleeps --delay ms,
 * so two cores do not limit it). Each count evaluates G generations of L jobs through the same Evaluator interface
 * the engine uses. Then the queue's own cost per job: a zero-delay task through one worker, against inline.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EvalJob, Evaluator } from '../src/evaluator/protocol.js';
import { QueueEvaluator } from '../src/evaluator/queue/queue_evaluator.js';
import { parseRedisUrl } from '../src/evaluator/queue/redis_url.js';
import { evaluatorsFor, loadRegistry } from '../src/plugins.js';
import { launchWorker, type TestWorker } from '../tests/helpers/queue_workers.js';
import { haveRedis, launchRedis } from '../tests/helpers/redis_server.js';
import { option } from './bench_args.js';
import { median } from './stats.js';

const SLOW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'plugins', 'slow_sphere.mjs');

function jobs(generation: number, popsize: number, delayMs: number): EvalJob[] {
  return Array.from({ length: popsize }, (_, i) => ({
    genomeKind: 'vector',
    genomeConfig: { dim: 10 },
    task: { name: 'slow-sphere', config: { delayMs } },
    generation,
    items: [{ index: i, genome: Array.from({ length: 10 }, (_, k) => (i + k) / 10), wants: 'fitness' as const, seed: generation * 1000 + i }],
    batched: false,
    seed: generation * 1000 + i,
    timeoutMs: 60_000,
    backend: 'auto' as const,
  }));
}

/** Evaluations per second over `generations` generations (after one warm-up generation), and the last results. */
async function rate(evaluator: Evaluator, generations: number, popsize: number, delayMs: number): Promise<number> {
  await evaluator.evaluate(jobs(0, popsize, delayMs));
  const t0 = performance.now();
  for (let g = 1; g <= generations; g++) {
    const out = await evaluator.evaluate(jobs(g, popsize, delayMs));
    if (out.some((r) => r.results[0]!.status !== 'ok')) throw new Error(`generation ${g}: ${JSON.stringify(out.find((r) => r.results[0]!.status !== 'ok'))}`);
  }
  return (generations * popsize) / ((performance.now() - t0) / 1000);
}

/** Busy and total jiffies of all cores (/proc/stat): how busy the machine was between two readings. */
function cpuTimes(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + (f[4] ?? 0);
    const total = f.reduce((a, v) => a + v, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

function busyFraction(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return (b.busy - a.busy) / (b.total - a.total);
}

const run = { dir: '/tmp/evometa-bench-cluster', task: 'slow-sphere', genomeKind: 'vector', plugins: [] as string[] };

export default async function clusterBench(args: string[]): Promise<void> {
  if (!haveRedis()) {
    console.log('cluster: skipped, redis-server is not installed (apt-get install redis-server)');
    return;
  }
  const generations = Number(option(args, 'generations', '5'));
  const popsize = Number(option(args, 'popsize', '64'));
  const delayMs = Number(option(args, 'delay', '50'));
  const counts = option(args, 'counts', '1,2,4,8,16').split(',').map(Number);
  // Threads per worker process: 1 (the default) makes N workers N processes; 4 puts them 4 to a process, as a host would.
  const perProcess = Number(option(args, 'per-process', '1'));
  const registry = await loadRegistry([SLOW]);
  const redis = await launchRedis();
  const target = parseRedisUrl(redis.url);
  console.log(`cluster: ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, ${new Date().toISOString().slice(0, 10)}; slow-sphere ${delayMs} ms, λ = ${popsize}, ${generations} generations per count, ${perProcess} thread(s) per worker process`);
  console.log('| workers | processes | queue evals/s | queue ÷ linear | CPU busy (queue) | piscina evals/s | piscina ÷ linear | CPU busy (piscina) |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  const workers: TestWorker[] = [];
  const perWorker = 1000 / delayMs;
  try {
    for (const n of counts) {
      const processes = Math.ceil(n / perProcess);
      await Promise.all(workers.splice(0).map((w) => w.kill()));
      for (let k = 0; k < processes; k++) workers.push(await launchWorker(redis.url, ['--plugin', SLOW, '--concurrency', String(Math.min(perProcess, n - k * perProcess))]));
      const queue = new QueueEvaluator({ target, run: { ...run, plugins: [pathToFileURL(SLOW).href] } });
      const c0 = cpuTimes();
      const q = await rate(queue, generations, popsize, delayMs);
      const c1 = cpuTimes();
      await queue.close();
      const pool = evaluatorsFor(registry)({ workers: n });
      const c2 = cpuTimes();
      const p = await rate(pool, generations, popsize, delayMs);
      const c3 = cpuTimes();
      await pool.close();
      const linear = perWorker * Math.min(n, popsize);
      const pct = (v: number) => `${(100 * v).toFixed(0)} %`;
      console.log(`| ${n} | ${processes} | ${q.toFixed(1)} | ${(q / linear).toFixed(2)} | ${pct(busyFraction(c0, c1))} | ${p.toFixed(1)} | ${(p / linear).toFixed(2)} | ${pct(busyFraction(c2, c3))} |`);
    }
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    workers.push(await launchWorker(redis.url, ['--plugin', SLOW, '--concurrency', '1']));
    // The queue's own cost: zero-delay jobs through one worker thread, against the same jobs inline.
    const repeats = 5;
    const queueMs: number[] = [];
    const inlineMs: number[] = [];
    const inline = evaluatorsFor(registry)({ workers: 0 });
    const queue = new QueueEvaluator({ target, run: { ...run, plugins: [pathToFileURL(SLOW).href] } });
    for (let k = 0; k < repeats; k++) {
      queueMs.push(1000 / (await rate(queue, generations, popsize, 0)));
      inlineMs.push(1000 / (await rate(inline, generations, popsize, 0)));
    }
    await queue.close();
    const over = median(queueMs) - median(inlineMs);
    console.log(`queue overhead per job (one worker, zero-delay task, median of ${repeats}): ${median(queueMs).toFixed(3)} ms per job through the queue, ${median(inlineMs).toFixed(3)} ms inline: ${over.toFixed(3)} ms per job`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await redis.stop();
  }
}
