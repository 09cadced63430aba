import test from 'ava';
import { InlineEvaluator } from '../../../src/evaluator/inline_evaluator.js';
import { PoolEvaluator } from '../../../src/evaluator/pool_evaluator.js';
import type { EvalJob, JobResult } from '../../../src/evaluator/protocol.js';
import type { Evaluation } from '../../../src/core/types.js';
import { deriveSeed, Rng } from '../../../src/core/rng.js';
import { builtinRegistry, PLUGIN_WORKER_MODULE } from '../../../src/plugins.js';

const registry = builtinRegistry();

/** A pool whose threads build the built-in registry (no plug-ins). */
function pool(workers: number): PoolEvaluator {
  return new PoolEvaluator({ workers, workerModule: PLUGIN_WORKER_MODULE, workerData: { plugins: [] } });
}

function job(index: number, x: number[], task = 'sphere', config: Record<string, unknown> = {}, seed = index, timeoutMs = 10000): EvalJob {
  return { genomeKind: 'vector', genomeConfig: { dim: x.length }, task: { name: task, config }, generation: 0, items: [{ index, genome: x, wants: 'fitness', seed }], batched: false, seed, timeoutMs, backend: 'cpu' };
}

/** One evaluation per single-item job. */
function flat(results: JobResult[]): Evaluation[] {
  return results.map((r) => r.results[0]!);
}

/** The first seed whose faulty-task draw fails (failRate 0.5), and one that passes. */
function seeds(): { failing: number; passing: number } {
  let failing = -1;
  let passing = -1;
  for (let s = 0; failing < 0 || passing < 0; s++) {
    if (new Rng(s).uniform() < 0.5) failing = failing < 0 ? s : failing;
    else passing = passing < 0 ? s : passing;
  }
  return { failing, passing };
}

test('inline: results come back in job order with exact fitness', async (t) => {
  const ev = new InlineEvaluator(registry);
  const jobs = await ev.evaluate([job(0, [1, 2]), job(1, [3, 0]), job(2, [0, 0])]);
  const r = flat(jobs);
  t.deepEqual(r.map((x) => [x.status, x.fitness]), [['ok', 5], ['ok', 9], ['ok', 0]]);
  t.is(jobs[0]!.backend, null);
});

test('inline: a throwing task, a NaN and an unknown task come back with a status', async (t) => {
  const { failing } = seeds();
  const ev = new InlineEvaluator(registry);
  const r = flat(await ev.evaluate([
    job(0, [1], 'faulty', { mode: 'throw', failRate: 0.5 }, failing),
    job(1, [1], 'faulty', { mode: 'nan', failRate: 0.5 }, failing),
    job(2, [1], 'nosuchtask'),
    job(3, [1], 'faulty', { mode: 'crash', failRate: 0.5 }, failing),
  ]));
  t.deepEqual(r.map((x) => x.status), ['error', 'nan', 'error', 'error']);
  t.is(r[0]!.error, 'faulty task: simulated failure');
  t.regex(r[2]!.error!, /unknown task 'nosuchtask'; valid tasks: sphere/);
  t.regex(r[3]!.error!, /simulated worker crash/);
});

test('pool: 2 workers give the inline results in job order', async (t) => {
  const p = pool(2);
  try {
    const jobs = Array.from({ length: 9 }, (_, i) => job(i, [i, -i, 0.5], 'sphere', { delayMs: (9 - i) * 3 }));
    const r = flat(await p.evaluate(jobs));
    t.deepEqual(r.map((x) => x.fitness), jobs.map((_, i) => 2 * i * i + 0.25));
  } finally {
    await p.close();
  }
});

test('pool: a crashed thread and a hung job are replaced; the pool goes on', async (t) => {
  const { failing, passing } = seeds();
  const p = pool(2);
  try {
    const r = flat(await p.evaluate([
      job(0, [1], 'faulty', { mode: 'crash', failRate: 0.5 }, failing),
      job(1, [2], 'faulty', { mode: 'hang', failRate: 0.5, hangMs: 20000 }, failing, 400),
      job(2, [3], 'faulty', { mode: 'throw', failRate: 0.5 }, failing),
      job(3, [4], 'faulty', { mode: 'crash', failRate: 0.5 }, passing),
    ]));
    t.deepEqual(r.map((x) => x.status), ['error', 'timeout', 'error', 'ok']);
    t.is(r[3]!.fitness, 16);
    t.regex(r[0]!.error!, /^worker thread failed \(.*\); it was replaced$/);
    t.is(r[1]!.error!, 'no result within 400 ms of its start; its worker thread was terminated and replaced');
    // Both threads still serve jobs afterwards.
    const again = flat(await p.evaluate([job(0, [1]), job(1, [2]), job(2, [3])]));
    t.deepEqual(again.map((x) => x.fitness), [1, 4, 9]);
  } finally {
    await p.close();
  }
});

test('job seeds do not depend on the evaluator', async (t) => {
  const seed = deriveSeed(5, 'eval', 3, 7);
  const jobs = [job(0, [1], 'faulty', { mode: 'nan', failRate: 0.5 }, seed)];
  const inline = flat(await new InlineEvaluator(registry).evaluate(jobs));
  const p = pool(1);
  try {
    t.deepEqual(flat(await p.evaluate(jobs)).map((x) => x.status), inline.map((x) => x.status));
  } finally {
    await p.close();
  }
});

test('pool: threads build their registry from the plug-ins they were started with; a job naming another task fails with a clear status', async (t) => {
  const { writeModule, fileUrl, SLOW_TASK_SOURCE } = await import('../../helpers/plugin_files.js');
  const file = fileUrl(writeModule(SLOW_TASK_SOURCE));
  const withPlugin = new PoolEvaluator({ workers: 2, workerModule: PLUGIN_WORKER_MODULE, workerData: { plugins: [file] } });
  const bare = pool(1);
  try {
    const r = flat(await withPlugin.evaluate([job(0, [1, 3], 'slow-shifted-sphere', { center: 1 }), job(1, [2, 2], 'slow-shifted-sphere', { center: 2 })]));
    t.deepEqual(r.map((x) => x.status), ['ok', 'ok']);
    t.true(Math.abs(r[0]!.fitness - 4) < 1e-3 && Math.abs(r[1]!.fitness) < 1e-3);
    const unknown = flat(await bare.evaluate([job(0, [1], 'slow-shifted-sphere')]))[0]!;
    t.is(unknown.status, 'error');
    t.regex(unknown.error!, /^unknown task 'slow-shifted-sphere'; valid tasks: sphere, .*\(this evaluator knows the built-ins and the plug-ins it was started with; it loads no code named by a job\)$/);
    const kind = flat(await withPlugin.evaluate([{ ...job(0, [1], 'slow-shifted-sphere'), genomeKind: 'bitstring' }]))[0]!;
    t.is(kind.status, 'error');
    t.regex(kind.error!, /^unknown genome kind 'bitstring'; valid genome kinds: vector, blur, ordering, ht-hparams/);
  } finally {
    await withPlugin.close();
    await bare.close();
  }
});
