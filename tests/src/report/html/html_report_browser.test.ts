/** The HTML report opened in headless Chromium: every panel drawn with the expected series, hover values, no errors. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeHtmlReport } from '../../../../src/report/html/html_report.js';
import { browserTest } from '../../../helpers/browser_test.js';
import { collectPageErrors } from '../../../helpers/chromium.js';
import { tempDir } from '../../../helpers/run_files.js';
import { writeFixtureRun } from './fixture_runs.js';
import { chartCensus } from './chart_census.js';

browserTest('the HTML report of two runs draws each panel with both runs overlaid, the replay, hover values and no console error', async (t, browser) => {
  const root = tempDir();
  const a = writeFixtureRun(root, 'a', { dim: 3, metrics: true, restartAt: 10, replay: true, finished: true });
  const b = writeFixtureRun(root, 'b', { dim: 2, generations: 12 });
  const { path } = writeHtmlReport([a, b], join(root, 'both.html'));
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = collectPageErrors(page);
  await page.goto(pathToFileURL(path).href);
  await page.waitForFunction(() => (globalThis as any).evometaDashboard?.charts.length > 0);
  const census = await chartCensus(page);
  t.deepEqual(census.map((c) => [c.key, c.lines]), [
    ['f-minus-best', 4], ['f', 6], ['sigma', 4], ['scales', 5], ['mean', 5], ['metrics', 1], ['wall', 2], ['replay:a:replay/replay.json', 2],
  ]);
  for (const c of census) {
    t.is(c.canvases, 1, c.key);
    t.true(c.inked > 500, `${c.key}: ${c.inked} drawn pixels`);
    t.is(c.legendRows, c.lines, `${c.key}: one legend row per line`);
  }
  t.is(census[4]!.series, 5);
  t.is(census[7]!.series, 6, 'the replay: a line and the two bounds of its band per method');
  t.is(census[0]!.xMax, 160, 'x is evaluations: 20 generations of 8');
  t.deepEqual(await page.locator('#runs td[data-field=generations]').allTextContents(), ['20', '12']);
  t.deepEqual(await page.locator('#runs td[data-field=state]').allTextContents(), ['finished', 'failed']);

  // Hover: the legend shows the values under the cursor.
  const over = page.locator('section[data-key=sigma] .u-over');
  const box = (await over.boundingBox())!;
  await over.hover({ position: { x: box.width * 0.1, y: box.height / 2 } });
  await over.hover({ position: { x: box.width * 0.12, y: box.height / 2 } });
  const legend = page.locator('section[data-key=sigma] .u-legend .u-series .u-value').first();
  await legend.filter({ hasText: /\d/ }).waitFor({ timeout: 2000 });
  const values = await page.locator('section[data-key=sigma] .u-legend .u-series .u-value').allTextContents();
  t.regex(values[0]!, /^\d+$/, `x value under the cursor: ${values[0]}`);
  t.regex(values[1]!, /^[\d.e-]+$/, `run a's sigma under the cursor: ${values[1]}`);

  await page.selectOption('#x-axis', 'wall');
  const wall = await chartCensus(page);
  t.is(wall[0]!.xMax, 1, 'x is wall time: 20 generations of 50 ms');
  t.is(await page.locator('section[data-key=f] .u-legend .u-series .u-label').first().textContent(), 'wall time (s)');
  t.is(await page.evaluate(() => (globalThis as any).evometaDashboard.charts[1].plot.axes[0].label), 'wall time (s)');
  t.deepEqual(errors, []);
});
