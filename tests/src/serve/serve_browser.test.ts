/** `evometa serve` in headless Chromium: the run list, a run's dashboard, a new generation shown live, traversal refused. */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startDashboardServer } from '../../../src/serve/server.js';
import { browserTest } from '../../helpers/browser_test.js';
import { collectPageErrors } from '../../helpers/chromium.js';
import { tempDir } from '../../helpers/run_files.js';
import { appendGeneration, writeFixtureRun } from '../report/html/fixture_runs.js';
import { chartCensus } from '../report/html/chart_census.js';

browserTest('the served list opens a run\'s dashboard, which shows a generation written after it opened within 2 s', async (t, browser) => {
  const outside = tempDir();
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  const root = join(outside, 'results');
  writeFixtureRun(root, 'done', { finished: true, generations: 30, dim: 2 });
  const live = writeFixtureRun(root, 'live', { running: true, generations: 6, dim: 2 });
  const server = await startDashboardServer({ root, port: 0 });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = collectPageErrors(page);
    await page.goto(server.url);
    const rows = page.locator('#run-rows tr');
    t.is(await rows.count(), 2);
    t.deepEqual(await page.locator('#run-rows td[data-field=state]').allTextContents(), ['finished', 'running']);
    t.deepEqual(await page.locator('#run-rows td[data-field=evaluations]').allTextContents(), ['240', '48']);

    await page.click('#run-rows tr[data-run=live] a');
    await page.waitForFunction(() => (globalThis as any).evometaDashboard?.charts.length > 0);
    await page.locator('#live-status', { hasText: 'live:' }).waitFor();
    const before = await chartCensus(page);
    t.deepEqual(before.map((c) => [c.key, c.lines]), [['f-minus-best', 2], ['f', 3], ['sigma', 2], ['scales', 2], ['mean', 2], ['wall', 1]]);
    t.true(before.every((c) => c.canvases === 1 && c.inked > 300), 'every chart drawn');
    t.is(before[0]!.xMax, 48);
    // The stream has connected (its first event has arrived) before the run writes.
    await page.waitForFunction(() => (globalThis as any).evometaDashboard.updates >= 1);

    const written = Date.now();
    appendGeneration(live, 6, { dim: 2 });
    await page.locator('#runs td[data-field=generations]', { hasText: '7' }).waitFor({ timeout: 2000 });
    const shownAfter = Date.now() - written;
    t.true(shownAfter < 2000, `shown ${shownAfter} ms after the write`);
    const after = await chartCensus(page);
    t.is(after[0]!.xMax, 56, 'the chart has the new generation (7 × 8 evaluations)');
    t.deepEqual(errors, []);

    // The list picks up a new run by itself; ticking two runs and "compare" overlays them.
    await page.click('a:has-text("all runs")');
    writeFixtureRun(root, 'later', { finished: true, generations: 3, dim: 2 });
    await page.locator('#run-rows tr[data-run=later]').waitFor({ timeout: 4000 });
    t.is(await page.locator('#run-rows tr').count(), 3);
    await page.check('#run-rows tr[data-run=done] input.pick');
    await page.check('#run-rows tr[data-run=later] input.pick');
    await page.click('#compare');
    await page.waitForFunction(() => (globalThis as any).evometaDashboard?.charts.length > 0);
    t.deepEqual(await page.locator('#runs td[data-field=run]').allTextContents(), ['done', 'later']);
    t.deepEqual((await chartCensus(page)).map((c) => c.lines), [4, 6, 4, 4, 4, 2]);
    t.deepEqual(errors, []);

    const probe = await browser.newPage();
    for (const path of ['files/%2e%2e/secret.txt', 'files/..%2fsecret.txt', 'dashboard?run=..']) {
      const res = await probe.goto(server.url + path);
      t.true(res!.status() === 403 || res!.status() === 404, `${path}: ${res!.status()}`);
      t.not(await res!.text(), 'secret', `${path}: the file's content`);
    }
  } finally {
    await server.close();
  }
});
