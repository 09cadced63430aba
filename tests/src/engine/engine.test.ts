import test from 'ava';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resumeRun, runSearch } from '../../../src/engine/engine.js';
import { resolveRunConfig, type RunConfig } from '../../../src/engine/run_config.js';
import { builtinRegistry, evaluatorsFor } from '../../../src/plugins.js';
import { generationsWithoutTimings, readJson, tempDir } from '../../helpers/run_files.js';

const registry = builtinRegistry();
/** What the composition root hands the engine: the built-ins, and pool threads that build the same registry. */
const engine = { registry, evaluators: evaluatorsFor(registry) };

function config(raw: Record<string, unknown>): RunConfig {
  return resolveRunConfig({ workers: 0, seed: 3, ...raw }, () => 0);
}

test('workers 0, 1 and 2 give identical generations.jsonl and best.json apart from timings', async (t) => {
  const base = { task: 'rosenbrock', dim: 6, x0: 1.5, sigma0: 0.5, 'max-generations': 12, seed: 11 };
  const dirs = [0, 1, 2].map(() => join(tempDir(), 'run'));
  await runSearch(config({ ...base, workers: 0 }), dirs[0]!, engine);
  await runSearch(config({ ...base, workers: 1 }), dirs[1]!, engine);
  await runSearch(config({ ...base, workers: 2 }), dirs[2]!, engine);
  const g0 = generationsWithoutTimings(dirs[0]!);
  t.is(g0.length, 12);
  t.deepEqual(generationsWithoutTimings(dirs[1]!), g0);
  t.deepEqual(generationsWithoutTimings(dirs[2]!), g0);
  t.deepEqual(readJson(join(dirs[2]!, 'best.json')), readJson(join(dirs[0]!, 'best.json')));
});

test('a run writes manifest, generations, best, checkpoint and summary; the target stops it', async (t) => {
  const dir = join(tempDir(), 'run');
  const s = await runSearch(config({ task: 'sphere', dim: 4, x0: 1, sigma0: 0.5, target: 1e-6, 'max-evals': 20000 }), dir, engine);
  t.deepEqual(Object.keys(s.stopReason), ['target']);
  t.true(s.bestFitness! <= 1e-6);
  const m = readJson(join(dir, 'manifest.json'));
  t.is(m.seed, 3);
  t.is(m.config.task, 'sphere');
  t.is(m.versions['@tensorflow/tfjs'], '4.22.0');
  t.is(m.backend.requested, 'auto');
  t.is(m.backend.used, null); // sphere never loads TensorFlow.js
  const best = readJson(join(dir, 'best.json'));
  t.is(best.fitness, s.bestFitness);
  t.is(best.x.reduce((a: number, v: number) => a + v * v, 0), best.fitness);
  const gens = generationsWithoutTimings(dir);
  t.is(gens.length, s.generations);
  t.is(gens.at(-1)!['evaluations'], s.evaluations);
  // bestSoFar never increases.
  for (let i = 1; i < gens.length; i++) t.true((gens[i]!['bestSoFar'] as number) <= (gens[i - 1]!['bestSoFar'] as number));
  const ck = readJson(join(dir, 'checkpoint.json'));
  t.is(ck.generation, s.generations);
  t.is(ck.strategy.strategy, 'cmaes');
});

test('failing evaluations rank worst, are counted and logged, and the run still converges', async (t) => {
  const dir = join(tempDir(), 'run');
  const s = await runSearch(config({ task: 'faulty', dim: 5, x0: 1, sigma0: 0.5, 'task-config': { mode: 'throw', failRate: 0.3 }, target: 1e-8, 'max-evals': 20000 }), dir, engine);
  t.deepEqual(Object.keys(s.stopReason), ['target']);
  const failures = generationsWithoutTimings(dir).reduce((a, g) => a + (g['failures'] as number), 0);
  t.true(failures > 0.2 * s.evaluations && failures < 0.4 * s.evaluations, `failures ${failures} of ${s.evaluations}`);
  const log = readFileSync(join(dir, 'run.log'), 'utf8');
  t.is(log.match(/: error \(faulty task: simulated failure\)/g)!.length, failures);
});

