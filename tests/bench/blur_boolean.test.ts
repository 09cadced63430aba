import test from 'ava';
import { join } from 'node:path';
import { initBackend } from '../../src/backend.js';
import { runSearch } from '../../src/engine.js';
import { resolveRunConfig } from '../../src/run_config.js';
import { loadBlurGenome } from '../../genomes/blur_genome.js';
import { writeWarmStart } from '../../bench/blur_boolean.js';
import { readJson, tempDir } from '../helpers/run_files.js';

test.before(async () => {
  await initBackend('cpu');
});

const TASK = { hidden: [4], batchSize: 16, queryBatchSize: 16, unrollSteps: 2, heldOut: [] };

for (const strategy of ['cmaes', 'sep-cmaes'])
  test(`${strategy}: final.json is the run's final point and warm.json its σ and √C_ii, which start a new search`, async (t) => {
    const dir = join(tempDir(), 'run');
    const base = { genome: 'blur', task: 'blur-boolean', 'task-config': TASK, 'max-generations': 3, workers: 0, backend: 'cpu' };
    await runSearch(resolveRunConfig({ ...base, strategy, init: 'random', sigma0: 0.3, seed: 2 }, () => 0), dir);
    const { final, warm } = writeWarmStart(dir);
    const state = readJson(join(dir, 'checkpoint.json')).strategy;
    const n = state.dimension as number;
    const w = readJson(warm!);
    t.is(w.sigma0, state.sigma);
    t.is(w.strategyParams.stds.length, n);
    for (let i = 0; i < n; i++) t.is(w.strategyParams.stds[i], Math.sqrt(strategy === 'cmaes' ? state.C[i * n + i] : state.C[i]));
    t.is(loadBlurGenome(final).layers.length, 1);
    // The next stage starts from them: its first distribution has the scales the first run ended with.
    const next = join(tempDir(), 'next');
    await runSearch(resolveRunConfig({ ...base, strategy, init: final, sigma0: w.sigma0, 'strategy-params': w.strategyParams, 'max-generations': 1, seed: 3 }, () => 0), next);
    const m = readJson(join(next, 'manifest.json'));
    t.deepEqual(m.config.strategyParams.stds, w.strategyParams.stds);
  });
