/**
 * Queue runs end to end: a real redis-server on a free loopback port, `evometa worker` processes as separate OS
 * processes (hosts), and `evometa search --redis`. Serial: the tests kill processes at chosen moments.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAtGeneration } from '../../../helpers/kill_mid_run.js';
import { examplePlugin } from '../../../helpers/plugin_files.js';
import { startWorker } from '../../../helpers/queue_workers.js';
import { needRedis, startRedis, type TestRedis } from '../../../helpers/redis_server.js';
import { CLI, generationsWithoutTimings, readJson, tempDir } from '../../../helpers/run_files.js';

const SLOW = examplePlugin('slow_sphere.mjs');

/** A 3-D slow-sphere search whose evaluations each take `delayMs`. */
function slowSphereArgs(delayMs: number, popsize: number, generations: number, seed: number): string[] {
  return ['--plugin', SLOW, '--task', 'slow-sphere', '--task-config', JSON.stringify({ delayMs }), '--dim', '3', '--popsize', String(popsize), '--max-generations', String(generations), '--seed', String(seed), '--no-progress', '--json'];
}

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the workers' pipes and the test's timers go on). */
function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function redisCli(r: TestRedis, ...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('redis-cli', ['-p', String(r.port), '--no-auth-warning', ...args]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => resolve(out.trim()));
  });
}

/**
 * Nothing of a finished run stays in Redis: no announcement at once, and no queue key once the workers have seen the
 * run end (they look every second; the last to leave removes what it wrote in between).
 */
async function assertQueuesRemoved(t: import('ava').ExecutionContext, r: TestRedis): Promise<void> {
  t.is(await redisCli(r, 'hlen', 'evometa:runs'), '0');
  let left = await redisCli(r, '--scan', '--pattern', 'evometa:run-*');
  for (let k = 0; k < 50 && left !== ''; k++) {
    await new Promise((res) => setTimeout(res, 100));
    left = await redisCli(r, '--scan', '--pattern', 'evometa:run-*');
  }
  t.is(left, '');
}

const FAULTY = ['--task', 'faulty', '--task-config', '{"mode":"throw","failRate":0.25}', '--dim', '4', '--popsize', '8', '--max-generations', '6', '--seed', '11', '--no-progress', '--json'];

test.serial('inline, threads, one and four queue workers give the same generations.jsonl', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const dir = tempDir();
  const inline = await cli(['search', ...FAULTY, '--workers', '0', '--out', join(dir, 'inline')]);
  t.is(inline.status, 0, inline.stderr);
  const threads = await cli(['search', ...FAULTY, '--workers', '2', '--out', join(dir, 'threads')]);
  t.is(threads.status, 0, threads.stderr);
  const one = await startWorker(t, redis.url, ['--concurrency', '2']);
  const q1 = await cli(['search', ...FAULTY, '--redis', redis.url, '--out', join(dir, 'q1')]);
  t.is(q1.status, 0, q1.stderr);
  const more = await Promise.all([1, 2, 3].map(() => startWorker(t, redis.url, ['--concurrency', '1'])));
  const q4 = await cli(['search', ...FAULTY, '--redis', redis.url, '--out', join(dir, 'q4')]);
  t.is(q4.status, 0, q4.stderr);
  const expected = generationsWithoutTimings(join(dir, 'inline'));
  t.is(expected.length, 6);
  t.true(expected.some((g) => (g['failures'] as number) > 0), 'the faulty task failed some evaluations');
  for (const run of ['threads', 'q1', 'q4']) {
    t.deepEqual(generationsWithoutTimings(join(dir, run)), expected, run);
    t.deepEqual(readJson(join(dir, run, 'best.json')), readJson(join(dir, 'inline', 'best.json')), run);
  }
  // The run log names the worker (host:pid) of each failed evaluation.
  const pids = new Set([one, ...more].map((w) => String(w.child.pid)));
  const failedLines = readFileSync(join(dir, 'q4', 'run.log'), 'utf8').split('\n').filter((l) => / candidate \d+: error/.test(l));
  t.true(failedLines.length > 0);
  for (const line of failedLines) {
    const m = / on worker [^:\s]+:(\d+) \(faulty task: simulated failure\)/.exec(line);
    t.truthy(m, line);
    t.true(pids.has(m![1]!), line);
  }
  t.is(readJson(join(dir, 'q4', 'manifest.json')).config.redis, redis.url);
  await assertQueuesRemoved(t, redis);
});

