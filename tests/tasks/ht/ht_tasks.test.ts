import test from 'ava';
import { initBackend } from '../../../src/runtime/backend.js';
import { htFewShotTask, candidateConfig } from '../../../tasks/ht/ht_tasks.js';
import type { TaskContext } from '../../../src/core/task.js';

test.before(async () => {
  await initBackend('wasm');
});

const ctx = (seed: number): TaskContext => ({ seed, wants: 'fitness', genomeKind: 'ht-hparams', genomeConfig: {} });

test('ht-fewshot: fitness is 1 − held-out accuracy, reproducible from the seed; the genome overrides the base', async (t) => {
  const c = htFewShotTask.resolveConfig({ base: { ways: 2, channels: 4, episodesPerStep: 1 }, trainSteps: 3, evalEpisodes: 8 });
  t.is(c.evalSource, 'validation');
  t.is(candidateConfig({ channels: 6 }, c).channels, 6);
  t.is(candidateConfig({}, c).channels, 4);
  const a = await htFewShotTask.evaluate({ transformerLayers: 1, embeddingDim: 8 }, c, ctx(3));
  const b = await htFewShotTask.evaluate({ transformerLayers: 1, embeddingDim: 8 }, c, ctx(3));
  t.is(a.fitness, b.fitness);
  t.true(Math.abs(a.fitness - (1 - a.metrics!['accuracy']!)) < 1e-12);
  t.true(a.metrics!['accuracy']! >= 0 && a.metrics!['accuracy']! <= 1);
  for (const k of ['ci95', 'heldOutLoss', 'trainLoss', 'trainSeconds']) t.true(Number.isFinite(a.metrics![k]!), k);
  // trainRepeats 2: the first training is the single one, so the mean of two recovers a second, different training.
  const c2 = htFewShotTask.resolveConfig({ base: { ways: 2, channels: 4, episodesPerStep: 1 }, trainSteps: 3, evalEpisodes: 8, trainRepeats: 2 });
  const two = await htFewShotTask.evaluate({ transformerLayers: 1, embeddingDim: 8 }, c2, ctx(3));
  const second = 2 * two.metrics!['accuracy']! - a.metrics!['accuracy']!;
  t.true(second >= -1e-9 && second <= 1 + 1e-9, `second training's accuracy ${second}`);
  t.not(two.metrics!['trainLoss'], a.metrics!['trainLoss']);
});

test('ht-fewshot: bad settings name the field and the fix', (t) => {
  t.throws(() => htFewShotTask.resolveConfig({ model: 'maml' }), { message: /'model' must be one of hypertransformer, protonet/ });
  t.throws(() => htFewShotTask.resolveConfig({ base: { channels: 0 } }), { message: /task config 'base': 'channels' must be an integer in \[1, 256\]/ });
  t.throws(() => htFewShotTask.resolveConfig({ evalSource: 'train' }), { message: /'evalSource' must be validation or test/ });
  t.throws(() => htFewShotTask.resolveConfig({ dataset: 'omniglot' }), { message: /'omniglotRoot' must name the Omniglot folder/ });
  t.throws(() => htFewShotTask.resolveConfig({ split: { train: [0, 1], test: [1, 2] } }), { message: /split/ });
  t.throws(() => htFewShotTask.resolveConfig({ steps: 3 }), { message: /unknown task config key steps/ });
  const c = htFewShotTask.resolveConfig({});
  t.throws(() => candidateConfig({ heads: 0 }, c), { message: /'heads' must be an integer/ });
});

test('ht-fewshot: resolving a resolved config changes nothing (workers resolve it again)', (t) => {
  const c = htFewShotTask.resolveConfig({ base: { channels: 4 }, trainSteps: 7, evalSource: 'test' });
  t.deepEqual(htFewShotTask.resolveConfig(JSON.parse(JSON.stringify(c))), c);
});
