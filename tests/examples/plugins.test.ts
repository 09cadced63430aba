import test from 'ava';
import { join } from 'node:path';
import { loadRegistry, resolveRunConfig, resumeRun, Rng, runSearch, type RunConfig } from '../../src/index.js';
import { readGenomeFile } from '../../src/core/genome_file.js';
import { generationsWithoutTimings, readJson, tempDir } from '../helpers/run_files.js';
import { examplePlugin } from '../helpers/plugin_files.js';

const ES = examplePlugin('one_plus_one_es.mjs');
const BITS = examplePlugin('bitstring.mjs');
const FITNESS = examplePlugin('custom_fitness.mjs');
const TFJS = examplePlugin('tfjs_task.mjs');

function config(raw: Record<string, unknown>): RunConfig {
  return resolveRunConfig({ workers: 0, seed: 5, ...raw }, () => 0);
}

test('a custom strategy and a custom genome kind run end to end on 2 workers; best.json decodes through the kind', async (t) => {
  const dir = join(tempDir(), 'run');
  const s = await runSearch(config({ strategy: 'one-plus-one-es', genome: 'bitstring', task: 'onemax', dim: 16, init: 'random', target: 0, 'max-evals': 3000, workers: 2 }), dir, { plugins: [ES, BITS] });
  t.deepEqual(s.stopReason, { target: 0 });
  t.is(s.bestFitness, 0);
  const best = readJson(join(dir, 'best.json'));
  t.deepEqual(best.genome, new Array(16).fill(1));
  const registry = await loadRegistry([BITS]);
  const kind = registry.genomes['bitstring']!;
  const kindConfig = kind.resolveConfig({ dim: 16 });
  t.deepEqual(kind.decode(best.x, kindConfig), best.genome);
  t.deepEqual(readGenomeFile(join(dir, 'best.json'), { kinds: registry.genomes, bareKind: 'bitstring' }).genome, best.genome);
  t.true(best.x.every((v: number) => v > 0 && v <= 1), 'the strategy kept the search inside the kind\'s box');
  // The start point was the kind's seeded random genome, encoded.
  const x0 = readJson(join(dir, 'manifest.json')).x0 as number[];
  t.deepEqual(x0, kind.encode(kind.random(kindConfig, new Rng((await import('../../src/core/rng.js')).deriveSeed(5, 'init'))), kindConfig));
});

test('the (1+1)-ES reaches the sphere optimum, holds its success rate near 1/5, and resumes bit for bit', async (t) => {
  const full = join(tempDir(), 'full');
  const base = { strategy: 'one-plus-one-es', task: 'sphere', dim: 5, x0: 1, sigma0: 0.5 };
  const s = await runSearch(config({ ...base, target: 1e-10, 'max-evals': 4000 }), full, { plugins: [ES] });
  t.deepEqual(s.stopReason, { target: 1e-10 });
  t.true(s.bestFitness! <= 1e-10);
  const state = readJson(join(full, 'checkpoint.json')).strategy;
  const rate = state.successes / state.evaluations;
  t.true(rate > 0.12 && rate < 0.3, `success rate ${rate}`);
  // The same run stopped at generation 100 and resumed to the target: the same trajectory.
  const cut = join(tempDir(), 'cut');
  await runSearch(config({ ...base, target: 1e-10, 'max-generations': 100 }), cut, { plugins: [ES] });
  const r = await resumeRun(cut, { overrides: { maxGenerations: s.generations + 10 } });
  t.is(r.generations, s.generations);
  t.deepEqual(generationsWithoutTimings(cut), generationsWithoutTimings(full));
});

test('custom_fitness: the shifted Styblinski–Tang optimum scores 0, and ipop-cmaes finds it', async (t) => {
  const mod = (await import(FITNESS)) as { styblinskiTang: { evaluate(x: number[], c: unknown): { fitness: number } }; optimum(dim: number, shift: number): number[] };
  const c = { shift: 1, relative: true };
  t.true(Math.abs(mod.styblinskiTang.evaluate(mod.optimum(3, 1), c).fitness) < 1e-12);
  // f(shift + t) at t = 0 is 0, so relative to the optimum it is 39.16617 per coordinate.
  t.true(Math.abs(mod.styblinskiTang.evaluate([1, 1], c).fitness - 2 * 39.16616570377142) < 1e-9);
  const dir = join(tempDir(), 'run');
  const s = await runSearch(config({ task: 'styblinski-tang', strategy: 'ipop-cmaes', dim: 4, 'task-config': { shift: 1 }, x0: 0, sigma0: 3, target: 1e-8, 'max-evals': 30000, seed: 1 }), dir, { plugins: [FITNESS] });
  t.true(s.bestFitness! <= 1e-8);
  readJson(join(dir, 'best.json')).x.forEach((v: number, i: number) => t.true(Math.abs(v - mod.optimum(4, 1)[i]!) < 1e-3));
  await t.throwsAsync(runSearch(config({ task: 'styblinski-tang', 'task-config': { shfit: 1 } }), join(tempDir(), 'bad'), { plugins: [FITNESS] }), {
    message: "task 'styblinski-tang' (--task-config): unknown key shfit; valid keys: shift, relative",
  });
});

test('tfjs_task: a TensorFlow.js task from a plug-in runs in a worker on the backend it initialised', async (t) => {
  const registry = await loadRegistry([TFJS]);
  const task = registry.tasks['logistic-lr']!;
  const c = task.resolveConfig({});
  const { initBackend } = await import('../../src/index.js');
  await initBackend('cpu');
  const ctx = { seed: 1, wants: 'fitness' as const, genomeKind: 'vector', genomeConfig: { dim: 1 } };
  // Zero weights predict 1/2 for every sample: the loss is ln 2 whatever the labels; a tiny rate stays there.
  t.true(Math.abs((await task.evaluate([-9], c, ctx)).fitness - Math.LN2) < 1e-5);
  t.true((await task.evaluate([0], c, ctx)).fitness < 0.6);
  const dir = join(tempDir(), 'run');
  const s = await runSearch(config({ task: 'logistic-lr', dim: 1, x0: -3, sigma0: 1, 'max-generations': 6, workers: 1, backend: 'cpu' }), dir, { plugins: [TFJS] });
  const gens = generationsWithoutTimings(dir);
  t.is(gens.reduce((a, g) => a + (g['failures'] as number), 0), 0);
  t.true(s.bestFitness! < (gens[0]!['bestFitness'] as number));
  t.deepEqual(readJson(join(dir, 'manifest.json')).backend, { requested: 'cpu', used: 'cpu' });
});
