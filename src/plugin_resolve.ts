/**
 * Where a plug-in specifier points. A path (starting with ./, ../ or /, or naming an existing file relative to
 * the cwd) becomes an absolute file URL; a file URL is kept; anything else is a package name, looked up the way
 * Node looks up an import from the cwd (node_modules folders upwards, the package's `exports` with the
 * `import`/`node`/`default` conditions, else its `main`). Package names are recorded as names, so a manifest
 * stays valid on another machine that installed the same package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from './core/errors.js';

export interface ResolvedPlugin {
  /** What the manifest records and a worker is given: an absolute file URL or a package name. */
  specifier: string;
  /** The URL this process imports. */
  url: string;
}

/** Conditions an `import` from Node matches, as in Node's ESM resolver. */
const IMPORT_CONDITIONS = new Set(['import', 'node', 'default']);

function isPath(spec: string, cwd: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || existsSync(resolve(cwd, spec));
}

/** `@scope/name/sub` → package `@scope/name`, subpath `./sub`. */
function splitPackageName(spec: string): { pkg: string; subpath: string } {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n).join('/');
  return { pkg: parts.slice(0, n).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/** The first target in an exports entry whose condition an import matches (key order decides, as in Node). */
function importTarget(entry: unknown): string | null {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const t = importTarget(e);
      if (t) return t;
    }
    return null;
  }
  if (typeof entry !== 'object' || entry === null) return null;
  for (const [condition, target] of Object.entries(entry)) {
    if (!IMPORT_CONDITIONS.has(condition)) continue;
    const t = importTarget(target);
    if (t) return t;
  }
  return null;
}

/** The file a package's `exports` gives an import of `subpath`, or null where it has no `exports` entry for it. */
function exportsTarget(manifest: { exports?: unknown }, subpath: string): string | null {
  const exp = manifest.exports;
  if (exp === undefined || exp === null) return null;
  const bySubpath = typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'));
  if (!bySubpath) return subpath === '.' ? importTarget(exp) : null;
  return importTarget((exp as Record<string, unknown>)[subpath]);
}

/** The file URL of a package import as seen from `cwd`, or null where no such package is installed there. */
export function resolvePackage(spec: string, cwd: string): string | null {
  const require = createRequire(join(cwd, 'package.json'));
  const { pkg, subpath } = splitPackageName(spec);
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const root = join(dir, pkg);
    const manifestFile = join(root, 'package.json');
    if (!existsSync(manifestFile)) continue;
    let manifest: { exports?: unknown };
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { exports?: unknown };
    } catch {
      return null;
    }
    const target = exportsTarget(manifest, subpath);
    if (target) return pathToFileURL(join(root, target)).href;
    break;
  }
  try {
    return pathToFileURL(require.resolve(spec)).href;
  } catch {
    return null;
  }
}

/** Resolves one `--plugin` value (see the file comment); a missing file or package is a UsageError naming it. */
export function resolvePluginSpecifier(spec: string, cwd: string = process.cwd()): ResolvedPlugin {
  if (spec.trim() === '') throw new UsageError('--plugin needs a module path or a package name (got an empty string)');
  if (spec.startsWith('file:')) {
    let path: string;
    try {
      path = fileURLToPath(spec);
    } catch {
      throw new UsageError(`plug-in ${spec} is not a valid file URL; give a path or a package name instead`);
    }
    if (!existsSync(path)) throw new UsageError(`plug-in ${spec} failed to load: no such file; fix the path (the run's manifest records it) or restore the module`);
    return { specifier: spec, url: spec };
  }
  if (isPath(spec, cwd)) {
    const abs = resolve(cwd, spec);
    if (!existsSync(abs)) throw new UsageError(`plug-in ${spec} failed to load: no such file ${abs}; give the module's path (relative paths resolve against the current folder) or an installed package name`);
    const url = pathToFileURL(abs).href;
    return { specifier: url, url };
  }
  const url = resolvePackage(spec, cwd);
  if (url === null)
    throw new UsageError(`plug-in ${spec} failed to load: no file or installed package of that name from ${cwd}; give a path such as ./${spec} or install the package (npm install ${spec})`);
  return { specifier: spec, url };
}
