/** The check every command that reads a run folder makes first, so that a wrong path is one line and exit 2. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { readManifest, type RunManifest } from '../store/manifest.js';

/** The run folder's manifest, once `dir` is known to be a run folder (a folder whose manifest.json holds a config). */
export function requireRunFolder(dir: string): RunManifest {
  if (!existsSync(dir)) throw new UsageError(`${dir} not found; give a run folder (results/<run>, made by evometa search)`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file, not a run folder; give the folder that holds its manifest.json`);
  if (!existsSync(join(dir, 'manifest.json'))) throw new UsageError(`${dir} is not a run folder (no manifest.json); start one with evometa search`);
  return readManifest(dir);
}
