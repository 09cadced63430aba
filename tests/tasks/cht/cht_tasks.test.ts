import test from 'ava';
import { initBackend } from '../../../src/runtime/backend.js';
import { chtContinualTask, chtCandidateConfig } from '../../../tasks/cht/cht_tasks.js';
import { CONTINUAL_CLASS_SETS, continualSource, sequenceSampler } from '../../../tasks/cht/continual_data.js';
import { fakeOmniglot } from '../../helpers/fake_omniglot.js';
import { DEFAULT_FEW_SHOT_DATA } from '../../../src/data/few_shot_data.js';
import { TASKS } from '../../../tasks/index.js';
import type { TaskContext } from '../../../src/core/task.js';

test.before(async () => {
  await initBackend('wasm');
});

const ctx = (seed: number): TaskContext => ({ seed, wants: 'fitness', genomeKind: 'ht-hparams', genomeConfig: {} });
const base = { ways: 2, shots: 1, queries: 2, channels: 4, episodesPerStep: 1, transformerLayers: 1, embeddingDim: 8 };

test('cht-continual is registered; fitness is 1 − accuracy on all tasks seen, reproducible from the seed; the genome overrides the base', async (t) => {
  t.is(TASKS['cht-continual'], chtContinualTask);
  const c = chtChecked({ base, continual: { tasks: 2, embedding: 4 }, trainSteps: 2, evalSequences: 3, evalTasks: 3 });
  t.is(c.evalSource, 'validation');
  t.is(chtCandidateConfig({ channels: 6 }, c).channels, 6);
  t.is(chtCandidateConfig({}, c).channels, 4);
  const a = await chtContinualTask.evaluate({ localFeatures: 3 }, c, ctx(3));
  const b = await chtContinualTask.evaluate({ localFeatures: 3 }, c, ctx(3));
  t.is(a.fitness, b.fitness);
  t.true(Math.abs(a.fitness - (1 - a.metrics!['accuracy']!)) < 1e-12);
  for (const k of ['ci95', 'firstTaskAccuracy', 'backwardTransfer', 'trainLoss', 'trainSeconds']) t.true(Number.isFinite(a.metrics![k]!), k);
  const other = await chtContinualTask.evaluate({ localFeatures: 3 }, c, ctx(4));
  t.not(other.metrics!['trainLoss'], a.metrics!['trainLoss']);
});

function chtChecked(raw: Record<string, unknown>) {
  return chtContinualTask.resolveConfig(raw);
}

test('cht-continual: bad settings name the field and the fix; resolving twice changes nothing', (t) => {
  t.throws(() => chtChecked({ model: 'maml' }), { message: /'model' must be one of cht, ht, protonet/ });
  t.throws(() => chtChecked({ base: { channels: 0 } }), { message: /task config 'base': 'channels' must be an integer in \[1, 256\]/ });
  t.throws(() => chtChecked({ continual: { scenario: 'domain' } }), { message: /'scenario' must be one of task-incremental, class-incremental/ });
  t.throws(() => chtChecked({ continual: { unroll: 3 } }), { message: /unknown task config 'continual' config key unroll; valid keys: embedding, scenario, tasks/ });
  t.throws(() => chtChecked({ evalSource: 'train' }), { message: /'evalSource' must be validation or test/ });
  t.throws(() => chtChecked({ dataset: 'omniglot' }), { message: /'omniglotRoot' must name the Omniglot folder/ });
  t.throws(() => chtChecked({ steps: 3 }), { message: /unknown task config key steps/ });
  const c = chtChecked({ base: { channels: 4 }, continual: { tasks: 3 }, trainSteps: 7, evalSource: 'test' });
  t.deepEqual(chtChecked(JSON.parse(JSON.stringify(c))), c);
});

test('task sequences: disjoint class sets; fresh classes first, then repeats; same seed, same sequence; prefixes agree', (t) => {
  const sets = CONTINUAL_CLASS_SETS;
  const all = [...sets.train, ...sets.validation, ...sets.test];
  t.is(new Set(all).size, all.length);
  const s = sequenceSampler(DEFAULT_FEW_SHOT_DATA, 'test', { ways: 2, shots: 1, queries: 2, imageSize: 28 });
  const seq = s.sequenceAt(0, 'eval-test', 5, 5);
  t.is(seq.length, 5);
  const firstThree = seq.slice(0, 3).flatMap((task) => task.classes);
  t.deepEqual([...firstThree].sort((a, b) => a - b), [...sets.test].sort((a, b) => a - b)); // 6 test classes, 2 per task: all fresh
  for (const task of seq) {
    t.true(task.classes.every((c) => sets.test.includes(c)));
    t.deepEqual(Array.from(task.support.labels), [0, 1]);
    t.is(task.query.x.length, 4 * 28 * 28);
  }
  const again = s.sequenceAt(0, 'eval-test', 5, 3);
  t.deepEqual(again.map((x) => x.classes), seq.slice(0, 3).map((x) => x.classes));
  t.deepEqual(Array.from(again[2]!.query.x.slice(0, 50)), Array.from(seq[2]!.query.x.slice(0, 50)));
  t.notDeepEqual(s.sequenceAt(0, 'eval-test', 6, 3).map((x) => x.classes), again.map((x) => x.classes));
});

test('Omniglot: the last tenth of the background characters is meta-validation, the evaluation alphabets the test', (t) => {
  const data = { dataset: 'omniglot' as const, omniglotRoot: fakeOmniglot(), split: DEFAULT_FEW_SHOT_DATA.split };
  const train = continualSource(data, 'train', 28).classes;
  const validation = continualSource(data, 'validation', 28).classes;
  const testClasses = continualSource(data, 'test', 28).classes;
  t.deepEqual([train.length, validation.length, testClasses.length], [3, 1, 3]);
  t.is(new Set([...train, ...validation, ...testClasses]).size, 7);
  t.throws(() => sequenceSampler(data, 'validation', { ways: 2, shots: 1, queries: 1, imageSize: 28 }), { message: /ways = 2 but the class set has only 1 classes; lower ways/ });
  const seq = sequenceSampler(data, 'test', { ways: 2, shots: 1, queries: 1, imageSize: 28 }).sequenceAt(0, 'eval-test', 0, 2);
  t.true(seq.every((task) => task.classes.every((c) => testClasses.includes(c))));
});
