import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initBackend } from '../../../src/runtime/backend.js';
import { runSearch } from '../../../src/search.js';
import { configFilePaths, resolveRunConfig } from '../../../src/engine/run_config.js';
import { exportRunPoint, warmPathFor } from '../../../src/store/run_export.js';
import { reflectIntoBounds } from '../../../strategies/cma_es.js';
import { loadBlurGenome } from '../../../genomes/blur_genome.js';
import { CLI, readJson, tempDir } from '../../helpers/run_files.js';
import { builtinRegistry } from '../../../src/plugins.js';

const BUILTIN_REGISTRY = builtinRegistry();

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
    t.is(w.init, 'final.json'); // relative to the config's folder, so the run folder can move
    t.is(point.meta.run, '.');
    t.is(w.sigma0, state.sigma);
    t.is(w['strategy-params'].stds.length, n);
    for (let i = 0; i < n; i++) t.is(w['strategy-params'].stds[i], Math.sqrt(strategy === 'cmaes' ? state.C[i * n + i] : state.C[i]));
    t.is(loadBlurGenome(genome).layers.length, 1);
    // The warm-start config is a search config: the next search starts from the mean with the run's scales.
    const next = join(tempDir(), 'next');
    await runSearch(resolveRunConfig({ ...base, ...configFilePaths(w, dir), strategy, 'max-generations': 1, seed: 3 }, () => 0), next);
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

test('a run folder moves: its files name each other relative to it, and `search --config moved/final.warm.json` works from another folder', async (t) => {
  const root = tempDir();
  const dir = join(root, 'results', 'run');
  await runSearch(resolveRunConfig({ ...base, strategy: 'cmaes', init: 'random', sigma0: 0.3, seed: 2 }, () => 0), dir);
  exportRunPoint(dir, 'mean', join(dir, 'final.json'), BUILTIN_REGISTRY);
  const exportedElsewhere = join(root, 'exports', 'rule.json');
  mkdirSync(dirname(exportedElsewhere));
  exportRunPoint(dir, 'mean', exportedElsewhere, BUILTIN_REGISTRY);
  t.is(readJson(exportedElsewhere).meta.run, join('..', 'results', 'run'));
  t.is(readJson(join(exportedElsewhere.replace(/\.json$/, '.warm.json'))).init, 'rule.json');
  t.is(readJson(join(dir, 'summary.json')).runDir, '.');
  // No file of the run names the folder it was made in (the manifest's command line is a record only).
  for (const f of ['summary.json', 'final.json', 'final.warm.json', 'checkpoint.json', 'best.json', 'generations.jsonl'])
    t.false(readFileSync(join(dir, f), 'utf8').includes(root), f);

  const moved = join(tempDir(), 'elsewhere', 'moved');
  mkdirSync(dirname(moved));
  renameSync(dir, moved);
  const cwd = tempDir();
  const r = spawnSync(process.execPath, [CLI, 'search', '--config', join(moved, 'final.warm.json'), ...cliArgs({ ...base, 'max-generations': 1 }), '--strategy', 'cmaes', '--seed', '3', '--out', 'next', '--json'], { cwd, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const m = readJson(join(cwd, 'next', 'manifest.json'));
  t.is(m.config.init, join(moved, 'final.json'));
  t.deepEqual(m.x0, readJson(join(moved, 'final.json')).meta.x);
  t.deepEqual(m.config.strategyParams.stds, readJson(join(moved, 'final.warm.json'))['strategy-params'].stds);
  // A run folder that moved still resumes, reports and exports.
  const again = spawnSync(process.execPath, [CLI, 'resume', 'moved', '--json'], { cwd: dirname(moved), encoding: 'utf8' });
  t.is(again.status, 0, again.stderr);
  t.is(JSON.parse(again.stdout).runDir, 'moved');
});

/** The run options as command-line flags. */
function cliArgs(o: Record<string, unknown>): string[] {
  return Object.entries(o).flatMap(([k, v]) => [`--${k}`, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
}
