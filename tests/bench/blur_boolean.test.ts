import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/runtime/backend.js';
import { runSearch } from '../../src/search.js';
import { resolveRunConfig } from '../../src/engine/run_config.js';
import { loadBlurGenome } from '../../genomes/blur_genome.js';
import { SEARCHES, stageArgs, writeWarmStart } from '../../bench/blur_boolean.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { readJson, tempDir } from '../helpers/run_files.js';

test.before(async () => {
  await initBackend('cpu');
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
  writeFileSync(warm, JSON.stringify({ init: 'f.json', sigma0: 7.5, 'strategy-params': { stds: [0.1, 2] } }));
  const base = { strategy: 'sep-cmaes', sigma0: 0.05, 'strategy-params': { tolfacupx: 0 }, seed: 4 };
  t.deepEqual(stageArgs(base, null), base);
  t.deepEqual(stageArgs(base, { final: 'f.json', warm }), { ...base, init: 'f.json' });
  t.deepEqual(stageArgs({ ...base, warm: 'stds' }, { final: 'f.json', warm }), { ...base, init: 'f.json', 'strategy-params': { stds: [0.1, 2], tolfacupx: 0 } });
  t.deepEqual(stageArgs({ ...base, warm: 'sigma0+stds' }, { final: 'f.json', warm }), { ...base, init: 'f.json', sigma0: 7.5, 'strategy-params': { stds: [0.1, 2], tolfacupx: 0 } });
  t.throws(() => stageArgs({ ...base, warm: 'stds' }, { final: 'f.json', warm: null }), { message: /without a CMA-ES covariance/ });
});

test('writeWarmStart: the bench writes final.json and final.warm.json as evometa export does', async (t) => {
  const dir = join(tempDir(), 'run');
  await runSearch(resolveRunConfig({ genome: 'blur', task: 'blur-boolean', 'task-config': { hidden: [4], batchSize: 16, queryBatchSize: 16, unrollSteps: 2, heldOut: [] }, strategy: 'sep-cmaes', init: 'random', sigma0: 0.3, seed: 2, 'max-generations': 2, workers: 0, backend: 'cpu' }, () => 0), dir);
  const r = writeWarmStart(dir);
  t.deepEqual(r, { final: join(dir, 'final.json'), warm: join(dir, 'final.warm.json') });
  t.is(loadBlurGenome(r.final).layers.length, 1);
  t.deepEqual(stageArgs({ strategy: 'sep-cmaes', warm: 'sigma0+stds' }, r)['sigma0'], readJson(r.warm!).sigma0);
});

test('blur_boolean test: scores a genome file once on the meta-validation pair and the test functions, and records the protocol', async (t) => {
  const { default: bench, META_VALIDATION_FUNCTIONS, TEST_FUNCTIONS, TRAIN_FUNCTIONS } = await import('../../bench/blur_boolean.js');
  const out = join(tempDir(), 'test');
  const genome = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'genomes', 'boolean-metagrad.blur.json');
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    await bench(['test', genome, '--seeds', '2', '--replicas', '1', '--out', out]);
  } finally {
    console.log = log;
  }
  const p = readJson(join(out, 'protocol.json'));
  t.deepEqual(p.splits.metaTraining, TRAIN_FUNCTIONS);
  t.deepEqual(p.splits.metaValidation.functions, META_VALIDATION_FUNCTIONS);
  t.deepEqual(p.splits.test.functions, [...TEST_FUNCTIONS]);
  t.deepEqual(p.seeds, [0, 1]);
  for (const f of TEST_FUNCTIONS) t.false(TRAIN_FUNCTIONS.includes(f) || META_VALIDATION_FUNCTIONS.includes(f), f);
  const md = readFileSync(join(out, 'test.md'), 'utf8');
  t.true(md.includes('| rule | and | nxor | x0 | x1 | not_x0 | not_x1 | true | false | majority3 | parity3 | random3 |'), md);
  const row = md.split('\n').find((l) => l.startsWith(`| ${genome} |`))!;
  const means = row.split('|').slice(2, -1).map((c) => Number(c.trim().split(' ')[0]));
  t.is(means.length, 11);
  t.true(means[2]! > 90, `x0 ${means[2]}`);
  t.true(means[9]! < 65, `parity3 ${means[9]}: not learned in 4 steps`);
});
