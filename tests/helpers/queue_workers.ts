/** `evometa worker` processes for a test: separate OS processes on loopback, as hosts would be, killed at the end. */
import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './run_files.js';

export interface TestWorker {
  child: ChildProcess;
  /** What it wrote on stderr so far. */
  log(): string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/** Starts `evometa worker --redis URL ARGS`; resolves once it serves (its "serving" line); `t.teardown` kills it. */
export async function startWorker(t: ExecutionContext, url: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<TestWorker> {
  const w = await launchWorker(url, args, env);
  t.teardown(() => w.kill());
  return w;
}

/** Starts `evometa worker --redis URL ARGS`; resolves once it serves, rejects if it exits first (the caller kills it). */
export async function launchWorker(url: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<TestWorker> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', url, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stderr!.setEncoding('utf8');
  const w: TestWorker = {
    child,
    log: () => text,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: string) => {
      text += d;
      if (text.includes(': serving ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before serving: ${text}`)));
  });
  return w;
}
