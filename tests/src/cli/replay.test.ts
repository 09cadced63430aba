import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, tempDir } from '../../helpers/run_files.js';
import { defaultEvalAt } from '../../../src/workflows/replay/replay_blur.js';
import { checkReplayMemory, REPLAY_BY_KIND } from '../../../src/cli/replay.js';
import { writeGenomeFile } from '../../../src/core/genome_file.js';
import { GENOME_KINDS } from '../../../genomes/index.js';
import { makeOrderingGenome, saveOrderingGenome } from '../../../genomes/ordering_genome.js';
import { saveHtGenome } from '../../../genomes/ht_hparams_genome.js';
import { vectorGenome } from '../../../genomes/vector.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

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
  t.deepEqual(s.sizes, [2, 8, 1]); // --hidden 8; one signed output, as the genome's meta.trainedOn says
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
  // A network the machine cannot hold is refused up front, in one line, before any tensor exists.
  const d = cli(['replay', 'genomes/backprop.blur.json', '--hidden', '1000000000']);
  t.is(d.code, 2);
  t.regex(d.stderr, /^evometa: error: a 2-1000000000-1 network with k = 2 needs about \d+\.\d GiB to train, more than the \d+\.\d GiB a replay may use here; give smaller --hidden or --batch-size\n$/);
});

test('checkReplayMemory: the measured threshold on wasm, 2-10000-1 fits and 2-30000-1 does not (k = 2, 2000 test examples)', (t) => {
  t.notThrows(() => checkReplayMemory([2, 10000, 1], 2, 2000));
  t.throws(() => checkReplayMemory([2, 30000, 1], 2, 2000), { message: /needs about 3\.6 GiB/ });
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
  t.regex(v.stderr, /is a run of genome kind 'vector'; a run folder replays only searches of kind blur, ht-hparams/);
  const d = cli(['replay', root]);
  t.is(d.code, 2);
  t.regex(d.stderr, /is a folder but not a run folder \(no manifest\.json\)/);
});

test('replay dispatches on the genome file kind: blur, ordering and ht-hparams files go to their replay, a kind without one is named', (t) => {
  const dir = tempDir();
  const v1 = join(repoRoot, 'tests', 'fixtures', 'genome_files_v1');
  const ordering = join(dir, 'o.json');
  saveOrderingGenome(ordering, makeOrderingGenome([0, 1], 2));
  const ht = join(dir, 'h.json');
  saveHtGenome(ht, { heads: 2 });
  const vector = join(dir, 'v.json');
  writeGenomeFile(vector, vectorGenome, [1, 2], { dim: 2 });
  for (const [file, args, message] of [
    [join(v1, 'backprop.blur.json'), ['--task', 'cifar'], /--task must be one of mnist, fashion-mnist, xor/], // the blur replay's options
    [ordering, [], /replaying an ordering needs --bank DIR/],
    [join(v1, 'ordering.json'), [], /replaying an ordering needs --bank DIR/],
    [ht, ['--steps', '3'], /h\.json holds a genome of kind 'ht-hparams'; --steps is for replaying a learned rule \(replaying a HyperTransformer takes --episodes, --source/],
    [ordering, ['--export', 'm'], /o\.json holds a genome of kind 'ordering'; --export is for replaying a learned rule \(replaying an ordering genome takes --bank, --task/],
    [join(v1, 'backprop.blur.json'), ['--episodes', '5'], /backprop\.blur\.json holds a genome of kind 'blur'; --episodes is for replaying a HyperTransformer \(replaying a learned rule takes --task/],
    [vector, [], /v\.json holds a genome of kind 'vector', which has no replay; replay takes genomes of kind blur, ordering, ht-hparams/],
  ] as const) {
    const r = cli(['replay', file, ...args]);
    t.is(r.code, 2, file);
    t.regex(r.stderr, message, file);
  }
});

test("replay of a best.json takes the genome's kind from the run's manifest beside it", (t) => {
  const run = tempDir();
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ config: { genome: 'ordering', task: 'ordering-transfer', taskConfig: {} } }));
  writeFileSync(join(run, 'best.json'), JSON.stringify({ fitness: 0.5, x: [1, 0, 0, 1], genome: makeOrderingGenome([0, 1], 2), generation: 0, index: 0, evaluation: 1 }));
  const inRun = cli(['replay', join(run, 'best.json')]);
  t.is(inRun.code, 2);
  t.regex(inRun.stderr, /replaying an ordering needs --bank DIR/);
  const alone = join(tempDir(), 'best.json');
  copyFileSync(join(run, 'best.json'), alone);
  const r = cli(['replay', alone]);
  t.is(r.code, 2);
  t.regex(r.stderr, /best\.json: genome does not name its genome kind \(a run record stores the bare genome\)/);
  t.deepEqual(Object.keys(REPLAY_BY_KIND).filter((k) => !(k in GENOME_KINDS)), []);
});
