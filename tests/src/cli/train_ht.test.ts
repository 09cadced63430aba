import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, readJson, tempDir } from '../../helpers/run_files.js';
import { oneJsonDocument } from './cli_run.js';
import { fakeOmniglot } from '../../helpers/fake_omniglot.js';
import { resolveHtHparamsConfig, saveHtGenome } from '../../../genomes/ht_hparams_genome.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tiny = ['--config', '{"ways":2,"channels":4,"episodesPerStep":1,"transformerLayers":1}', '--steps', '3', '--eval-episodes', '12', '--backend', 'wasm'];

test('train-ht saves a tfjs artifact; replay HT_RUN --episodes N --json scores it like training did', (t) => {
  const out = join(tempDir(), 'ht');
  const r = cli(['train-ht', ...tiny, '--out', out, '--json']);
  const trained = oneJsonDocument(t, r);
  t.is(trained.steps, 3);
  for (const f of ['model.json', 'weights.bin', 'history.json']) t.true(existsSync(join(out, f)), f);
  const model = readJson(join(out, 'model.json'));
  t.is(model.format, 'evometa-few-shot-model');
  t.true(model.weightsManifest[0].weights.length > 10);
  t.is(readJson(join(out, 'history.json')).length, 3);
  const rep = cli(['replay', out, '--episodes', '12', '--json', '--backend', 'wasm']);
  const s = oneJsonDocument(t, rep);
  t.is(s.model, 'hypertransformer');
  t.is(s.episodes, 12);
  t.is(s.accuracy, trained.heldOut.accuracy); // same model, same held-out episodes
  // Refuses to overwrite a model; bad settings name the field; exit code 2 and nothing changed.
  const mtime = statSync(join(out, 'weights.bin')).mtimeMs;
  const again = cli(['train-ht', ...tiny, '--out', out]);
  t.is(again.code, 2);
  t.regex(again.stderr, /already holds a model/);
  t.is(statSync(join(out, 'weights.bin')).mtimeMs, mtime);
  const bad = cli(['train-ht', '--config', '{"generatedConvLayers":7}', '--out', join(tempDir(), 'b')]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /'generatedConvLayers' must be an integer in \[0, 4\] \(got 7\)/);
  const badFlag = cli(['replay', out, '--episode', '5']);
  t.is(badFlag.code, 2);
  t.is(badFlag.stderr, 'evometa: error: unknown option --episode for replay; did you mean --episodes?\n');
  const missing = cli(['replay', join(out, 'nope'), '--episodes', '5']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /not found: .*nope; replay takes a genome file/);
});

test('an ht-hparams search runs through the engine; replay of the run trains its best genome once and scores it', (t) => {
  const dir = tempDir();
  const run = join(dir, 'run');
  const r = cli([
    'search', '--genome', 'ht-hparams', '--task', 'ht-fewshot', '--strategy', 'cmaes', '--init', 'default', '--sigma0', '1',
    '--popsize', '3', '--max-generations', '2', '--seed', '4', '--workers', '0', '--backend', 'wasm', '--out', run, '--json', '--no-progress',
    '--task-config', '{"base":{"ways":2,"channels":4,"episodesPerStep":1},"trainSteps":2,"evalEpisodes":4}',
    '--genome-config', '{"fields":["transformerLayers","embeddingDim","heads","learningRate"]}',
  ]);
  t.is(r.code, 0, r.stderr);
  const best = readJson(join(run, 'best.json'));
  const g = best.genome;
  t.deepEqual(Object.keys(g).sort(), ['embeddingDim', 'heads', 'learningRate', 'transformerLayers']);
  t.true(Number.isInteger(g.transformerLayers) && Number.isInteger(g.embeddingDim) && [1, 2, 4].includes(g.heads));
  const rep = cli(['replay', run, '--episodes', '6', '--json', '--backend', 'wasm']);
  const s = oneJsonDocument(t, rep);
  t.is(s.dir, join(run, 'best-model'));
  t.is(s.config.embeddingDim, g.embeddingDim);
  t.true(existsSync(join(run, 'best-model', 'model.json')));
  t.true(readFileSync(join(run, 'generations.jsonl'), 'utf8').trim().split('\n').length === 2);
  writeFileSync(join(dir, 'note'), 'ok');
});

test("--init default: a kind without a default genome says so and what to use", (t) => {
  const r = cli(['search', '--genome', 'vector', '--dim', '2', '--task', 'sphere', '--init', 'default', '--workers', '0', '--out', join(tempDir(), 'r')]);
  t.is(r.code, 2);
  t.regex(r.stderr, /genome 'vector' has no default genome; use --init random or --init FILE/);
});

test('train-ht and replay on an Omniglot folder (generated PNGs); Omniglot has no validation classes', (t) => {
  const root = fakeOmniglot();
  const out = join(tempDir(), 'omni');
  const flags = ['--config', '{"ways":2,"shots":1,"queries":2,"channels":4,"episodesPerStep":1,"transformerLayers":1}', '--dataset', 'omniglot', '--omniglot-root', root, '--backend', 'wasm'];
  const r = cli(['train-ht', ...flags, '--steps', '2', '--eval-episodes', '4', '--out', out, '--json']);
  const s = oneJsonDocument(t, r);
  t.is(s.data.dataset, 'omniglot');
  t.true(s.heldOut.accuracy >= 0 && s.heldOut.accuracy <= 1);
  const rep = cli(['replay', out, '--episodes', '4', '--json', '--backend', 'wasm']);
  t.is(oneJsonDocument(t, rep).accuracy, s.heldOut.accuracy); // the saved model remembers its dataset
  const val = cli(['replay', out, '--episodes', '4', '--source', 'validation', '--backend', 'wasm']);
  t.is(val.code, 2);
  t.regex(val.stderr, /Omniglot has no validation classes/);
  const missing = cli(['train-ht', '--dataset', 'omniglot', '--out', join(tempDir(), 'm')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /'omniglotRoot' must name the Omniglot folder/);
});

test('replay HT.json: an ht-hparams genome file is trained once under the ht-fewshot settings of its meta, then scored', (t) => {
  const dir = tempDir();
  const file = join(dir, 'h.json');
  const config = resolveHtHparamsConfig({ fields: ['transformerLayers', 'embeddingDim', 'heads', 'learningRate'] });
  saveHtGenome(file, { transformerLayers: 1, embeddingDim: 8, heads: 1, learningRate: 0.001 }, config, {
    task: 'ht-fewshot', taskConfig: { base: { ways: 2, channels: 4, episodesPerStep: 1 }, trainSteps: 2, evalEpisodes: 4 }, seed: 3,
  });
  const r = cli(['replay', file, '--episodes', '4', '--json', '--backend', 'wasm']);
  const s = oneJsonDocument(t, r);
  t.is(s.dir, join(dir, 'h-model'));
  t.like(s.config, { ways: 2, channels: 4, embeddingDim: 8, transformerLayers: 1, heads: 1, learningRate: 0.001 });
  t.is(s.episodes, 4);
  t.is(readJson(join(dir, 'h-model', 'model.json')).format, 'evometa-few-shot-model');
});
