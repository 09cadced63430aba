import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/core/errors.js';
import { LOCK_STALE_MS, RunLock } from '../../../src/store/run_lock.js';
import { RunStore } from '../../../src/store/run_store.js';
import { tempDir } from '../../helpers/run_files.js';

const rec = (generation: number) => JSON.stringify({ generation, evaluations: 7 * (generation + 1), bestFitness: 1 / (generation + 1) });

/** A fresh run store in a new folder, created (and locked) as a new run's. */
function newStore(): RunStore {
  const store = new RunStore(join(tempDir(), 'run'));
  store.createNew();
  return store;
}

test('trimGenerations keeps every line it cannot read, in place, and drops only records past the checkpoint and a torn last line', (t) => {
  const store = newStore();
  const lines = [rec(0), rec(1), 'garbage', rec(3), '{"generation":', '[1,2]', rec(6), rec(7), rec(8)];
  writeFileSync(store.path('generations'), lines.join('\n') + '\n' + '{"generation":9,"evalu');
  const r = store.trimGenerations(8);
  t.deepEqual(r, { trimmed: 1, unreadable: [3, 5, 6], tornTail: true });
  t.is(readFileSync(store.path('generations'), 'utf8'), lines.slice(0, 8).join('\n') + '\n');
  store.release();
});

test('trimGenerations leaves an intact file byte for byte, and completes a last record that lacks its newline', (t) => {
  const store = newStore();
  const text = [rec(0), 'not json', rec(2)].join('\n') + '\n';
  writeFileSync(store.path('generations'), text);
  t.deepEqual(store.trimGenerations(3), { trimmed: 0, unreadable: [2], tornTail: false });
  t.is(readFileSync(store.path('generations'), 'utf8'), text);
  writeFileSync(store.path('generations'), text + rec(3));
  t.deepEqual(store.trimGenerations(4), { trimmed: 0, unreadable: [2], tornTail: false });
  t.is(readFileSync(store.path('generations'), 'utf8'), text + rec(3) + '\n');
  store.release();
});

test('the store never writes through a symbolic link: appends refuse it, whole-file writes replace the link', (t) => {
  const store = newStore();
  const outside = join(tempDir(), 'outside.txt');
  writeFileSync(outside, 'precious\n');
  symlinkSync(outside, store.path('log'));
  t.throws(() => store.log('hello'), { instanceOf: UsageError, message: /run\.log is a symbolic link; evometa writes only plain files in a run folder/ });
  symlinkSync(outside, store.path('generations'));
  t.throws(() => store.appendGeneration({ generation: 0 }), { message: /generations\.jsonl is a symbolic link/ });
  symlinkSync(outside, store.path('best'));
  store.write('best', { fitness: 1 });
  t.false(lstatSync(store.path('best')).isSymbolicLink());
  t.deepEqual(JSON.parse(readFileSync(store.path('best'), 'utf8')), { fitness: 1 });
  // A link planted at the temp file's name is not followed either.
  symlinkSync(outside, `${store.path('checkpoint')}.tmp-${process.pid}`);
  store.write('checkpoint', { generation: 1 });
  t.is(readFileSync(outside, 'utf8'), 'precious\n');
  store.release();
  const resumed = new RunStore(store.dir);
  t.throws(() => resumed.openExisting(), { message: /generations\.jsonl is a symbolic link; .* replace it with a copy of the file it points to/ });
});

