import test from 'ava';
import { join } from 'node:path';
import { initBackend } from '../../../src/runtime/backend.js';
import { runSearch } from '../../../src/search.js';
import { resolveRunConfig } from '../../../src/engine/run_config.js';
import { exportRunPoint, warmPathFor } from '../../../src/store/run_export.js';
import { reflectIntoBounds } from '../../../strategies/cma_es.js';
import { loadBlurGenome } from '../../../genomes/blur_genome.js';
import { readJson, tempDir } from '../../helpers/run_files.js';
import { BUILTIN_REGISTRY } from '../../helpers/builtin_registry.js';

test.before(async () => {
  await initBackend('cpu');
});

const TASK = { hidden: [4], batchSize: 16, queryBatchSize: 16, unrollSteps: 2, heldOut: [] };
const base = { genome: 'blur', task: 'blur-boolean', 'task-config': TASK, 'max-generations': 3, workers: 0, backend: 'cpu' };

for (const strategy of ['cmaes', 'sep-cmaes'])
  test(`${strategy}: the export is the run's mean and its warm start σ and √C_ii, which a new search starts from`, async (t) => {
    const dir = join(tempDir(), 'run');
    await runSearch(resolveRunConfig({ ...base, strategy, init: 'random', sigma0: 0.3, seed: 2 }, () => 0), dir);
    const { genome, warm } = exportRunPoint(dir, 'mean', join(dir, 'final.json'), BUILTIN_REGISTRY);
    t.is(warm, join(dir, 'final.warm.json'));
    const cp = readJson(join(dir, 'checkpoint.json'));
    const state = cp.strategy;
    const n = state.dimension as number;
    const point = readJson(genome);
    t.like(point, { kind: 'blur', config: { k: 2, perLayer: false, numLayers: 1, extras: [] } });
    t.deepEqual([point.meta.which, point.meta.generation, point.meta.evaluations], ['mean', 3, cp.evaluations]);
    t.deepEqual(point.meta.x, reflectIntoBounds(state.mean, state.bounds)); // the mean mirrored into the genome's box, as CMA-ES evaluates it
    const w = readJson(warm!);
    t.is(w.init, genome);
    t.is(w.sigma0, state.sigma);
    t.is(w['strategy-params'].stds.length, n);
    for (let i = 0; i < n; i++) t.is(w['strategy-params'].stds[i], Math.sqrt(strategy === 'cmaes' ? state.C[i * n + i] : state.C[i]));
    t.is(loadBlurGenome(genome).layers.length, 1);
    // The warm-start config is a search config: the next search starts from the mean with the run's scales.
    const next = join(tempDir(), 'next');
    await runSearch(resolveRunConfig({ ...base, ...w, strategy, 'max-generations': 1, seed: 3 }, () => 0), next);
    const m = readJson(join(next, 'manifest.json'));
    t.deepEqual(m.config.strategyParams.stds, w['strategy-params'].stds);
    t.is(m.config.sigma0, state.sigma);
  });

test("best: best.json's point, without a warm start; a gradient strategy's mean has none either", async (t) => {
  const dir = join(tempDir(), 'run');
  await runSearch(resolveRunConfig({ ...base, strategy: 'cmaes', init: 'random', sigma0: 0.3, seed: 2 }, () => 0), dir);
  const best = exportRunPoint(dir, 'best', join(dir, 'b.json'), BUILTIN_REGISTRY);
  t.is(best.warm, null);
  t.deepEqual(readJson(best.genome).meta.x, readJson(join(dir, 'best.json')).x);
  const mg = join(tempDir(), 'mg');
  await runSearch(resolveRunConfig({ ...base, strategy: 'metagrad', init: 'random', sigma0: 0.01, seed: 2, 'max-generations': 1 }, () => 0), mg);
  const r = exportRunPoint(mg, 'mean', join(mg, 'final.json'), BUILTIN_REGISTRY);
  t.is(r.warm, null);
  t.deepEqual(readJson(r.genome).meta.x, readJson(join(mg, 'checkpoint.json')).strategy.x);
});

test('warmPathFor puts the config beside the genome file', (t) => {
  t.is(warmPathFor('results/r/final.json'), join('results/r', 'final.warm.json'));
  t.is(warmPathFor('g.JSON'), 'g.warm.json');
});
