import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, generationsWithoutTimings, readJson, tempDir } from '../../helpers/run_files.js';
import { assertKillAndResumeReplays } from '../../helpers/kill_mid_run.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('search --json prints one final JSON line and the issue example converges', (t) => {
  const out = join(tempDir(), 'x');
  const r = cli(['search', '--genome', 'vector', '--dim', '10', '--task', 'rosenbrock', '--strategy', 'cmaes', '--x0', '3', '--sigma0', '2', '--target', '1e-8', '--max-evals', '100000', '--seed', '3', '--workers', '0', '--out', out, '--json']);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.is(lines.length, 1);
  const s = JSON.parse(lines[0]!);
  t.deepEqual(Object.keys(s), ['evaluations', 'bestFitness', 'generations', 'stopReason', 'runDir']);
  t.is(s.runDir, out);
  t.true(s.evaluations <= 100000);
  t.true(s.generations * 10 === s.evaluations);
  t.true(existsSync(join(out, 'checkpoint.json')));
});

test('--config uses the flag names, and flags override it', (t) => {
  const dir = tempDir();
  const cfg = join(dir, 'run.json');
  writeFileSync(cfg, JSON.stringify({ task: 'sphere', dim: 3, 'max-generations': 4, seed: 8, workers: 0, x0: [1, 2, 3] }));
  const r = cli(['search', '--config', cfg, '--max-generations', '6', '--out', join(dir, 'r'), '--json']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).generations, 6);
  const m = readJson(join(dir, 'r', 'manifest.json'));
  t.deepEqual(m.config.x0, [1, 2, 3]);
  t.is(m.config.seed, 8);
});

test('bad input: clear message, exit 2, nothing written', (t) => {
  const out = join(tempDir(), 'never');
  const unknown = cli(['search', '--task', 'rosenbrok', '--out', out]);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^evometa: error: unknown task 'rosenbrok'; valid tasks: sphere, ellipsoid, rosenbrock/);
  const badNumber = cli(['search', '--task', 'sphere', '--sigma0', '0', '--out', out]);
  t.is(badNumber.code, 2);
  t.regex(badNumber.stderr, /--sigma0 must be a finite number > 0 and <= 1e\+30 \(got "0"\)/);
  const badConfig = cli(['search', '--config', join(out, 'missing.json')]);
  t.is(badConfig.code, 2);
  t.regex(badConfig.stderr, /--config file not found/);
  t.is(cli(['frobnicate']).code, 2);
  t.false(existsSync(out));
});

// Serial: the other tests here block this process in spawnSync, which would starve the polling timer below.
test.serial('kill -9 mid-run, then resume: the same trajectory as the run never interrupted', async (t) => {
  const args = ['--task', 'rosenbrock', '--dim', '6', '--x0', '2', '--sigma0', '1', '--max-generations', '40', '--seed', '21', '--workers', '1', '--task-config', '{"delayMs": 10}', '--json'];
  await assertKillAndResumeReplays(t, args, 40, 5);
});

test('resume refuses a damaged checkpoint and leaves the folder as it was', (t) => {
  const dir = join(tempDir(), 'r');
  t.is(cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '3', '--workers', '0', '--out', dir, '--json']).code, 0);
  rmSync(join(dir, 'summary.json'));
  writeFileSync(join(dir, 'checkpoint.json'), 'garbage');
  const before = readFileSync(join(dir, 'generations.jsonl'), 'utf8');
  const r = cli(['resume', dir]);
  t.is(r.code, 2);
  t.regex(r.stderr, /checkpoint is damaged/);
  t.is(readFileSync(join(dir, 'generations.jsonl'), 'utf8'), before);
  t.is(readFileSync(join(dir, 'checkpoint.json'), 'utf8'), 'garbage');
});

test('resume --max-generations extends a finished run; a bad budget exits 2 and leaves it as it was', (t) => {
  const dir = join(tempDir(), 'r');
  t.is(cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '3', '--workers', '0', '--out', dir, '--json']).code, 0);
  const bad = cli(['resume', dir, '--max-generations', 'many']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--max-generations must be an integer >= 1/);
  const spent = cli(['resume', dir, '--max-generations', '2']);
  t.is(spent.code, 2);
  t.regex(spent.stderr, /does not exceed the 3 generations/);
  const r = cli(['resume', dir, '--max-generations', '7', '--json']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).generations, 7);
  t.is(generationsWithoutTimings(dir).length, 7);
});

test('report prints the table and writes report.svg; list names every registry', (t) => {
  const dir = join(tempDir(), 'r');
  t.is(cli(['search', '--task', 'sphere', '--dim', '3', '--max-generations', '15', '--workers', '0', '--out', dir, '--json']).code, 0);
  const r = cli(['report', dir]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /gen\s+evals\s+best\s+median\s+sigma/);
  t.true(readFileSync(join(dir, 'report.svg'), 'utf8').startsWith('<svg') || readFileSync(join(dir, 'report.svg'), 'utf8').startsWith('<?xml'));
  const l = cli(['list', '--json']);
  t.is(l.code, 0, l.stderr);
  const listed = JSON.parse(l.stdout);
  t.deepEqual(Object.keys(listed.genomes), ['vector', 'blur', 'ordering', 'ht-hparams', 'lsa-weights']);
  t.true(['sphere', 'ellipsoid', 'rosenbrock', 'rastrigin', 'cigar', 'tablet', 'faulty'].every((k) => k in listed.tasks));
  t.deepEqual(Object.keys(listed.strategies), ['cmaes', 'sep-cmaes', 'ipop-cmaes', 'bipop-cmaes', 'metagrad', 'es-grad', 'ga-ordering']);
  t.deepEqual(listed.backends, ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
  t.is(listed.backend.backend, 'wasm');
});


test('start runs the default learned-rule search (shortened here) and prints the replay command', (t) => {
  const out = join(tempDir(), 's');
  const r = cli(['start', '--max-generations', '2', '--workers', '0', '--out', out, '--no-progress']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /cmaes on blur-boolean \(blur, seed 1\)/);
  t.regex(r.stdout, new RegExp(`best genome: +${out}/best.json`));
  t.regex(r.stdout, new RegExp(`final point: +${out}/final.json`));
  t.regex(r.stdout, new RegExp(`replay: +npx evometa replay ${out}/final.json --task and --compare sgd,adam --seeds 5`));
  // final.json is the CMA-ES mean mirrored into the genome's box, with the task's network settings
  const final = readJson(join(out, 'final.json'));
  t.like(final, { format: 'evometa-genome', version: 2, kind: 'blur', meta: { which: 'mean', generation: 2, task: 'blur-boolean' } });
  t.deepEqual(final.genome.network, { normalizeSynapses: true, rescale: true });
  t.true(existsSync(join(out, 'final.warm.json')));
  const m = readJson(join(out, 'manifest.json'));
  t.is(m.config.init, 'random');
  t.is(m.x0.length, 21); // 20 + the searched rescaleTo
  const best = readJson(join(out, 'best.json')).genome;
  t.is(best.k, 2); // best.json keeps its record shape: the genome as the task stored it
  // The task's network settings travel with the stored genome, so a replay runs it as it was scored.
  t.deepEqual(best.network, { normalizeSynapses: true, rescale: true });
});
