/** The runs of a results folder: each direct subfolder that holds a manifest.json, with its summary as data. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadRun } from '../report/report.js';
import { runFacts, type RunFacts } from '../report/report_summary.js';
import { runLockHeld } from '../store/run_lock.js';
import { resolveInside } from './safe_path.js';

export interface ListedRun {
  /** The folder's name: what the dashboard's URL names. */
  name: string;
  facts: RunFacts | null;
  /** Why the run could not be read (a damaged manifest), where it could not. */
  error?: string;
}

/**
 * Run folder names under `root`, sorted (run folders are named by start time, so this is also start order); a
 * symlink that leads out of `root` is not listed, as it would not be served.
 */
export function runFolderNames(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && resolveInside(root, e.name).ok && existsSync(join(root, e.name, 'manifest.json')))
    .map((e) => e.name)
    .sort();
}

export function listRuns(root: string): ListedRun[] {
  return runFolderNames(root).map((name) => {
    try {
      return { name, facts: runFacts(loadRun(join(root, name))) };
    } catch (e) {
      return { name, facts: null, error: (e as Error).message };
    }
  });
}

/**
 * What changes when a run writes: the size and time of its files and whether a process holds it. Two equal
 * fingerprints mean the dashboard has nothing new to draw.
 */
export function runFingerprint(dir: string): string {
  const parts = ['generations.jsonl', 'best.json', 'summary.json', 'run.lock'].map((f) => {
    try {
      const s = statSync(join(dir, f));
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  });
  return `${parts.join('|')}|${runLockHeld(dir)}`;
}
