/** `evometa report DIR... --html`: the dashboard of one or more run folders written as one HTML file. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dashboardData, type DashboardData } from './dashboard_data.js';
import { dashboardPage } from './page.js';

/** Where the page goes without --out: beside a single run's files, else in the current folder. */
export function defaultHtmlPath(dirs: readonly string[]): string {
  return dirs.length === 1 ? join(dirs[0]!, 'report.html') : 'dashboard.html';
}

/** Writes the page via a rename, so a browser never opens half a file; returns the path and what it shows. */
export function writeHtmlReport(dirs: readonly string[], out = defaultHtmlPath(dirs)): { path: string; data: DashboardData } {
  const data = dashboardData(dirs);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp`;
  writeFileSync(tmp, dashboardPage(data));
  renameSync(tmp, out);
  return { path: out, data };
}
