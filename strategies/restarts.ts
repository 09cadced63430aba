/**
 * Restart strategies around CMA-ES: IPOP (Auger & Hansen 2005) and BIPOP (Hansen 2009).
 *
 * The wrapper state holds the running CMA-ES state plus the restart bookkeeping, so it stays plain
 * JSON. When the inner stop() fires, the wrapper restarts at the end of that `tell`, from the same
 * x0 (and, for large runs, the same σ0), with a fresh inner seed deriveSeed(seed, 'restart', k);
 * run 0 uses the run seed itself, so it is exactly the plain `cmaes` run. The wrapper itself only
 * stops once `maxRestarts` restarts (default 9, pycma's recommendation) are used up.
 *
 * IPOP: every restart doubles λ (`incPopsize`, default 2).
 * BIPOP: after each run, the regime whose runs used fewer evaluations so far goes next. A large run
 * doubles λ as in IPOP; only large restarts count toward `maxRestarts` (as in pycma). A small run
 * draws U ~ U[0, 1) and uses λ_s = ⌊λ₀·(λ_L/λ₀)^{U²}⌋, where λ_L is the λ of the latest large run
 * (with incPopsize 2, ½ of the next large λ, as in Hansen 2009), σ_s = σ0·10^{−2U}, and at most
 * half the evaluations of the latest large run (a run ended by that cap records {maxfevals: cap}).
 *
 * A run that stops on `noSuccessfulEvaluations` (its last generations had no successful evaluation at all) ends
 * the whole search instead of restarting: a restart from the same x0 asks the same failing task again.
 */
import { deriveSeed, Rng } from '../src/core/rng.js';
import { boundsFromJson, type JsonBounds } from './bounds.js';
import { CMA_PARAM_KEYS, cmaes, type CmaState } from './cma_es.js';
import type { Candidate, Evaluation, StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState, WarmStart } from '../src/core/strategy.js';
import { NO_SUCCESS } from './failures.js';
import { checkRestartState } from './restart_state_check.js';
import { StateCheck } from './state_checks.js';

/** One finished inner run, for logs and the run summary. */
export interface RestartRun {
  restart: number;
  regime: 'large' | 'small';
  popsize: number;
  sigma0: number;
  evaluations: number;
  bestFitness: number | null;
  stop: StopReasons;
}

export interface RestartState extends StrategyState {
  inner: CmaState;
  /** Index of the current inner run (0 = the first run). */
  restart: number;
  /** λ of the current inner run. */
  popsize: number;
  regime: 'large' | 'small';
  /** Large-regime restarts so far (each doubled λ); these count toward maxRestarts. */
  largeRestarts: number;
  /** Evaluations spent in each regime by finished runs. */
  evaluationsLarge: number;
  evaluationsSmall: number;
  /** Evaluations of the latest finished large run (caps small runs at half of it). */
  lastLargeRunEvaluations: number;
  /** Evaluations of the current run so far, and its cap (small runs only). */
  runEvaluations: number;
  runMaxEvaluations: number | null;
  runs: RestartRun[];
  /** Set once the restart budget is spent: the last run's reasons plus maxrestarts. */
  finished: StopReasons | null;
  config: {
    x0: number[];
    sigma0: number;
    seed: number;
    bounds: JsonBounds | null;
    /** Integer coordinates, passed on to every inner run (absent in checkpoints written before integer handling). */
    integers?: number[];
    /** λ of the first run. */
    popsize0: number;
    maxRestarts: number;
    incPopsize: number;
    bipop: boolean;
    /** Parameters passed on to every inner CMA-ES run (popsize excluded). */
    innerParams: Record<string, unknown>;
  };
}

const RESTART_KEYS = ['maxRestarts', 'incPopsize'] as const;

function validParamKeys(): string[] {
  return [...RESTART_KEYS, ...CMA_PARAM_KEYS];
}

function startRun(state: RestartState, regime: 'large' | 'small', popsize: number, sigma0: number, maxEvaluations: number | null): void {
  const c = state.config;
  state.inner = cmaes.init({
    x0: c.x0,
    sigma0,
    seed: state.restart === 0 ? c.seed : deriveSeed(c.seed, 'restart', state.restart),
    popsize,
    bounds: c.bounds ? boundsFromJson(c.bounds) : undefined,
    ...(c.integers && c.integers.length > 0 ? { integers: c.integers } : {}),
    // A checkpoint written before params.normals existed draws on with the Box–Muller stream it was recorded with.
    params: { normals: state.inner.params.normals ?? 'box-muller', ...c.innerParams },
  });
  state.regime = regime;
  state.popsize = popsize;
  state.runEvaluations = 0;
  state.runMaxEvaluations = maxEvaluations;
  state.sigma = sigma0;
}

