import test from 'ava';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkTrainedOn, describeReplaySetting, findTrainedOn, resolveReplaySetting, type BlurTrainedOn, type ReplaySetting,
} from '../../../../src/workflows/replay/replay_setting.js';
import { replayClasses } from '../../../../src/workflows/replay/replay_data.js';
import { blurBooleanTask, blurMnistTask } from '../../../../tasks/blur/blur_tasks.js';
import { readJson, tempDir } from '../../../helpers/run_files.js';
import { BACKPROP_REPLAY_SETTING } from '../../../../genomes/write_blur_references.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
const DEFAULTS: ReplaySetting = { task: 'fashion-mnist', hidden: [64], outputs: 'one-hot', steps: 1000, batchSize: 32, downsample: 2 };
const classes = (task: string) => replayClasses(task, null);

function booleanTrainedOn(raw: Record<string, unknown> = {}): BlurTrainedOn {
  const taskConfig = blurBooleanTask.resolveConfig(raw);
  return checkTrainedOn({ task: 'blur-boolean', taskConfig, ...blurBooleanTask.trainingSetting!(taskConfig) }, 'test');
}

test("the Boolean task's training setting is the notebook network: 2-H-1, one signed output, U − 1 learning steps, the first held-out function", (t) => {
  t.like(booleanTrainedOn(), { layers: [2, 20, 1], outputs: 'signed', steps: 4, unrollSteps: 5, batchSize: 512, replayTask: 'and' });
  t.like(booleanTrainedOn({ hidden: [8, 6], unrollSteps: 3, batchSize: 64, heldOut: [] }), { layers: [2, 8, 6, 1], steps: 2, batchSize: 64, replayTask: 'and' });
  t.is(booleanTrainedOn({ train: ['and', 'or'], heldOut: [] }).replayTask, 'xor');
  const c = blurMnistTask.resolveConfig({ ways: 3, downsample: 4 });
  t.like(blurMnistTask.trainingSetting!(c), { layers: [49, 64, 3], outputs: 'one-hot', steps: 19, batchSize: 32, replayTask: 'fashion-mnist', downsample: 4 });
});

test('each value comes from its flag, else the training setting, else the replay default, and says which', (t) => {
  const found = { trainedOn: booleanTrainedOn(), from: 'g.json meta.trainedOn' };
  const s = resolveReplaySetting(DEFAULTS, found, { steps: 10 }, classes);
  t.like(s, { task: 'and', hidden: [20], outputs: 'signed', steps: 10, batchSize: 512, downsample: 2 });
  t.deepEqual(s.origin, { task: 'trainedOn', hidden: 'trainedOn', outputs: 'trainedOn', steps: 'flag', batchSize: 'trainedOn', downsample: 'default' });
  t.is(
    describeReplaySetting(s, [2, 20, 1]),
    'replay setting: and, sizes 2-20-1 (signed outputs), 10 steps, batch 512; from the meta-training setting of g.json meta.trainedOn (blur-boolean: 2-20-1, signed outputs, 4 steps, batch 512), overridden by --steps',
  );
  const none = resolveReplaySetting(DEFAULTS, null, { task: 'xor' }, classes);
  t.like(none, { task: 'xor', hidden: [64], outputs: 'one-hot', steps: 1000, batchSize: 32, trainedOn: null });
  t.regex(describeReplaySetting(none, [2, 64, 2]), /from the replay defaults \(the genome records no meta\.trainedOn\), overridden by --task$/);
});

test('a signed output from the training setting becomes one-hot on a task of more than two classes; a flag asking for it is kept', (t) => {
  const found = { trainedOn: booleanTrainedOn(), from: 'g.json meta.trainedOn' };
  const s = resolveReplaySetting(DEFAULTS, found, { task: 'mnist' }, classes);
  t.is(s.outputs, 'one-hot');
  t.regex(describeReplaySetting(s, [196, 20, 10]), /mnist has more than two classes, so one-hot outputs$/);
  t.is(resolveReplaySetting(DEFAULTS, found, { task: 'mnist', outputs: 'signed' }, classes).outputs, 'signed');
  t.is(resolveReplaySetting(DEFAULTS, found, { task: 'mnist' }, (task) => replayClasses(task, [3, 5])).outputs, 'signed');
});

