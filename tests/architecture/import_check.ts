/**
 * Runs the import rules of .dependency-cruiser.cjs (the layers of the architecture) over a source tree through
 * dependency-cruiser's API, and returns each violation as `rule: from → to`, so a test can compare lists.
 */
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/tests/architecture/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The folders whose sources the rules govern. */
export const SOURCE_ROOTS: readonly string[] = ['src', 'genomes', 'tasks', 'strategies', 'bench'];

/**
 * `rule: from → to` for every violation found under `roots` of `baseDir` (paths relative to it); a cycle reads
 * `no-circular: a → b → … → a`. Sorted, so lists compare whatever order the cruise visits files in.
 */
export async function importViolations(baseDir: string, roots: readonly string[] = SOURCE_ROOTS): Promise<string[]> {
  const options = await extractDepcruiseOptions(join(REPO_ROOT, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(join(REPO_ROOT, 'tsconfig.json'));
  const result = await cruise([...roots], { ...options, baseDir, validate: true }, {}, { tsConfig });
  const output = result.output as ICruiseResult;
  return output.summary.violations
    .map((v) => (v.cycle ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')}` : `${v.rule.name}: ${v.from} → ${v.to}`))
    .sort();
}
