/**
 * The composition root: the one place that assembles the registry of tasks, genome kinds and strategies from the
 * built-in plug-in and the user's plug-in modules, named by specifier. The engine, evaluators and store are handed
 * what it builds. Every process and worker thread that builds a registry from the same specifiers gets the same one.
 */
import { UsageError } from './core/errors.js';
import { checkPluginShape, definePlugin, PLUGIN_SECTIONS, SECTION_ITEM, type Plugin, type PluginSection, type Registry } from './core/plugin.js';
import { InlineEvaluator } from './evaluator/inline_evaluator.js';
import { PoolEvaluator } from './evaluator/pool_evaluator.js';
import type { EvaluatorFactory } from './evaluator/protocol.js';
import { DeferredEvaluator } from './evaluator/deferred_evaluator.js';
import { parseRedisUrl } from './evaluator/queue/redis_url.js';
import { resolvePluginSpecifier } from './plugin_resolve.js';
import { manifestPlugins, readManifest } from './store/manifest.js';
import { GENOME_KINDS } from '../genomes/index.js';
import { TASKS } from '../tasks/index.js';
import { STRATEGIES } from '../strategies/index.js';

export { resolvePluginSpecifier, type ResolvedPlugin } from './plugin_resolve.js';

/** The tasks, genome kinds and strategies that ship with evometa. */
export const BUILTIN_PLUGIN: Plugin = definePlugin({
  tasks: Object.values(TASKS),
  genomes: Object.values(GENOME_KINDS),
  strategies: Object.values(STRATEGIES),
});

/** The origin of a built-in name in `LoadedRegistry.origins`. */
export const BUILTIN_ORIGIN = 'built-in';

/** A registry as the composition root built it: with where each name came from, and the URLs it imported. */
export interface LoadedRegistry extends Registry {
  /** Per section and name: BUILTIN_ORIGIN or the plug-in's resolved specifier (for `evometa list`, messages). */
  readonly origins: Readonly<Record<PluginSection, Readonly<Record<string, string>>>>;
  /** The module URLs imported, parallel to `plugins`: what worker threads import (so they load the very same files). */
  readonly moduleUrls: readonly string[];
}

export interface LoadRegistryOptions {
  /** Where relative paths and package names resolve from (default: the current folder). */
  cwd?: string;
}

type Sections = Record<PluginSection, Record<string, any>>;

function emptySections(): Sections {
  return { tasks: {}, genomes: {}, strategies: {} };
}

/** Adds one plug-in's items; a name already taken (built-in, another plug-in, or twice here) is a UsageError. */
function merge(into: Sections, origins: Record<PluginSection, Record<string, string>>, plugin: Plugin, origin: string, label: string): void {
  for (const section of PLUGIN_SECTIONS) {
    for (const item of (plugin[section] ?? []) as readonly { name: string }[]) {
      const what = SECTION_ITEM[section];
      const taken = origins[section][item.name];
      if (taken === BUILTIN_ORIGIN)
        throw new UsageError(`plug-in ${label}: ${what} '${item.name}' clashes with the built-in ${what} of that name; rename it in that module`);
      if (taken === origin) throw new UsageError(`plug-in ${label} defines ${what} '${item.name}' twice; give each a distinct name`);
      if (taken !== undefined)
        throw new UsageError(`plug-in ${label}: ${what} '${item.name}' is also defined by plug-in ${taken}; rename it in one of the two modules or load only one`);
      into[section][item.name] = item;
      origins[section][item.name] = origin;
    }
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return text.split('\n')[0]!.trim();
}

/** The plug-in a module exports: its default export, else its export named `plugin`. */
function exportedPlugin(mod: Record<string, unknown>): unknown {
  const d = mod['default'];
  const named = mod['plugin'];
  // A CommonJS module's namespace has module.exports as default: `exports.plugin = ...` lands in both.
  if (d !== undefined && !(named !== undefined && (d as Record<string, unknown> | null)?.['plugin'] === named)) return d;
  return named;
}

/** Imports one plug-in module and checks its shape; failures are one UsageError line naming the module. */
async function importPlugin(url: string, label: string): Promise<Plugin> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`plug-in ${label} failed to load (${firstLine(e)}); fix the module so that \`node ${url}\` imports it`);
  }
  const value = exportedPlugin(mod);
  if (value === undefined)
    throw new UsageError(`plug-in ${label} exports no plug-in (its exports: ${Object.keys(mod).join(', ') || 'none'}); export default definePlugin({ tasks, genomes, strategies }) or an object named 'plugin'`);
  return checkPluginShape(value, label);
}

