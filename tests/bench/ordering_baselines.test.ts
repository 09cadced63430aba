/**
 * The orderings bench's baselines under the searches' budget: the compute plan of the tuned gradient baseline, the
 * tuning itself on a tiny bank (validation only, no tensor left behind), the best-source choice, and the fit's
 * checkpoints that make tuning the step count cheap.
 */
import test from 'ava';
import { getTf, initBackend } from '../../src/runtime/backend.js';
import { fitMixtureLogits, TRANSFER_DEFAULTS, type TransferResult } from '../../tasks/ordering/transfer.js';
import { cachedBank, loadTransferData } from '../../tasks/ordering/ordering_tasks.js';
import { bestSourceOrdering, planMixtureTuning, stepCost, tuneMixtureFit } from '../../bench/ordering_baselines.js';
import { savedTinyBank } from '../helpers/tiny_bank.js';

const tf = getTf();
let bankDir: string;

test.before(async () => {
  await initBackend('wasm');
  bankDir = await savedTinyBank(tf);
});

test('planMixtureTuning: the longest step grid whose cost fits the searches\' evaluations', async (t) => {
  const cost = { evaluationImages: 256 + 2000 + 1000, batchSize: 32 };
  t.true(Math.abs(stepCost(100, cost) - 9600 / 3256) < 1e-12);
  const p100 = planMixtureTuning(100, cost);
  t.deepEqual(p100.checkpoints, [25, 50, 100, 200, 400]);
  t.true(Math.abs(p100.cost - 4 * (stepCost(400, cost) + 10)) < 1e-9 && p100.cost <= 100, String(p100.cost));
  t.deepEqual(planMixtureTuning(200, cost).checkpoints, [25, 50, 100, 200, 400, 800]);
  t.throws(() => planMixtureTuning(5, cost), { message: /a budget of 5 evaluations cannot pay for 4 learning rates × 25 steps/ });
});

test.serial('fitMixtureLogits checkpoints: snapshots at the given steps, the last equal to the final logits', async (t) => {
  const b = await cachedBank(tf, bankDir);
  const data = loadTransferData('rotate45', { trainSamples: 200, validation: 100, testSamples: 0, offset: 400 });
  const before = tf.memory().numTensors;
  const r = fitMixtureLogits(tf, b.config, b.bank, data, { steps: 6, batchSize: 8, init: b.domains[0]!.logits, checkpoints: [2, 6] });
  t.deepEqual(r.snapshots.map((s) => s.step), [2, 6]);
  t.deepEqual(r.snapshots[1]!.logits.arraySync(), r.logits.arraySync());
  t.deepEqual(r.snapshots[1]!.ordering, r.ordering);
  t.notDeepEqual(r.snapshots[0]!.logits.arraySync(), r.logits.arraySync());
  for (const s of r.snapshots) s.logits.dispose();
  r.logits.dispose();
  t.is(tf.memory().numTensors, before);
  t.throws(() => fitMixtureLogits(tf, b.config, b.bank, data, { steps: 6, checkpoints: [7] }), { message: /checkpoints must be integers from 1 to steps = 6/ });
  t.is(tf.memory().numTensors, before);
});

test.serial('tuneMixtureFit reads validation only, tries every (lr, steps, form) and keeps the best; nothing leaks', async (t) => {
  const b = await cachedBank(tf, bankDir);
  const data = loadTransferData('rotate45', { trainSamples: 200, validation: 100, testSamples: 100, offset: 400 });
  const fit = { ...TRANSFER_DEFAULTS, headSteps: 10, batchSize: 8, statsSamples: 32, seed: 1 };
  const plan = { learningRates: [0.01, 0.3], checkpoints: [2, 4], cost: 0 };
  await t.throwsAsync(() => tuneMixtureFit(tf, b, data, plan, fit, b.domains[0]!.logits, 0.1), { message: /validation only/ });
  const before = tf.memory().numTensors;
  const r = await tuneMixtureFit(tf, b, { ...data, test: null }, plan, fit, b.domains[0]!.logits, 0.1);
  t.is(r.tried.length, 2 * 2 * 2);
  const top = Math.max(...r.tried.map((x) => x.validationAccuracy));
  t.is(r.validationAccuracy, top);
  const first = r.tried.find((x) => x.validationAccuracy === top)!;
  t.deepEqual([r.learningRate, r.steps, r.form], [first.learningRate, first.steps, first.form]);
  t.is(r.logits === null, r.form === 'argmax');
  r.logits?.dispose();
  t.is(tf.memory().numTensors, before);
});

test.serial('bestSourceOrdering scores every source ordering and keeps the best by validation', async (t) => {
  const b = await cachedBank(tf, bankDir);
  const seen: number[][] = [];
  const score = async (order: number[]): Promise<TransferResult> => {
    seen.push(order);
    return { validationAccuracy: seen.length === 2 ? 0.9 : 0.5, testAccuracy: NaN, validationLoss: 0, trainLoss: 0 };
  };
  const r = await bestSourceOrdering(b, score);
  t.is(r.tried, b.domains.length);
  t.deepEqual(seen, b.domains.map((d) => d.ordering));
  t.is(r.name, b.domains[1]!.name);
  t.is(r.validationAccuracy, 0.9);
});