test('a folder that holds a run is not overwritten', async (t) => {
  const dir = join(tempDir(), 'run');
  await runSearch(config({ task: 'sphere', dim: 2, 'max-generations': 2 }), dir, engine);
  const before = readFileSync(join(dir, 'generations.jsonl'), 'utf8');
  await t.throwsAsync(runSearch(config({ task: 'sphere', dim: 2, 'max-generations': 2 }), dir, engine), { message: /already holds a run; continue it with `evometa resume/ });
  t.is(readFileSync(join(dir, 'generations.jsonl'), 'utf8'), before);
});

test('unknown names list the valid ones', async (t) => {
  const dir = join(tempDir(), 'run');
  await t.throwsAsync(runSearch(config({ task: 'sphere', strategy: 'pso' }), dir, engine), { message: /^unknown strategy 'pso'; valid strategies: cmaes, sep-cmaes, ipop-cmaes, bipop-cmaes/ });
  await t.throwsAsync(runSearch(config({ task: 'sphere', genome: 'tree' }), dir, engine), { message: /^unknown genome kind 'tree'; valid genome kinds: vector/ });
  await t.throwsAsync(runSearch(config({ task: 'sphere', 'task-config': { rotate: 'yes' } }), dir, engine), { message: /task config 'rotate' must be true or false/ });
  t.false(existsSync(dir));
});

test('resume continues an unfinished run to the same trajectory, and a finished run is left alone', async (t) => {
  const full = join(tempDir(), 'full');
  const cut = join(tempDir(), 'cut');
  const base = { task: 'ellipsoid', dim: 5, x0: 2, sigma0: 1, seed: 4 };
  await runSearch(config({ ...base, 'max-generations': 30 }), full, engine);
  // Stop after 12 generations, then pretend the process died there: drop the summary and raise the budget.
  await runSearch(config({ ...base, 'max-generations': 12 }), cut, engine);
  const m = readJson(join(cut, 'manifest.json'));
  m.config.maxGenerations = 30;
  writeFileSync(join(cut, 'manifest.json'), JSON.stringify(m));
  rmSync(join(cut, 'summary.json'));
  const s = await resumeRun(cut, engine);
  t.false(s.alreadyFinished);
  t.is(s.generations, 30);
  t.deepEqual(generationsWithoutTimings(cut), generationsWithoutTimings(full));
  t.deepEqual(readJson(join(cut, 'best.json')), readJson(join(full, 'best.json')));
  const again = await resumeRun(full, engine);
  t.true(again.alreadyFinished);
});

for (const strategy of ['cmaes', 'ipop-cmaes'])
  test(`${strategy}: resume with a larger --max-generations extends a finished run to the longer run's trajectory`, async (t) => {
    const full = join(tempDir(), 'full');
    const cut = join(tempDir(), 'cut');
    const base = { task: 'rosenbrock', dim: 4, x0: 2, sigma0: 0.5, seed: 9, strategy };
    await runSearch(config({ ...base, 'max-generations': 40 }), full, engine);
    await runSearch(config({ ...base, 'max-generations': 15 }), cut, engine);
    const s = await resumeRun(cut, { ...engine, overrides: { maxGenerations: 40 } });
    t.false(s.alreadyFinished);
    t.is(s.generations, 40);
    t.deepEqual(generationsWithoutTimings(cut), generationsWithoutTimings(full));
    t.deepEqual(readJson(join(cut, 'checkpoint.json')).strategy, readJson(join(full, 'checkpoint.json')).strategy);
    const m = readJson(join(cut, 'manifest.json'));
    t.is(m.config.maxGenerations, 40);
    t.is(m.extensions.length, 1);
    t.like(m.extensions[0], { generation: 15, maxGenerations: 40, maxEvals: null });
    t.regex(readFileSync(join(cut, 'run.log'), 'utf8'), /budget extended at generation 15: maxGenerations 40/);
  });

test('extending refuses a budget already spent and a run its strategy stopped, and changes nothing', async (t) => {
  const dir = join(tempDir(), 'run');
  await runSearch(config({ task: 'sphere', dim: 2, x0: 1, sigma0: 0.5, 'max-generations': 5 }), dir, engine);
  const before = readFileSync(join(dir, 'manifest.json'), 'utf8');
  await t.throwsAsync(resumeRun(dir, { ...engine, overrides: { maxGenerations: 5 } }), { message: /^--max-generations 5 does not exceed the 5 generations .* has run; give a larger budget$/ });
  await t.throwsAsync(resumeRun(dir, { ...engine, overrides: { maxEvals: 10 } }), { message: /^--max-evals 10 does not exceed the \d+ evaluations/ });
  t.is(readFileSync(join(dir, 'manifest.json'), 'utf8'), before);
  t.true(existsSync(join(dir, 'summary.json')));
  const reached = join(tempDir(), 'target');
  await runSearch(config({ task: 'sphere', dim: 2, x0: 1, sigma0: 0.5, target: 1e-3, 'max-generations': 500 }), reached, engine);
  await t.throwsAsync(resumeRun(reached, { ...engine, overrides: { maxGenerations: 1000 } }), { message: /stopped on target, not on its budget/ });
  t.true(existsSync(join(reached, 'summary.json')));
});

test('a damaged checkpoint is reported and the run folder is left as it was', async (t) => {
  const dir = join(tempDir(), 'run');
  await runSearch(config({ task: 'sphere', dim: 3, 'max-generations': 3 }), dir, engine);
  rmSync(join(dir, 'summary.json'));
  writeFileSync(join(dir, 'checkpoint.json'), '{"format": "evometa-checkpoint", "version": 1, "generation": 3, "evalu');
  const gens = readFileSync(join(dir, 'generations.jsonl'), 'utf8');
  await t.throwsAsync(resumeRun(dir, engine), { message: /^checkpoint is damaged \(not valid JSON/ });
  writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ format: 'evometa-checkpoint', version: 1, generation: -1, evaluations: 0, elapsedMs: 0, best: null, strategy: {} }));
  await t.throwsAsync(resumeRun(dir, engine), { message: /^checkpoint is damaged \('generation' is not a non-negative number\).*the run folder was left as it was$/ });
  t.is(readFileSync(join(dir, 'generations.jsonl'), 'utf8'), gens);
});

