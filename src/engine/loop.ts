/**
 * The generation loop, shared by a fresh run and a resumed one: ask → decode → evaluate (inline or on worker
 * threads) → tell → record, until a budget or a strategy criterion stops it. Everything needed to continue is
 * checkpointed after each generation, so `resume` after a kill -9 replays the uninterrupted trajectory exactly.
 */
import { resolve as resolvePath } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Registry } from '../core/plugin.js';
import type { Strategy, StrategyState } from '../core/strategy.js';
import { rankableFitness, type Evaluation, type StopReasons } from '../core/types.js';
import { InlineEvaluator } from '../evaluator/inline_evaluator.js';
import type { Evaluator, EvaluatorFactory } from '../evaluator/protocol.js';
import type { RunManifest } from '../store/manifest.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type BestRecord, type Checkpoint, type GenerationRecord, type RunSummary } from '../store/run_records.js';
import type { RunStore } from '../store/run_store.js';
import { buildJobs } from './jobs.js';
import type { Resolved } from './resolve.js';
import type { RunConfig } from './run_config.js';

export interface EngineHooks {
  /**
   * After each generation's checkpoint; stop reasons it returns (e.g. `{ maxTime: 60000 }`) end the run there. The
   * engine waits for a returned promise, so a hook may score the current point on an asynchronous (GPU) backend.
   */
  onGeneration?(record: GenerationRecord, config: RunConfig): StopReasons | void | Promise<StopReasons | void>;
  onStart?(config: RunConfig, runDir: string, resumedAt: number): void;
}

/** What the engine is handed: it imports no task, genome kind or strategy itself. */
export interface EngineOptions {
  /** The tasks, genome kinds and strategies a run may name (built-ins and the user's plug-ins). */
  registry: Registry;
  /**
   * Builds the evaluator for `config.workers`. Absent: inline evaluation only (a run with workers > 0 is
   * refused), since worker threads must import a module that builds the same registry.
   */
  evaluators?: EvaluatorFactory;
  hooks?: EngineHooks;
}

/** Refuses, before anything is written, a worker count the caller gave no way to serve. */
export function checkEvaluators(config: RunConfig, options: EngineOptions): void {
  if (config.redis && !options.evaluators)
    throw new UsageError('--redis needs the queue evaluator, but the engine was given no evaluator factory; run through the composition root (src/search.ts)');
  if (config.workers > 0 && !options.evaluators)
    throw new UsageError(`--workers ${config.workers} needs worker threads, but the engine was given no evaluator factory; use --workers 0 or run through the composition root (src/search.ts)`);
}

function makeEvaluator(config: RunConfig, options: EngineOptions, store: RunStore): Evaluator {
  if (options.evaluators)
    return options.evaluators({
      workers: config.workers,
      limits: config.workerHeapMb !== undefined ? { heapMb: config.workerHeapMb } : {},
      ...(config.redis ? { redis: config.redis } : {}),
      run: { dir: resolvePath(store.dir), task: config.task, genomeKind: config.genome, plugins: config.plugins },
      log: (line) => store.log(line),
    });
  checkEvaluators(config, options);
  return new InlineEvaluator(options.registry);
}

