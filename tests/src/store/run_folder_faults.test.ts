import test from 'ava';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../../src/core/rng.js';
import { RUN_FILES } from '../../../src/store/run_store.js';
import { killAtGeneration } from '../../helpers/kill_mid_run.js';
import { SLOW_TASK_SOURCE, writeModule } from '../../helpers/plugin_files.js';
import { assertOneLineError, cli, recordLines, snapshot } from '../../helpers/run_faults.js';
import { CLI, generationsWithoutTimings, readJson, tempDir } from '../../helpers/run_files.js';

const FILES = ['manifest', 'generations', 'best', 'checkpoint', 'summary', 'log'] as const;
const FAULTS = ['truncated', 'emptied', 'garbage', 'wrong version', 'symlinked'] as const;
type Fault = (typeof FAULTS)[number];

/** Damages `path` in the way `fault` names; a symlinked file moves to `outside` and a link takes its place. */
function damage(path: string, fault: Fault, outside: string): void {
  const text = readFileSync(path, 'utf8');
  switch (fault) {
    case 'truncated':
      return writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
    case 'emptied':
      return writeFileSync(path, '');
    case 'garbage':
      return writeFileSync(path, Buffer.from([0x00, 0xff, 0x7b, 0x6e, 0x6f, 0x74, 0x5d, 0x0a, 0x80]));
    case 'wrong version': {
      if (path.endsWith('.jsonl') || path.endsWith('.log')) return writeFileSync(path, text + '{"format":"evometa-future","version":99}\n');
      const v = JSON.parse(text);
      return writeFileSync(path, JSON.stringify({ ...v, version: 99, ...(typeof v.format === 'string' ? { format: `${v.format}-v99` } : {}) }));
    }
    case 'symlinked':
      renameSync(path, outside);
      return symlinkSync(outside, path);
  }
}

/**
 * Exit codes of `resume RUN --max-generations 16` per damaged file: whatever cannot be read without guessing
 * (manifest, checkpoint) and whatever would be written through a link is refused (2); the records that are derived
 * or append-only are read around or rewritten (0).
 */
const RESUME_REFUSES = (file: (typeof FILES)[number], fault: Fault): boolean => fault === 'symlinked' || file === 'manifest' || file === 'checkpoint';

test('every file of a run folder truncated, emptied, garbage, of a wrong version or symlinked: resume and report exit 0 or 2 in one line, lose no record', (t) => {
  const root = tempDir();
  const base = join(root, 'base');
  const made = cli(['search', '--task', 'sphere', '--dim', '3', '--max-generations', '12', '--seed', '5', '--workers', '0', '--out', base, '--json']);
  t.is(made.code, 0, made.stderr);
  let n = 0;
  for (const file of FILES) {
    for (const fault of FAULTS) {
      for (const command of ['resume', 'report'] as const) {
        const label = `${command} with ${RUN_FILES[file]} ${fault}`;
        const dir = join(root, `case-${n}`);
        const outside = join(root, `outside-${n++}`);
        cpSync(base, dir, { recursive: true });
        damage(join(dir, RUN_FILES[file]), fault, outside);
        const before = snapshot(dir);
        const outsideBefore = existsSync(outside) ? readFileSync(outside, 'latin1') : null;
        const records = recordLines(join(dir, 'generations.jsonl'));
        const r = cli(command === 'resume' ? ['resume', dir, '--max-generations', '16', '--json', '--no-progress'] : ['report', dir]);
        t.notRegex(r.stderr, /\n\s+at |internal error/, `${label}: no stack trace`);
        if (outsideBefore !== null) t.is(readFileSync(outside, 'latin1'), outsideBefore, `${label}: the link's target is untouched`);
        if (command === 'resume') t.is(r.code, RESUME_REFUSES(file, fault) ? 2 : 0, `${label}: ${r.stderr}`);
        if (r.code === 2) {
          assertOneLineError(t, r, /^evometa: error: /, label);
          t.deepEqual(snapshot(dir), before, `${label}: the folder is as it was`);
          continue;
        }
        t.is(r.code, 0, `${label}: ${r.stderr}`);
        const after = recordLines(join(dir, 'generations.jsonl'));
        t.deepEqual(records.filter((l) => !after.includes(l)), [], `${label}: every record read before is still there`);
        if (command === 'resume') {
          t.is(JSON.parse(r.stdout).generations, 16, label);
          t.deepEqual(after.slice(-4).map((l) => JSON.parse(l).generation), [12, 13, 14, 15], label);
        }
      }
    }
  }
});

/**
 * search → kill -9 at generation k1 → resume → kill -9 at k2 → resume to the end, with the worker counts given in
 * turn; the result must be the uninterrupted run's. k1 and k2 are drawn from a seeded generator.
 */
async function killTwiceAndResume(t: import('ava').ExecutionContext, workers: [number, number, number], rng: Rng): Promise<void> {
  const plugin = writeModule(SLOW_TASK_SOURCE);
  const args = ['--plugin', plugin, '--task', 'slow-shifted-sphere', '--task-config', '{"delayMs":4}', '--dim', '4', '--max-generations', '30', '--seed', '8', '--json'];
  const root = tempDir();
  const full = join(root, 'full');
  t.is(cli(['search', ...args, '--workers', '0', '--out', full]).code, 0);
  const cut = join(root, 'cut');
  const k1 = 2 + Math.floor(rng.uniform() * 10);
  const k2 = k1 + 2 + Math.floor(rng.uniform() * 10);
  const first = spawn(process.execPath, [CLI, 'search', ...args, '--workers', String(workers[0]), '--out', cut], { stdio: 'ignore' });
  await killAtGeneration(first, cut, k1);
  const second = spawn(process.execPath, [CLI, 'resume', cut, '--workers', String(workers[1])], { stdio: 'ignore' });
  await killAtGeneration(second, cut, k2);
  t.false(existsSync(join(cut, 'summary.json')), `killed at ${k1} and ${k2}, before the end`);
  const last = cli(['resume', cut, '--workers', String(workers[2]), '--json']);
  t.is(last.code, 0, last.stderr);
  t.deepEqual(generationsWithoutTimings(cut), generationsWithoutTimings(full), `workers ${workers.join('/')}, kills at ${k1}, ${k2}`);
  t.deepEqual(readJson(join(cut, 'best.json')), readJson(join(full, 'best.json')));
  t.is(readFileSync(join(cut, 'run.log'), 'utf8').match(/took over the run lock of pid \d+/g)!.length, 2);
}

test.serial('kill -9 at random generations, twice, across --workers 0 and 2: the resumed run is the uninterrupted one', async (t) => {
  const rng = new Rng(20261127);
  await killTwiceAndResume(t, [0, 2, 0], rng);
  await killTwiceAndResume(t, [2, 0, 2], rng);
});
