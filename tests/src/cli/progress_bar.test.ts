/** The progress display: plain lines off a terminal at each 10 % of the budget; a bar with ETA and rate on one. */
import test from 'ava';
import { join } from 'node:path';
import { formatClock, ProgressBar, progressBarFor } from '../../../src/cli/progress_bar.js';
import { generationProgress } from '../../../src/cli/run_summary.js';
import { tempDir } from '../../helpers/run_files.js';
import { cli } from './cli_run.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) } };
}

test('off a terminal: a line at the first update and at each 10 % of the budget, with rate, elapsed time and ETA from the budget', (t) => {
  const { writes, stream } = fakeStream(false);
  let now = 1000;
  const bar = new ProgressBar({ stream, now: () => now });
  for (let g = 1; g <= 40; g++) {
    now += 500; // 10 evaluations every 0.5 s: 20 evaluations/s
    bar.update({ fraction: g / 40, label: `gen ${g}/40`, count: 10 * g, unit: 'evals' });
  }
  bar.done();
  // the first update (a sign of life), then 10 %, 20 %, …, 100 %
  t.is(writes.length, 11);
  t.is(writes[0], '2% gen 1/40 · 0:01\n');
  t.is(writes[1], '10% gen 4/40 · 20 evals/s · 0:02, ETA 0:18\n');
  t.is(writes[5], '50% gen 20/40 · 20 evals/s · 0:10, ETA 0:10\n');
  t.is(writes[10], '100% gen 40/40 · 20 evals/s · 0:20, ETA 0:00\n');
});

test('off a terminal without a budget: a line at the first update, then every 30 s', (t) => {
  const { writes, stream } = fakeStream(false);
  let now = 0;
  const bar = new ProgressBar({ stream, now: () => now });
  for (let k = 1; k <= 10; k++) {
    now += 10000;
    bar.update({ fraction: null, label: `step ${k}` });
  }
  t.deepEqual(writes, ['step 1 · 0:10\n', 'step 4 · 0:40\n', 'step 7 · 1:10\n', 'step 10 · 1:40\n']);
});

test('on a terminal: a bar redrawn in place with the percentage, label, rate, elapsed time and ETA', (t) => {
  const { writes, stream } = fakeStream(true);
  let now = 0;
  const bar = new ProgressBar({ stream, now: () => now });
  bar.update({ fraction: 0.25, label: 'gen 1/4 · best f 3', count: 10, unit: 'evals' });
  now = 2000;
  bar.update({ fraction: 0.5, label: 'gen 2/4 · best f 1', count: 30, unit: 'evals' });
  bar.done();
  const out = writes.join('');
  // the last frame, as the terminal shows it (cursor moves and line clears stripped)
  const frames = out.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '\n').split('\n').filter((l) => l.trim() !== '');
  t.is(frames.at(-1), `${'█'.repeat(10)}${'░'.repeat(10)} 50% gen 2/4 · best f 1 · 10 evals/s · 0:02, ETA 0:04`);
  t.true(out.endsWith('\n'), 'the terminal is left on a fresh line');
});

test('progressBarFor: none with --no-progress, none with --json off a terminal, a bar on a terminal even with --json', (t) => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  t.is(progressBarFor({ switches: new Set(['no-progress']) }, { stream: tty }), null);
  t.is(progressBarFor({ switches: new Set(['json']) }, { stream: pipe }), null);
  t.truthy(progressBarFor({ switches: new Set(['json']) }, { stream: tty }));
  t.truthy(progressBarFor({ switches: new Set() }, { stream: pipe }));
});

test("a generation's progress: the larger fraction of the two budgets, best f and σ; evaluations counted for the rate", (t) => {
  const r = { generation: 4, evaluations: 50, bestSoFar: 0.125, sigma: 0.5, restart: 1 } as Parameters<typeof generationProgress>[1];
  t.deepEqual(generationProgress({ maxEvals: 200, maxGenerations: 10 }, r), { fraction: 0.5, label: 'gen 5/10 · restart 1 · best f 0.125 · σ 0.5', count: 50, unit: 'evals' });
  t.is(generationProgress({ maxEvals: 100, maxGenerations: 10 }, r).fraction, 0.5);
  t.is(generationProgress({ maxEvals: 60, maxGenerations: null }, r).label, 'gen 5 · restart 1 · best f 0.125 · σ 0.5');
  t.is(generationProgress({ maxEvals: null, maxGenerations: null }, r).fraction, null);
  t.deepEqual([formatClock(0), formatClock(61_400), formatClock(3_725_000)], ['0:00', '1:01', '1:02:05']);
});

test('a search off a terminal writes its progress lines on stderr, stdout keeps the summary', (t) => {
  const out = join(tempDir(), 'r');
  const r = cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '10', '--seed', '1', '--workers', '0', '--out', out]);
  t.is(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  t.is(lines[0], `evometa: run folder ${out} (seed 1)`);
  t.is(lines.length, 11);
  lines.slice(1).forEach((l, k) => t.regex(l, new RegExp(`^${10 * (k + 1)}% gen ${k + 1}/10 · best f \\S+ · σ \\S+ · (\\S+ evals/s · )?\\d+:\\d\\d(, ETA \\d+:\\d\\d)?$`), l));
  t.regex(r.stdout, /^cmaes on sphere \(vector, seed 1\)\n/);
  const quiet = cli(['search', '--task', 'sphere', '--dim', '2', '--max-generations', '10', '--workers', '0', '--out', join(out, 'quiet'), '--no-progress']);
  t.regex(quiet.stderr, /^evometa: run folder .*quiet \(seed \d+\)\n$/);
});
