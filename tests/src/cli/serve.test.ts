/** `evometa serve` and `evometa report --html` as a user runs them: a child process, its output and exit status. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tempDir } from '../../helpers/run_files.js';
import { writeFixtureRun } from '../report/html/fixture_runs.js';
import { cli, oneJsonDocument, oneLineFailure } from './cli_run.js';

test('serve prints its URL on 127.0.0.1, answers, and stops on SIGTERM with exit 0', async (t) => {
  const root = tempDir();
  writeFixtureRun(root, 'r1', { finished: true });
  const child = spawn(process.execPath, [CLI, 'serve', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no URL printed: ${out}`)), 15000);
    child.stdout.on('data', () => {
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    });
  });
  t.regex(out, new RegExp(`^serving ${root} at http://127\\.0\\.0\\.1:\\d+/ \\(read-only; Ctrl-C stops\\)\\n$`));
  const runs = (await (await fetch(`${url}api/runs`)).json()) as { runs: { name: string; facts: { state: string } }[] };
  t.deepEqual(runs.runs.map((r) => [r.name, r.facts.state]), [['r1', 'finished']]);
  const code = await new Promise<number | null>((done) => {
    child.on('exit', (c) => done(c));
    child.kill('SIGTERM');
  });
  t.is(code, 0);
  t.is(err, '', 'nothing on stderr (no library warning either)');
});

test('serve refuses a missing folder, a file, a port out of range and a port in use, in one line each (exit 2)', async (t) => {
  const root = tempDir();
  oneLineFailure(t, cli(['serve', join(root, 'nope')]), 2, /nope not found; give the results folder that holds the run folders/);
  writeFixtureRun(root, 'r');
  oneLineFailure(t, cli(['serve', join(root, 'r', 'manifest.json')]), 2, /manifest\.json is a file; give the results folder/);
  oneLineFailure(t, cli(['serve', root, '--port', '70000']), 2, /--port/);
  const busy = createServer();
  await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [CLI, 'serve', root, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('exit', (code) => done({ code, stdout, stderr }));
    });
    oneLineFailure(t, r, 2, new RegExp(`--port ${port} is in use; pick another port with --port \\(0 picks a free one\\)`));
  } finally {
    busy.close();
  }
});

test('report --html writes one dashboard of several runs; --json says where and what', (t) => {
  const root = tempDir();
  const a = writeFixtureRun(root, 'a', { finished: true });
  const b = writeFixtureRun(root, 'b', { generations: 3 });
  const out = join(root, 'page.html');
  const doc = oneJsonDocument(t, cli(['report', a, b, '--html', '--out', out, '--json']));
  t.is(doc.html, out);
  t.deepEqual(doc.runs.map((r: { run: string; generations: number; state: string }) => [r.run, r.generations, r.state]), [['a', 20, 'finished'], ['b', 3, 'failed']]);
  t.regex(readFileSync(out, 'utf8'), /^<!doctype html>/);
  const one = cli(['report', a, '--html']);
  t.is(one.code, 0, one.stderr);
  t.is(one.stdout, `dashboard of 1 run: ${join(a, 'report.html')}\n`);
  t.true(existsSync(join(a, 'report.html')));
  t.false(existsSync(join(a, 'report.svg')), '--html writes the page only');
});

test('report refuses several folders without --html, --out without --html, and a non-run among several', (t) => {
  const root = tempDir();
  const a = writeFixtureRun(root, 'a');
  const b = writeFixtureRun(root, 'b');
  oneLineFailure(t, cli(['report', a, b]), 2, /the text report takes one DIR \(got 2\); add --html for a dashboard of several runs/);
  oneLineFailure(t, cli(['report', a, '--out', join(root, 'x.html')]), 2, /--out names the HTML file of --html; add --html/);
  oneLineFailure(t, cli(['report', a, join(root, 'nope'), '--html']), 2, /nope not found; give a run folder/);
  t.false(existsSync('dashboard.html'), 'nothing written when a folder is refused');
});
