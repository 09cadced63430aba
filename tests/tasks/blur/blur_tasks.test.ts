import test from 'ava';
import { initBackend } from '../../../src/runtime/backend.js';
import { Rng } from '../../../src/core/rng.js';
import { blurBooleanTask, blurMnistTask } from '../../../tasks/blur/blur_tasks.js';
import { BACKPROP_NETWORK_OPTIONS, backpropGenome, blurGenome, randomBlurGenome } from '../../../genomes/blur_genome.js';
import type { TaskContext } from '../../../src/core/task.js';

test.before(async () => {
  await initBackend('cpu');
});

const genomeConfig = blurGenome.resolveConfig({});
const ctx = (seed: number, wants: TaskContext['wants'] = 'fitness'): TaskContext => ({ seed, wants, genomeKind: 'blur', genomeConfig });

test('blur-boolean: defaults are the notebook setting; a batch equals one evaluation per genome', async (t) => {
  const c = blurBooleanTask.resolveConfig({ batchSize: 64, queryBatchSize: 64 });
  t.deepEqual([c.hidden, c.unrollSteps, c.train, c.heldOut], [[20], 5, ['xor', 'or'], ['and', 'nxor']]);
  t.is(blurBooleanTask.resolveConfig({}).batchSize, 512);
  const genomes = [randomBlurGenome(2, new Rng(1)), randomBlurGenome(2, new Rng(2)), randomBlurGenome(2, new Rng(3))];
  const batch = await blurBooleanTask.evaluateBatch!(genomes, c, ctx(5));
  for (let i = 0; i < genomes.length; i++) {
    const one = await blurBooleanTask.evaluate(genomes[i]!, c, ctx(5));
    t.true(Math.abs(one.fitness - batch[i]!.fitness) < 1e-5, `${one.fitness} vs ${batch[i]!.fitness}`);
    for (const k of ['accuracy', 'heldOutAccuracy', 'accuracy_xor', 'accuracy_or', 'accuracy_and', 'accuracy_nxor']) t.true(batch[i]!.metrics![k]! >= 0 && batch[i]!.metrics![k]! <= 1, k);
  }
  // Genomes with different network options cannot share one population.
  await t.throwsAsync(blurBooleanTask.evaluateBatch!([genomes[0]!, backpropGenome(2)], c, ctx(5)), { message: /network options differ/ });
  // Another seed: other data and synapse initialisations.
  t.not((await blurBooleanTask.evaluate(genomes[0]!, c, ctx(6))).fitness, batch[0]!.fitness);
});

test('blur-boolean: fitness+grad gives the gradient in search-vector order, consistent with the loss', async (t) => {
  const c = blurBooleanTask.resolveConfig({ batchSize: 32, queryBatchSize: 32, train: ['or'] });
  const g = randomBlurGenome(2, new Rng(3));
  const r = await blurBooleanTask.evaluate(g, c, ctx(1, 'fitness+grad'));
  t.is(r.grad!.length, 20);
  const plain = await blurBooleanTask.evaluate(g, c, ctx(1));
  t.true(Math.abs(r.fitness - plain.fitness) < 1e-5);
  // A small step against the gradient lowers the loss (same seed, so same data and initialisation).
  const x = blurGenome.encode(g, genomeConfig);
  const norm = Math.sqrt(r.grad!.reduce((a, v) => a + v * v, 0));
  const stepped = blurGenome.decode(x.map((v, i) => v - (1e-3 * r.grad![i]!) / norm), genomeConfig);
  t.true((await blurBooleanTask.evaluate(stepped, c, ctx(1))).fitness < plain.fitness);
});

