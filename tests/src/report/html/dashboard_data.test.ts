import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardData, dashboardRun } from '../../../../src/report/html/dashboard_data.js';
import { dashboardPage, scriptJson } from '../../../../src/report/html/page.js';
import { writeHtmlReport, defaultHtmlPath } from '../../../../src/report/html/html_report.js';
import { loadRun } from '../../../../src/report/report.js';
import { runPanels } from '../../../../src/report/report_panels.js';
import { tempDir } from '../../../helpers/run_files.js';
import { writeFixtureRun } from './fixture_runs.js';

test('a run\'s dashboard data holds the report panels (same keys, titles and values) over three x axes', (t) => {
  const dir = writeFixtureRun(tempDir(), 'r1', { generations: 12, dim: 3, metrics: true, restartAt: 5 });
  const run = loadRun(dir);
  const d = dashboardRun(run);
  const panels = runPanels(run.generations, 'cmaes');
  t.deepEqual(d.panels.map((p) => p.key), ['f-minus-best', 'f', 'sigma', 'scales', 'mean', 'metrics', 'wall']);
  t.deepEqual(d.panels.map((p) => p.title), panels.map((p) => p.title));
  t.deepEqual(d.panels.map((p) => p.series.length), [2, 3, 2, 3, 3, 1, 1]);
  t.deepEqual(d.panels[2]!.series[0]!.y, run.generations.map((r) => r.sigma));
  t.deepEqual(d.x.evaluations.slice(0, 3), [8, 16, 24]);
  t.deepEqual(d.x.generation.slice(0, 3), [0, 1, 2]);
  t.deepEqual(d.x.wall.slice(0, 3), [0.05, 0.1, 0.15]);
  t.is(d.defaultX, 'evaluations');
  t.deepEqual(d.restarts, [{ index: 5, label: 'restart 1' }]);
  t.is(d.facts.generations, 12);
  t.is(d.facts.state, 'failed', 'no summary and no live lock: stopped without finishing');
  t.true(d.panels[0]!.logY && d.panels[1]!.logY && !d.panels[4]!.logY);
});

test('gradient strategies default to generations on x; replay.json files in the folder become replay charts', (t) => {
  const root = tempDir();
  const dir = writeFixtureRun(root, 'g', { strategy: 'metagrad', replay: true });
  writeFileSync(join(dir, 'replay.json'), '{"task": "xor"}');
  const d = dashboardRun(loadRun(dir));
  t.is(d.defaultX, 'generation');
  t.is(d.replays.length, 1);
  t.like(d.replays[0], { file: join('replay', 'replay.json'), xLabel: 'inner steps', yLabel: 'test accuracy', x: [0, 5, 10] });
  t.deepEqual(d.replays[0]!.series.map((s) => s.name), ['learned rule', 'SGD (lr 0.1)']);
  t.deepEqual(d.replays[0]!.series[1]!.upper.map((v) => Number(v.toFixed(3))), [0.5, 0.7, 0.75]);
  t.deepEqual(d.warnings, ['replay.json: not a replay result (task, evalAt, methods with mean and std), ignored']);
});

test('the page is one file: uPlot and the data inline, no URL to fetch, and no run name can close its script', (t) => {
  const root = tempDir();
  const dir = writeFixtureRun(root, 'x</script><script>alert(1)</script>');
  const data = dashboardData([dir]);
  const html = dashboardPage(data);
  t.false(/\b(src|href)="(https?:)?\/\//.test(html), 'no external script, style or link');
  t.false(html.includes('<script src'), 'no script file');
  t.true(html.includes('uPlot'), 'uPlot inline');
  t.is(html.split('</script>').length - 1, 3, 'the closing tags of uPlot, the data and the drawing script, and none from the run name');
  const json = html.match(/<script type="application\/json" id="dashboard-data">(.*?)<\/script>/s)![1]!;
  t.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(data)), 'the embedded data round-trips');
  t.is(scriptJson('</script>'), '"\\u003c/script>"');
});

test('writeHtmlReport writes beside one run, or to --out for several, and says what it drew', (t) => {
  const root = tempDir();
  const a = writeFixtureRun(root, 'a');
  const b = writeFixtureRun(root, 'b', { generations: 5 });
  t.is(defaultHtmlPath([a]), join(a, 'report.html'));
  t.is(defaultHtmlPath([a, b]), 'dashboard.html');
  const out = join(root, 'sub', 'both.html');
  const r = writeHtmlReport([a, b], out);
  t.is(r.path, out);
  t.deepEqual(r.data.runs.map((x) => [x.id, x.facts.generations]), [['a', 20], ['b', 5]]);
  t.regex(readFileSync(out, 'utf8'), /<title>evometa: 2 runs<\/title>/);
});
