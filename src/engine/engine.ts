/**
 * The population engine: ask → decode → evaluate (inline or on worker threads) → tell → record,
 * until a budget or a strategy criterion stops it. Everything needed to continue is checkpointed
 * after each generation, so `resume` after a kill -9 replays the uninterrupted trajectory exactly.
 */
import { rmSync } from 'node:fs';
import { lookup, UsageError } from '../core/errors.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { RunStore } from '../store/run_store.js';
import { readJsonFile } from '../core/json_file.js';
import { readGenomeFile } from '../core/genome_file.js';
import type { RunConfig } from './run_config.js';
import type { EvalItem, EvalJob, Evaluator } from '../evaluator/protocol.js';
import { InlineEvaluator } from '../evaluator/inline_evaluator.js';
import { PoolEvaluator } from '../evaluator/pool_evaluator.js';
import { buildManifest, type RunManifest } from '../store/manifest.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import { TASKS } from '../../tasks/index.js';
import { STRATEGIES } from '../../strategies/index.js';
import { rankableFitness, type Candidate, type Evaluation, type StopReasons } from '../core/types.js';
import type { Strategy, StrategyState } from '../core/strategy.js';
import type { GenomeKind } from '../core/genome_kind.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type BestRecord, type Checkpoint, type GenerationRecord, type RunSummary } from '../store/run_records.js';

export type { BestRecord, Checkpoint, GenerationRecord, RunSummary } from '../store/run_records.js';

export interface EngineHooks {
  onGeneration?(record: GenerationRecord, config: RunConfig): void;
  onStart?(config: RunConfig, runDir: string, resumedAt: number): void;
}

/** Everything resolved from a RunConfig: the registry entries and the kind's settings. */
interface Resolved {
  kind: GenomeKind<unknown, unknown>;
  kindConfig: unknown;
  strategy: Strategy<StrategyState>;
  taskConfig: Record<string, unknown>;
  /** The task evaluates several genomes in one set of tensor ops. */
  batchable: boolean;
  /** The genome as stored in best.json. */
  stored: (genome: unknown) => unknown;
}

function resolve(config: RunConfig): Resolved {
  const kind = lookup(GENOME_KINDS, 'genome kind', config.genome);
  const task = lookup(TASKS, 'task', config.task);
  const strategy = lookup(STRATEGIES, 'strategy', config.strategy);
  if (!task.genomeKinds.includes(kind.name))
    throw new UsageError(`task '${task.name}' scores genome kinds ${task.genomeKinds.join(', ')}, not '${kind.name}'; use --genome ${task.genomeKinds[0]}`);
  const kindConfig = kind.resolveConfig({ dim: config.dim, ...config.genomeConfig });
  // Fail here, in the main thread, rather than in every worker.
  const taskConfig = task.resolveConfig(config.taskConfig) as Record<string, unknown>;
  const stored = (g: unknown) => (task.annotate ? task.annotate(g, taskConfig) : g);
  return { kind, kindConfig, strategy, taskConfig, batchable: typeof task.evaluateBatch === 'function', stored };
}

/** The start of the search: --init (a random or stored genome, encoded) or --x0. */
export function startVector(config: RunConfig, r: Pick<Resolved, 'kind' | 'kindConfig'>): number[] {
  const n = r.kind.dim(r.kindConfig);
  let x0: number[];
  if (config.init === 'random') x0 = r.kind.encode(r.kind.random(r.kindConfig, new Rng(deriveSeed(config.seed, 'init'))), r.kindConfig);
  else if (config.init === 'default') {
    if (!r.kind.defaultGenome) throw new UsageError(`genome '${config.genome}' has no default genome; use --init random or --init FILE`);
    x0 = r.kind.encode(r.kind.defaultGenome(r.kindConfig), r.kindConfig);
  }
  else if (config.init !== null) x0 = r.kind.encode(readGenomeFile(config.init, { kinds: { [r.kind.name]: r.kind }, want: r.kind.name, wantedBy: '--genome' }).genome, r.kindConfig);
  else x0 = Array.isArray(config.x0) ? config.x0.slice() : new Array<number>(n).fill(config.x0);
  if (x0.length !== n) throw new UsageError(`the start point has ${x0.length} numbers but genome '${config.genome}' has ${n} dimensions (--x0 or --init)`);
  return x0;
}