test('each worker sets its backend once and the manifest records the backend that ran', async (t) => {
  const wasmDir = join(tempDir(), 'run');
  const cpuDir = join(tempDir(), 'run');
  const base = { task: 'linear-regression', dim: 4, x0: 0, sigma0: 0.5, 'max-generations': 3, seed: 2 };
  await runSearch(config({ ...base, workers: 2, backend: 'wasm' }), wasmDir, engine);
  await runSearch(config({ ...base, workers: 0, backend: 'cpu' }), cpuDir, engine);
  t.deepEqual(readJson(join(wasmDir, 'manifest.json')).backend, { requested: 'wasm', used: 'wasm' });
  t.deepEqual(readJson(join(cpuDir, 'manifest.json')).backend, { requested: 'cpu', used: 'cpu' });
  // The same genomes on both backends: float32 results agree closely.
  const a = generationsWithoutTimings(wasmDir).map((g) => g['bestFitness'] as number);
  const b = generationsWithoutTimings(cpuDir).map((g) => g['bestFitness'] as number);
  a.forEach((v, i) => t.true(Math.abs(v - b[i]!) <= 1e-5 * Math.max(1, Math.abs(v))));
});

test('a task with a population axis is evaluated in fixed-size batches: same run for any worker count', async (t) => {
  const base = { task: 'linear-regression', dim: 5, x0: 0, sigma0: 0.5, 'max-generations': 6, seed: 12, backend: 'wasm', 'eval-batch': 3 };
  const a = join(tempDir(), 'run');
  const b = join(tempDir(), 'run');
  await runSearch(config({ ...base, workers: 1 }), a, engine);
  await runSearch(config({ ...base, workers: 2 }), b, engine);
  t.deepEqual(generationsWithoutTimings(b), generationsWithoutTimings(a));
  t.is(generationsWithoutTimings(a)[0]!['popsize'], 8);
  t.true((generationsWithoutTimings(a).at(-1)!['bestSoFar'] as number) < (generationsWithoutTimings(a)[0]!['bestSoFar'] as number));
});

test('a run in which every evaluation failed has no best: the summary says null and run.log says why', async (t) => {
  const dir = join(tempDir(), 'run');
  const s = await runSearch(config({ task: 'faulty', dim: 3, 'task-config': { mode: 'throw', failRate: 1 }, 'max-generations': 2 }), dir, engine);
  t.is(s.bestFitness, null);
  t.is(s.evaluations, 14);
  t.is(readJson(join(dir, 'summary.json')).bestFitness, null);
  t.false(existsSync(join(dir, 'best.json')));
  t.regex(readFileSync(join(dir, 'run.log'), 'utf8'), /no evaluation succeeded: all 14 failed \(their reasons are above\); the run has no best/);
});

test('the engine uses the registry it is handed, records its plug-ins, and resumes only with the same ones', async (t) => {
  const { loadRegistry } = await import('../../../src/plugins.js');
  const { writeModule, fileUrl, SLOW_TASK_SOURCE } = await import('../../helpers/plugin_files.js');
  const file = writeModule(SLOW_TASK_SOURCE);
  const withPlugin = await loadRegistry([file]);
  const dir = join(tempDir(), 'run');
  const cfg = config({ task: 'slow-shifted-sphere', dim: 3, 'max-generations': 4 });
  await t.throwsAsync(runSearch(cfg, dir, engine), { message: /^unknown task 'slow-shifted-sphere'; valid tasks: sphere/ });
  t.false(existsSync(dir));
  const s = await runSearch(cfg, dir, { registry: withPlugin, evaluators: evaluatorsFor(withPlugin) });
  t.is(s.generations, 4);
  t.deepEqual(readJson(join(dir, 'manifest.json')).config.plugins, [fileUrl(file)]);
  rmSync(join(dir, 'summary.json'));
  const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8');
  await t.throwsAsync(resumeRun(dir, { ...engine, overrides: { maxGenerations: 6 } }), {
    message: `${dir} was run with plug-ins [${fileUrl(file)}] but the registry given holds []; resume with the plug-ins its manifest records`,
  });
  t.is(readFileSync(join(dir, 'manifest.json'), 'utf8'), manifest);
  t.false((await resumeRun(dir, { registry: withPlugin })).alreadyFinished);
});

test('workers > 0 without an evaluator factory is refused before anything is written', async (t) => {
  const dir = join(tempDir(), 'run');
  await t.throwsAsync(runSearch(config({ task: 'sphere', workers: 2 }), dir, { registry }), { message: /^--workers 2 needs worker threads, but the engine was given no evaluator factory; use --workers 0/ });
  t.false(existsSync(dir));
});