test('a damaged trainedOn is refused with the field named', (t) => {
  const good = booleanTrainedOn();
  t.throws(() => checkTrainedOn({ ...good, layers: [2] }, 'g.json meta'), { message: 'g.json meta: trainedOn.layers must be the layer sizes [inputs, hidden…, outputs], positive integers (got [2])' });
  t.throws(() => checkTrainedOn({ ...good, outputs: 'softmax' }, 'g.json meta'), { message: 'g.json meta: trainedOn.outputs must be "signed" or "one-hot" (got "softmax")' });
  t.throws(() => checkTrainedOn({ ...good, steps: 0 }, 'g.json meta'), { message: /trainedOn\.steps must be a positive integer \(got 0\)/ });
  t.throws(() => checkTrainedOn('2-20-1', 'g.json meta'), { message: /trainedOn\. must be an object/ });
});

test("findTrainedOn: the file's meta, else the manifest of the run folder the file (best.json) is in, else none", async (t) => {
  const run = tempDir();
  const config = { genome: 'blur', task: 'blur-boolean', taskConfig: { hidden: [7], unrollSteps: 3 }, plugins: [] };
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ config }));
  writeFileSync(join(run, 'best.json'), '{}');
  const fromRun = await findTrainedOn(join(run, 'best.json'), { fitness: 1 });
  t.is(fromRun?.from, join(run, 'manifest.json'));
  t.like(fromRun?.trainedOn, { task: 'blur-boolean', layers: [2, 7, 1], steps: 2, batchSize: 512 });
  t.deepEqual(await findTrainedOn(run, null), fromRun);
  const own = booleanTrainedOn({ hidden: [3] });
  t.deepEqual(await findTrainedOn(join(run, 'final.json'), { trainedOn: own }), { trainedOn: own, from: `${join(run, 'final.json')} meta.trainedOn` });
  const alone = join(tempDir(), 'sub');
  mkdirSync(alone);
  copyFileSync(join(run, 'best.json'), join(alone, 'best.json'));
  t.is(await findTrainedOn(join(alone, 'best.json'), {}), null);
  // Another kind's run says nothing about a blur network.
  writeFileSync(join(alone, 'manifest.json'), JSON.stringify({ config: { ...config, genome: 'vector', task: 'sphere' } }));
  t.is(await findTrainedOn(join(alone, 'best.json'), {}), null);
});

test('the shipped learned rules record the setting bench/blur_boolean.ts meta-trained them in', (t) => {
  for (const name of ['boolean-cmaes', 'boolean-metagrad']) {
    const meta = readJson(join(repoRoot, 'genomes', `${name}.blur.json`)).meta;
    const trainedOn = checkTrainedOn(meta.trainedOn, name);
    t.like(trainedOn, { task: 'blur-boolean', layers: [2, 20, 1], outputs: 'signed', steps: 4, unrollSteps: 5, batchSize: 512, replayTask: 'and' });
    // The block is what the task itself derives from the recorded task settings.
    t.deepEqual(trainedOn, booleanTrainedOn(meta.taskConfig), name);
  }
  // The backprop genome was never meta-trained: its setting is the task's for 200 learning steps of batch 32.
  t.deepEqual(checkTrainedOn(BACKPROP_REPLAY_SETTING, 'backprop'), booleanTrainedOn({ unrollSteps: 201, batchSize: 32, queryBatchSize: 512 }));
  t.deepEqual(readJson(join(repoRoot, 'genomes', 'backprop.blur.json')).meta.trainedOn, BACKPROP_REPLAY_SETTING);
});