function init(name: string, bipop: boolean, options: StrategyOptions): RestartState {
  const params = { ...(options.params ?? {}) };
  for (const key of Object.keys(params)) {
    if (!validParamKeys().includes(key)) throw new Error(`${name}: unknown parameter '${key}'; valid parameters are: ${validParamKeys().join(', ')}`);
  }
  const maxRestarts = params['maxRestarts'] ?? 9;
  if (typeof maxRestarts !== 'number' || !Number.isInteger(maxRestarts) || maxRestarts < 0) {
    throw new Error(`${name}: parameter 'maxRestarts' must be an integer ≥ 0 (got ${JSON.stringify(maxRestarts)})`);
  }
  const incPopsize = params['incPopsize'] ?? 2;
  if (typeof incPopsize !== 'number' || !Number.isFinite(incPopsize) || incPopsize < 1) {
    throw new Error(`${name}: parameter 'incPopsize' must be a number ≥ 1 (got ${JSON.stringify(incPopsize)})`);
  }
  const paramPopsize = params['popsize'];
  delete params['maxRestarts'];
  delete params['incPopsize'];
  delete params['popsize'];
  // The first inner run validates x0, σ0, bounds and the CMA parameters.
  const first = cmaes.init({ ...options, params: { ...params, ...(paramPopsize === undefined ? {} : { popsize: paramPopsize }) } });
  const state: RestartState = {
    strategy: name,
    generation: 0,
    evaluations: 0,
    sigma: options.sigma0,
    best: null,
    rng: new Rng(deriveSeed(options.seed, 'bipop')).state(),
    inner: first,
    restart: 0,
    popsize: first.params.popsize,
    regime: 'large',
    largeRestarts: 0,
    evaluationsLarge: 0,
    evaluationsSmall: 0,
    lastLargeRunEvaluations: 0,
    runEvaluations: 0,
    runMaxEvaluations: null,
    runs: [],
    finished: null,
    config: {
      x0: first.mean.slice(), // x0 as cmaes.init checked it
      sigma0: options.sigma0,
      seed: options.seed,
      bounds: first.bounds,
      integers: first.integers.slice(),
      popsize0: first.params.popsize,
      maxRestarts,
      incPopsize,
      bipop,
      innerParams: { ...params, normals: first.params.normals },
    },
  };
  return state;
}

function ask(state: RestartState): Candidate[] {
  return cmaes.ask(state.inner);
}

/** Ends the current run and starts the next one, or marks the restart budget as spent. */
function restart(state: RestartState, reasons: StopReasons): void {
  const c = state.config;
  state.runs.push({
    restart: state.restart,
    regime: state.regime,
    popsize: state.popsize,
    sigma0: state.inner.sigma0,
    evaluations: state.runEvaluations,
    bestFitness: state.inner.best?.fitness ?? null,
    stop: reasons,
  });
  if (state.regime === 'large') {
    state.evaluationsLarge += state.runEvaluations;
    state.lastLargeRunEvaluations = state.runEvaluations;
  } else {
    state.evaluationsSmall += state.runEvaluations;
  }
  if (NO_SUCCESS in reasons) {
    state.finished = { ...reasons };
    return;
  }
  const large = !c.bipop || state.evaluationsSmall >= state.evaluationsLarge;
  if (large && state.largeRestarts >= c.maxRestarts) {
    state.finished = { ...reasons, maxrestarts: c.maxRestarts };
    return;
  }
  state.restart += 1;
  if (large) {
    state.largeRestarts += 1;
    startRun(state, 'large', Math.floor(c.popsize0 * c.incPopsize ** state.largeRestarts), c.sigma0, null);
    return;
  }
  const rng = new Rng(state.rng);
  const u = rng.uniform();
  state.rng = rng.state();
  const lambdaLarge = c.popsize0 * c.incPopsize ** state.largeRestarts;
  const popsize = Math.max(2, Math.floor(c.popsize0 * (lambdaLarge / c.popsize0) ** (u * u)));
  const budget = Math.max(popsize, Math.floor(state.lastLargeRunEvaluations / 2));
  startRun(state, 'small', popsize, c.sigma0 * 10 ** (-2 * u), budget);
}

function tell(state: RestartState, candidates: readonly Candidate[], evaluations: readonly Evaluation[]): void {
  const inner = state.inner;
  cmaes.tell(inner, candidates, evaluations);
  state.generation += 1;
  state.evaluations += evaluations.length;
  state.runEvaluations += evaluations.length;
  state.sigma = inner.sigma;
  if (inner.best && (state.best === null || inner.best.fitness < state.best.fitness)) {
    state.best = { x: inner.best.x.slice(), fitness: inner.best.fitness };
  }
  if (state.finished) return;
  const reasons = cmaes.stop(inner);
  if (state.runMaxEvaluations !== null && state.runEvaluations >= state.runMaxEvaluations) reasons['maxfevals'] = state.runMaxEvaluations;
  if (Object.keys(reasons).length > 0) restart(state, reasons);
}

function stop(state: RestartState): StopReasons {
  return state.finished ? { ...state.finished } : {};
}

/** The current inner run's point and warm start: the latest distribution, not the first run's. */
function point(state: RestartState): number[] {
  return cmaes.point(state.inner);
}

function warmStart(state: RestartState): WarmStart {
  return cmaes.warmStart!(state.inner);
}

function makeStrategy(name: string, bipop: boolean, description: string): Strategy<RestartState> {
  return {
    name,
    description,
    init: (options) => init(name, bipop, options),
    ask,
    tell,
    stop,
    point,
    warmStart,
    diagnostics: (s) => cmaes.diagnostics!(s.inner),
    stateNumbers: (n) => cmaes.stateNumbers!(n),
    validateState: (state, where, dimension) => checkRestartState(new StateCheck(where), state, name, bipop, dimension),
  };
}

/** IPOP-CMA-ES: restart with doubled population size whenever CMA-ES stops. */
export const ipopCmaes: Strategy<RestartState> = makeStrategy(
  'ipop-cmaes',
  false,
  `IPOP-CMA-ES: restarts with doubled popsize (params: ${RESTART_KEYS.join(', ')} and the cmaes params)`,
);

/** BIPOP-CMA-ES: interleaves IPOP's large runs with budget-matched small-population runs. */
export const bipopCmaes: Strategy<RestartState> = makeStrategy(
  'bipop-cmaes',
  true,
  `BIPOP-CMA-ES: large (IPOP) and small-population restarts (params: ${RESTART_KEYS.join(', ')} and the cmaes params)`,
);
