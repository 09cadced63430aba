/**
 * Where no Chromium exists the browser tests say so and are skipped, but under CI=true they fail: run ava on a
 * browser test with CHROMIUM_PATH naming no file.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const AVA = join(ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
const BROWSER_TEST = 'dist/tests/src/report/html/html_report_browser.test.js';

function runBrowserTest(env: Record<string, string>): { code: number | null; output: string } {
  const { CI: _ci, ...rest } = process.env;
  const r = spawnSync(process.execPath, [AVA, BROWSER_TEST], { cwd: ROOT, encoding: 'utf8', env: { ...rest, CHROMIUM_PATH: '/nonexistent/chromium', ...env } });
  return { code: r.status, output: r.stdout + r.stderr };
}

test('without Chromium the browser tests are skipped with a note naming the path', (t) => {
  const r = runBrowserTest({});
  t.is(r.code, 0, r.output);
  t.regex(r.output, /browser tests skipped: no Chromium at \/nonexistent\/chromium \(install the chromium package or set CHROMIUM_PATH\)/);
  t.regex(r.output, /1 test skipped/);
});

test('without Chromium under CI=true the browser tests fail, saying why', (t) => {
  const r = runBrowserTest({ CI: 'true' });
  t.is(r.code, 1, r.output);
  t.regex(r.output, /no Chromium at \/nonexistent\/chromium under CI=true: \.ci\/run installs the chromium package/);
  t.regex(r.output, /1 test failed/);
});
