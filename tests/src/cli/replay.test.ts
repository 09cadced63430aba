import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tempDir } from '../../helpers/run_files.js';
import { defaultEvalAt } from '../../../src/workflows/replay/replay_blur.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('defaultEvalAt is a 1-2-5 ladder ending at the step count', (t) => {
  t.deepEqual(defaultEvalAt(1000), [0, 10, 20, 50, 100, 200, 500, 1000]);
  t.deepEqual(defaultEvalAt(300), [0, 10, 20, 50, 100, 200, 300]);
});

test('replay --json trains the rule and the baselines, writes replay.json/svg and exports a LayersModel', (t) => {
  const dir = tempDir();
  const r = cli(['replay', 'genomes/backprop.blur.json', '--task', 'or', '--steps', '60', '--seeds', '2', '--compare', 'sgd', '--hidden', '8',
    '--train-samples', '500', '--validation', '200', '--test-samples', '300', '--backend', 'cpu', '--out', join(dir, 'r'), '--export', join(dir, 'm'), '--json']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout.trim());
  t.deepEqual(s.sizes, [2, 8, 2]);
  t.deepEqual(s.evalAt, [0, 10, 20, 50, 60]);
  t.deepEqual(Object.keys(s.methods), ['blur', 'sgd']);
  t.is(s.methods.blur.mean.length, 5);
  // Both learn 'or' (75% of points are positive) from chance level within 60 steps.
  t.true(s.methods.blur.mean.at(-1) > 0.75 && s.methods.blur.mean.at(-1) > s.methods.blur.mean[0] + 0.15, `rule ${s.methods.blur.mean}`);
  t.true(s.methods.sgd.mean.at(-1) > 0.85, `sgd ${s.methods.sgd.mean}`);
  t.true([0.01, 0.03, 0.1, 0.3, 1].includes(s.methods.sgd.learningRate));
  const saved = JSON.parse(readFileSync(join(dir, 'r', 'replay.json'), 'utf8'));
  t.is(saved.methods[0].accuracy.length, 2);
  t.true(readFileSync(join(dir, 'r', 'replay.svg'), 'utf8').includes('learned rule'));
  t.true(existsSync(join(dir, 'm', 'model.json')) && existsSync(join(dir, 'm', 'weights.bin')));
});

test('replay: bad input names the option', (t) => {
  const a = cli(['replay', 'genomes/backprop.blur.json', '--task', 'cifar']);
  t.is(a.code, 2);
  t.regex(a.stderr, /--task must be one of mnist, fashion-mnist, xor/);
  const b = cli(['replay', 'genomes/backprop.blur.json', '--compare', 'rmsprop']);
  t.is(b.code, 2);
  t.regex(b.stderr, /--compare takes sgd, adam or none/);
  const c = cli(['replay', 'nope.json']);
  t.is(c.code, 2);
  t.regex(c.stderr, /not found: nope.json; replay takes a genome file/);
});

test("replay RUN_DIR: a blur search's folder replays its final point; other folders are refused by name", (t) => {
  const root = tempDir();
  const run = join(root, 'run');
  const s = cli(['search', '--genome', 'blur', '--task', 'blur-boolean', '--init', 'random', '--sigma0', '0.3', '--max-generations', '2', '--seed', '2', '--workers', '0',
    '--task-config', '{"hidden":[4],"batchSize":16,"queryBatchSize":16,"unrollSteps":2,"heldOut":[]}', '--out', run, '--json']);
  t.is(s.code, 0, s.stderr);
  const args = ['--task', 'xor', '--steps', '3', '--seeds', '1', '--compare', 'none', '--hidden', '4', '--train-samples', '200', '--validation', '50', '--test-samples', '100', '--backend', 'cpu', '--json'];
  const fromDir = cli(['replay', run, ...args, '--out', join(root, 'a')]);
  t.is(fromDir.code, 0, fromDir.stderr);
  // the same as replaying the exported final point (the search wrote final.json when it ended)
  const fromFile = cli(['replay', join(run, 'final.json'), ...args, '--out', join(root, 'b')]);
  t.is(fromFile.code, 0, fromFile.stderr);
  t.deepEqual(JSON.parse(fromDir.stdout).methods, JSON.parse(fromFile.stdout).methods);
  const vec = join(root, 'vec');
  t.is(cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '1', '--workers', '0', '--out', vec, '--json']).code, 0);
  const v = cli(['replay', vec]);
  t.is(v.code, 2);
  t.regex(v.stderr, /is a run of genome kind 'vector'; a run folder replays only blur searches/);
  const d = cli(['replay', root]);
  t.is(d.code, 2);
  t.regex(d.stderr, /is a folder but not a run folder \(no manifest\.json\)/);
});
