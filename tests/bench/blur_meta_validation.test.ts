import test from 'ava';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { initBackend } from '../../src/runtime/backend.js';
import { runSearch } from '../../src/search.js';
import { resolveRunConfig } from '../../src/engine/run_config.js';
import { backpropGenome, loadBlurGenome } from '../../genomes/blur_genome.js';
import { blurMnistTask } from '../../tasks/blur/blur_tasks.js';
import { checkValidationDomains, metaValidationHooks, validationScore, type MetaValidationCheck } from '../../bench/blur_meta_validation.js';
import { runGenome } from '../../bench/blur_vision.js';
import { tempDir } from '../helpers/run_files.js';

test.before(async () => {
  await initBackend('cpu');
});

test('meta-validation domains must be transforms meta-training never draws (compared by canonical name)', async (t) => {
  t.notThrows(() => checkValidationDomains(['plain', 'inverted', 'rotate90', 'noise'], ['rotate45', 'inverted-noise']));
  t.throws(() => checkValidationDomains(['plain', 'noise-inverted'], ['rotate45', 'inverted-noise']), { message: "meta-validation domain 'inverted-noise' is also a meta-training domain; choose transforms meta-training never draws" });
});

test('the hooks check every k generations and the last, keep the best point by validation accuracy, and log each check', async (t) => {
  const out = tempDir();
  const taskConfig = { ways: 3, hidden: [8], unrollSteps: 3, batchSize: 8, queryBatchSize: 32, trainSamples: 600, validation: 200, domains: ['plain', 'inverted'] };
  const c = blurMnistTask.resolveConfig(taskConfig);
  const v = { domains: ['rotate45'], ways: 3, episodes: 2, every: 2, seed: 7 };
  const searchDir = join(out, 'search');
  const mv = await metaValidationHooks(out, c, v, 5, () => runGenome(searchDir, 'mean'), () => {});
  const raw = { genome: 'blur', task: 'blur-mnist', strategy: 'cmaes', init: 'random', sigma0: 0.5, popsize: 4, 'max-generations': 5, seed: 3, workers: 0, 'task-config': taskConfig };
  await runSearch(resolveRunConfig(raw, () => 0), searchDir, { hooks: mv.hooks });
  const checks = readFileSync(join(out, 'meta-validation.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetaValidationCheck);
  t.deepEqual(checks.map((k) => k.generation), [2, 4, 5]);
  const best = mv.best()!;
  t.is(best.accuracy, Math.max(...checks.map((k) => k.accuracy)));
  t.true(checks[0]!.best);
  t.true(existsSync(join(out, 'learned.json')));
  // the kept genome scores what the check recorded: the same fixed episodes every time
  const again = await validationScore(loadBlurGenome(join(out, 'learned.json')), c, v);
  t.true(Math.abs(again.accuracy - best.accuracy) < 1e-6, `${again.accuracy} vs ${best.accuracy}`);
});

test('a start genome is checked as generation 0 and stays the learned point when no later check beats it', async (t) => {
  const out = tempDir();
  const c = blurMnistTask.resolveConfig({ ways: 3, hidden: [8], unrollSteps: 3, batchSize: 8, queryBatchSize: 32, trainSamples: 600, validation: 200 });
  const v = { domains: ['rotate45'], ways: 3, episodes: 1, every: 2, seed: 7 };
  const start = { ...backpropGenome(2, 0.01) };
  // every later point is a genome that cannot learn (η_w = 0): chance, so the start is kept
  const frozen = { ...backpropGenome(2, 0) };
  const mv = await metaValidationHooks(out, c, v, 2, () => frozen, () => {}, start);
  t.is(mv.best()!.generation, 0);
  const first = readFileSync(join(out, 'meta-validation.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetaValidationCheck);
  t.deepEqual(first.map((k) => k.generation), [0]);
  t.is(first[0]!.accuracy, (await validationScore(start, c, v)).accuracy);
  type Args = Parameters<NonNullable<typeof mv.hooks.onGeneration>>;
  await mv.hooks.onGeneration!({ generation: 1 } as Args[0], {} as Args[1]);
  t.is(readFileSync(join(out, 'meta-validation.jsonl'), 'utf8').trim().split('\n').length, 2);
  const later = (await validationScore(frozen, c, v)).accuracy;
  t.true(later < first[0]!.accuracy, `${later} vs ${first[0]!.accuracy}`);
  t.is(mv.best()!.generation, 0);
  t.deepEqual(loadBlurGenome(join(out, 'learned.json')).layers, start.layers);
});