function registryOf(sections: Sections, origins: Record<PluginSection, Record<string, string>>, plugins: string[], moduleUrls: string[]): LoadedRegistry {
  return { ...sections, origins, plugins, moduleUrls };
}

/** The built-ins alone. */
export function builtinRegistry(): LoadedRegistry {
  const sections = emptySections();
  const origins = { tasks: {}, genomes: {}, strategies: {} } as Record<PluginSection, Record<string, string>>;
  merge(sections, origins, BUILTIN_PLUGIN, BUILTIN_ORIGIN, BUILTIN_ORIGIN);
  return registryOf(sections, origins, [], []);
}

/**
 * The built-ins plus the plug-in modules named by `specifiers` (paths, package names or file URLs; see
 * plugin_resolve.ts), imported in order. The same module named twice is loaded once. A module that is missing,
 * fails to load, exports the wrong shape or reuses a name is a UsageError: one line naming the module and the fix.
 */
export async function loadRegistry(specifiers: readonly string[], options: LoadRegistryOptions = {}): Promise<LoadedRegistry> {
  const cwd = options.cwd ?? process.cwd();
  const base = builtinRegistry();
  const sections: Sections = { tasks: { ...base.tasks }, genomes: { ...base.genomes }, strategies: { ...base.strategies } };
  const origins = { tasks: { ...base.origins.tasks }, genomes: { ...base.origins.genomes }, strategies: { ...base.origins.strategies } };
  const plugins: string[] = [];
  const moduleUrls: string[] = [];
  for (const spec of specifiers) {
    const resolved = resolvePluginSpecifier(spec, cwd);
    if (plugins.includes(resolved.specifier)) continue;
    const label = spec === resolved.specifier ? spec : `${spec} (${resolved.specifier})`;
    merge(sections, origins, await importPlugin(resolved.url, label), resolved.specifier, label);
    plugins.push(resolved.specifier);
    moduleUrls.push(resolved.url);
  }
  return registryOf(sections, origins, plugins, moduleUrls);
}

/**
 * The registry a run folder was made with: the built-ins plus the plug-ins its manifest records, so that export,
 * replay and report decode its genomes with the same code that scored them.
 */
export async function registryForRun(dir: string): Promise<LoadedRegistry> {
  return loadRegistry(manifestPlugins(readManifest(dir)));
}

/** What a pool thread is given (piscina `workerData`): the plug-in modules to import at thread start. */
export interface PluginWorkerData {
  plugins: string[];
}

/** The worker entry module: a composition root for its thread (src/plugin_worker.ts). */
export const PLUGIN_WORKER_MODULE = new URL('./plugin_worker.js', import.meta.url).href;

/**
 * Evaluators for a run with `registry`: with a Redis URL, a queue served by `evometa worker` processes; else inline
 * for 0 workers, or a piscina pool whose threads import PLUGIN_WORKER_MODULE and build the same registry from the
 * module URLs this process imported, each thread under its heap limit (`limits.heapMb`, default defaultWorkerHeapMb).
 */
export function evaluatorsFor(registry: Registry & Partial<Pick<LoadedRegistry, 'moduleUrls'>>): EvaluatorFactory {
  return ({ workers, limits = {}, redis, run, log }) => {
    if (redis) {
      if (!run) throw new Error('a queue evaluator needs the run it announces');
      const target = parseRedisUrl(redis);
      const queue = async () => new (await import('./evaluator/queue/queue_evaluator.js')).QueueEvaluator({ target, run, ...(log ? { log } : {}) });
      return new DeferredEvaluator(queue, 0);
    }
    if (workers === 0) return new InlineEvaluator(registry);
    return threadPool(registry, workers, limits.heapMb);
  };
}

/** A pool of `workers` threads that each build `registry` (from its module URLs) and run jobs with it. */
export function threadPool(registry: Registry & Partial<Pick<LoadedRegistry, 'moduleUrls'>>, workers: number, heapMb?: number): PoolEvaluator {
  const workerData: PluginWorkerData = { plugins: [...(registry.moduleUrls ?? registry.plugins)] };
  return new PoolEvaluator({ workers, workerModule: PLUGIN_WORKER_MODULE, workerData, ...(heapMb !== undefined ? { heapMb } : {}) });
}
