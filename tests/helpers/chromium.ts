/**
 * Headless Chromium for the browser tests and the dashboard bench: the system's `chromium` (Debian package, or
 * $CHROMIUM_PATH) driven by playwright-core. No test runner here, so the bench can use it too.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/** No sandbox (containers), no GPU, and nothing that reaches for the network on its own. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The Chromium executable to use, or null where there is none. */
export function chromiumPath(): string | null {
  const path = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
  return existsSync(path) ? path : null;
}

/** A headless Chromium with a fresh profile (playwright gives each launch its own temporary user-data-dir). */
export function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(`no Chromium at ${process.env['CHROMIUM_PATH'] || '/usr/bin/chromium'}; install the chromium package or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** Console errors and uncaught page errors of `page`, collected from now on. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}
