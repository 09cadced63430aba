/** How commands fail: one line `evometa: …`, exit 2 for bad input, exit 1 for a run without a result or a bug. */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/run_files.js';
import { writeModule } from '../../helpers/plugin_files.js';
import { describeFailure, oneLine, RunFailedError } from '../../../src/cli/failure.js';
import { UsageError } from '../../../src/core/errors.js';
import { cli, oneJsonDocument, oneLineFailure } from './cli_run.js';

test('report on something that is not a run: one line, exit 2', (t) => {
  const root = tempDir();
  const file = join(root, 'notes.txt');
  writeFileSync(file, 'x');
  const folder = join(root, 'plain');
  mkdirSync(folder);
  oneLineFailure(t, cli(['report', join(root, 'missing')]), 2, /^evometa: error: .*missing not found; give a run folder/);
  oneLineFailure(t, cli(['report', file]), 2, /notes\.txt is a file, not a run folder; give the folder that holds its manifest\.json/);
  oneLineFailure(t, cli(['report', folder]), 2, /plain is not a run folder \(no manifest\.json\); start one with evometa search/);
  for (const [name, text, message] of [
    ['truncated', '{"format": "evometa-run", "config": {"ta', /manifest is damaged \(not valid JSON: .*\): .*truncated\/manifest\.json/],
    ['array', '[]', /manifest is damaged \('config' missing\): .*array\/manifest\.json/],
    ['null', 'null', /manifest is damaged \('config' missing\): .*null\/manifest\.json/],
  ] as const) {
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'manifest.json'), text);
    for (const command of ['report', 'resume', 'export']) oneLineFailure(t, cli([command, dir]), 2, message);
  }
});

const BROKEN_STRATEGY = "export default { strategies: [{ name: 'broken', description: 'ask throws', init: (o) => ({ x: o.x0 }), ask() { return null.length; }, tell: (s) => s, stop: () => ({}), point: (s) => s.x }] };";

test('an unexpected error is one line and exit 1 with the EVOMETA_DEBUG hint; EVOMETA_DEBUG=1 adds the stack', (t) => {
  const plugin = writeModule(BROKEN_STRATEGY);
  const args = (out: string) => ['search', '--plugin', plugin, '--strategy', 'broken', '--task', 'sphere', '--dim', '2', '--workers', '0', '--out', out, '--json'];
  const plain = cli(args(join(tempDir(), 'r')));
  oneLineFailure(t, plain, 1, /^evometa: internal error: TypeError: Cannot read properties of null \(reading 'length'\) \(run with EVOMETA_DEBUG=1 for the stack trace\)\n$/);
  const debug = cli(args(join(tempDir(), 'r')), { env: { EVOMETA_DEBUG: '1' } });
  t.is(debug.code, 1);
  const lines = debug.stderr.trim().split('\n');
  t.is(lines[0], "evometa: internal error: TypeError: Cannot read properties of null (reading 'length')");
  t.is(lines[1], "TypeError: Cannot read properties of null (reading 'length')");
  t.regex(lines[2]!, /^ {4}at Object\.ask \(file:.*plugin\.mjs/);
  // a usage error shows its stack too when asked for
  const usage = cli(['search', '--task', 'sphere', '--dim', '0'], { env: { EVOMETA_DEBUG: '1' } });
  t.is(usage.code, 2);
  t.regex(usage.stderr, /^evometa: error: --dim must be an integer >= 1 .*\nUsageError: --dim must be .*\n {4}at /);
});

const FAILING_TASK = "export default { tasks: [{ name: 'always-fails', description: 'd', genomeKinds: ['vector'], usesTensorflow: false, resolveConfig: (r) => r, evaluate() { throw new Error('no licence server'); } }] };";

test('start and resume exit 1 with one line when no evaluation gave a fitness, as search does', (t) => {
  const plugin = writeModule(FAILING_TASK);
  const out = join(tempDir(), 'r');
  const start = cli(['start', '--plugin', plugin, '--task', 'always-fails', '--genome', 'vector', '--dim', '2', '--genome-config', '{}', '--task-config', '{}',
    '--max-generations', '2', '--workers', '0', '--out', out, '--json']);
  t.is(start.code, 1, start.stderr);
  t.is(start.stderr, `evometa: every evaluation failed (12 evaluations, no finite fitness); the reasons are in ${join(out, 'run.log')}\n`);
  t.is(JSON.parse(start.stdout).bestFitness, null);
  const resumed = cli(['resume', out, '--json']);
  t.is(resumed.code, 1, resumed.stderr);
  t.is(resumed.stderr, `evometa: every evaluation failed (12 evaluations, no finite fitness); the reasons are in ${join(out, 'run.log')}\n`);
  t.like(JSON.parse(resumed.stdout), { bestFitness: null, evaluations: 12, runDir: out });
  // without --json the summary names no best genome nor final point, and no replay
  const text = cli(['resume', out]);
  t.is(text.code, 1);
  t.notRegex(text.stdout, /best genome|final point|replay/);
  t.regex(text.stdout, /best fitness: -/);
});

test('a finished run exits 0 with its summary', (t) => {
  const out = join(tempDir(), 'r');
  const s = oneJsonDocument(t, cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '3', '--workers', '0', '--out', out, '--json']));
  t.is(s.generations, 3);
});

test('describeFailure: the exit status by the kind of error, and always one line', (t) => {
  t.deepEqual(describeFailure(new UsageError('--dim must be\nan integer'), false), { line: 'error: --dim must be an integer', code: 2 });
  t.deepEqual(describeFailure(new RunFailedError('every evaluation failed'), false), { line: 'every evaluation failed', code: 1 });
  t.deepEqual(describeFailure(new RangeError('bad\n  index'), true), { line: 'internal error: RangeError: bad index', code: 1 });
  t.deepEqual(describeFailure(new Error('x'), false), { line: 'internal error: x (run with EVOMETA_DEBUG=1 for the stack trace)', code: 1 });
  const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC', syscall: 'write' });
  t.deepEqual(describeFailure(enospc, false), { line: 'ENOSPC: no space left on device, write', code: 1 });
  t.is(oneLine('a\n\n  b\n'), 'a b');
});
