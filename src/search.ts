/**
 * Searches at the composition level: the registry is built here (built-ins plus the plug-in modules named by
 * specifier) and handed to the engine with evaluators whose worker threads build the same one. This is what the
 * CLI and library users call; the engine-level functions in src/engine/ take a registry instead.
 */
import type { RunConfig } from './engine/run_config.js';
import { resumeRun as resumeWith, runSearch as runWith, type EngineHooks, type ResumeOverrides, type RunSummary } from './engine/engine.js';

import { isRedacted, parseRedisUrl } from './evaluator/queue/redis_url.js';
import { evaluatorsFor, loadRegistry, registryForRun, type LoadedRegistry } from './plugins.js';
import { readManifest } from './store/manifest.js';

export { loadRegistry, type LoadedRegistry };

export interface SearchOptions {
  /** Plug-in modules (paths, package names, file URLs) beside the built-ins; default `config.plugins`. */
  plugins?: readonly string[];
  /** A registry already loaded with loadRegistry (then `plugins` is ignored). */
  registry?: LoadedRegistry;
  hooks?: EngineHooks;
  /** The command line, recorded in the manifest and run.log. */
  command?: string;
}

/** A queue run's Redis must answer before a run folder is written or changed: else one line, and nothing is touched. */
async function checkRedis(url: string | undefined): Promise<void> {
  if (!url || isRedacted(url)) return;
  const target = parseRedisUrl(url);
  await (await import('./evaluator/queue/cluster_status.js')).requireRedis(target);
}

/** Starts a new run in `runDir`; the plug-ins are loaded and checked before anything is written. */
export async function runSearch(config: RunConfig, runDir: string, options: SearchOptions = {}): Promise<RunSummary> {
  const registry = options.registry ?? (await loadRegistry(options.plugins ?? config.plugins ?? []));
  await checkRedis(config.redis);
  return runWith(config, runDir, {
    registry,
    evaluators: evaluatorsFor(registry),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.command !== undefined ? { command: options.command } : {}),
  });
}

export interface ResumeSearchOptions {
  hooks?: EngineHooks;
  overrides?: ResumeOverrides;
}

/** Continues the run in `runDir` with the plug-ins its manifest records (see the engine's resumeRun). */
export async function resumeRun(runDir: string, options: ResumeSearchOptions = {}): Promise<RunSummary & { alreadyFinished: boolean }> {
  const registry = await registryForRun(runDir);
  await checkRedis(options.overrides?.redis ?? readManifest(runDir).config.redis);
  return resumeWith(runDir, {
    registry,
    evaluators: evaluatorsFor(registry),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
}
