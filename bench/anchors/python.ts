/**
 * The Python side of the side-by-side benches: which interpreter runs the anchor scripts of this folder, whether
 * it can import a module (cma, jax), and one run of a script whose last stdout line is a JSON object.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/anchors in the repository (this file runs from dist/bench/anchors). */
export const ANCHORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'anchors');

/** An interpreter that imports a module, with the module's version; or why there is none. */
export type PythonProbe = { python: string; version: string } | { python: string | null; skipped: string };

/**
 * `module`'s version as `python` imports it (PYTHONPATH and the rest of the environment as given). Without an
 * explicit interpreter `python3` is tried.
 */
export function probePython(explicit: string | undefined, module: string): PythonProbe {
  const python = explicit ?? 'python3';
  const r = spawnSync(python, ['-c', `import warnings; warnings.simplefilter('ignore'); import ${module}; print(${module}.__version__)`], { encoding: 'utf8' });
  if (r.error) return { python: explicit ?? null, skipped: `no Python (${python}: ${r.error.message})` };
  if (r.status !== 0) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    return { python, skipped: `${python} cannot import ${module} (${last})` };
  }
  return { python, version: r.stdout.trim().split(/\s+/)[0] ?? '?' };
}

/** The Python (with numpy's version) for an anchor section of a bench, or null after printing why it is skipped. */
export function numpyPythonOrSkip(explicit: string | undefined): { python: string; version: string } | null {
  const numpy = probePython(explicit, 'numpy');
  if (!('skipped' in numpy)) return numpy;
  console.log(`anchor skipped: ${numpy.skipped}`);
  return null;
}

/** Runs bench/anchors/`script` with `args`; its last stdout line must be a JSON object. */
export function runAnchor(python: string, script: string, args: string[], env: Record<string, string> = {}): Record<string, unknown> {
  const r = spawnSync(python, [join(ANCHORS_DIR, script), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (r.error) throw r.error;
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status}: ${last || r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(last) as Record<string, unknown>;
}
