/** Kills a spawned run with SIGKILL once its checkpoint has reached a generation: a crash in the middle of a run. */
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, generationsWithoutTimings, readJson, tempDir } from './run_files.js';

/**
 * Polls `runDir`/checkpoint.json every 5 ms; at `generation` or later it sends SIGKILL and waits for the exit.
 * Run such a test serially: a test blocked in spawnSync would starve the polling timer.
 */
export async function killAtGeneration(child: ChildProcess, runDir: string, generation: number, timeoutMs = 60000): Promise<void> {
  const ckpt = join(runDir, 'checkpoint.json');
  const exited = new Promise((r) => child.once('exit', r));
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      let gen = 0;
      try {
        gen = JSON.parse(readFileSync(ckpt, 'utf8')).generation;
      } catch {
        /* not there yet */
      }
      if (gen >= generation) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`run never reached generation ${generation}`));
      }
    }, 5);
  });
  await exited;
}

/**
 * The kill-and-resume check: runs `evometa search ARGS` to its end, runs it again and kills it at generation
 * `killAt`, resumes it with `evometa resume`, and asserts that the resumed run has the uninterrupted run's
 * generations.jsonl (timings aside) and best.json. ARGS must include --json and a --max-generations budget.
 */
export async function assertKillAndResumeReplays(t: ExecutionContext, args: readonly string[], generations: number, killAt: number): Promise<void> {
  const dir = tempDir();
  const cli = (a: readonly string[]) => spawnSync(process.execPath, [CLI, ...a], { encoding: 'utf8' });
  const full = cli(['search', ...args, '--out', join(dir, 'full')]);
  t.is(full.status, 0, full.stderr);
  const cut = join(dir, 'cut');
  const child = spawn(process.execPath, [CLI, 'search', ...args, '--out', cut], { stdio: 'ignore' });
  await killAtGeneration(child, cut, killAt);
  t.false(existsSync(join(cut, 'summary.json')), 'the run was killed before it finished');
  const resumed = cli(['resume', cut, '--json']);
  t.is(resumed.status, 0, resumed.stderr);
  t.is(JSON.parse(resumed.stdout).generations, generations);
  t.deepEqual(generationsWithoutTimings(cut), generationsWithoutTimings(join(dir, 'full')));
  t.deepEqual(readJson(join(cut, 'best.json')), readJson(join(dir, 'full', 'best.json')));
  t.regex(readFileSync(join(cut, 'run.log'), 'utf8'), /resumed at generation \d+/);
}
