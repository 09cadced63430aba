import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CLI, generationsWithoutTimings, readJson, tempDir } from '../../helpers/run_files.js';
import { fileUrl, SLOW_TASK_SOURCE, writeModule } from '../../helpers/plugin_files.js';
import { assertKillAndResumeReplays } from '../../helpers/kill_mid_run.js';

function cli(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const task = writeModule(SLOW_TASK_SOURCE, 'task.mjs');
const RUN = ['--task', 'slow-shifted-sphere', '--dim', '4', '--x0', '3', '--sigma0', '1', '--seed', '17', '--json', '--no-progress'];

test('a task from a plug-in module gives the same generations.jsonl with --workers 0 and --workers 2', (t) => {
  const dir = tempDir();
  const args = ['search', '--plugin', task, ...RUN, '--max-generations', '10', '--task-config', '{"delayMs": 2}'];
  const inline = cli([...args, '--workers', '0', '--out', join(dir, 'w0')]);
  t.is(inline.code, 0, inline.stderr);
  const pooled = cli([...args, '--workers', '2', '--out', join(dir, 'w2')]);
  t.is(pooled.code, 0, pooled.stderr);
  const g = generationsWithoutTimings(join(dir, 'w0'));
  t.is(g.length, 10);
  t.is(g.reduce((a, r) => a + (r['failures'] as number), 0), 0);
  t.deepEqual(generationsWithoutTimings(join(dir, 'w2')), g);
  t.deepEqual(readJson(join(dir, 'w2', 'best.json')), readJson(join(dir, 'w0', 'best.json')));
  t.deepEqual(readJson(join(dir, 'w2', 'manifest.json')).config.plugins, [fileUrl(task)]);
  t.true(JSON.parse(pooled.stdout).bestFitness < (g[0]!['bestFitness'] as number));
});

// Serial: the other tests here block this process in spawnSync, which would starve the polling timer below.
test.serial('kill -9 of a plug-in run on 2 workers, then resume (which loads the plug-in from the manifest): the uninterrupted trajectory', async (t) => {
  const args = ['--plugin', task, ...RUN, '--max-generations', '30', '--workers', '2', '--task-config', '{"delayMs": 10}'];
  await assertKillAndResumeReplays(t, args, 30, 4);
});

test('bad plug-ins: one line naming the module, exit 2, and no run folder', (t) => {
  const dir = tempDir();
  const out = join(dir, 'never');
  const check = (plugin: string, message: RegExp) => {
    const r = cli(['search', '--plugin', plugin, '--task', 'sphere', '--workers', '0', '--out', out]);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.false(existsSync(out));
  };
  const clash = writeModule("export default { tasks: [{ name: 'rosenbrock', description: 'd', genomeKinds: ['vector'], usesTensorflow: false, resolveConfig: (r) => r, evaluate: () => ({ fitness: 0 }) }] };");
  check(clash, new RegExp(`^evometa: error: plug-in ${clash} .*: task 'rosenbrock' clashes with the built-in task of that name; rename it in that module$`, 'm'));
  const syntax = writeModule('export default { tasks: [ ;');
  check(syntax, new RegExp(`^evometa: error: plug-in ${syntax} .* failed to load \\(SyntaxError: .*\\); fix the module`));
  check(join(dir, 'missing.mjs'), new RegExp(`^evometa: error: plug-in ${join(dir, 'missing.mjs')} failed to load: no such file`));
  const shape = writeModule('export default { tasks: [{ name: "half" }] };');
  check(shape, new RegExp(`^evometa: error: plug-in ${shape} .*: tasks\\[0\\] \\('half'\\) needs 'description' as a non-empty string; a task needs name, description, genomeKinds`));
  // Without the plug-in its task is unknown, with nothing written either.
  const unknown = cli(['search', '--task', 'slow-shifted-sphere', '--workers', '0', '--out', out]);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^evometa: error: unknown task 'slow-shifted-sphere'; valid tasks: sphere/);
  t.false(existsSync(out));
  t.is(cli(['resume', out, '--plugin', task]).stderr, "evometa: error: --plugin is not an option of resume: resume loads the plug-ins the run's manifest records\n");
});

test('a config file lists plug-ins under "plugins", resolved against the current folder; list marks their origin', (t) => {
  const cwd = dirname(task);
  writeFileSync(join(cwd, 'run.json'), JSON.stringify({ plugins: [`./${basename(task)}`], task: 'slow-shifted-sphere', dim: 2, 'max-generations': 3, workers: 0, seed: 1 }));
  const r = cli(['search', '--config', 'run.json', '--out', 'r', '--json'], cwd);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(readJson(join(cwd, 'r', 'manifest.json')).config.plugins, [fileUrl(task)]);
  const l = cli(['list', '--plugin', task]);
  t.is(l.code, 0, l.stderr);
  // Aligned columns name · origin · description; a plug-in's origin is its number in the plug-ins list below.
  t.regex(l.stdout, /^ {2}slow-shifted-sphere +plug-in 1 {2}sphere around/m);
  t.regex(l.stdout, /^ {2}sphere +built-in {3}pycma's sphere/m);
  t.regex(l.stdout, new RegExp(`^plug-ins:\n  1  ${fileUrl(task)}$`, 'm'));
  const j = JSON.parse(cli(['list', '--json', '--plugin', task]).stdout);
  t.is(j.origins.tasks['slow-shifted-sphere'], fileUrl(task));
  t.is(j.origins.tasks['sphere'], 'built-in');
  t.deepEqual(j.plugins, [fileUrl(task)]);
});

test('a run in which every evaluation failed exits 1 with one line saying so and where run.log is', (t) => {
  const failing = writeModule("export default { tasks: [{ name: 'always-fails', description: 'd', genomeKinds: ['vector'], usesTensorflow: false, resolveConfig: (r) => r, evaluate() { throw new Error('no licence server'); } }] };");
  const out = join(tempDir(), 'r');
  const r = cli(['search', '--plugin', failing, '--task', 'always-fails', '--dim', '2', '--max-generations', '2', '--workers', '2', '--out', out, '--json']);
  t.is(r.code, 1, r.stderr);
  t.is(JSON.parse(r.stdout).bestFitness, null);
  t.is(r.stderr, `evometa: every evaluation failed (12 evaluations, no finite fitness); the reasons are in ${join(out, 'run.log')}\n`);
  t.is(readFileSync(join(out, 'run.log'), 'utf8').match(/error \(no licence server\)/g)!.length, 12);
  t.deepEqual(readdirSync(out).sort(), ['checkpoint.json', 'generations.jsonl', 'manifest.json', 'run.log', 'summary.json']);
});
