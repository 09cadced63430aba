/**
 * The population engine's entry points. It is handed a registry (and, for worker threads, an evaluator
 * factory) by the composition root; it never imports a task, genome kind or strategy itself.
 */
import { redactUrl, redactUrlsIn } from '../evaluator/queue/redis_url.js';
import { buildManifest } from '../store/manifest.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type RunSummary } from '../store/run_records.js';
import { RunStore } from '../store/run_store.js';
import { checkEvaluators, runLoop, type EngineOptions } from './loop.js';
import { checkResources, initialState, resolve, startVector } from './resolve.js';
import type { RunConfig } from './run_config.js';

export type { BestRecord, Checkpoint, GenerationRecord, RunSummary } from '../store/run_records.js';
export type { EngineHooks, EngineOptions } from './loop.js';
export { resumeRun, type BudgetExtension, type ResumeOptions, type ResumeOverrides } from './resume.js';
export { checkResources, MAX_WORKERS_PER_CORE, startVector } from './resolve.js';

/** The config as the manifest keeps it: a Redis URL without its password. */
export function withoutSecrets(config: RunConfig): RunConfig {
  return config.redis ? { ...config, redis: redactUrl(config.redis) } : config;
}

export interface SearchEngineOptions extends EngineOptions {
  /** The command line, recorded in the manifest and run.log. */
  command?: string;
}

/**
 * Starts a new run in `runDir`, which must be new or empty (a folder holding a run or anything else is refused, so
 * nothing in it is overwritten). Names, settings, the start point and what the machine can hold are checked against
 * `options.registry` before the folder is written; the manifest records the registry's plug-ins. The folder is
 * locked (run.lock) while the run writes it.
 */
export async function runSearch(config: RunConfig, runDir: string, options: SearchEngineOptions): Promise<RunSummary> {
  const recorded: RunConfig = { ...config, plugins: [...options.registry.plugins] };
  const r = resolve(recorded, options.registry);
  const x0 = startVector(recorded, r);
  checkResources(recorded, r, x0.length);
  const state = initialState(recorded, r, x0);
  checkEvaluators(recorded, options);
  const store = new RunStore(runDir);
  store.createNew();
  try {
    const command = redactUrlsIn(options.command ?? '');
    const manifest = { ...buildManifest(withoutSecrets(recorded), runDir, command), x0 };
    store.write('manifest', manifest);
    store.log(`started: ${command || 'runSearch'} (seed ${recorded.seed})`);
    const ckpt: Checkpoint = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, generation: 0, evaluations: 0, elapsedMs: 0, best: null, strategy: state };
    store.write('checkpoint', ckpt);
    options.hooks?.onStart?.(recorded, runDir, 0);
    return await runLoop(recorded, r, store, ckpt, manifest, options);
  } finally {
    store.release();
  }
}
