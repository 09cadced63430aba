/**
 * `minimize(f, x0, sigma0, options)`: pycma's `fmin2` for JavaScript. `f` is either a function, evaluated in this
 * thread (sync or async; no run folder), or the name of a task (built-in or from `options.plugins`), run by the
 * engine in a run folder, inline or in `options.workers` worker threads. Both resolve to the summary that
 * `evometa search --json` prints, plus the best point, and stop for the same reasons under the same names.
 * The run seed goes to the strategy as the engine passes it (deriveSeed(seed, 'strategy')), so a function and the
 * task of the same function give the same run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookup } from './core/errors.js';
import { readJsonFile } from './core/json_file.js';
import { deriveSeed } from './core/rng.js';
import type { Strategy, StrategyState } from './core/strategy.js';
import type { Candidate, StopReasons } from './core/types.js';
import { budgetStop, median } from './engine/loop.js';
import { resolveRunConfig } from './engine/run_config.js';
import type { BestRecord, GenerationRecord, RunSummary } from './store/run_records.js';
import { loadRegistry, runSearch } from './search.js';
import { checkedStrategy, drawSeed, type CheckedStrategy } from '../strategies/index.js';
import { checkMinimizeArgs, type GenerationInfo, type MinimizeOptions } from './minimize_options.js';
import { describeValue } from '../strategies/tell_input.js';

export { MINIMIZE_OPTION_KEYS, type GenerationInfo, type MinimizeOptions } from './minimize_options.js';

/** A fitness to minimise: a number (NaN and ±Infinity count as failed evaluations) or a Promise of one. */
export type Objective = (x: number[]) => number | Promise<number>;

/** The summary `evometa search --json` prints (runDir only when a task ran in a run folder), plus the best point. */
export interface MinimizeResult {
  evaluations: number;
  bestFitness: number | null;
  generations: number;
  /** Why it stopped: target, maxEvaluations, maxGenerations, maxTime, callback, or the strategy's own reasons. */
  stopReason: StopReasons;
  runDir?: string;
  /** The best evaluated point, or null when no evaluation gave a finite fitness. */
  best: { x: number[]; fitness: number } | null;
  /** The run seed (drawn when options.seed was absent). */
  seed: number;
  /** The strategy's final state (a function `f` only; a task's is in runDir/checkpoint.json): JSON, a checkpoint. */
  state?: StrategyState;
}

/** After a generation: maxTime spent, or onGeneration asked to stop (false or 'stop'). */
function requestedStop(o: MinimizeOptions, info: GenerationInfo, startedAt: number): StopReasons {
  const out: StopReasons = {};
  const answer = o.onGeneration?.(info);
  if (answer === false || answer === 'stop') out['callback'] = 1;
  if (o.maxTime !== undefined && performance.now() - startedAt >= o.maxTime) out['maxTime'] = o.maxTime;
  return out;
}

/** f over the candidates; a Promise anywhere makes it await them all together (an async f runs concurrently). */
async function evaluateAll(f: Objective, candidates: readonly Candidate[]): Promise<number[]> {
  const raw: unknown[] = candidates.map((c) => f(c.x.slice()));
  const values = raw.some((v) => typeof (v as { then?: unknown } | null)?.then === 'function') ? await Promise.all(raw) : raw;
  values.forEach((v, i) => {
    if (typeof v !== 'number')
      throw new TypeError(`minimize: f returned ${describeValue(v)} for candidate ${i}; f must return a number or a Promise of one (NaN and ±Infinity count as failed evaluations)`);
  });
  return values as number[];
}

async function strategyFor(o: MinimizeOptions): Promise<CheckedStrategy<StrategyState>> {
  const s = o.strategy ?? 'cmaes';
  if (typeof s !== 'string') return checkedStrategy(s as Strategy<StrategyState>);
  const registry = await loadRegistry(o.plugins ?? []);
  return checkedStrategy(lookup(registry.strategies, 'strategy', s) as Strategy<StrategyState>);
}

