import test from 'ava';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { UsageError } from '../../../src/core/errors.js';
import type { Strategy, StrategyState } from '../../../src/core/strategy.js';
import { resumeRun, runSearch } from '../../../src/engine/engine.js';
import { resolveRunConfig } from '../../../src/engine/run_config.js';
import { builtinRegistry } from '../../../src/plugins.js';
import { killAtGeneration } from '../../helpers/kill_mid_run.js';
import { HOG_TASK_SOURCE, SLOW_TASK_SOURCE, writeModule } from '../../helpers/plugin_files.js';
import { assertOneLineError, cli, cliAsync, recordLines, snapshot } from '../../helpers/run_faults.js';
import { CLI, readJson, tempDir } from '../../helpers/run_files.js';

/** A finished sphere run of 50 generations (popsize 7, so 350 evaluations), made once per test that asks. */
function finishedRun(args: string[] = []): string {
  const dir = join(tempDir(), 'run');
  const r = cli(['search', '--task', 'sphere', '--dim', '3', '--max-evals', '350', '--seed', '2', '--workers', '0', '--out', dir, '--json', ...args]);
  if (r.code !== 0) throw new Error(r.stderr);
  return dir;
}

function generations(dir: string): number[] {
  return recordLines(join(dir, 'generations.jsonl')).map((l) => JSON.parse(l).generation);
}

test('resume keeps a generations.jsonl line it cannot read and every record after it (damaged line 21, --max-evals 480)', (t) => {
  const dir = finishedRun();
  const path = join(dir, 'generations.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  t.is(lines.length, 50);
  lines[20] = lines[20]!.slice(0, 25) + '#garbage';
  writeFileSync(path, lines.join('\n') + '\n');
  const r = cli(['resume', dir, '--max-evals', '480', '--json']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).evaluations, 483);
  const after = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  t.deepEqual(after.slice(0, 50), lines, 'the 49 records and the damaged line stay, verbatim and in place');
  t.deepEqual(after.slice(50).map((l) => JSON.parse(l).generation), Array.from({ length: 19 }, (_, i) => 50 + i));
  t.regex(readFileSync(join(dir, 'run.log'), 'utf8'), /generations\.jsonl: line 21 could not be read; kept as it was \(the report skips it\)/);
});

test('--out into a folder that holds other files is refused in one line, and nothing in it changes', (t) => {
  const dir = join(tempDir(), 'd');
  mkdirSync(dir);
  writeFileSync(join(dir, 'generations.jsonl'), 'old\n');
  writeFileSync(join(dir, 'best.json'), '{}\n');
  const before = snapshot(dir);
  const r = cli(['search', '--task', 'sphere', '--dim', '3', '--max-evals', '50', '--workers', '0', '--out', dir]);
  assertOneLineError(t, r, /d is not empty and holds no evometa run \(it has best\.json, generations\.jsonl\); choose a new or empty folder for --out/);
  t.deepEqual(snapshot(dir), before);
  // An empty folder is fine.
  const empty = join(tempDir(), 'empty');
  mkdirSync(empty);
  t.is(cli(['search', '--task', 'sphere', '--dim', '3', '--max-evals', '50', '--workers', '0', '--out', empty, '--json']).code, 0);
});

test('a budget extension over a bad checkpoint changes nothing: version 99, null, a σ of "abc", a mean of the wrong length', (t) => {
  const base = finishedRun();
  const cases: [string, (c: any) => unknown, RegExp][] = [
    ['version 99', (c) => ({ ...c, version: 99 }), /checkpoint is damaged \(version 99, this evometa reads version 1\): .*; the run folder was left as it was/],
    ['null', () => null, /checkpoint is damaged \(not an evometa-checkpoint file\)/],
    ['sigma', (c) => ({ ...c, strategy: { ...c.strategy, sigma: 'abc' } }), /sigma/],
    ['mean', (c) => ({ ...c, strategy: { ...c.strategy, mean: [1, 2] } }), /mean|3 dimensions/],
    ['best', (c) => ({ ...c, best: { fitness: 'low', x: [] } }), /'best' is neither null nor a record/],
  ];
  for (const [label, damage, message] of cases) {
    const dir = join(tempDir(), label);
    cpSync(base, dir, { recursive: true });
    const ckpt = join(dir, 'checkpoint.json');
    writeFileSync(ckpt, JSON.stringify(damage(readJson(ckpt))));
    const before = snapshot(dir);
    assertOneLineError(t, cli(['resume', dir, '--max-evals', '800']), message, label);
    t.deepEqual(snapshot(dir), before, `${label}: the folder is as it was`);
  }
});

/** A strategy whose checkpoint check names a field: resume must call it. */
const checkedCmaes = (registry: ReturnType<typeof builtinRegistry>): Strategy<StrategyState> => ({
  ...registry.strategies['cmaes']!,
  name: 'checked',
  init: (o) => ({ ...registry.strategies['cmaes']!.init(o), strategy: 'checked' }),
  validateState(state, where) {
    const s = state as { lucky?: unknown };
    if (s.lucky !== undefined) throw new UsageError(`${where}: strategy.lucky must not be there (got ${JSON.stringify(s.lucky)})`);
  },
});

