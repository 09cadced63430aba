import test from 'ava';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRun, reportRun } from '../../../src/report/report.js';
import { formatDuration, formatNumber } from '../../../src/report/format.js';

const roots: string[] = [];
test.after.always(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function manifest(runId: string) {
  return {
    runId,
    createdAt: '2025-01-01T00:00:00.000Z',
    command: 'evometa start --task sphere',
    config: {
      genome: 'vector', dim: 10, task: 'sphere', strategy: 'cmaes', seed: 42, x0: 1, sigma0: 0.5,
      target: 1e-10, maxEvals: 5000, maxGenerations: null, workers: 2, backend: 'auto',
    },
    seed: 42,
    versions: { node: '20' },
    backend: { requested: 'auto', used: 'cpu' },
    git: { commit: null, dirty: false },
  };
}

/** Generation g: best 10^(-g/2), median 3x best, sigma 0.5/(g+1), 10 evaluations each. */
function record(g: number) {
  const best = 10 ** (-g / 2);
  return {
    generation: g, evaluations: (g + 1) * 10, bestFitness: best, medianFitness: 3 * best, bestSoFar: best,
    sigma: 0.5 / (g + 1), popsize: 10, failures: 0, wallMs: 100, elapsedMs: (g + 1) * 100,
  };
}

function makeRun(opts: { gens?: number; partial?: boolean; summary?: boolean; best?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'evometa-report-'));
  roots.push(root);
  const dir = join(root, 'run-a');
  mkdirSync(dir);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest('run-a')));
  const n = opts.gens ?? 23;
  writeFileSync(join(dir, 'generations.jsonl'), Array.from({ length: n }, (_, g) => JSON.stringify(record(g)) + '\n').join(''));
  if (opts.partial) appendFileSync(join(dir, 'generations.jsonl'), '{"generation": 23, "evaluations": 24');
  if (opts.best ?? true) {
    writeFileSync(join(dir, 'best.json'), JSON.stringify({ fitness: 1e-11, x: [0, 0], genome: null, generation: 22, index: 3, evaluation: 224 }));
  }
  if (opts.summary) {
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ evaluations: 230, bestFitness: 1e-11, generations: 23, stopReason: { ftarget: 1e-10 }, runDir: dir }));
  }
  return dir;
}

/** The table rows of a report: lines after the header line starting with "gen". */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => /^\s*gen\s+evals/.test(l));
  return lines.slice(h + 1).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
}

test('formatNumber: 3 significant digits, exponent for small and large values', (t) => {
  t.is(formatNumber(0.0316227766), '0.0316');
  t.is(formatNumber(1e-11), '1e-11');
  t.is(formatNumber(3.16227766e-9), '3.16e-9');
  t.is(formatNumber(1.5), '1.5');
  t.is(formatNumber(123.456), '123');
  t.is(formatNumber(4321.7), '4322');
  t.is(formatNumber(123456), '1.23e5');
  t.is(formatNumber(-0.5), '-0.5');
  t.is(formatNumber(0), '0');
  t.is(formatNumber(null), '-');
  t.is(formatNumber(Infinity), 'inf');
  t.is(formatDuration(850), '850 ms');
  t.is(formatDuration(2300), '2.3 s');
  t.is(formatDuration(125_000), '2 min 05 s');
});

test('table: every 3rd of 23 generations plus the last, with formatted numbers', (t) => {
  const { text } = reportRun(makeRun());
  const rows = tableRows(text);
  t.deepEqual(rows.map((r) => r[0]), ['0', '3', '6', '9', '12', '15', '18', '21', '22']);
  t.deepEqual(rows[0], ['0', '10', '1', '3', '0.5']);
  t.deepEqual(rows[1], ['3', '40', '0.0316', '0.0949', '0.125']);
  t.deepEqual(rows[8], ['22', '230', '1e-11', '3e-11', '0.0217']);
  t.true(text.includes('generations (every 3 generations, plus the last):'));
});

