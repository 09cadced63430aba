/**
 * Continuing a run from its checkpoint, after a kill -9 or with a larger budget. The registry it is handed must
 * hold the plug-ins the manifest records (the composition root loads them from there).
 *
 * Everything is read and checked before anything is written: the manifest, the plug-ins, the checkpoint (format,
 * counters, the best record, the strategy's state through `Strategy.validateState`) and the new budget. A refusal
 * is one line (UsageError) and leaves the folder as it was. Then the folder is locked (run.lock), the budget
 * extension recorded, and generations.jsonl trimmed back to the checkpoint, keeping every line it cannot read.
 */
import { rmSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { isRedacted, parseRedisUrl } from '../evaluator/queue/redis_url.js';
import { readJsonFile } from '../core/json_file.js';
import type { Strategy, StrategyState } from '../core/strategy.js';
import { manifestPlugins, readManifest, type BudgetExtension, type RunManifest } from '../store/manifest.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type RunSummary } from '../store/run_records.js';
import { RunStore } from '../store/run_store.js';
import { checkEvaluators, runLoop, type EngineOptions } from './loop.js';
import { checkResources, resolve, type Resolved } from './resolve.js';
import type { RunConfig } from './run_config.js';

export type { BudgetExtension } from '../store/manifest.js';

/** What `resume` may change: where the run executes, and (to extend it) its budget. */
export interface ResumeOverrides {
  workers?: number;
  /** Where the queue is now (the manifest keeps a Redis URL without its password). */
  redis?: string;
  maxGenerations?: number;
  maxEvals?: number;
}

export interface ResumeOptions extends EngineOptions {
  overrides?: ResumeOverrides;
}

const BUDGET_STOPS = ['maxGenerations', 'maxEvaluations'];

function isFiniteVector(v: unknown, n: number): boolean {
  return Array.isArray(v) && v.length === n && v.every((e) => typeof e === 'number' && Number.isFinite(e));
}

/**
 * The checkpoint, checked: its envelope and counters, its best record, and its strategy state (the strategy's own
 * `validateState` where it has one; otherwise σ and the point it stands for). Each failure is one line naming the field.
 */
function checkCheckpoint(value: unknown, path: string, strategy: Strategy<StrategyState>, dimension: number): Checkpoint {
  const c = value as Partial<Checkpoint> | null;
  const bad = (why: string): UsageError => new UsageError(`checkpoint is damaged (${why}): ${path}; the run folder was left as it was`);
  if (typeof c !== 'object' || c === null || Array.isArray(c) || c.format !== CHECKPOINT_FORMAT) throw bad(`not an ${CHECKPOINT_FORMAT} file`);
  if (c.version !== CHECKPOINT_VERSION) throw bad(`version ${JSON.stringify(c.version)}, this evometa reads version ${CHECKPOINT_VERSION}`);
  for (const f of ['generation', 'evaluations', 'elapsedMs'] as const)
    if (typeof c[f] !== 'number' || !Number.isFinite(c[f]) || c[f]! < 0) throw bad(`'${f}' is not a non-negative number`);
  if (!Number.isInteger(c.generation) || !Number.isInteger(c.evaluations)) throw bad("'generation' and 'evaluations' must be integers");
  const best = c.best as Checkpoint['best'] | undefined;
  if (best !== null && (typeof best !== 'object' || best === undefined || typeof best.fitness !== 'number' || !Number.isFinite(best.fitness) || !isFiniteVector(best.x, dimension)))
    throw bad(`'best' is neither null nor a record with a finite fitness and ${dimension} numbers x`);
  const s = c.strategy;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw bad("'strategy' is missing");
  if (s.strategy !== strategy.name) throw bad(`its strategy is '${String(s.strategy)}' but the manifest says '${strategy.name}'`);
  if (strategy.validateState) {
    try {
      strategy.validateState(s, path, dimension);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${e.message}; the run folder was left as it was`);
      throw bad(`strategy state: ${(e as Error).message}`);
    }
  }
  if (typeof s.sigma !== 'number' || !Number.isFinite(s.sigma) || s.sigma < 0) throw bad(`'strategy.sigma' is ${JSON.stringify(s.sigma)}, not a finite number >= 0`);
  // A plug-in written in plain JavaScript may lack `point`; then only its own checks apply.
  if (typeof strategy.point !== 'function') return c as Checkpoint;
  let point: unknown;
  try {
    point = strategy.point(s);
  } catch (e) {
    throw bad(`the strategy state gives no point (${(e as Error).message})`);
  }
  if (!isFiniteVector(point, dimension)) throw bad(`the strategy state stands for ${Array.isArray(point) ? point.length : 'no'} numbers, the run has ${dimension} dimensions`);
  return c as Checkpoint;
}

function readSummary(store: RunStore): RunSummary | null {
  try {
    const s = readJsonFile(store.path('summary'), 'summary') as RunSummary | null;
    // summary.json names its folder relatively ("."); the caller gets the folder as it was given.
    return typeof s === 'object' && s !== null && typeof s.stopReason === 'object' && s.stopReason !== null ? { ...s, runDir: store.dir } : null;
  } catch {
    return null; // absent or damaged: not finished, go on (the summary is written again at the end)
  }
}

/** The budget extension, refused where it would not run a single generation more. */
function extendedConfig(runDir: string, manifest: RunManifest, overrides: ResumeOverrides, ckpt: Checkpoint, finished: RunSummary | null): RunConfig {
  if (overrides.maxGenerations !== undefined && overrides.maxGenerations <= ckpt.generation)
    throw new UsageError(`--max-generations ${overrides.maxGenerations} does not exceed the ${ckpt.generation} generations ${runDir} has run; give a larger budget`);
  if (overrides.maxEvals !== undefined && overrides.maxEvals <= ckpt.evaluations)
    throw new UsageError(`--max-evals ${overrides.maxEvals} does not exceed the ${ckpt.evaluations} evaluations ${runDir} has run; give a larger budget`);
  const other = finished ? Object.keys(finished.stopReason).filter((k) => !BUDGET_STOPS.includes(k)) : [];
  if (other.length)
    throw new UsageError(`${runDir} stopped on ${other.join(', ')}, not on its budget; a larger --max-generations / --max-evals would stop it again at once (start a new search from its result with --init)`);
  return {
    ...manifest.config,
    ...(overrides.maxGenerations !== undefined ? { maxGenerations: overrides.maxGenerations } : {}),
    ...(overrides.maxEvals !== undefined ? { maxEvals: overrides.maxEvals } : {}),
  };
}

/** Everything resume checks before it writes: the registry entries, the checkpoint, the (extended) config. */
interface ResumePlan {
  r: Resolved;
  ckpt: Checkpoint;
  config: RunConfig;
  /** The manifest's config with the extended budget, or null when the budget stays. */
  extended: RunConfig | null;
}

function plan(runDir: string, store: RunStore, manifest: RunManifest, recorded: string[], finished: RunSummary | null, options: ResumeOptions): ResumePlan {
  const overrides = options.overrides ?? {};
  const r = resolve({ ...manifest.config, plugins: recorded }, options.registry);
  const dimension = r.kind.dim(r.kindConfig);
  const ckpt = checkCheckpoint(readJsonFile(store.path('checkpoint'), 'checkpoint'), store.path('checkpoint'), r.strategy, dimension);
  const extend = overrides.maxGenerations !== undefined || overrides.maxEvals !== undefined;
  const extended = extend ? extendedConfig(runDir, manifest, overrides, ckpt, finished) : null;
  const config: RunConfig = { ...(extended ?? manifest.config), plugins: recorded, ...(overrides.workers !== undefined ? { workers: overrides.workers } : {}), ...(overrides.redis !== undefined ? { redis: overrides.redis } : {}) };
  if (config.redis !== undefined && isRedacted(config.redis))
    throw new UsageError(`${runDir} ran on the queue at ${config.redis}, and its manifest keeps no password; resume with --redis URL (the full URL)`);
  if (config.redis !== undefined) parseRedisUrl(config.redis);
  checkEvaluators(config, options);
  checkResources(config, r, dimension);
  return { r, ckpt, config, extended };
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
  const early = readSummary(store);
  if (early && !extend) return { ...early, alreadyFinished: true };
  // Checked once before the lock (a refusal then leaves even run.lock alone) and once under it, where it counts.
  plan(runDir, store, manifest, recorded, early, options);
  store.openExisting();
  try {
    const finished = readSummary(store);
    const m = readManifest(runDir);
    const { r, ckpt, config, extended } = plan(runDir, store, m, recorded, finished, options);
    if (extended) {
      m.config = extended;
      const ext: BudgetExtension = { generation: ckpt.generation, maxGenerations: extended.maxGenerations, maxEvals: extended.maxEvals, at: new Date().toISOString() };
      m.extensions = [...(m.extensions ?? []), ext];
      // The manifest first: if the process dies before the summary goes, the run is merely unfinished.
      store.write('manifest', m);
      rmSync(store.path('summary'), { force: true });
      store.log(`budget extended at generation ${ext.generation}: maxGenerations ${ext.maxGenerations}, maxEvals ${ext.maxEvals}`);
    } else if (finished) {
      return { ...finished, alreadyFinished: true };
    }
    const trim = store.trimGenerations(ckpt.generation);
    if (trim.unreadable.length)
      store.log(`generations.jsonl: line${trim.unreadable.length > 1 ? 's' : ''} ${trim.unreadable.join(', ')} could not be read; kept as ${trim.unreadable.length > 1 ? 'they were' : 'it was'} (the report skips ${trim.unreadable.length > 1 ? 'them' : 'it'})`);
    if (trim.tornTail) store.log('generations.jsonl: dropped a last line cut short by the interruption');
    store.log(`resumed at generation ${ckpt.generation} (${ckpt.evaluations} evaluations)`);
    options.hooks?.onStart?.(config, runDir, ckpt.generation);
    const summary = await runLoop(config, r, store, ckpt, m, options);
    return { ...summary, alreadyFinished: false };
  } finally {
    store.release();
  }
}
