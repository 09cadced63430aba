/**
 * Browser tests: run where Chromium exists; elsewhere skipped with a note, except under CI=true, where a missing
 * browser fails them (CI installs the chromium package).
 */
import test, { type ExecutionContext } from 'ava';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchChromium } from './chromium.js';

let skipNoted = false;

/**
 * An ava test that needs the browser: run where Chromium exists; elsewhere skipped with a note, or, under CI=true,
 * a failing test that says what is missing.
 */
export function browserTest(title: string, fn: (t: ExecutionContext, browser: Browser) => Promise<void>): void {
  if (chromiumPath()) {
    test.serial(title, async (t) => {
      const browser = await launchChromium();
      try {
        await fn(t, browser);
      } finally {
        await browser.close();
      }
    });
    return;
  }
  const where = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
  if (process.env['CI'] === 'true') {
    test(title, (t) => t.fail(`no Chromium at ${where} under CI=true: .ci/run installs the chromium package; the browser tests cannot be skipped in CI`));
    return;
  }
  if (!skipNoted) console.warn(`browser tests skipped: no Chromium at ${where} (install the chromium package or set CHROMIUM_PATH)`);
  skipNoted = true;
  test.skip(title, () => {});
}
