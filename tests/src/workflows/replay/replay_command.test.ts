import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { replayCommandFor } from '../../../../src/workflows/replay/replay_command.js';
import { CLI, readJson, tempDir } from '../../../helpers/run_files.js';

function cli(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The words of a printed `npx evometa …` command, to run with this build's CLI. */
function words(command: string): string[] {
  const w = command.split(' ');
  return w.slice(0, 2).join(' ') === 'npx evometa' ? w.slice(2) : [];
}

test('the replay command a finished blur search prints trains the network and inner loop the search meta-trained', async (t) => {
  const root = tempDir();
  const run = join(root, 'run');
  // A network other than the task's defaults (2-5-1, 2 learning steps, batch 24), so nothing can come from them.
  const s = cli(['search', '--genome', 'blur', '--task', 'blur-boolean', '--init', 'random', '--sigma0', '0.3', '--max-generations', '1', '--seed', '2', '--workers', '0',
    '--task-config', '{"hidden":[5],"batchSize":24,"queryBatchSize":24,"unrollSteps":3,"heldOut":["nxor"]}', '--out', run, '--no-progress']);
  t.is(s.code, 0, s.stderr);
  const command = await replayCommandFor(join(run, 'final.json'));
  t.is(command, `npx evometa replay ${join(run, 'final.json')} --task nxor --compare sgd,adam --seeds 5`);
  t.true(s.stdout.includes(`  replay:       ${command}`), s.stdout);
  t.is(await replayCommandFor(run), command);
  const trainedOn = readJson(join(run, 'final.json')).meta.trainedOn;
  t.like(trainedOn, { task: 'blur-boolean', layers: [2, 5, 1], outputs: 'signed', steps: 2, batchSize: 24, replayTask: 'nxor' });

  const out = join(root, 'replay');
  const r = cli([...words(command!), '--out', out, '--json']);
  t.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  t.deepEqual([j.task, j.sizes, j.evalAt], ['nxor', [2, 5, 1], [0, 1, 2]]);
  t.deepEqual(Object.keys(j.methods), ['blur', 'sgd', 'adam']);
  const saved = readJson(join(out, 'replay.json'));
  t.like(saved.config, { batchSize: 24, outputs: 'signed', steps: 2, hidden: [5] });
  t.deepEqual(saved.setting.origin, { task: 'flag', hidden: 'trainedOn', outputs: 'trainedOn', steps: 'trainedOn', batchSize: 'trainedOn', downsample: 'default' });
  t.deepEqual(saved.setting.trainedOn, trainedOn);
  t.regex(r.stderr, /replay setting: nxor, sizes 2-5-1 \(signed outputs\), 2 steps, batch 24; from the meta-training setting of .*final\.json meta\.trainedOn/);
  // best.json is a record without meta: the run's manifest beside it gives the same setting.
  const b = cli(['replay', join(run, 'best.json'), '--seeds', '1', '--compare', 'none', '--out', join(root, 'best'), '--json']);
  t.is(b.code, 0, b.stderr);
  t.deepEqual([JSON.parse(b.stdout).task, JSON.parse(b.stdout).sizes], ['nxor', [2, 5, 1]]);
  t.true(b.stderr.includes(`from the meta-training setting of ${join(run, 'manifest.json')} (blur-boolean: 2-5-1, signed outputs, 2 steps, batch 24)`), b.stderr);
});

test('replayCommandFor: only blur genomes have one', async (t) => {
  const vec = join(tempDir(), 'vec');
  t.is(cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '1', '--workers', '0', '--out', vec, '--json']).code, 0);
  t.is(await replayCommandFor(vec), null);
  t.is(await replayCommandFor(join(vec, 'best.json')), null);
});
