/**
 * Task `ordering-transfer` on a tiny saved bank: fitness in [0, 1] with the metrics, deterministic for a seed,
 * sensitive to the ordering, the other fits (batch norm, all, soft mixtures), errors for a missing bank or a genome
 * that does not fit it, a short ga-ordering search through the engine, and `evometa replay` agreeing with the task.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { UsageError } from '../../../src/core/errors.js';
import { evaluateTransfer, fitMixtureLogits } from '../../../tasks/ordering/transfer.js';
import { runSearch } from '../../../src/search.js';
import { resolveRunConfig } from '../../../src/engine/run_config.js';
import { makeOrderingGenome, saveOrderingGenome } from '../../../genomes/ordering_genome.js';
import { cachedBank, loadTransferData, orderingTransferTask, resolveOrderingTransferConfig, type OrderingTransferConfig } from '../../../tasks/ordering/ordering_tasks.js';
import { TASKS } from '../../../tasks/index.js';
import type { TaskContext } from '../../../src/core/task.js';
import { CLI, readJson, tempDir } from '../../helpers/run_files.js';
import { savedTinyBank } from '../../helpers/tiny_bank.js';

const tf = getTf();
let bankDir: string;
/** Small target data so that one evaluation takes a fraction of a second. */
const SMALL = { trainSamples: 300, validation: 200, testSamples: 300, headSteps: 40, statsSamples: 128 };

const ctx = (seed = 1): TaskContext => ({ seed, wants: 'fitness', genomeKind: 'ordering', genomeConfig: { length: 3, modules: 3, allowSkip: false } });
const cfg = (extra: Record<string, unknown> = {}): OrderingTransferConfig => resolveOrderingTransferConfig({ bank: bankDir, domain: 'rotate45', ...SMALL, ...extra });
const genome = (order: number[], allowSkip = false) => makeOrderingGenome(order, 3, allowSkip);

test.before(async () => {
  await initBackend('wasm');
  bankDir = await savedTinyBank(tf);
});

test.serial('registered; config defaults and errors (missing bank, unknown keys, too many images)', async (t) => {
  t.is(TASKS['ordering-transfer'], orderingTransferTask);
  t.deepEqual(orderingTransferTask.genomeKinds, ['ordering']);
  const c = resolveOrderingTransferConfig({ bank: bankDir });
  t.like(c, { domain: 'fashion-mnist', headSteps: 100, batchSize: 32, fitBatchNorm: false, trainSamples: 2000, validation: 1000, testSamples: 2000, seed: 0, imageOffset: null });
  t.is(resolveOrderingTransferConfig({ bank: bankDir, domain: 'noise-inverted' }).domain, 'inverted-noise');
  t.throws(() => resolveOrderingTransferConfig({}), { instanceOf: UsageError, message: /needs config 'bank'/ });
  t.throws(() => resolveOrderingTransferConfig({ bank: join(bankDir, 'missing') }), { instanceOf: UsageError, message: /module bank not found/ });
  t.throws(() => resolveOrderingTransferConfig({ bank: bankDir, steps: 3 }), { message: /unknown task config key steps/ });
  t.throws(() => resolveOrderingTransferConfig({ bank: bankDir, domain: 'sepia' }), { message: /unknown domain part 'sepia'/ });
  t.throws(() => resolveOrderingTransferConfig({ bank: bankDir, domain: 'rotate45', trainSamples: 59000, validation: 1000 }), { message: /imageOffset 400 \+ trainSamples 59000 \+ validation 1000 exceeds/ });
});

test.serial('target data: MNIST variants skip the images the bank trained on; splits are disjoint', async (t) => {
  const d = loadTransferData('rotate45', { trainSamples: 300, validation: 200, testSamples: 300, offset: 400 });
  const ids = [...d.train.ids, ...d.validation.ids];
  t.is(d.train.labels.length, 300);
  t.is(d.validation.labels.length, 200);
  t.true(ids.every((id) => id >= 400 && id < 900));
  t.is(new Set(ids).size, 500);
  t.true([...d.test!.ids].every((id) => id >= 60000));
});

test.serial('fitness is 1 − validation accuracy in [0, 1], with the test accuracy as a metric; deterministic for a seed', async (t) => {
  const c = cfg();
  const a = await orderingTransferTask.evaluate(genome([0, 1, 2]), c, ctx(1));
  const b = await orderingTransferTask.evaluate(genome([0, 1, 2]), c, ctx(2)); // a fixed fit seed ignores ctx.seed
  t.true(a.fitness >= 0 && a.fitness <= 1);
  t.is(a.fitness, 1 - a.metrics!['validationAccuracy']!);
  t.true(a.metrics!['testAccuracy']! >= 0 && a.metrics!['testAccuracy']! <= 1);
  t.deepEqual(a, b);
  // seed 'evaluation': the evaluation's seed draws the head and batches
  const e1 = await orderingTransferTask.evaluate(genome([0, 1, 2]), cfg({ seed: 'evaluation' }), ctx(1));
  const e1again = await orderingTransferTask.evaluate(genome([0, 1, 2]), cfg({ seed: 'evaluation' }), ctx(1));
  const e2 = await orderingTransferTask.evaluate(genome([0, 1, 2]), cfg({ seed: 'evaluation' }), ctx(2));
  t.deepEqual(e1, e1again);
  t.notDeepEqual(e1.metrics, e2.metrics);
});

test.serial('the ordering changes the fitness', async (t) => {
  const c = cfg();
  const orders = [[0, 0, 0], [1, 1, 1], [2, 2, 2], [2, 1, 0], [0, 1, 2]];
  const fits: number[] = [];
  for (const o of orders) fits.push((await orderingTransferTask.evaluate(genome(o), c, ctx())).fitness);
  t.log(orders.map((o, i) => `${o.join('')}: ${fits[i]!.toFixed(3)}`).join(', '));
  t.true(new Set(fits).size >= 3, `fitnesses ${fits}`);
});

