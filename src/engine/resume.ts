/**
 * Continuing a run from its checkpoint, after a kill -9 or with a larger budget. The registry it is handed must
 * hold the plug-ins the manifest records (the composition root loads them from there).
 */
import { rmSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { readJsonFile } from '../core/json_file.js';
import { manifestPlugins, readManifest, type BudgetExtension } from '../store/manifest.js';

export type { BudgetExtension } from '../store/manifest.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type RunSummary } from '../store/run_records.js';
import { RunStore } from '../store/run_store.js';
import { checkEvaluators, runLoop, type EngineOptions } from './loop.js';
import { resolve } from './resolve.js';
import type { RunConfig } from './run_config.js';

/** What `resume` may change: where the run executes, and (to extend it) its budget. */
export interface ResumeOverrides {
  workers?: number;
  maxGenerations?: number;
  maxEvals?: number;
}

export interface ResumeOptions extends EngineOptions {
  overrides?: ResumeOverrides;
}

const BUDGET_STOPS = ['maxGenerations', 'maxEvaluations'];

function checkCheckpoint(value: unknown, path: string, strategyName: string): Checkpoint {
  const c = value as Partial<Checkpoint> | null;
  const bad = (why: string): UsageError =>
    new UsageError(`checkpoint is damaged (${why}): ${path}; the run folder was left as it was`);
  if (typeof c !== 'object' || c === null || c.format !== CHECKPOINT_FORMAT) throw bad(`not an ${CHECKPOINT_FORMAT} file`);
  if (c.version !== CHECKPOINT_VERSION) throw bad(`version ${String(c.version)}, this evometa reads version ${CHECKPOINT_VERSION}`);
  for (const f of ['generation', 'evaluations', 'elapsedMs'] as const)
    if (typeof c[f] !== 'number' || !Number.isFinite(c[f]) || c[f]! < 0) throw bad(`'${f}' is not a non-negative number`);
  if (typeof c.strategy !== 'object' || c.strategy === null) throw bad("'strategy' is missing");
  if (c.strategy.strategy !== strategyName) throw bad(`its strategy is '${String(c.strategy.strategy)}' but the manifest says '${strategyName}'`);
  return c as Checkpoint;
}

function readSummary(store: RunStore): RunSummary | null {
  try {
    return { ...(readJsonFile(store.path('summary'), 'summary') as RunSummary), runDir: store.dir };
  } catch {
    return null; // not finished: go on
  }
}

/**
 * Continues the run in `runDir` from its checkpoint; a finished run just returns its summary, unless a
 * larger budget is given: then it goes on from its checkpoint (the strategy's state, covariance included,
 * is kept), exactly as if it had been started with that budget.
 */
export async function resumeRun(runDir: string, options: ResumeOptions): Promise<RunSummary & { alreadyFinished: boolean }> {
  const overrides = options.overrides ?? {};
  const store = new RunStore(runDir);
  const manifest = readManifest(runDir);
  const recorded = manifestPlugins(manifest);
  const given = options.registry.plugins;
  if (recorded.length !== given.length || recorded.some((p, i) => p !== given[i]))
    throw new UsageError(`${runDir} was run with plug-ins [${recorded.join(', ')}] but the registry given holds [${given.join(', ')}]; resume with the plug-ins its manifest records`);
  const extend = overrides.maxGenerations !== undefined || overrides.maxEvals !== undefined;
  const finished = readSummary(store);
  if (finished && !extend) return { ...finished, alreadyFinished: true };
  // Names and settings first, so a registry that cannot run this config changes nothing in the folder.
  const r = resolve({ ...manifest.config, plugins: recorded }, options.registry);
  checkEvaluators({ ...manifest.config, workers: overrides.workers ?? manifest.config.workers }, options);
  if (extend) {
    const ckpt = readJsonFile(store.path('checkpoint'), 'checkpoint') as Partial<Checkpoint>;
    if (overrides.maxGenerations !== undefined && typeof ckpt.generation === 'number' && overrides.maxGenerations <= ckpt.generation)
      throw new UsageError(`--max-generations ${overrides.maxGenerations} does not exceed the ${ckpt.generation} generations ${runDir} has run; give a larger budget`);
    if (overrides.maxEvals !== undefined && typeof ckpt.evaluations === 'number' && overrides.maxEvals <= ckpt.evaluations)
      throw new UsageError(`--max-evals ${overrides.maxEvals} does not exceed the ${ckpt.evaluations} evaluations ${runDir} has run; give a larger budget`);
    const other = finished ? Object.keys(finished.stopReason).filter((k) => !BUDGET_STOPS.includes(k)) : [];
    if (other.length)
      throw new UsageError(`${runDir} stopped on ${other.join(', ')}, not on its budget; a larger --max-generations / --max-evals would stop it again at once (start a new search from its result with --init)`);
    manifest.config = {
      ...manifest.config,
      ...(overrides.maxGenerations !== undefined ? { maxGenerations: overrides.maxGenerations } : {}),
      ...(overrides.maxEvals !== undefined ? { maxEvals: overrides.maxEvals } : {}),
    };
    const ext: BudgetExtension = { generation: ckpt.generation ?? 0, maxGenerations: manifest.config.maxGenerations, maxEvals: manifest.config.maxEvals, at: new Date().toISOString() };
    manifest.extensions = [...(manifest.extensions ?? []), ext];
    // The manifest first: if the process dies before the summary goes, the run is merely unfinished.
    store.write('manifest', manifest);
    if (finished) rmSync(store.path('summary'));
    store.log(`budget extended at generation ${ext.generation}: maxGenerations ${ext.maxGenerations}, maxEvals ${ext.maxEvals}`);
  }
  const config: RunConfig = { ...manifest.config, plugins: recorded, ...(overrides.workers !== undefined ? { workers: overrides.workers } : {}) };
  const ckpt = checkCheckpoint(readJsonFile(store.path('checkpoint'), 'checkpoint'), store.path('checkpoint'), config.strategy);
  store.trimGenerations(ckpt.generation);
  store.log(`resumed at generation ${ckpt.generation} (${ckpt.evaluations} evaluations)`);
  options.hooks?.onStart?.(config, runDir, ckpt.generation);
  const summary = await runLoop(config, r, store, ckpt, manifest, options);
  return { ...summary, alreadyFinished: false };
}
