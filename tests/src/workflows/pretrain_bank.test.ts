/**
 * Module bank pretraining: options and the temperature schedule, a tiny bank trains (the loss falls) and records its
 * domains and settings, is deterministic for a seed, leaks no tensors, and is an artifact that loads back with
 * identical outputs (the format itself: tests/src/models/modular/module_bank.test.ts).
 */
import test from 'ava';
import { join } from 'node:path';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { UsageError } from '../../../src/core/errors.js';
import { BANK_FORMAT, disposeModuleBank, loadModuleBank, saveModuleBank, type LoadedModuleBank } from '../../../src/models/modular/module_bank.js';
import { modularForward } from '../../../src/models/modular/modular_resnet.js';
import { flattenTree } from '../../../src/models/nn/tensor_tree.js';
import { loadDomainDataset } from '../../../src/data/mnist_domains.js';
import { pretrainModuleBank, resolveBankTrainingOptions, temperatureAt } from '../../../src/workflows/pretrain_bank.js';
import { tempDir } from '../../helpers/run_files.js';
import { TINY_BANK } from '../../helpers/tiny_bank.js';

const tf = getTf();

let trained: { bank: LoadedModuleBank; losses: number[] };
let dir: string;

test.before(async () => {
  await initBackend('wasm');
  trained = await pretrainModuleBank(tf, TINY_BANK);
  dir = join(tempDir(), 'bank');
  await saveModuleBank(tf, dir, trained.bank);
});

test.serial('options: defaults, validation, the temperature schedule', (t) => {
  const o = resolveBankTrainingOptions({ steps: 100 });
  t.deepEqual(o.domains, ['plain', 'inverted', 'rotate90', 'noise']);
  t.is(o.hardSteps, 20);
  t.deepEqual(o.temperature, [1, 0.1]);
  t.is(resolveBankTrainingOptions({ domains: ['noise-inverted'] }).domains[0], 'inverted-noise');
  t.throws(() => resolveBankTrainingOptions({ domains: ['fashion-mnist'] }), { instanceOf: UsageError, message: /target domain/ });
  t.throws(() => resolveBankTrainingOptions({ domains: ['plain', 'mnist'] }), { message: /listed twice/ });
  t.throws(() => resolveBankTrainingOptions({ steps: 10, hardSteps: 11 }), { message: /hardSteps must be an integer from 0 to 10/ });
  t.throws(() => resolveBankTrainingOptions({ network: { blocks: 0 } }), { message: /blocks must be an integer/ });
  t.is(temperatureAt([1, 0.1], 0, 11), 1);
  t.true(Math.abs(temperatureAt([1, 0.1], 10, 11) - 0.1) < 1e-12);
  t.true(Math.abs(temperatureAt([1, 0.1], 5, 11) - Math.sqrt(0.1)) < 1e-12);
});

test.serial('a tiny bank trains: the loss falls, the manifest records domains, orderings and settings', (t) => {
  const { losses, bank } = trained;
  t.is(losses.length, 60);
  const head = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
  const tail = losses.slice(-5).reduce((a, b) => a + b) / 5;
  t.log(`loss ${head.toFixed(3)} → ${tail.toFixed(3)}; orderings ${bank.domains.map((d) => `${d.name} ${d.ordering.join('')}`).join(', ')}`);
  t.true(tail < 0.85 * head, `loss ${head} → ${tail}`);
  const m = bank.manifest;
  t.is(m.format, BANK_FORMAT);
  t.deepEqual(m.sourceDomains, ['plain', 'inverted']);
  t.is(m.training.seed, 3);
  t.is(m.training.steps, 60);
  for (const d of m.domains) {
    t.is(d.ordering.length, 3);
    t.true(d.ordering.every((k) => k >= 0 && k < 3));
    t.is(d.mixture.length, 3);
    t.true(d.validationAccuracy > 0.2, `${d.name} validation accuracy ${d.validationAccuracy} (chance 0.1)`);
  }
  t.deepEqual(bank.domains.map((d) => d.name), ['plain', 'inverted']);
});

test.serial('the same seed trains the same bank; pretraining leaks no tensors', async (t) => {
  const before = tf.memory().numTensors;
  const again = await pretrainModuleBank(tf, { ...TINY_BANK, steps: 6, hardSteps: 2 });
  const twice = await pretrainModuleBank(tf, { ...TINY_BANK, steps: 6, hardSteps: 2 });
  t.deepEqual(again.losses, twice.losses);
  const a = flattenTree(tf, again.bank.bank);
  const b = flattenTree(tf, twice.bank.bank);
  a.forEach(([name, x], i) => t.deepEqual(x.dataSync(), b[i]![1].dataSync(), name));
  disposeModuleBank(tf, again.bank);
  disposeModuleBank(tf, twice.bank);
  t.is(tf.memory().numTensors, before);
});

test.serial('the pretrained bank is an artifact: saved and loaded back, it gives the same outputs on domain images', (t) => {
  const loaded = loadModuleBank(tf, dir);
  t.deepEqual(loaded.manifest.domains, trained.bank.manifest.domains);
  const x = tf.tensor4d(loadDomainDataset('inverted', { train: 8, test: 1 }).train.images, [8, 28, 28, 1]);
  for (const [k, d] of loaded.domains.entries()) {
    const o = trained.bank.domains[k]!;
    tf.tidy(() => {
      const a = modularForward(tf, loaded.config, loaded.bank, { modules: d.ordering }, d.head, x, { training: false, stats: d.stats });
      const b = modularForward(tf, trained.bank.config, trained.bank.bank, { modules: o.ordering }, o.head, x, { training: false, stats: o.stats });
      t.deepEqual(a.logits.dataSync(), b.logits.dataSync(), d.name);
    });
  }
  x.dispose();
  disposeModuleBank(tf, loaded);
});