function initialState(config: RunConfig, r: Resolved, x0: number[]): StrategyState {
  const bounds = r.kind.bounds(r.kindConfig);
  const integers = r.kind.integers?.(r.kindConfig) ?? [];
  try {
    return r.strategy.init({
      x0,
      sigma0: config.sigma0,
      seed: deriveSeed(config.seed, 'strategy'),
      ...(config.popsize !== null ? { popsize: config.popsize } : {}),
      ...(bounds ? { bounds } : {}),
      ...(integers.length > 0 ? { integers } : {}),
      params: config.strategyParams,
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--strategy-params: ${(e as Error).message}`);
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function budgetStop(config: RunConfig, generations: number, evaluations: number, best: BestRecord | null): StopReasons {
  const out: StopReasons = {};
  if (config.target !== null && best !== null && best.fitness <= config.target) out['target'] = config.target;
  if (config.maxEvals !== null && evaluations >= config.maxEvals) out['maxEvaluations'] = config.maxEvals;
  if (config.maxGenerations !== null && generations >= config.maxGenerations) out['maxGenerations'] = config.maxGenerations;
  return out;
}

function makeEvaluator(config: RunConfig, store: RunStore): Evaluator {
  if (config.workers === 0) return new InlineEvaluator();
  return new PoolEvaluator(config.workers, (e) => store.log(`generation ${e.generation} candidate${e.indices.length > 1 ? 's' : ''} ${e.indices.join(',')}: ${e.message}`));
}

/**
 * Candidates → jobs. A task with a population axis gets chunks of `evalBatch` genomes (fixed size, so
 * the chunking never depends on the worker count) that share the generation's seed; otherwise one job
 * per candidate, seeded by its seed index.
 */
function buildJobs(config: RunConfig, r: Resolved, generation: number, candidates: readonly Candidate[], genomes: readonly unknown[]): EvalJob[] {
  const common = { genomeKind: config.genome, genomeConfig: r.kindConfig, task: { name: config.task, config: r.taskConfig }, generation, timeoutMs: config.timeoutMs, backend: config.backend };
  const items: EvalItem[] = candidates.map((c, i) => ({ index: c.index, genome: genomes[i], wants: c.wants, seed: deriveSeed(config.seed, 'eval', generation, c.seedIndex ?? c.index) }));
  if (r.batchable && candidates.every((c) => c.wants === 'fitness')) {
    const seed = deriveSeed(config.seed, 'eval', generation, 'batch');
    const jobs: EvalJob[] = [];
    for (let k = 0; k < items.length; k += config.evalBatch) jobs.push({ ...common, items: items.slice(k, k + config.evalBatch), batched: true, seed });
    return jobs;
  }
  return items.map((item) => ({ ...common, items: [item], batched: false, seed: item.seed }));
}

/** The generation's best successful evaluation (its metrics go to the log). */
function bestOk(results: readonly Evaluation[]): Evaluation | null {
  let top: Evaluation | null = null;
  for (const e of results) if (e.status === 'ok' && Number.isFinite(e.fitness) && (top === null || e.fitness < top.fitness)) top = e;
  return top;
}

/** Restart strategies expose their restart index; the log shows it. */
function restartField(state: StrategyState): { restart?: number } {
  const r = (state as unknown as { restart?: unknown }).restart;
  return typeof r === 'number' ? { restart: r } : {};
}

/** The generation loop, shared by a fresh run and a resumed one. */
async function loop(config: RunConfig, r: Resolved, store: RunStore, ckpt: Checkpoint, manifest: RunManifest, hooks: EngineHooks): Promise<RunSummary> {
  const evaluator = makeEvaluator(config, store);
  const state = ckpt.strategy;
  let { generation, evaluations, best, elapsedMs } = ckpt;
  let stop: StopReasons = {};
  try {
    for (;;) {
      stop = { ...budgetStop(config, generation, evaluations, best), ...r.strategy.stop(state) };
      if (Object.keys(stop).length > 0) break;
      const t0 = performance.now();
      const candidates = r.strategy.ask(state);
      const genomes = candidates.map((c) => r.kind.decode(c.x, r.kindConfig));
      const jobs = buildJobs(config, r, generation, candidates, genomes);
      const done = await evaluator.evaluate(jobs);
      const results: Evaluation[] = done.flatMap((j) => j.results);
      r.strategy.tell(state, candidates, results);

      let failures = 0;
      const ok: number[] = [];
      results.forEach((res, i) => {
        const f = rankableFitness(res);
        if (f === Number.POSITIVE_INFINITY && !(res.status === 'ok' && res.fitness === Infinity)) {
          failures++;
          store.log(`generation ${generation} candidate ${candidates[i]!.index}: ${res.status}${res.error ? ` (${res.error})` : ''}`);
        } else ok.push(f);
        if (res.status === 'ok' && Number.isFinite(res.fitness) && (best === null || res.fitness < best.fitness)) {
          best = { fitness: res.fitness, x: candidates[i]!.x.slice(), genome: r.stored(genomes[i]), generation, index: candidates[i]!.index, evaluation: evaluations + i + 1, ...(res.metrics ? { metrics: res.metrics } : {}) };
          store.write('best', best);
        }
      });
      evaluations += results.length;
      const used = done.find((x) => x.backend !== null)?.backend ?? null;
      if (used !== null && manifest.backend.used !== used) {
        manifest.backend.used = used;
        store.write('manifest', manifest);
      }
      const wallMs = performance.now() - t0;
      elapsedMs += wallMs;
      const top = bestOk(results);
      const record: GenerationRecord = {
        generation,
        evaluations,
        bestFitness: ok.length ? Math.min(...ok) : null,
        medianFitness: median(ok),
        bestSoFar: best ? best.fitness : null,
        sigma: state.sigma,
        popsize: candidates.length,
        failures,
        ...(top?.metrics ? { bestMetrics: top.metrics } : {}),
        ...restartField(state),
        wallMs: Math.round(wallMs * 1000) / 1000,
        elapsedMs: Math.round(elapsedMs * 1000) / 1000,
      };
      generation++;
      store.appendGeneration(record);
      const next: Checkpoint = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, generation, evaluations, elapsedMs, best, strategy: state };
      store.write('checkpoint', next);
      hooks.onGeneration?.(record, config);
    }
  } finally {
    await evaluator.close();
  }
  const summary: RunSummary = { evaluations, bestFitness: best ? best.fitness : null, generations: generation, stopReason: stop, runDir: store.dir };
  store.write('summary', summary);
  store.log(`stopped after ${generation} generations, ${evaluations} evaluations: ${JSON.stringify(stop)}`);
  return summary;
}

/** Starts a new run in `runDir` (which must not hold a run already). */
export async function runSearch(config: RunConfig, runDir: string, hooks: EngineHooks = {}, command = ''): Promise<RunSummary> {
  const r = resolve(config);
  const x0 = startVector(config, r);
  const state = initialState(config, r, x0);
  const store = new RunStore(runDir);
  if (existsRun(store))
    throw new UsageError(`${runDir} already holds a run; continue it with \`evometa resume ${runDir}\` or choose another --out`);
  store.create();
  const manifest = { ...buildManifest(config, runDir, command), x0 };
  store.write('manifest', manifest);
  store.log(`started: ${command || 'runSearch'} (seed ${config.seed})`);
  const ckpt: Checkpoint = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, generation: 0, evaluations: 0, elapsedMs: 0, best: null, strategy: state };
  store.write('checkpoint', ckpt);
  hooks.onStart?.(config, runDir, 0);
  return loop(config, r, store, ckpt, manifest, hooks);
}

function existsRun(store: RunStore): boolean {
  try {
    readJsonFile(store.path('manifest'), 'manifest');
    return true;
  } catch {
    return false;
  }
}

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

/** What `resume` may change: where the run executes, and (to extend it) its budget. */
export interface ResumeOverrides {
  workers?: number;
  maxGenerations?: number;
  maxEvals?: number;
}

/** A budget raised by `resume`, kept in the manifest so the run's files say how it was run. */
export interface BudgetExtension {
  /** Generation at which the run was continued. */
  generation: number;
  maxGenerations: number | null;
  maxEvals: number | null;
  at: string;
}

const BUDGET_STOPS = ['maxGenerations', 'maxEvaluations'];

/**
 * Continues the run in `runDir` from its checkpoint; a finished run just returns its summary, unless a
 * larger budget is given: then it goes on from its checkpoint (the strategy's state, covariance included,
 * is kept), exactly as if it had been started with that budget.
 */
export async function resumeRun(runDir: string, hooks: EngineHooks = {}, overrides: ResumeOverrides = {}): Promise<RunSummary & { alreadyFinished: boolean }> {
  const store = new RunStore(runDir);
  const manifest = readJsonFile(store.path('manifest'), 'manifest') as RunManifest & { extensions?: BudgetExtension[] };
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.config !== 'object')
    throw new UsageError(`manifest is damaged ('config' missing): ${store.path('manifest')}`);
  const extend = overrides.maxGenerations !== undefined || overrides.maxEvals !== undefined;
  let finished: RunSummary | null = null;
  try {
    finished = readJsonFile(store.path('summary'), 'summary') as RunSummary;
  } catch {
    /* not finished: go on */
  }
  if (finished && !extend) return { ...finished, alreadyFinished: true };
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
  const config: RunConfig = { ...manifest.config, ...(overrides.workers !== undefined ? { workers: overrides.workers } : {}) };
  const r = resolve(config);
  const ckpt = checkCheckpoint(readJsonFile(store.path('checkpoint'), 'checkpoint'), store.path('checkpoint'), config.strategy);
  store.trimGenerations(ckpt.generation);
  store.log(`resumed at generation ${ckpt.generation} (${ckpt.evaluations} evaluations)`);
  hooks.onStart?.(config, runDir, ckpt.generation);
  const summary = await loop(config, r, store, ckpt, manifest, hooks);
  return { ...summary, alreadyFinished: false };
}
