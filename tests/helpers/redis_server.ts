/**
 * A real redis-server for a test: started on a free loopback port in a temporary folder, stopped at the end. Where
 * redis-server is not installed, the tests that need it say so and are skipped; under CI=true they fail instead,
 * because CI installs it (.ci/run).
 */
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';

/** Whether redis-server runs here. */
export function haveRedis(): boolean {
  return spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Skips the test where redis-server is missing (fails it under CI=true); true when the test may go on. */
export function needRedis(t: ExecutionContext): boolean {
  if (haveRedis()) return true;
  if (process.env['CI'] === 'true') {
    t.fail(`${REDIS_SERVER} is not installed, and CI must run the queue tests (.ci/run installs redis-server)`);
    return false;
  }
  t.log(`skipped: ${REDIS_SERVER} is not installed (apt-get install redis-server)`);
  t.pass();
  return false;
}

/** A port nobody listens on now (the kernel's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisOptions {
  password?: string;
  /** TLS only (no plain port): a certificate for 127.0.0.1 signed by a CA written beside it. */
  tls?: boolean;
}

export interface TestRedis {
  /** redis:// (or rediss://) URL with the password, if any. */
  url: string;
  port: number;
  dir: string;
  /** The CA certificate file of a TLS server (for NODE_EXTRA_CA_CERTS). */
  caFile?: string;
  /** Kills the server (SIGKILL: what it held is gone) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.crt');
  const ext = join(dir, 'san.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=evometa test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  run(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  return { ca, cert, key };
}

async function waitForPing(port: number, args: readonly string[], child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    const r = spawnSync('redis-cli', ['-p', String(port), ...args, 'ping'], { encoding: 'utf8' });
    if (r.stdout.trim() === 'PONG') return;
    if (exited) throw new Error(`redis-server on port ${port} exited at start`);
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Starts redis-server on a free loopback port; `t.teardown` stops it. */
export async function startRedis(t: ExecutionContext, options: RedisOptions = {}): Promise<TestRedis> {
  const redis = await launchRedis(options);
  t.teardown(() => redis.stop());
  return redis;
}

/** Starts redis-server on a free loopback port (the caller stops it; the bench uses this too). */
export async function launchRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'evometa-redis-'));
  const port = await freePort();
  const certs = options.tls ? makeCertificates(dir) : null;
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  if (certs) args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no');
  else args.push('--port', String(port));
  const cliArgs = [...(options.password ? ['-a', options.password, '--no-auth-warning'] : []), ...(certs ? ['--tls', '--cacert', certs.ca] : [])];
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    await waitForPing(port, cliArgs, child);
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  await launch();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const redis: TestRedis = {
    url: `${certs ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    port,
    dir,
    ...(certs ? { caFile: certs.ca } : {}),
    restart: async () => {
      await kill();
      await launch();
    },
    stop: kill,
  };
  return redis;
}
