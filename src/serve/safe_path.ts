/**
 * The one check between a request and the results folder: a path from a URL names a file inside RESULTS_DIR or
 * nothing. `..` segments are refused outright, and the real path (symlinks resolved) must stay inside the folder's
 * real path, so a symlink that points out of it serves nothing either.
 */
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

export type Resolved = { ok: true; path: string } | { ok: false; status: 403 | 404; reason: string };

/** `requested` (decoded, `/`-separated, relative to `root`) as a real path inside `root`, or why not. */
export function resolveInside(root: string, requested: string): Resolved {
  if (requested.includes('\0')) return { ok: false, status: 403, reason: 'a NUL byte is not allowed in a path' };
  const parts = requested.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { ok: false, status: 403, reason: "'..' is not allowed in a path" };
  const rootReal = realpathSync(root);
  let real: string;
  try {
    real = realpathSync(join(rootReal, ...parts));
  } catch {
    return { ok: false, status: 404, reason: `not found: ${parts.join('/')}` };
  }
  if (real !== rootReal && !real.startsWith(rootReal + sep)) return { ok: false, status: 403, reason: `${parts.join('/')} leads out of the results folder` };
  return { ok: true, path: real };
}
