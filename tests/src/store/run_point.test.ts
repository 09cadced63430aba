import test from 'ava';
import { join } from 'node:path';
import { runSearch } from '../../../src/search.js';
import { resolveRunConfig } from '../../../src/engine/run_config.js';
import { runPoint } from '../../../src/store/run_point.js';
import { readJson, tempDir } from '../../helpers/run_files.js';
import { builtinRegistry } from '../../../src/plugins.js';

const BUILTIN_REGISTRY = builtinRegistry();

const base = { task: 'sphere', dim: 3, x0: 2, sigma0: 0.5, 'max-generations': 6, seed: 5, workers: 0 };

test("'mean' is the CMA-ES checkpoint's mean, 'best' is best.json's x", async (t) => {
  const dir = join(tempDir(), 'run');
  await runSearch(resolveRunConfig(base, () => 0), dir);
  const mean = readJson(join(dir, 'checkpoint.json')).strategy.mean as number[];
  t.deepEqual(runPoint(dir, 'mean', BUILTIN_REGISTRY).x, mean);
  t.deepEqual(runPoint(dir, 'best', BUILTIN_REGISTRY).x, readJson(join(dir, 'best.json')).x);
  // Six generations from x0 = 2 move the mean towards the optimum.
  t.true(mean.reduce((a, v) => a + v * v, 0) < 12);
});

test("a restart strategy's 'mean' is its current inner run's mean", async (t) => {
  const dir = join(tempDir(), 'run');
  await runSearch(resolveRunConfig({ ...base, strategy: 'ipop-cmaes' }, () => 0), dir);
  const state = readJson(join(dir, 'checkpoint.json')).strategy;
  t.is(state.mean, undefined);
  t.deepEqual(runPoint(dir, 'mean', BUILTIN_REGISTRY).x, state.inner.mean);
});

test('an unknown strategy names the valid ones', async (t) => {
  await t.throwsAsync(runSearch(resolveRunConfig({ ...base, strategy: 'ipop' }, () => 0), join(tempDir(), 'run')), {
    message: /^unknown strategy 'ipop'; valid strategies: cmaes, sep-cmaes, ipop-cmaes/,
  });
});
