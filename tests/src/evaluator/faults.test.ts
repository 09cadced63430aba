import test from 'ava';
import { PoolEvaluator, defaultWorkerHeapMb } from '../../../src/evaluator/pool_evaluator.js';
import type { EvalJob } from '../../../src/evaluator/protocol.js';
import { PLUGIN_WORKER_MODULE } from '../../../src/plugins.js';
import { fileUrl, HOG_TASK_SOURCE, writeModule } from '../../helpers/plugin_files.js';
import { totalmem } from 'node:os';


function job(index: number, x: number[], task = 'sphere', config: Record<string, unknown> = {}, timeoutMs = 10000): EvalJob {
  return { genomeKind: 'vector', genomeConfig: { dim: x.length }, task: { name: task, config }, generation: 0, items: [{ index, genome: x, wants: 'fitness', seed: index }], batched: false, seed: index, timeoutMs, backend: 'cpu' };
}

test('pool: the time limit counts from the job start, not the thread start-up: 5 ms suffices for sphere from a cold pool', async (t) => {
  // Thread start-up and the registry import take hundreds of milliseconds here; a limit that counted them failed every job.
  const p = new PoolEvaluator({ workers: 2, workerModule: PLUGIN_WORKER_MODULE, workerData: { plugins: [] } });
  try {
    const jobs = Array.from({ length: 40 }, (_, i) => job(i, [i, 1], 'sphere', {}, 5));
    const r = (await p.evaluate(jobs)).map((j) => j.results[0]!);
    // A limit that counted the start-up failed all 40; a thread descheduled for 5 ms on a loaded machine may still miss one.
    const ok = r.filter((e) => e.status === 'ok');
    t.true(ok.length >= 38, `${ok.length} of 40 ok: ${r.map((e) => e.error ?? 'ok').join('; ')}`);
    r.forEach((e, i) => e.status === 'ok' && t.is(e.fitness, i * i + 1));
  } finally {
    await p.close();
  }
});

test('pool: a hung job still times out, with the limit counted from its start', async (t) => {
  const p = new PoolEvaluator({ workers: 1, workerModule: PLUGIN_WORKER_MODULE, workerData: { plugins: [] } });
  try {
    const t0 = performance.now();
    const [hung] = await p.evaluate([job(0, [1], 'faulty', { mode: 'hang', failRate: 1, hangMs: 30000 }, 300)]);
    t.is(hung!.results[0]!.status, 'timeout');
    t.is(hung!.results[0]!.error, 'no result within 300 ms of its start; its worker thread was terminated and replaced');
    t.true(performance.now() - t0 < 20000);
    const [after] = await p.evaluate([job(1, [3], 'sphere', {}, 5)]);
    t.is(after!.results[0]!.fitness, 9);
  } finally {
    await p.close();
  }
});

test('pool: an evaluation that allocates without bound fails alone at its thread\'s heap limit; the others and the pool go on', async (t) => {
  const plugin = fileUrl(writeModule(HOG_TASK_SOURCE));
  const p = new PoolEvaluator({ workers: 2, workerModule: PLUGIN_WORKER_MODULE, workerData: { plugins: [plugin] }, heapMb: 64 });
  try {
    const r = (await p.evaluate([job(0, [-1, 2], 'hog'), job(1, [1, 2], 'hog'), job(2, [-2, 0], 'hog'), job(3, [-3, 1], 'hog')])).map((j) => j.results[0]!);
    t.deepEqual(r.map((e) => e.status), ['ok', 'error', 'ok', 'ok']);
    t.is(r[1]!.error, "the evaluation ran out of its worker thread's heap limit (64 MB, --worker-heap-mb); the thread was replaced");
    t.deepEqual([r[0]!.fitness, r[2]!.fitness, r[3]!.fitness], [5, 4, 10]);
    const again = (await p.evaluate([job(4, [-1, 1], 'hog'), job(5, [-2, 1], 'hog')])).map((j) => j.results[0]!.fitness);
    t.deepEqual(again, [2, 5]);
  } finally {
    await p.close();
  }
});

test('the default worker heap limit shares half the memory among the workers, from 256 to 4096 MB', (t) => {
  const mb = totalmem() / 2 ** 20;
  for (const w of [1, 2, 8, 64, 1024]) {
    const expected = Math.max(256, Math.min(4096, Math.floor(mb / 2 / w)));
    t.is(defaultWorkerHeapMb(w), expected, `workers ${w}`);
    t.true(defaultWorkerHeapMb(w) >= 256 && defaultWorkerHeapMb(w) <= 4096);
  }
});