test('summary text: identity, backend, best origin, not-finished hint', (t) => {
  const dir = makeRun();
  const { text } = reportRun(dir);
  t.regex(text, /^run\s+run-a$/m);
  t.regex(text, /genome vector · task sphere · strategy cmaes · dim 10/);
  t.regex(text, /^seed\s+42$/m);
  t.regex(text, /^backend\s+cpu \(requested auto\)$/m);
  t.regex(text, /23 generations · 230 evaluations · wall 2\.3 s/);
  t.regex(text, /^best\s+1e-11 at generation 22, index 3 \(evaluation 224\)$/m);
  t.true(text.includes(`not finished (resume with: evometa resume ${dir})`));
});

test('finished run shows its stop reason', (t) => {
  const { text } = reportRun(makeRun({ summary: true }));
  t.regex(text, /^stop\s+ftarget=1e-10$/m);
  t.false(text.includes('not finished'));
});

test('a partial trailing line is skipped', (t) => {
  const dir = makeRun({ partial: true });
  const run = loadRun(dir);
  t.is(run.generations.length, 23);
  t.is(run.generations[22]!.generation, 22);
  const { text } = reportRun(dir);
  t.is(tableRows(text).at(-1)![0], '22');
  t.true(text.includes('skipped unparsable line 24'));
});

test('records re-run after a resume replace the earlier ones', (t) => {
  const dir = makeRun({ gens: 6 });
  appendFileSync(join(dir, 'generations.jsonl'), [4, 5, 6].map((g) => JSON.stringify({ ...record(g), wallMs: 7 }) + '\n').join(''));
  const gens = loadRun(dir).generations;
  t.deepEqual(gens.map((r) => r.generation), [0, 1, 2, 3, 4, 5, 6]);
  t.deepEqual(gens.map((r) => r.wallMs), [100, 100, 100, 100, 7, 7, 7]);
});

test('report.svg has three panels and all series', (t) => {
  const dir = makeRun();
  const { svgPath } = reportRun(dir);
  t.is(svgPath, join(dir, 'report.svg'));
  t.true(existsSync(svgPath));
  const svg = readFileSync(svgPath, 'utf8');
  t.is([...svg.matchAll(/<g class="panel"/g)].length, 3);
  for (const name of ['best of generation', 'median of generation', 'best so far', 'sigma', 'wall ms']) {
    t.true(svg.includes(`data-series="${name}"`), name);
  }
  t.true(svg.includes('Fitness (log scale)'));
  t.true(svg.includes('Step size sigma (log scale)'));
  t.true(svg.includes('>1e-11</text>'), 'fitness axis reaches 1e-11');
  t.false(existsSync(`${svgPath}.tmp`));
});

test('fitness panel falls back to a linear axis when fitness goes negative', (t) => {
  const dir = makeRun({ gens: 3, best: false });
  writeFileSync(join(dir, 'generations.jsonl'), [0, 1, 2].map((g) => JSON.stringify({ ...record(g), bestFitness: -g, bestSoFar: -g }) + '\n').join(''));
  const { svgPath, text } = reportRun(dir);
  const svg = readFileSync(svgPath, 'utf8');
  t.true(svg.includes('>Fitness</text>'));
  t.false(svg.includes('non-positive values skipped'));
  t.regex(text, /^best\s+-2 \(from generations\.jsonl; best\.json not written yet\)$/m);
});

test('output is deterministic', (t) => {
  const dir = makeRun({ summary: true });
  const a = reportRun(dir);
  const svgA = readFileSync(a.svgPath, 'utf8');
  const b = reportRun(dir);
  t.is(a.text, b.text);
  t.is(svgA, readFileSync(b.svgPath, 'utf8'));
});

test('missing or broken manifest gives an error naming manifest.json', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'evometa-report-'));
  roots.push(root);
  t.throws(() => loadRun(root), { message: /manifest\.json is missing/ });
  writeFileSync(join(root, 'manifest.json'), '{"runId": ');
  t.throws(() => reportRun(root), { message: /manifest\.json is not valid JSON/ });
  t.false(existsSync(join(root, 'report.svg')));
});

test('a run with only a manifest still reports', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'evometa-report-'));
  roots.push(root);
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest('fresh')));
  const { text, svgPath } = reportRun(root);
  t.true(text.includes('no generations logged yet'));
  t.regex(text, /^best\s+none yet$/m);
  t.true(readFileSync(svgPath, 'utf8').includes('no data'));
});
