/**
 * `npm run bench -- dashboard [--out DIR] [--runs DIR]`: screenshots of the dashboards, for the README. It runs two
 * short searches (IPOP-CMA-ES and CMA-ES on 8-D Rosenbrock) and a replay of the backprop rule beside SGD and Adam into
 * the first run's folder, writes `evometa report --html` of both runs, then serves the folder with `evometa serve`
 * while a third search writes generations, and photographs the run list and that run's live dashboard in headless
 * Chromium. PNGs go to results/dashboard/ (default), the run folders to results/dashboard-runs/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { option } from './bench_args.js';
import { launchChromium } from '../tests/helpers/chromium.js';

const CLI = resolve('dist/src/cli/main.js');

function evometa(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`evometa ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Resolves with the first stdout line of `child` that matches `pattern`. */
function lineOf(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      text += c;
      const m = text.match(pattern);
      if (m) done(m);
    });
    child.on('exit', (code) => fail(new Error(`exited ${code} before printing ${pattern}: ${text}`)));
  });
}

export default async function dashboardBench(args: string[]): Promise<void> {
  const out = option(args, 'out', 'results/dashboard');
  const runs = option(args, 'runs', 'results/dashboard-runs');
  rmSync(runs, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const a = join(runs, 'rosenbrock-ipop-cmaes-s1');
  const b = join(runs, 'rosenbrock-cmaes-s2');
  const common = ['--task', 'rosenbrock', '--dim', '8', '--x0', '2', '--max-evals', '12000', '--workers', '0', '--no-progress', '--json'];
  evometa(['search', ...common, '--strategy', 'ipop-cmaes', '--seed', '1', '--target', '1e-10', '--out', a]);
  evometa(['search', ...common, '--strategy', 'cmaes', '--seed', '2', '--target', '1e-10', '--out', b]);
  evometa(['replay', 'genomes/backprop.blur.json', '--task', 'xor', '--steps', '300', '--seeds', '3', '--compare', 'sgd,adam', '--hidden', '8', '--backend', 'cpu', '--no-progress', '--json', '--out', join(a, 'replay-xor')]);
  const page = join(runs, 'report.html');
  evometa(['report', a, b, '--html', '--out', page]);

  const browser = await launchChromium();
  let server: ChildProcess | null = null;
  let live: ChildProcess | null = null;
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await tab.goto(pathToFileURL(resolve(page)).href);
    await tab.waitForFunction(() => (globalThis as any).evometaDashboard?.charts.length > 0);
    await tab.screenshot({ path: join(out, 'report.png'), fullPage: true });

    live = spawn(process.execPath, [CLI, 'search', '--task', 'rastrigin', '--dim', '10', '--x0', '3', '--sigma0', '2', '--strategy', 'ipop-cmaes', '--max-evals', '400000', '--seed', '3', '--workers', '0', '--no-progress', '--out', join(runs, 'rastrigin-ipop-cmaes-s3')], { stdio: ['ignore', 'ignore', 'inherit'] });
    server = spawn(process.execPath, [CLI, 'serve', runs, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = (await lineOf(server, /at (http:\/\/\S+\/) /))[1]!;
    while (!existsSync(join(runs, 'rastrigin-ipop-cmaes-s3', 'generations.jsonl'))) await new Promise((r) => setTimeout(r, 100));
    await tab.goto(url);
    await tab.locator('#run-rows tr').nth(2).waitFor();
    await tab.screenshot({ path: join(out, 'serve-list.png') });
    await tab.click('#run-rows tr[data-run="rastrigin-ipop-cmaes-s3"] a');
    await tab.waitForFunction(() => (globalThis as any).evometaDashboard?.updates >= 3, undefined, { timeout: 60_000 });
    await tab.screenshot({ path: join(out, 'serve-live.png'), fullPage: true });
  } finally {
    live?.kill('SIGINT');
    server?.kill('SIGTERM');
    await browser.close();
  }
  process.stdout.write(`screenshots: ${['report.png', 'serve-list.png', 'serve-live.png'].map((f) => join(out, f)).join(', ')}\n`);
}