test("resume calls the strategy's validateState and refuses, in one line and without a write, what it rejects", async (t) => {
  const base = builtinRegistry();
  const registry = { ...base, strategies: { ...base.strategies, checked: checkedCmaes(base) } };
  const dir = join(tempDir(), 'run');
  const config = resolveRunConfig({ task: 'sphere', dim: 3, strategy: 'checked', 'max-generations': 5, workers: 0, seed: 1 }, () => 0);
  await runSearch(config, dir, { registry });
  const ckpt = readJson(join(dir, 'checkpoint.json'));
  writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ ...ckpt, strategy: { ...ckpt.strategy, lucky: 7 } }));
  const before = snapshot(dir);
  await t.throwsAsync(resumeRun(dir, { registry, overrides: { maxGenerations: 9 } }), { instanceOf: UsageError, message: /checkpoint\.json: strategy\.lucky must not be there \(got 7\); the run folder was left as it was$/ });
  t.deepEqual(snapshot(dir), before);
  writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(ckpt));
  t.is((await resumeRun(dir, { registry, overrides: { maxGenerations: 9 } })).generations, 9);
});

test.serial('two concurrent resumes: one runs, the other is refused naming the holder; no generation is written twice', async (t) => {
  const plugin = writeModule(SLOW_TASK_SOURCE);
  const dir = join(tempDir(), 'run');
  const args = ['search', '--plugin', plugin, '--task', 'slow-shifted-sphere', '--task-config', '{"delayMs":8}', '--dim', '4', '--max-generations', '40', '--seed', '3', '--workers', '0', '--out', dir, '--json'];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  await killAtGeneration(child, dir, 3);
  t.true(existsSync(join(dir, 'run.lock')), 'the killed run left its lock');
  const both = await Promise.all([cliAsync(['resume', dir, '--json']), cliAsync(['resume', dir, '--json'])]);
  t.deepEqual(both.map((r) => r.code).sort(), [0, 2], both.map((r) => r.stderr).join('\n'));
  const loser = both.find((r) => r.code === 2)!;
  t.regex(loser.stderr, /^evometa: error: .*run is in use by pid \d+ on .*\(.*resume.*\); wait for it to finish, or stop it and run again\n$/);
  t.deepEqual(generations(dir), Array.from({ length: 40 }, (_, i) => i));
  t.regex(readFileSync(join(dir, 'run.log'), 'utf8'), /took over the run lock of pid \d+ .*: that process is no longer running/);
  t.false(existsSync(join(dir, 'run.lock')), 'released at the end');
});

test.serial('two concurrent searches into the same --out: one run is written, the other process is refused', async (t) => {
  const plugin = writeModule(SLOW_TASK_SOURCE);
  const dir = join(tempDir(), 'same');
  const args = (seed: number) => ['search', '--plugin', plugin, '--task', 'slow-shifted-sphere', '--task-config', '{"delayMs":5}', '--dim', '4', '--max-generations', '30', '--seed', String(seed), '--workers', '0', '--out', dir, '--json'];
  const both = await Promise.all([cliAsync(args(1)), cliAsync(args(2))]);
  t.deepEqual(both.map((r) => r.code).sort(), [0, 2], both.map((r) => r.stderr).join('\n'));
  const winner = both.findIndex((r) => r.code === 0);
  assertOneLineError(t, both[1 - winner]!, /is in use by pid \d+|already holds a run/);
  t.is(readJson(join(dir, 'manifest.json')).seed, winner + 1);
  t.deepEqual(generations(dir), Array.from({ length: 30 }, (_, i) => i));
});

