import test from 'ava';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadRun, reportRun } from '../../../src/report/report.js';
import { restartMarkers } from '../../../src/report/report_panels.js';
import { runSearch } from '../../../src/search.js';
import { resolveRunConfig } from '../../../src/engine/run_config.js';
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

/** The panels of a report.svg: title, y scale, series names and restart-marker labels of each. */
function panels(svg: string): { title: string; scale: string; series: string[]; markers: string[]; note?: string }[] {
  return svg.split('<g class="panel" ').slice(1).map((p) => ({
    title: /font-weight="bold">([^<]*)<\/text>/.exec(p)![1]!,
    scale: /^data-y-scale="(\w+)"/.exec(p)![1]!,
    series: [...new Set([...p.matchAll(/class="(?:line|point)" data-series="([^"]*)"/g)].map((m) => m[1]!))],
    markers: [...p.matchAll(/class="marker" data-label="([^"]*)"/g)].map((m) => m[1]!),
    ...(p.includes('<g class="note"') ? { note: [...p.split('<g class="note"')[1]!.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]).join(' ') } : {}),
  }));
}

test('report.svg: pycma-style panels over evaluations, log axes where pycma has them, all series', (t) => {
  const dir = makeRun();
  const { svgPath } = reportRun(dir);
  t.is(svgPath, join(dir, 'report.svg'));
  const svg = readFileSync(svgPath, 'utf8');
  t.deepEqual(panels(svg).map((p) => [p.title, p.scale, p.series.join(',')]), [
    ['f − f_best (log scale; f_best: the best f of the run)', 'log', 'best of generation,median of generation'],
    ['Best and median f (log scale)', 'log', 'best of generation,median of generation,best so far'],
    ['Step size σ (log scale)', 'log', 'sigma'],
    ['Wall time per generation', 'linear', 'wall ms'],
  ]);
  t.is([...svg.matchAll(/class="x-label"[^>]*>evaluations</g)].length, 4);
  t.true(svg.includes('>1e-11</text>'), 'fitness axis reaches 1e-11');
  // f − f_best is 0 at the best generation: the one value a log axis cannot show.
  t.is(panels(svg)[0]!.note, '1 non-positive value skipped (log scale)');
  t.false(existsSync(`${svgPath}.tmp`));
});

test('report.svg plots the axis ratio, scales σ·√C_ii, mean and task metrics where the records have them', (t) => {
  const dir = makeRun({ gens: 5 });
  const rec = (g: number) => ({ ...record(g), axisRatio: 1 + g, scales: Array.from({ length: 10 }, (_, i) => 0.1 * (i + 1) / (g + 1)), mean: Array.from({ length: 10 }, (_, i) => i - g), bestMetrics: { accuracy: 0.5 + 0.1 * g, heldOutAccuracy: 0.4 + 0.1 * g } });
  writeFileSync(join(dir, 'generations.jsonl'), [0, 1, 2, 3, 4].map((g) => JSON.stringify(rec(g)) + '\n').join(''));
  const svg = readFileSync(reportRun(dir).svgPath, 'utf8');
  const p = panels(svg);
  t.deepEqual(p.map((q) => [q.title, q.scale]), [
    ['f − f_best (log scale; f_best: the best f of the run)', 'log'],
    ['Best and median f (log scale)', 'log'],
    ['Step size σ and axis ratio (log scale)', 'log'],
    ['Per-coordinate scales σ·√C_ii (log scale)', 'log'],
    ['Mean of the search distribution', 'linear'],
    ['Task metrics of the best of each generation', 'linear'],
    ['Wall time per generation', 'linear'],
  ]);
  t.deepEqual(p[2]!.series, ['sigma', 'axis ratio']);
  t.deepEqual(p[3]!.series, Array.from({ length: 10 }, (_, i) => `x${i}`));
  t.deepEqual(p[4]!.series, p[3]!.series);
  t.deepEqual(p[5]!.series, ['accuracy', 'heldOutAccuracy']);
  // Ten coordinates: the legend names eight and says so.
  t.is(p[3]!.note, '10 coordinates; the legend names the first 8');
  const legend = svg.split('<g class="panel" ')[4]!.split('<g class="legend"')[1]!.split('</g>')[0]!;
  t.is([...legend.matchAll(/<text /g)].length, 8);
});

test('a gradient strategy is plotted over generations', (t) => {
  const dir = makeRun({ gens: 4 });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, config: { ...m.config, strategy: 'metagrad' } }));
  const svg = readFileSync(reportRun(dir).svgPath, 'utf8');
  t.is([...svg.matchAll(/class="x-label"[^>]*>generation</g)].length, 4);
  t.false(svg.includes('>evaluations<'));
});

test('fitness panel falls back to a linear axis when fitness goes negative', (t) => {
  const dir = makeRun({ gens: 3, best: false });
  writeFileSync(join(dir, 'generations.jsonl'), [0, 1, 2].map((g) => JSON.stringify({ ...record(g), bestFitness: -g, bestSoFar: -g }) + '\n').join(''));
  const { svgPath, text } = reportRun(dir);
  const p = panels(readFileSync(svgPath, 'utf8'));
  t.deepEqual(p[1], { title: 'Best and median f', scale: 'linear', series: ['best of generation', 'median of generation', 'best so far'], markers: [] });
  // The differences to the best f stay non-negative, so that panel keeps its log axis.
  t.is(p[0]!.scale, 'log');
  t.regex(text, /^best\s+-2 \(from generations\.jsonl; best\.json not written yet\)$/m);
});

test('an IPOP run: its records carry restart, axis ratio, scales and mean, and every panel marks each restart', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'evometa-report-')), 'ipop');
  roots.push(dirname(dir));
  await runSearch(resolveRunConfig({ task: 'rosenbrock', dim: 4, strategy: 'ipop-cmaes', 'max-evals': 3000, seed: 1, workers: 0 }, () => 0), dir);
  const gens = loadRun(dir).generations;
  const restarts = [...new Set(gens.map((r) => r.restart))];
  t.true(restarts.length >= 2, `restarts ${restarts}`);
  t.true(gens.every((r) => r.axisRatio! >= 1 && r.scales!.length === 4 && r.mean!.length === 4));
  const svg = readFileSync(reportRun(dir).svgPath, 'utf8');
  const p = panels(svg);
  t.is(p.length, 6);
  const labels = restarts.slice(1).map((r) => `restart ${r}`);
  for (const q of p) t.deepEqual(q.markers, labels, q.title);
  // Each marker stands at the evaluations of the first record with the new restart index.
  const first = gens.find((r) => r.restart === 1)!;
  t.true(svg.includes(`data-label="restart 1"`));
  t.is(restartMarkers(gens, gens.map((r) => r.evaluations))[0]!.x, first.evaluations);
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
