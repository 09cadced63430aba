/**
 * minimize(f, x0, sigma0, options): a function (sync or async) in this thread, or a task run by the engine inline
 * or on worker threads; the same run and the same summary as `evometa search --json`; budgets, onGeneration,
 * and a TypeError for every wrong argument.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { minimize } from '../../src/minimize.js';
import { CLI, readJson, tempDir } from '../helpers/run_files.js';
import { examplePlugin } from '../helpers/plugin_files.js';

const sphere = (x: readonly number[]): number => x.reduce((a, v) => a + v * v, 0);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const SHARED = ['evaluations', 'bestFitness', 'generations', 'stopReason'] as const;
const pick = (o: object) => Object.fromEntries(SHARED.map((k) => [k, (o as Record<string, unknown>)[k]]));

test('a sync f, an async f, the sphere task and `evometa search --json` give the same run and the same summary', async (t) => {
  const options = { seed: 7, target: 1e-10, maxEvals: 5000 };
  const sync = await minimize(sphere, [3, 3, 3], 2, options);
  t.deepEqual(sync.stopReason, { target: 1e-10 });
  t.true(sync.bestFitness! <= 1e-10 && sync.best!.fitness === sync.bestFitness);
  t.is(sync.best!.fitness, sphere(sync.best!.x));
  t.is(sync.seed, 7);
  t.is(sync.evaluations, sync.generations * 7, 'λ = 7 for n = 3; the whole last generation counts');
  t.is(sync.runDir, undefined);
  const async = await minimize(async (x) => {
    await sleep(0);
    return sphere(x);
  }, [3, 3, 3], 2, options);
  t.deepEqual(pick(async), pick(sync));
  t.deepEqual(async.best, sync.best);
  const dir = join(tempDir(), 'task');
  const task = await minimize('sphere', [3, 3, 3], 2, { ...options, runDir: dir });
  t.deepEqual(pick(task), pick(sync));
  t.deepEqual(task.best, sync.best);
  t.is(task.runDir, dir);
  t.deepEqual(readJson(join(dir, 'summary.json')), { ...pick(sync), runDir: '.' }, 'summary.json names its own folder relatively');
  const cliDir = join(tempDir(), 'cli');
  const r = spawnSync(process.execPath, [CLI, 'search', '--task', 'sphere', '--dim', '3', '--x0', '3', '--sigma0', '2', '--seed', '7', '--target', '1e-10', '--max-evals', '5000', '--workers', '0', '--out', cliDir, '--json'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  t.deepEqual(pick(printed), pick(sync));
  t.is(printed['runDir'], cliDir);
});

test('an async f runs a generation concurrently, and its best is the best evaluated point (never null)', async (t) => {
  let running = 0;
  let most = 0;
  const seen: string[] = [];
  const r = await minimize(async (x) => {
    running++;
    most = Math.max(most, running);
    await sleep(1);
    running--;
    seen.push(JSON.stringify(x));
    return sphere(x);
  }, [1, 2], 0.5, { seed: 3, maxGenerations: 5 });
  t.is(most, 6, 'all λ = 6 evaluations of a generation were in flight together');
  t.deepEqual(r.stopReason, { maxGenerations: 5 });
  t.is(r.evaluations, 30);
  t.not(r.best, null);
  t.true(seen.includes(JSON.stringify(r.best!.x)));
});

test('budgets stop after the generation that reaches them, under the engine\'s names; maxTime too', async (t) => {
  t.deepEqual((await minimize(sphere, [1, 1], 1, { seed: 1, maxEvals: 20 })).stopReason, { maxEvaluations: 20 });
  t.is((await minimize(sphere, [1, 1], 1, { seed: 1, maxEvals: 20 })).evaluations, 24, 'checked between generations of λ = 6');
  t.deepEqual((await minimize(sphere, [1, 1], 1, { seed: 1, maxGenerations: 3 })).generations, 3);
  const started = performance.now();
  const timed = await minimize(async (x) => {
    await sleep(10);
    return sphere(x);
  }, [1, 1], 1, { seed: 1, maxTime: 45 });
  const took = performance.now() - started;
  t.deepEqual(timed.stopReason, { maxTime: 45 });
  t.true(timed.generations >= 1 && timed.generations <= 5, `${timed.generations} generations of ≥ 10 ms`);
  t.true(took < 1000, `${took} ms`);
  // Without any budget the strategy's own criteria end the run.
  const own = await minimize(sphere, [1, 1], 1, { seed: 1 });
  t.true('tolfun' in own.stopReason || 'tolx' in own.stopReason, JSON.stringify(own.stopReason));
});

test('onGeneration sees each generation and stops the run by returning false or "stop"', async (t) => {
  const infos: { generation: number; evaluations: number; bestSoFar: number | null; popsize: number }[] = [];
  const r = await minimize(sphere, [2, 2, 2], 1, {
    seed: 2,
    onGeneration: (info) => {
      infos.push(info);
      return info.generation === 4 ? false : undefined;
    },
  });
  t.deepEqual(r.stopReason, { callback: 1 });
  t.is(r.generations, 5);
  t.deepEqual(infos.map((i) => i.generation), [0, 1, 2, 3, 4]);
  t.deepEqual(infos.map((i) => i.evaluations), [7, 14, 21, 28, 35]);
  t.is(infos.at(-1)!.bestSoFar, r.bestFitness);
  const stopped = await minimize('sphere', [2, 2, 2], 1, { seed: 2, onGeneration: (info) => (info.generation === 1 ? 'stop' : true) });
  t.deepEqual(stopped.stopReason, { callback: 1 });
  t.is(stopped.generations, 2);
});

test('f that returns something other than a number, or throws, rejects: nothing is accepted silently', async (t) => {
  const e1 = await t.throwsAsync(minimize((() => undefined) as never, [1, 1], 1, { seed: 1 }), { instanceOf: TypeError });
  t.is(e1!.message, 'minimize: f returned undefined for candidate 0; f must return a number or a Promise of one (NaN and ±Infinity count as failed evaluations)');
  const e2 = await t.throwsAsync(minimize((async () => '1') as never, [1, 1], 1, { seed: 1 }), { instanceOf: TypeError });
  t.is(e2!.message, 'minimize: f returned the string "1" for candidate 0; f must return a number or a Promise of one (NaN and ±Infinity count as failed evaluations)');
  await t.throwsAsync(minimize(() => {
    throw new RangeError('my fitness failed');
  }, [1, 1], 1, { seed: 1 }), { instanceOf: RangeError, message: 'my fitness failed' });
  // NaN and ±Infinity are failures, not errors: an f failing everywhere gives best null.
  const failing = await minimize(() => Number.NaN, [1, 1], 1, { seed: 1, maxGenerations: 2 });
  t.is(failing.best, null);
  t.is(failing.bestFitness, null);
  t.is(failing.evaluations, 12);
});

test('wrong arguments are TypeErrors naming the argument', async (t) => {
  const message = async (p: Promise<unknown>) => (await t.throwsAsync(p, { instanceOf: TypeError }))!.message;
  t.is(await message(minimize(sphere, [1, 1], 1, { maxEval: 10 } as never)),
    'minimize: unknown option maxEval; valid options: strategy, seed, popsize, bounds, params, target, maxEvals, maxGenerations, maxTime, onGeneration, plugins, workers, runDir, genome, genomeConfig, taskConfig, backend, timeoutMs');
  t.is(await message(minimize(sphere, [], 1)), 'minimize: x0 must be a non-empty array of finite numbers (got an array of 0)');
  t.is(await message(minimize(sphere, [1, Number.NaN], 1)), 'minimize: x0 must be a non-empty array of finite numbers (got an array of 2)');
  t.is(await message(minimize(sphere, [1], 0)), 'minimize: sigma0 must be a positive finite number (got 0)');
  t.is(await message(minimize(42 as never, [1], 1)), 'minimize: f must be a function of a number array, or the name of a task (got 42)');
  t.is(await message(minimize(sphere, [1], 1, { seed: -1 })), 'minimize: options.seed must be an integer from 0 to 4294967295 (got -1)');
  t.is(await message(minimize(sphere, [1], 1, { maxTime: '5s' as never })), 'minimize: options.maxTime must be a positive number of milliseconds (got the string "5s")');
  t.is(await message(minimize(sphere, [1, 2], 1, { bounds: { lower: [0], upper: [1] } })), 'minimize: options.bounds must be {lower, upper}, each 2 numbers (±Infinity where a coordinate is free) (got an object with keys lower, upper)');
  t.is(await message(minimize(sphere, [1], 1, { workers: 2 })),
    "minimize: options.workers needs a task: a function cannot cross to a worker thread. Export it as a task from a plug-in module and pass its name, e.g. minimize('my-task', x0, sigma0, { plugins: ['./my_task.mjs'], workers: 4 })");
  t.is(await message(minimize(sphere, [1], 1, { taskConfig: {} })), 'minimize: option taskConfig applies to a task run in a run folder; f here is a function (pass a task\'s name as f)');
  const { cmaes } = await import('../../strategies/index.js');
  t.is(await message(minimize('sphere', [1], 1, { strategy: cmaes })),
    "minimize: a task's run folder records its strategy by name; export the strategy from a plug-in module and name it (options.plugins, options.strategy: 'its-name')");
  // Names are checked by the registry: a UsageError naming the valid ones.
  await t.throwsAsync(minimize(sphere, [1], 1, { strategy: 'cma' }), { name: 'UsageError', message: /^unknown strategy 'cma'; valid strategies: cmaes, sep-cmaes/ });
});

test('a drawn seed is returned, and passing it back repeats the run; a strategy object, a plug-in strategy and bounds work', async (t) => {
  const a = await minimize(sphere, [1, 1], 1, { maxGenerations: 10 });
  t.true(Number.isInteger(a.seed) && a.seed >= 0 && a.seed < 2 ** 32);
  const b = await minimize(sphere, [1, 1], 1, { maxGenerations: 10, seed: a.seed });
  t.deepEqual(b.best, a.best);
  const { sepCmaes } = await import('../../strategies/index.js');
  const bySep = await minimize(sphere, [1, 1, 1], 1, { strategy: sepCmaes, seed: 4, target: 1e-8 });
  t.deepEqual(bySep.stopReason, { target: 1e-8 });
  t.is(bySep.state!.strategy, 'sep-cmaes');
  const es = await minimize(sphere, [1, 1], 0.5, { strategy: 'one-plus-one-es', plugins: [examplePlugin('one_plus_one_es.mjs')], seed: 4, target: 1e-8, maxEvals: 5000 });
  t.deepEqual(es.stopReason, { target: 1e-8 });
  t.is(es.state!.strategy, 'one-plus-one-es');
  const shifted = (x: readonly number[]) => (x[0]! - 3) ** 2 + (x[1]! + 3) ** 2;
  const boxed = await minimize(shifted, [0, 0], 0.5, { seed: 1, bounds: { lower: [-1, -1], upper: [1, 1] }, maxEvals: 2000 });
  t.true(boxed.best!.x.every((v) => v >= -1 && v <= 1));
  t.true(Math.abs(boxed.best!.x[0]! - 1) < 1e-3 && Math.abs(boxed.best!.x[1]! + 1) < 1e-3, `${boxed.best!.x}`);
  const boxedTask = await minimize('sphere', [0.5, 0.5], 0.5, { seed: 1, bounds: { lower: [0.25, 0.25], upper: [1, 1] }, maxEvals: 600 });
  t.deepEqual(boxedTask.best!.x.map((v) => Math.round(v * 1e3) / 1e3), [0.25, 0.25]);
});

test('a plug-in task on 2 worker threads: the same run as inline, with its run folder', async (t) => {
  const plugins = [examplePlugin('custom_fitness.mjs')];
  const options = { plugins, taskConfig: { shift: 1 }, seed: 3, maxGenerations: 12 };
  const inline = await minimize('styblinski-tang', [0, 0, 0], 2, { ...options, runDir: join(tempDir(), 'inline') });
  const threaded = await minimize('styblinski-tang', [0, 0, 0], 2, { ...options, workers: 2 });
  t.deepEqual(pick(threaded), pick(inline));
  t.deepEqual(threaded.best, inline.best);
  t.deepEqual(threaded.stopReason, { maxGenerations: 12 });
  t.true(existsSync(join(threaded.runDir!, 'manifest.json')));
  t.is(readJson(join(threaded.runDir!, 'manifest.json')).config.workers, 2);
  t.deepEqual(readJson(join(threaded.runDir!, 'best.json')).x, threaded.best!.x);
});