/** The ask/tell loop in this thread: no run folder, no worker. */
async function minimizeFunction(f: Objective, x0: number[], sigma0: number, o: MinimizeOptions): Promise<MinimizeResult> {
  const startedAt = performance.now();
  const strategy = await strategyFor(o);
  const seed = o.seed ?? drawSeed();
  const state = strategy.init({
    x0,
    sigma0,
    seed: deriveSeed(seed, 'strategy'),
    ...(o.popsize !== undefined ? { popsize: o.popsize } : {}),
    ...(o.bounds ? { bounds: o.bounds } : {}),
    ...(o.params ? { params: o.params } : {}),
  });
  const budgets = { target: o.target ?? null, maxEvals: o.maxEvals ?? null, maxGenerations: o.maxGenerations ?? null };
  let best: MinimizeResult['best'] = null;
  let generations = 0;
  let evaluations = 0;
  let requested: StopReasons = {};
  let stop: StopReasons;
  for (;;) {
    stop = { ...budgetStop(budgets, generations, evaluations, best), ...strategy.stop(state), ...requested };
    if (Object.keys(stop).length > 0) break;
    const candidates = strategy.ask(state);
    const values = await evaluateAll(f, candidates);
    strategy.tell(state, candidates, values);
    const ok: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      ok.push(v);
      if (best === null || v < best.fitness) best = { x: candidates[i]!.x.slice(), fitness: v };
    }
    evaluations += values.length;
    const info: GenerationInfo = {
      generation: generations,
      evaluations,
      bestFitness: ok.length ? Math.min(...ok) : null,
      medianFitness: median(ok),
      bestSoFar: best?.fitness ?? null,
      sigma: state.sigma,
      popsize: candidates.length,
      failures: values.length - ok.length,
      elapsedMs: performance.now() - startedAt,
    };
    generations++;
    requested = requestedStop(o, info, startedAt);
  }
  return { evaluations, bestFitness: best?.fitness ?? null, generations, stopReason: stop, best, seed, state };
}

/** The engine on a named task, in a run folder (given, or a new one under the system's temp folder). */
async function minimizeTask(task: string, x0: number[], sigma0: number, o: MinimizeOptions): Promise<MinimizeResult> {
  const startedAt = performance.now();
  const genome = o.genome ?? 'vector';
  const raw: Record<string, unknown> = {
    task,
    genome,
    dim: x0.length,
    x0,
    sigma0,
    strategy: o.strategy ?? 'cmaes',
    workers: o.workers ?? 0,
    plugin: [...(o.plugins ?? [])],
    'genome-config': { ...(o.genomeConfig ?? {}), ...(o.bounds ? { lower: o.bounds.lower, upper: o.bounds.upper } : {}) },
    'task-config': o.taskConfig ?? {},
    'strategy-params': o.params ?? {},
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.popsize !== undefined ? { popsize: o.popsize } : {}),
    ...(o.target !== undefined ? { target: o.target } : {}),
    ...(o.maxEvals !== undefined ? { 'max-evals': o.maxEvals } : {}),
    ...(o.maxGenerations !== undefined ? { 'max-generations': o.maxGenerations } : {}),
    ...(o.backend !== undefined ? { backend: o.backend } : {}),
    ...(o.timeoutMs !== undefined ? { 'timeout-ms': o.timeoutMs } : {}),
  };
  const config = resolveRunConfig(raw, drawSeed);
  const runDir = o.runDir ?? mkdtempSync(join(tmpdir(), 'evometa-minimize-'));
  const onGeneration = (r: GenerationRecord): StopReasons => {
    const { generation, evaluations, bestFitness, medianFitness, bestSoFar, sigma, popsize, failures } = r;
    return requestedStop(o, { generation, evaluations, bestFitness, medianFitness, bestSoFar, sigma, popsize, failures, elapsedMs: performance.now() - startedAt }, startedAt);
  };
  const summary: RunSummary = await runSearch(config, runDir, { plugins: config.plugins, hooks: { onGeneration }, command: `minimize('${task}')` });
  const record = summary.bestFitness === null ? null : (readJsonFile(join(runDir, 'best.json'), 'best') as BestRecord);
  return { ...summary, best: record ? { x: record.x, fitness: record.fitness } : null, seed: config.seed };
}

/**
 * Minimises `f` from `x0` with initial step size `sigma0` (pycma's fmin2). `f` is a function of a number array
 * (sync or async), or the name of a task, which runs in a run folder with `options.workers` worker threads.
 * Bad arguments are a TypeError naming the argument; a bad task or strategy setting is a UsageError.
 */
export async function minimize(f: Objective | string, x0: readonly number[], sigma0: number, options: MinimizeOptions = {}): Promise<MinimizeResult> {
  checkMinimizeArgs(f, x0, sigma0, options);
  return typeof f === 'string' ? minimizeTask(f, x0.slice(), sigma0, options) : minimizeFunction(f, x0.slice(), sigma0, options);
}

