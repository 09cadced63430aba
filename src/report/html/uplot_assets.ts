/**
 * uPlot's script and style sheet, read from the installed package when a page is built, so that a dashboard is one
 * file that opens without a network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface UplotAssets {
  /** The IIFE build: defines the global `uPlot`. */
  js: string;
  css: string;
  version: string;
}

let cached: UplotAssets | null = null;

export function uplotAssets(): UplotAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('uplot/package.json'));
  cached = {
    js: readFileSync(join(root, 'dist', 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(root, 'dist', 'uPlot.min.css'), 'utf8'),
    version: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
  };
  return cached;
}