test('--timeout-ms: refused with --workers 0 in one line; with workers it counts from the job start, not the thread start-up (50 ms: no timeout)', (t) => {
  const dir = join(tempDir(), 'run');
  assertOneLineError(t, cli(['search', '--task', 'sphere', '--dim', '3', '--max-generations', '3', '--workers', '0', '--timeout-ms', '50', '--out', dir]), /--timeout-ms needs worker threads: inline evaluation \(--workers 0\) cannot stop a synchronous evaluation; use --workers 1 or more/);
  t.false(existsSync(dir));
  const r = cli(['search', '--task', 'sphere', '--dim', '3', '--max-generations', '20', '--workers', '2', '--timeout-ms', '50', '--seed', '1', '--out', dir, '--json']);
  t.is(r.code, 0, r.stderr);
  t.is(recordLines(join(dir, 'generations.jsonl')).reduce((a, l) => a + JSON.parse(l).failures, 0), 0);
  t.notRegex(readFileSync(join(dir, 'run.log'), 'utf8'), /: timeout \(/);
});

test('a crashed worker is logged once per failed evaluation', (t) => {
  const dir = join(tempDir(), 'run');
  const r = cli(['search', '--task', 'faulty', '--task-config', '{"mode":"crash","failRate":0.3}', '--dim', '3', '--max-generations', '4', '--workers', '2', '--seed', '4', '--out', dir, '--json']);
  t.is(r.code, 0, r.stderr);
  const failures = recordLines(join(dir, 'generations.jsonl')).reduce((a, l) => a + JSON.parse(l).failures, 0);
  t.true(failures > 0);
  const lines = readFileSync(join(dir, 'run.log'), 'utf8').split('\n').filter((l) => /worker thread/.test(l));
  t.is(lines.length, failures);
  for (const l of lines) t.regex(l, /generation \d+ candidate \d+: error \(worker thread failed \(.*\); it was replaced\)$/);
});

test('limits: workers beyond 4 per core and a CMA-ES state beyond the heap are refused up front in one line', (t) => {
  const dir = join(tempDir(), 'run');
  const max = 4 * availableParallelism();
  assertOneLineError(t, cli(['search', '--task', 'sphere', '--dim', '3', '--workers', String(max + 1), '--out', dir]), new RegExp(`--workers ${max + 1} is more than 4 per core on this machine \\(${availableParallelism()} cores\\); use at most ${max}`));
  const t0 = Date.now();
  assertOneLineError(t, cli(['search', '--task', 'sphere', '--dim', '20000', '--workers', '0', '--out', dir]), /strategy 'cmaes' at --dim 20000 holds about 8\.0e\+8 numbers .* use --strategy sep-cmaes/);
  t.true(Date.now() - t0 < 20000);
  t.false(existsSync(dir));
  const sep = cli(['search', '--task', 'sphere', '--dim', '20000', '--strategy', 'sep-cmaes', '--max-generations', '2', '--workers', '0', '--out', dir, '--json']);
  t.is(sep.code, 0, sep.stderr);
});

test('an evaluation that allocates without bound fails alone at --worker-heap-mb; the run goes on and ends normally', (t) => {
  const plugin = writeModule(HOG_TASK_SOURCE);
  const dir = join(tempDir(), 'run');
  const r = cli(['search', '--plugin', plugin, '--task', 'hog', '--dim', '2', '--x0', '0', '--max-generations', '2', '--workers', '2', '--worker-heap-mb', '64', '--seed', '1', '--out', dir, '--json']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).generations, 2);
  const failures = recordLines(join(dir, 'generations.jsonl')).reduce((a, l) => a + JSON.parse(l).failures, 0);
  t.true(failures > 0 && failures < 12, `${failures} failures`);
  const log = readFileSync(join(dir, 'run.log'), 'utf8');
  t.is(log.match(/error \(the evaluation ran out of its worker thread's heap limit \(64 MB, --worker-heap-mb\); the thread was replaced\)/g)!.length, failures);
  t.is(readJson(join(dir, 'manifest.json')).config.workerHeapMb, 64);
});

test('unknown --genome-config keys of the vector genome are refused, naming the valid ones', (t) => {
  const dir = join(tempDir(), 'run');
  assertOneLineError(t, cli(['search', '--task', 'sphere', '--dim', '3', '--genome-config', '{"lowr":-1}', '--workers', '0', '--out', dir]), /unknown genome 'vector' config key lowr; valid keys: dim, lower, upper/);
  t.false(existsSync(dir));
});

test('a run.log that is a symbolic link is never followed: resume refuses it and the file it points to is untouched', (t) => {
  const dir = finishedRun();
  const outside = join(tempDir(), 'elsewhere.log');
  writeFileSync(outside, 'precious\n');
  rmSync(join(dir, 'run.log'));
  symlinkSync(outside, join(dir, 'run.log'));
  const before = snapshot(dir);
  assertOneLineError(t, cli(['resume', dir, '--max-evals', '480']), /run\.log is a symbolic link; evometa writes only plain files in a run folder/);
  t.is(readFileSync(outside, 'utf8'), 'precious\n');
  t.deepEqual(snapshot(dir), before);
});

test("export --out never overwrites the run's own files, nor another file unless --force", (t) => {
  const dir = finishedRun();
  const before = snapshot(dir);
  for (const own of ['checkpoint.json', 'manifest.json', 'best.json', 'summary.json'])
    assertOneLineError(t, cli(['export', dir, '--out', join(dir, own)]), new RegExp(`--out .*${own.replace('.', '\\.')} is the run's own ${own.replace('.', '\\.')}; choose another file`), own);
  t.deepEqual(snapshot(dir), before);
  const other = join(tempDir(), 'notes.json');
  writeFileSync(other, '{"mine": true}\n');
  assertOneLineError(t, cli(['export', dir, '--out', other]), /notes\.json exists and is not a genome file; choose another --out, or give --force to overwrite it/);
  t.is(readFileSync(other, 'utf8'), '{"mine": true}\n');
  t.is(cli(['export', dir, '--out', other, '--force']).code, 0);
  t.is(readJson(other).format, 'evometa-genome');
  // An earlier export is replaced without --force.
  t.is(cli(['export', dir, '--out', other]).code, 0);
});