test('a new run goes only into a new or empty folder: a file, a run and foreign files are refused and left as they were', (t) => {
  const root = tempDir();
  const foreign = join(root, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'generations.jsonl'), 'old\n');
  writeFileSync(join(foreign, 'best.json'), '{}\n');
  t.throws(() => new RunStore(foreign).createNew(), { instanceOf: UsageError, message: /foreign is not empty and holds no evometa run \(it has best\.json, generations\.jsonl\); choose a new or empty folder for --out/ });
  t.deepEqual(readdirSync(foreign).sort(), ['best.json', 'generations.jsonl']);
  t.is(readFileSync(join(foreign, 'best.json'), 'utf8'), '{}\n');
  writeFileSync(join(root, 'file'), 'x');
  t.throws(() => new RunStore(join(root, 'file')).createNew(), { message: /--out .*file is a file, not a folder/ });
  t.throws(() => new RunStore(join(root, 'file', 'below')).createNew(), { message: /cannot use .*file\/below as a run folder \(.*\); choose a folder you can write/ });
  // Where mkdir says ENOENT under an existing parent (Node's recursive mkdir loops there forever).
  if (existsSync('/proc/self')) t.throws(() => new RunStore('/proc/nope').createNew(), { message: /cannot use \/proc\/nope as a run folder \(ENOENT/ });
  const deep = join(root, 'a', 'b', 'c');
  new RunStore(deep).createNew();
  t.deepEqual(readdirSync(deep), ['run.lock']);
  const run = join(root, 'run');
  mkdirSync(run);
  writeFileSync(join(run, 'manifest.json'), '{}');
  t.throws(() => new RunStore(run).createNew(), { message: /already holds a run; continue it with `evometa resume/ });
  const empty = join(root, 'empty');
  mkdirSync(empty);
  const store = new RunStore(empty);
  store.createNew();
  t.deepEqual(readdirSync(empty), ['run.lock']);
  store.release();
  t.deepEqual(readdirSync(empty), []);
});

test('run.lock names its holder; a second writer is refused while it lives', (t) => {
  const dir = tempDir();
  const lock = RunLock.acquire(dir, 'first', () => {});
  const owner = JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8'));
  t.like(owner, { pid: process.pid, host: hostname(), command: 'first' });
  t.throws(() => RunLock.acquire(dir, 'second', () => {}), { instanceOf: UsageError, message: new RegExp(`is in use by pid ${process.pid} on ${hostname()} \\(first, since .*\\); wait for it to finish, or stop it and run again`) });
  lock.heartbeat();
  lock.release();
  t.false(existsSync(join(dir, 'run.lock')));
  RunLock.acquire(dir, 'third', () => {}).release();
});

test('a stale lock is taken over with a log line: its process is gone, or, from another host, its heartbeat is old', (t) => {
  const dir = tempDir();
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(gone.stdout);
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: deadPid, host: hostname(), command: 'killed', since: 'then', started: null, token: 'a' }));
  const log: string[] = [];
  const lock = RunLock.acquire(dir, 'me', (l) => log.push(l));
  t.deepEqual(log, [`took over the run lock of pid ${deadPid} on ${hostname()} (killed, since then): that process is no longer running`]);
  lock.release();
  // Another host: live while its heartbeat is fresh, stale once it is older than LOCK_STALE_MS.
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', command: 'remote', since: 'then', started: null, token: 'b' }));
  t.throws(() => RunLock.acquire(dir, 'me', () => {}), { message: /is in use by pid 1 on elsewhere \(remote, since then\)/ });
  const old = new Date(Date.now() - LOCK_STALE_MS - 60_000);
  utimesSync(join(dir, 'run.lock'), old, old);
  const log2: string[] = [];
  const taken = RunLock.acquire(dir, 'me', (l) => log2.push(l));
  t.regex(log2[0]!, /^took over the run lock of pid 1 on elsewhere \(remote, since then\): no heartbeat for 3\d min \(limit 30 min\)$/);
  // The holder whose lock was taken over learns it at its next heartbeat instead of writing on.
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 2, host: 'elsewhere', command: 'thief', since: 'now', started: null, token: 'c' }));
  t.throws(() => taken.heartbeat(), { instanceOf: UsageError, message: /run\.lock now names pid 2 on elsewhere \(thief, since now\); this process stopped writing the run folder/ });
  taken.release();
  t.true(existsSync(join(dir, 'run.lock')), "release leaves a successor's lock alone");
});