/** The median of the finite fitnesses of a generation (generations.jsonl's medianFitness). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The budgets' stop reasons, under the names every summary uses (target, maxEvaluations, maxGenerations). */
export function budgetStop(config: Pick<RunConfig, 'target' | 'maxEvals' | 'maxGenerations'>, generations: number, evaluations: number, best: { fitness: number } | null): StopReasons {
  const out: StopReasons = {};
  if (config.target !== null && best !== null && best.fitness <= config.target) out['target'] = config.target;
  if (config.maxEvals !== null && evaluations >= config.maxEvals) out['maxEvaluations'] = config.maxEvals;
  if (config.maxGenerations !== null && generations >= config.maxGenerations) out['maxGenerations'] = config.maxGenerations;
  return out;
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

/** Per-coordinate diagnostics (scales, mean) go into generations.jsonl up to this dimension: 2 × 50 numbers a line. */
export const DIAGNOSTIC_VECTORS_MAX_DIM = 50;

const sixDigits = (v: number): number => Number(v.toPrecision(6));
const finiteList = (v: number[] | undefined): v is number[] => Array.isArray(v) && v.length <= DIAGNOSTIC_VECTORS_MAX_DIM && v.every(Number.isFinite);

/** The strategy's diagnostics as generation-record fields: finite numbers only, vectors only for small dimensions. */
function diagnosticFields(strategy: Strategy<StrategyState>, state: StrategyState): Pick<GenerationRecord, 'axisRatio' | 'scales' | 'mean'> {
  const d = strategy.diagnostics?.(state);
  if (!d) return {};
  return {
    ...(typeof d.axisRatio === 'number' && Number.isFinite(d.axisRatio) ? { axisRatio: sixDigits(d.axisRatio) } : {}),
    ...(finiteList(d.scales) ? { scales: d.scales.map(sixDigits) } : {}),
    ...(finiteList(d.mean) ? { mean: d.mean.map(sixDigits) } : {}),
  };
}

export async function runLoop(config: RunConfig, r: Resolved, store: RunStore, ckpt: Checkpoint, manifest: RunManifest, options: EngineOptions): Promise<RunSummary> {
  const evaluator = makeEvaluator(config, options, store);
  const state = ckpt.strategy;
  let { generation, evaluations, best, elapsedMs } = ckpt;
  let stop: StopReasons = {};
  let requested: StopReasons = {};
  try {
    for (;;) {
      stop = { ...budgetStop(config, generation, evaluations, best), ...r.strategy.stop(state), ...requested };
      if (Object.keys(stop).length > 0) break;
      const t0 = performance.now();
      const candidates = r.strategy.ask(state);
      const genomes = candidates.map((c) => r.kind.decode(c.x, r.kindConfig));
      const jobs = buildJobs(config, r, generation, candidates, genomes);
      const done = await evaluator.evaluate(jobs);
      const results: Evaluation[] = done.flatMap((j) => j.results);
      const evaluatedBy: (string | undefined)[] = done.flatMap((j) => j.results.map(() => j.worker));
      r.strategy.tell(state, candidates, results);

      let failures = 0;
      const ok: number[] = [];
      results.forEach((res, i) => {
        const f = rankableFitness(res);
        if (f === Number.POSITIVE_INFINITY && !(res.status === 'ok' && res.fitness === Infinity)) {
          failures++;
          const by = evaluatedBy[i] ? ` on worker ${evaluatedBy[i]}` : '';
          store.log(`generation ${generation} candidate ${candidates[i]!.index}: ${res.status}${by}${res.error ? ` (${res.error})` : ''}`);
        } else ok.push(f);
        if (res.status === 'ok' && Number.isFinite(res.fitness) && (best === null || res.fitness < best.fitness)) {
          best = { fitness: res.fitness, x: candidates[i]!.x.slice(), genome: r.stored(genomes[i]), generation, index: candidates[i]!.index, evaluation: evaluations + i + 1, ...(res.metrics ? { metrics: res.metrics } : {}) };
          store.write('best', best);
        }
      });
      evaluations += results.length;
      const ran = done.find((x) => x.backend !== null);
      const used = ran?.backend ?? null;
      if (used !== null && manifest.backend.used !== used) {
        manifest.backend.used = used;
        if (ran?.adapter) manifest.backend.adapter = ran.adapter;
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
        ...diagnosticFields(r.strategy, state),
        wallMs: Math.round(wallMs * 1000) / 1000,
        elapsedMs: Math.round(elapsedMs * 1000) / 1000,
      };
      generation++;
      store.appendGeneration(record);
      const next: Checkpoint = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, generation, evaluations, elapsedMs, best, strategy: state };
      store.write('checkpoint', next);
      requested = (await options.hooks?.onGeneration?.(record, config)) || {};
    }
  } finally {
    await evaluator.close();
  }
  const summary: RunSummary = { evaluations, bestFitness: best ? best.fitness : null, generations: generation, stopReason: stop, runDir: store.dir };
  // The file names its own folder as '.', so the folder can move; callers get the folder they ran in.
  store.write('summary', { ...summary, runDir: '.' });
  store.log(`stopped after ${generation} generations, ${evaluations} evaluations: ${JSON.stringify(stop)}`);
  if (best === null && evaluations > 0) store.log(`no evaluation succeeded: all ${evaluations} failed (their reasons are above); the run has no best`);
  return summary;
}
