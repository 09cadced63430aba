import test from 'ava';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, tempDir } from '../../helpers/run_files.js';
import { cli, oneJsonDocument, oneLineFailure } from './cli_run.js';

const tiny = [
  '--config', '{"ways":2,"shots":1,"queries":2,"channels":4,"transformerLayers":1,"embeddingDim":8,"episodesPerStep":1}',
  '--tasks', '2', '--embedding', '4', '--steps', '3', '--validate-every', '2', '--validation-sequences', '2',
  '--eval-sequences', '3', '--eval-tasks', '3', '--backend', 'wasm', '--no-progress',
];

test('train-cht saves a continual model chosen on meta-validation; replay DIR scores it exactly as training recorded', (t) => {
  const out = join(tempDir(), 'cht');
  const trained = oneJsonDocument(t, cli(['train-cht', ...tiny, '--out', out, '--json']));
  t.is(trained.model, 'cht');
  t.deepEqual(trained.validation.map((v: { step: number }) => v.step), [2, 3]);
  t.true([2, 3].includes(trained.chosenStep));
  t.is(trained.test.tasks, 3);
  for (const s of ['task-incremental', 'class-incremental']) t.is(trained.test.scenarios[s].seenSoFar.length, 3);
  // One task: both scenarios have the same candidates.
  t.is(trained.test.scenarios['task-incremental'].seenSoFar[0], trained.test.scenarios['class-incremental'].seenSoFar[0]);
  for (const f of ['model.json', 'weights.bin', 'history.json']) t.true(existsSync(join(out, f)), f);
  t.is(readJson(join(out, 'model.json')).format, 'evometa-continual-model');
  t.is(readJson(join(out, 'history.json')).length, 3);
  const rep = oneJsonDocument(t, cli(['replay', out, '--json', '--backend', 'wasm', '--no-progress']));
  t.is(rep.kind, 'cht');
  t.deepEqual(rep.replay, trained.test);
  const text = cli(['replay', out, '--sequences', '2', '--tasks', '2', '--backend', 'wasm', '--no-progress']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /class-incremental: T=1 \d+\.\d · T=2 \d+\.\d %; backward transfer/);
  // Refuses to overwrite; bad settings name the flag; flags of another replay are refused with what this one takes.
  const mtime = statSync(join(out, 'weights.bin')).mtimeMs;
  oneLineFailure(t, cli(['train-cht', ...tiny, '--out', out]), 2, /already holds a model; choose a new --out folder \(nothing was overwritten\)/);
  t.is(statSync(join(out, 'weights.bin')).mtimeMs, mtime);
  oneLineFailure(t, cli(['train-cht', '--scenario', 'domain', '--out', join(tempDir(), 'b')]), 2, /--scenario/);
  oneLineFailure(t, cli(['train-cht', '--config', '{"channels":0}', '--out', join(tempDir(), 'c')]), 2, /'channels' must be an integer in \[1, 256\] \(got 0\)/);
  oneLineFailure(t, cli(['replay', out, '--episodes', '5']), 2, /is a continual model folder; --episodes is for replaying a HyperTransformer \(replaying a continual learner takes --sequences, --tasks, --eval-seed/);
  oneLineFailure(t, cli(['train-cht', ...tiny]), 2, /train-cht needs --out DIR/);
});

test('a cht-continual search over ht-hparams runs through the engine and records the continual metrics', (t) => {
  const run = join(tempDir(), 'run');
  const r = cli([
    'search', '--genome', 'ht-hparams', '--task', 'cht-continual', '--strategy', 'cmaes', '--init', 'default', '--sigma0', '1',
    '--popsize', '2', '--max-generations', '1', '--seed', '4', '--workers', '0', '--backend', 'wasm', '--out', run, '--json', '--no-progress',
    '--task-config', '{"base":{"ways":2,"shots":1,"queries":2,"channels":4,"episodesPerStep":1},"continual":{"tasks":2,"embedding":4},"trainSteps":2,"evalSequences":2,"evalTasks":2}',
    '--genome-config', '{"fields":["transformerLayers","embeddingDim","learningRate"]}',
  ]);
  t.is(r.code, 0, r.stderr);
  const best = readJson(join(run, 'best.json'));
  t.true(best.fitness >= 0 && best.fitness <= 1);
  t.deepEqual(Object.keys(best.genome).sort(), ['embeddingDim', 'learningRate', 'transformerLayers']);
});