test.serial('a worker killed mid-job loses its job to another worker, and the run ends as without the kill', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const dir = tempDir();
  const args = slowSphereArgs(400, 4, 3, 5);
  const a = await startWorker(t, redis.url, ['--plugin', SLOW, '--concurrency', '2', '--lock-ms', '1000']);
  const b = await startWorker(t, redis.url, ['--plugin', SLOW, '--concurrency', '2', '--lock-ms', '1000']);
  const run = cli(['search', ...args, '--redis', redis.url, '--out', join(dir, 'q')]);
  // Worker a dies while it holds a job (BullMQ records the holder's name, 'pb', in the job's hash).
  const aId = a.log().match(/worker (\S+): serving/)![1]!;
  const deadline = Date.now() + 30_000;
  let held: string | null = null;
  while (held === null && Date.now() < deadline) {
    const queue = (await redisCli(redis, 'hkeys', 'evometa:runs')).split('\n')[0];
    if (queue) {
      for (const id of (await redisCli(redis, 'lrange', `evometa:${queue}:active`, '0', '-1')).split('\n').filter(Boolean))
        if ((await redisCli(redis, 'hget', `evometa:${queue}:${id}`, 'pb')) === aId) held = id;
    }
    if (held === null) await new Promise((r) => setTimeout(r, 10));
  }
  t.truthy(held, 'worker a took a job');
  await a.kill();
  const q = await run;
  t.is(q.status, 0, q.stderr);
  t.true(b.log().includes('joined run'));
  const plain = await cli(['search', ...args, '--workers', '0', '--out', join(dir, 'inline')]);
  t.is(plain.status, 0, plain.stderr);
  t.deepEqual(generationsWithoutTimings(join(dir, 'q')), generationsWithoutTimings(join(dir, 'inline')));
  t.true(generationsWithoutTimings(join(dir, 'q')).every((g) => g['failures'] === 0));
  t.log(`worker a was killed holding job ${held}`);
  await assertQueuesRemoved(t, redis);
});

test.serial('Redis killed and restarted empty mid-run: the search waits, puts its jobs back, and ends as without it', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const dir = tempDir();
  const args = slowSphereArgs(150, 12, 5, 9);
  await startWorker(t, redis.url, ['--plugin', SLOW, '--concurrency', '3', '--lock-ms', '1000']);
  const child = spawn(process.execPath, [CLI, 'search', ...args, '--redis', redis.url, '--out', join(dir, 'q')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  const ckpt = join(dir, 'q', 'checkpoint.json');
  const deadline = Date.now() + 30_000;
  while (!(existsSync(ckpt) && readJson(ckpt).generation >= 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // Redis dies while jobs wait on the queue (12 a generation; the worker holds at most 6: 2 per thread), so that
  // some are surely lost with it.
  let waiting = 0;
  while (waiting === 0 && Date.now() < deadline) {
    const queue = (await redisCli(redis, 'hkeys', 'evometa:runs')).split('\n')[0];
    waiting = queue ? Number(await redisCli(redis, 'llen', `evometa:${queue}:wait`)) : 0;
  }
  t.true(waiting > 0, 'jobs were waiting when Redis was killed');
  await redis.restart();
  t.is(await exited, 0);
  const plain = await cli(['search', ...args, '--workers', '0', '--out', join(dir, 'inline')]);
  t.deepEqual(generationsWithoutTimings(join(dir, 'q')), generationsWithoutTimings(join(dir, 'inline')));
  t.regex(readFileSync(join(dir, 'q', 'run.log'), 'utf8'), /job\(s\) were no longer in Redis \(was it restarted\?\); put back on the queue/);
  t.is(plain.status, 0);
  await assertQueuesRemoved(t, redis);
});

test.serial('a search killed -9 resumes on the queue; the dead search\'s queue is removed and its jobs are not counted', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const dir = tempDir();
  const args = slowSphereArgs(30, 6, 8, 21);
  await startWorker(t, redis.url, ['--plugin', SLOW, '--concurrency', '2']);
  const cut = join(dir, 'cut');
  const child = spawn(process.execPath, [CLI, 'search', ...args, '--redis', redis.url, '--out', cut], { stdio: 'ignore' });
  await killAtGeneration(child, cut, 3);
  t.false(existsSync(join(cut, 'summary.json')));
  t.is(await redisCli(redis, 'hlen', 'evometa:runs'), '1', 'the dead search left its announcement');
  const resumed = await cli(['resume', cut, '--json']);
  t.is(resumed.status, 0, resumed.stderr);
  const s = JSON.parse(resumed.stdout) as { generations: number; evaluations: number };
  t.is(s.generations, 8);
  t.is(s.evaluations, 48);
  const plain = await cli(['search', ...args, '--workers', '0', '--out', join(dir, 'inline')]);
  t.is(plain.status, 0);
  t.deepEqual(generationsWithoutTimings(cut), generationsWithoutTimings(join(dir, 'inline')));
  t.regex(readFileSync(join(cut, 'run.log'), 'utf8'), /removed the queue run-[0-9a-f-]+ of an earlier session of this run \(pid \d+\); its jobs are not counted/);
  await assertQueuesRemoved(t, redis);
});

test.serial('a password stays out of the run folder; resume asks for it again; a wrong one is one line and no folder', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t, { password: 'Xy7-s3cret' });
  const dir = tempDir();
  const args = ['--task', 'sphere', '--dim', '3', '--popsize', '4', '--max-generations', '3', '--seed', '2', '--no-progress', '--json'];
  await startWorker(t, redis.url, ['--concurrency', '1']);
  const ok = await cli(['search', ...args, '--redis', redis.url, '--out', join(dir, 'ok')]);
  t.is(ok.status, 0, ok.stderr);
  for (const f of ['manifest.json', 'run.log', 'summary.json', 'checkpoint.json']) t.false(readFileSync(join(dir, 'ok', f), 'utf8').includes('Xy7-s3cret'), f);
  t.is(readJson(join(dir, 'ok', 'manifest.json')).config.redis, `redis://:***@127.0.0.1:${redis.port}`);
  const more = await cli(['resume', join(dir, 'ok'), '--max-generations', '4']);
  t.is(more.status, 2);
  t.regex(more.stderr, /ran on the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+, and its manifest keeps no password; resume with --redis URL/);
  const more2 = await cli(['resume', join(dir, 'ok'), '--max-generations', '4', '--redis', redis.url, '--json']);
  t.is(more2.status, 0, more2.stderr);
  t.is(JSON.parse(more2.stdout).generations, 4);
  const wrong = await cli(['search', ...args, '--redis', `redis://:wrong@127.0.0.1:${redis.port}`, '--out', join(dir, 'wrong')]);
  t.is(wrong.status, 2);
  t.regex(wrong.stderr, /^evometa: error: --redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ does not answer \(WRONGPASS[^\n]*\); start redis-server there or fix the URL\n$/);
  t.false(existsSync(join(dir, 'wrong')));
});