test.serial('a genome that does not fit the bank, and skip without a skip-trained bank', async (t) => {
  await t.throwsAsync(async () => orderingTransferTask.evaluate(makeOrderingGenome([0, 1, 2, 0], 3), cfg(), ctx()), { instanceOf: UsageError, message: /4 positions over 3 modules but the bank .* has 3 positions and 3 modules/ });
  await t.throwsAsync(async () => orderingTransferTask.evaluate(makeOrderingGenome([0, 1, 1], 2), cfg(), ctx()), { message: /"modules": 3/ });
  // skip (index 3) is the identity and needs no trained parameters
  const r = await orderingTransferTask.evaluate(genome([3, 1, 3], true), cfg(), ctx());
  t.true(r.fitness >= 0 && r.fitness <= 1);
});

test.serial('batch-norm and full fits, and the soft mixture fitted by gradient, leak nothing and score in [0, 1]', async (t) => {
  const b = await cachedBank(tf, bankDir);
  const data = loadTransferData('rotate45', { trainSamples: 300, validation: 200, testSamples: 300, offset: 400 });
  const before = tf.memory().numTensors;
  const settings = { headSteps: 15, batchSize: 16, statsSamples: 64, seed: 0 };
  const bn = await evaluateTransfer(tf, b.config, b.bank, { modules: [0, 1, 2] }, data, { ...settings, fit: 'batchnorm' });
  const all = await evaluateTransfer(tf, b.config, b.bank, { modules: [0, 1, 2] }, data, { ...settings, fit: 'all', learningRate: 2e-3 });
  const fitted = fitMixtureLogits(tf, b.config, b.bank, data, { steps: 15, batchSize: 16, init: b.domains[0]!.logits });
  t.is(fitted.losses.length, 15);
  t.is(fitted.ordering.length, 3);
  t.deepEqual(fitted.logits.shape, [3, 3]);
  const soft = await evaluateTransfer(tf, b.config, b.bank, { logits: fitted.logits }, data, { ...settings, fit: 'head' });
  fitted.logits.dispose();
  for (const r of [bn, all, soft]) t.true(r.validationAccuracy >= 0 && r.validationAccuracy <= 1 && r.testAccuracy >= 0 && r.testAccuracy <= 1);
  t.log(`batchnorm ${bn.validationAccuracy}, all ${all.validationAccuracy}, soft ${soft.validationAccuracy}`);
  t.is(tf.memory().numTensors, before);
  // the bank is untouched by the fits that train copies of it
  const again = await evaluateTransfer(tf, b.config, b.bank, { modules: [0, 1, 2] }, data, { ...settings, fit: 'batchnorm' });
  t.deepEqual(again, bn);
});

test.serial('ga-ordering searches orderings through the engine (inline), with testAccuracy in the metrics', async (t) => {
  const dir = join(tempDir(), 'run');
  const config = resolveRunConfig({
    task: 'ordering-transfer', genome: 'ordering', strategy: 'ga-ordering', init: 'random', popsize: 4, 'max-generations': 2, seed: 5, workers: 0,
    'genome-config': { length: 3, modules: 3 }, 'task-config': { bank: bankDir, domain: 'rotate45', ...SMALL },
  }, () => 0);
  const s = await runSearch(config, dir, {});
  t.is(s.evaluations, 7); // 4, then 3 children beside the carried elite
  const best = readJson(join(dir, 'best.json'));
  t.deepEqual(Object.keys(best.genome).sort(), ['allowSkip', 'modules', 'order']);
  t.is(typeof best.metrics.testAccuracy, 'number');
  t.is(best.fitness, 1 - best.metrics.validationAccuracy);
  t.true(s.bestFitness !== null && s.bestFitness >= 0 && s.bestFitness <= 1);
});

test.serial('evometa replay ORDERING.json --bank DIR --task rotate45 --json reports what the task measured', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'o.json');
  saveOrderingGenome(file, genome([2, 1, 0]));
  const r = spawnSync(process.execPath, [CLI, 'replay', file, '--bank', bankDir, '--task', 'rotate45', '--train-samples', '300', '--validation', '200',
    '--test-samples', '300', '--head-steps', '40', '--stats-samples', '128', '--json'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  t.like(out, { task: 'rotate45', ordering: [2, 1, 0], bank: bankDir, fit: 'head', headSteps: 40, seeds: 1 });
  const direct = await orderingTransferTask.evaluate(genome([2, 1, 0]), cfg(), ctx());
  t.is(out.validationAccuracy, direct.metrics!['validationAccuracy']);
  t.is(out.testAccuracy, direct.metrics!['testAccuracy']);
  // --bank is needed; a blur genome with --bank is refused by its kind
  const noBank = spawnSync(process.execPath, [CLI, 'replay', file, '--task', 'rotate45'], { encoding: 'utf8' });
  t.is(noBank.status, 2);
  t.regex(noBank.stderr, /replaying an ordering needs --bank DIR/);
  const blur = spawnSync(process.execPath, [CLI, 'replay', 'genomes/backprop.blur.json', '--bank', bankDir], { encoding: 'utf8' });
  t.is(blur.status, 2);
  t.regex(blur.stderr, /genomes\/backprop\.blur\.json holds a genome of kind 'blur'; --bank is for replaying an ordering genome/);
  const missing = spawnSync(process.execPath, [CLI, 'replay', file, '--bank', join(dir, 'none')], { encoding: 'utf8' });
  t.is(missing.status, 2);
  t.regex(missing.stderr, /module bank not found/);
  t.true(existsSync(bankDir));
});