test('blur-boolean: episodes > 1 averages independent episodes; the first is the single-episode one', async (t) => {
  const one = blurBooleanTask.resolveConfig({ batchSize: 32, queryBatchSize: 32, train: ['xor'], heldOut: ['and'] });
  const two = blurBooleanTask.resolveConfig({ batchSize: 32, queryBatchSize: 32, train: ['xor'], heldOut: ['and'], episodes: 2 });
  const g = randomBlurGenome(2, new Rng(4));
  const [a] = await blurBooleanTask.evaluateBatch!([g], one, ctx(9));
  const [b] = await blurBooleanTask.evaluateBatch!([g], two, ctx(9));
  t.not(a!.fitness, b!.fitness);
  // Mean of two episodes: recover the second episode's loss and check it is a plausible, different loss.
  const second = 2 * b!.fitness - a!.fitness;
  t.true(second > 0 && Math.abs(second - a!.fitness) < 0.5 * a!.fitness, `${a!.fitness} → ${second}`);
  t.true(Math.abs(b!.metrics!['accuracy']! - b!.metrics!['accuracy_xor']!) < 1e-9);
  t.throws(() => blurBooleanTask.resolveConfig({ episodes: 0 }), { message: /episodes/ });
});

test('blur-boolean: objective "error" scores 1 − accuracy, keeps the MSE in the metrics, and refuses gradients', async (t) => {
  const base = { batchSize: 32, queryBatchSize: 32, train: ['xor', 'or'], heldOut: [] };
  const mse = blurBooleanTask.resolveConfig(base);
  const err = blurBooleanTask.resolveConfig({ ...base, objective: 'error' });
  t.is(mse.objective, 'mse');
  const genomes = [randomBlurGenome(2, new Rng(5)), randomBlurGenome(2, new Rng(6))];
  const a = await blurBooleanTask.evaluateBatch!(genomes, mse, ctx(3));
  const b = await blurBooleanTask.evaluateBatch!(genomes, err, ctx(3));
  for (let i = 0; i < genomes.length; i++) {
    t.is(b[i]!.fitness, 1 - b[i]!.metrics!['accuracy']!);
    t.is(b[i]!.metrics!['accuracy'], a[i]!.metrics!['accuracy']);
    t.is(b[i]!.metrics!['mse'], a[i]!.fitness);
    t.false('mse' in a[i]!.metrics!);
    // xor and or equally weighted: the error is the mean of the two functions' errors
    t.true(Math.abs(b[i]!.fitness - (1 - (b[i]!.metrics!['accuracy_xor']! + b[i]!.metrics!['accuracy_or']!) / 2)) < 1e-9);
  }
  await t.throwsAsync(async () => blurBooleanTask.evaluate(genomes[0]!, err, ctx(3, 'fitness+grad')), { message: /objective' "error" has no gradient; use "mse"/ });
  t.throws(() => blurBooleanTask.resolveConfig({ objective: 'accuracy' }), { message: /task config 'objective' must be one of mse, error, cross-entropy \(got "accuracy"\)/ });
  const m = blurMnistTask.resolveConfig({ objective: 'error' });
  t.is(m.objective, 'error');
});

test('objective "cross-entropy": the fitness is the query cross-entropy, batch and single evaluation agree, and metagrad gets its gradient', async (t) => {
  // the whole network in the task config: a gradient evaluation sees a flat vector, which carries no network options
  const base = { batchSize: 32, queryBatchSize: 32, train: ['xor', 'or'], heldOut: [], network: { ...BACKPROP_NETWORK_OPTIONS, outputActivation: 'identity', feedback: 'softmax-error' } };
  const ce = blurBooleanTask.resolveConfig({ ...base, objective: 'cross-entropy' });
  const mse = blurBooleanTask.resolveConfig(base);
  const genomes = [backpropGenome(2, 0.01), randomBlurGenome(2, new Rng(8))];
  const batch = await blurBooleanTask.evaluateBatch!(genomes, ce, ctx(4));
  const plain = await blurBooleanTask.evaluateBatch!(genomes, mse, ctx(4));
  for (let i = 0; i < genomes.length; i++) {
    const one = await blurBooleanTask.evaluate(genomes[i]!, ce, ctx(4));
    t.true(Math.abs(one.fitness - batch[i]!.fitness) < 1e-5, `${one.fitness} vs ${batch[i]!.fitness}`);
    // same run, same accuracy; another loss
    t.is(batch[i]!.metrics!['accuracy'], plain[i]!.metrics!['accuracy']);
    t.not(batch[i]!.fitness, plain[i]!.fitness);
  }
  // a logistic loss of a trained network lies below log 2, chance's
  t.true(batch[0]!.fitness > 0 && batch[0]!.fitness < Math.log(2), `${batch[0]!.fitness}`);
  const withGrad = await blurBooleanTask.evaluate(genomes[0]!, ce, ctx(4, 'fitness+grad'));
  t.true(Math.abs(withGrad.fitness - batch[0]!.fitness) < 1e-5);
  t.is(withGrad.grad!.length, 20);
  t.true(withGrad.grad!.some((g) => g !== 0));
  t.is(blurMnistTask.resolveConfig({ objective: 'cross-entropy' }).objective, 'cross-entropy');
  t.throws(() => blurMnistTask.resolveConfig({ network: { feedback: 'softmax' } }), {
    message: "task config 'network'.feedback must be one of target, error, softmax-error (got \"softmax\")",
  });
});

test('blur tasks: bad settings name the field', (t) => {
  t.throws(() => blurBooleanTask.resolveConfig({ train: ['xor', 'nand'] }), { message: /unknown .*'nand'/ });
  t.throws(() => blurBooleanTask.resolveConfig({ hidden: [0] }), { message: /task config 'hidden' must be a non-empty list of layer sizes >= 1/ });
  t.throws(() => blurBooleanTask.resolveConfig({ network: { backwardUpdate: 'sideways' } }), { message: /task config 'network'.backwardUpdate must be one of additive/ });
  t.throws(() => blurMnistTask.resolveConfig({ ways: 4, classes: [1, 2, 3] }), { message: /'ways' \(4\) exceeds the 3 classes/ });
  t.throws(() => blurMnistTask.resolveConfig({ unroll: 3 }), { message: /unknown task config key unroll/ });
});

test('blur-mnist: episodes of relabelled classes, scored on validation data', async (t) => {
  const c = blurMnistTask.resolveConfig({ ways: 3, hidden: [16], unrollSteps: 4, batchSize: 16, queryBatchSize: 64, trainSamples: 600, validation: 200 });
  const r = await blurMnistTask.evaluateBatch!([randomBlurGenome(2, new Rng(4)), randomBlurGenome(2, new Rng(5))], c, ctx(9));
  t.is(r.length, 2);
  for (const e of r) {
    t.true(Number.isFinite(e.fitness) && e.fitness > 0);
    t.true(e.metrics!['accuracy']! >= 0 && e.metrics!['accuracy']! <= 1);
  }
});

test("blur-mnist: domains draw each episode's input transform from its own seed; one domain is the plain task", async (t) => {
  const small = { ways: 3, hidden: [8], unrollSteps: 3, batchSize: 8, queryBatchSize: 16, trainSamples: 500, validation: 100, episodes: 6 };
  t.deepEqual(blurMnistTask.resolveConfig({}).domains, ['plain']);
  t.deepEqual(blurMnistTask.resolveConfig({ domains: ['noise-inverted', 'rotate90'] }).domains, ['inverted-noise', 'rotate90']);
  const g = randomBlurGenome(2, new Rng(8));
  const score = async (domains: string[]) => (await blurMnistTask.evaluateBatch!([g], blurMnistTask.resolveConfig({ ...small, domains }), ctx(4)))[0]!.fitness;
  const plain = await score(['plain']);
  t.is(await score(['plain', 'plain']), plain); // the domain draw does not move the classes or data
  const inverted = await score(['inverted']);
  t.not(inverted, plain);
  const mixed = await score(['plain', 'inverted']);
  t.true(mixed !== plain && mixed !== inverted, `${mixed}`);
  t.is(await score(['plain', 'inverted']), mixed); // seeded
  t.throws(() => blurMnistTask.resolveConfig({ domains: ['fashion-mnist'] }), { message: /'fashion-mnist' is a dataset: choose it with the task \(blur-fashion-mnist\)/ });
  t.throws(() => blurMnistTask.resolveConfig({ domains: ['sheared'] }), { message: /task config 'domains': unknown domain part 'sheared'/ });
  t.throws(() => blurMnistTask.resolveConfig({ domains: [] }), { message: /task config 'domains' must be a non-empty list/ });
});