test.serial('over TLS (rediss://) with a private certificate authority', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t, { tls: true });
  const env = { NODE_EXTRA_CA_CERTS: redis.caFile! };
  const dir = tempDir();
  await startWorker(t, redis.url, ['--concurrency', '1'], env);
  const r = await cli(['search', '--task', 'rosenbrock', '--dim', '3', '--popsize', '6', '--max-generations', '4', '--seed', '4', '--no-progress', '--json', '--redis', redis.url, '--out', join(dir, 'tls')], env);
  t.is(r.status, 0, r.stderr);
  t.true(redis.url.startsWith('rediss://'));
  t.is(JSON.parse(r.stdout).evaluations, 24);
  const untrusted = await cli(['status', '--redis', redis.url]);
  t.is(untrusted.status, 2, 'without the CA the certificate is refused');
  t.regex(untrusted.stderr, /does not answer/);
});

test.serial('no Redis at the URL: one line, exit 2, no run folder', async (t) => {
  const dir = tempDir();
  const r = await cli(['search', '--task', 'sphere', '--max-generations', '2', '--redis', 'redis://127.0.0.1:1', '--out', join(dir, 'x')]);
  t.is(r.status, 2);
  t.regex(r.stderr, /^evometa: error: --redis redis:\/\/127\.0\.0\.1:1 does not answer \([^\n]*ECONNREFUSED[^\n]*\); start redis-server there or fix the URL\n$/);
  t.false(existsSync(join(dir, 'x')));
});

test.serial('evometa status shows the workers alive; worker and status without --redis are one line', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const w = await startWorker(t, redis.url, ['--plugin', SLOW, '--concurrency', '2']);
  const json = await cli(['status', '--redis', redis.url, '--json']);
  t.is(json.status, 0, json.stderr);
  const s = JSON.parse(json.stdout) as { workers: { pid: number; concurrency: number; plugins: string[] }[]; runs: unknown[] };
  t.is(s.workers.length, 1);
  t.like(s.workers[0], { pid: w.child.pid, concurrency: 2 });
  t.regex(s.workers[0]!.plugins[0]!, /slow_sphere\.mjs$/);
  t.deepEqual(s.runs, []);
  const text = await cli(['status', '--redis', redis.url]);
  t.regex(text.stdout, new RegExp(`workers: 1\\n  worker +threads +done +failed +active +runs +plug-ins\\n  \\S+:${w.child.pid} +2 +0 +0 +0 +0 +file://\\S+slow_sphere\\.mjs\\nruns: 0\\n$`));
  const noUrl = await cli(['worker']);
  t.is(noUrl.status, 2);
  t.is(noUrl.stderr, 'evometa: error: worker needs --redis URL: the Redis server the searches put their jobs on\n');
  const badUrl = await cli(['status', '--redis', 'localhost:6379']);
  t.is(badUrl.status, 2);
  t.regex(badUrl.stderr, /--redis 'localhost:6379' has the scheme 'localhost:'; give redis:\/\/host:port/);
});

test.serial('a --config file names the Redis URL; a worker\'s --backend runs the jobs that ask for auto', async (t) => {
  if (!needRedis(t)) return;
  const redis = await startRedis(t);
  const dir = tempDir();
  await startWorker(t, redis.url, ['--concurrency', '1', '--backend', 'cpu']);
  const config = join(dir, 'run.json');
  writeFileSync(config, JSON.stringify({ task: 'linear-regression', dim: 4, popsize: 4, 'max-generations': 2, seed: 3, redis: redis.url }));
  const r = await cli(['search', '--config', config, '--no-progress', '--json', '--out', join(dir, 'q')]);
  t.is(r.status, 0, r.stderr);
  const manifest = readJson(join(dir, 'q', 'manifest.json'));
  t.is(manifest.config.redis, redis.url);
  t.deepEqual(manifest.backend, { requested: 'auto', used: 'cpu' });
  t.is(JSON.parse(r.stdout).evaluations, 8);
});
