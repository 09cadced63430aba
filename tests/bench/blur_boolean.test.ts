import test from 'ava';
import { join } from 'node:path';
import { initBackend } from '../../src/backend.js';
import { runSearch } from '../../src/engine.js';
import { resolveRunConfig } from '../../src/run_config.js';
import { loadBlurGenome } from '../../genomes/blur_genome.js';
import { SEARCHES, stageArgs, writeWarmStart } from '../../bench/blur_boolean.js';
import { writeFileSync } from 'node:fs';
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

test('acceptance chains: every CMA-ES chain stage is a CMA-ES variant, each metagrad stage metagrad, both from a random genome', (t) => {
  const chain = (name: string) => SEARCHES.find((s) => s.name === name)!;
  for (const [name, allowed] of [['cmaes-chain', ['cmaes', 'ipop-cmaes', 'sep-cmaes']], ['metagrad-chain', ['metagrad']]] as const) {
    const c = chain(name);
    t.true(c.named, `${name} runs only when named`);
    t.is(c.stages[0]!['init'], 'random');
    for (const st of c.stages) t.true((allowed as readonly string[]).includes(st['strategy'] as string), `${name}: ${st['strategy']}`);
    // every later stage starts from the previous one, so none may carry its own start point
    for (const st of c.stages.slice(1)) t.is(st['init'], undefined);
  }
  t.false(SEARCHES.filter((s) => !s.named).some((s) => s.name.endsWith('-chain')));
});

test('stageArgs: init is the previous final point; warm takes stds (and σ0) from the previous warm.json', (t) => {
  const dir = tempDir();
  const warm = join(dir, 'warm.json');
  writeFileSync(warm, JSON.stringify({ sigma0: 7.5, strategyParams: { stds: [0.1, 2] } }));
  const base = { strategy: 'sep-cmaes', sigma0: 0.05, 'strategy-params': { tolfacupx: 0 }, seed: 4 };
  t.deepEqual(stageArgs(base, null), base);
  t.deepEqual(stageArgs(base, { final: 'f.json', warm }), { ...base, init: 'f.json' });
  t.deepEqual(stageArgs({ ...base, warm: 'stds' }, { final: 'f.json', warm }), { ...base, init: 'f.json', 'strategy-params': { stds: [0.1, 2], tolfacupx: 0 } });
  t.deepEqual(stageArgs({ ...base, warm: 'sigma0+stds' }, { final: 'f.json', warm }), { ...base, init: 'f.json', sigma0: 7.5, 'strategy-params': { stds: [0.1, 2], tolfacupx: 0 } });
  t.throws(() => stageArgs({ ...base, warm: 'stds' }, { final: 'f.json', warm: null }), { message: /without a CMA-ES covariance/ });
});
