/**
 * The ask/tell surface a library user gets, as pycma users expect it, laid once over any strategy:
 * - `init` without a seed draws one (crypto) and records it in the state (`state.seed`);
 * - `tell(state, candidates, fitnesses)` takes plain numbers or evaluation objects and refuses, with a TypeError
 *   that says which, a wrong length, a list that is not the last ask's, or a value that is neither (tell_input.ts);
 * - `inject(state, points)` has the points evaluated as the first candidates of the next ask, for strategies
 *   that can learn from points they did not sample (the CMA-ES family; see cma_inject.ts).
 * The strategy's own files stay as they are; the bookkeeping (`asked`, `injected`, `seed`) is plain JSON in the
 * state, so a checkpoint between ask and tell still resumes exactly.
 */
import { UsageError } from '../src/core/errors.js';
import { randomInt } from 'node:crypto';
import type { Strategy, StrategyDiagnostics, StrategyOptions, StrategyState, WarmStart } from '../src/core/strategy.js';
import type { Candidate, StopReasons } from '../src/core/types.js';
import { askedMarker, tellInput, type FitnessInput } from './tell_input.js';

/** Options of a checked `init`: as StrategyOptions, with the seed optional (drawn when absent). */
export type CheckedOptions = Omit<StrategyOptions, 'seed'> & { seed?: number };

/** How a strategy takes injected points: its dimension, and placing points among the candidates of a pending ask. */
export interface InjectionSupport<S extends StrategyState> {
  dimension(state: S): number;
  /** Replaces the first candidates (and the strategy's record of them) by `points`; returns how many it used. */
  place(state: S, candidates: Candidate[], points: readonly number[][]): number;
}

export interface CheckedStrategy<S extends StrategyState = StrategyState> extends Strategy<S> {
  init(options: CheckedOptions): S;
  /**
   * One fitness per candidate of the last ask, in its order: a number (NaN and ±Infinity count as failed and
   * rank worst) or an evaluation object. Anything else, a wrong length or another candidate list: TypeError.
   */
  tell(state: S, candidates: readonly Candidate[], fitnesses: readonly FitnessInput[]): void;
  /**
   * Points (each of the state's dimension, finite) to evaluate as the first candidates of the next ask; more
   * than λ wait for the asks after it. A TypeError for a strategy that takes none (see `injects`).
   */
  inject(state: S, points: readonly (readonly number[])[]): void;
  /** Whether `inject` is supported. */
  readonly injects: boolean;
}

const CHECKED = new WeakSet<object>();

/** Draws a run seed (a uint32) from the operating system's generator: the one draw that is not from a seed. */
export function drawSeed(): number {
  return randomInt(0, 2 ** 32);
}

function checkPoints<S extends StrategyState>(name: string, support: InjectionSupport<S>, state: S, points: unknown): number[][] {
  const where = `${name}.inject`;
  if (!Array.isArray(points)) throw new TypeError(`${where}: points must be an array of points (number arrays); got ${typeof points}`);
  const n = support.dimension(state);
  return points.map((p: unknown, k) => {
    if (!Array.isArray(p) || p.length !== n || !p.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw new TypeError(`${where}: points[${k}] must be ${n} finite numbers (got ${Array.isArray(p) ? `${p.length} values${p.length === n ? ', not all finite' : ''}` : JSON.stringify(p)})`);
    return (p as number[]).slice();
  });
}

/**
 * `strategy` with checked ask/tell, a drawn seed and, where `injection` is given, `inject`. Wrapping twice
 * returns the same object.
 */
export function checkedStrategy<S extends StrategyState>(strategy: Strategy<S>, injection?: InjectionSupport<S>): CheckedStrategy<S> {
  if (CHECKED.has(strategy)) return strategy as CheckedStrategy<S>;
  const name = strategy.name;
  const checked: CheckedStrategy<S> = {
    name,
    description: strategy.description,
    injects: injection !== undefined,
    init(options: CheckedOptions): S {
      const seed = options.seed ?? drawSeed();
      const state = strategy.init({ ...options, seed });
      state.seed = seed;
      return state;
    },
    ask(state: S): Candidate[] {
      delete state.asked;
      const candidates = strategy.ask(state);
      const queued = state.injected;
      if (injection && queued && queued.length > 0) {
        const used = injection.place(state, candidates, queued);
        if (used >= queued.length) delete state.injected;
        else state.injected = queued.slice(used);
      }
      state.asked = askedMarker(state, candidates);
      return candidates;
    },
    tell(state: S, candidates: readonly Candidate[], fitnesses: readonly FitnessInput[]): void {
      const asked = state.asked;
      const evaluations = tellInput(name, asked, candidates, fitnesses);
      delete state.asked;
      try {
        strategy.tell(state, candidates, evaluations);
      } catch (e) {
        state.asked = asked;
        throw e;
      }
    },
    stop: (state: S): StopReasons => strategy.stop(state),
    point: (state: S): number[] => strategy.point(state),
    inject(state: S, points: readonly (readonly number[])[]): void {
      if (!injection)
        throw new TypeError(`${name}.inject: strategy '${name}' cannot learn from points it did not sample; inject works with the CMA-ES family (cmaes, sep-cmaes, ipop-cmaes, bipop-cmaes)`);
      const checkedPoints = checkPoints(name, injection, state, points);
      if (checkedPoints.length > 0) state.injected = [...(state.injected ?? []), ...checkedPoints];
    },
  };
  if (strategy.stateNumbers) {
    const stateNumbers = strategy.stateNumbers.bind(strategy);
    checked.stateNumbers = (dimension: number): number => stateNumbers(dimension);
  }
  if (strategy.diagnostics) {
    const diagnostics = strategy.diagnostics.bind(strategy);
    checked.diagnostics = (state: S): StrategyDiagnostics => diagnostics(state);
  }
  if (strategy.validateState) {
    const validate = strategy.validateState.bind(strategy);
    checked.validateState = (state: unknown, where: string, dimension?: number): void => {
      if (typeof state !== 'object' || state === null || Array.isArray(state)) return validate(state, where, dimension);
      checkWrapperFields(state, where);
      const { seed: _seed, asked: _asked, injected: _injected, ...own } = state as Record<string, unknown>;
      validate(own, where, dimension);
    };
  }
  if (strategy.warmStart) {
    const warmStart = strategy.warmStart.bind(strategy);
    checked.warmStart = (state: S): WarmStart => warmStart(state);
  }
  CHECKED.add(checked);
  return checked;
}

/** The fields this wrapper adds to a strategy's state (`seed`, `asked`, `injected`), checked as a resume reads them. */
function checkWrapperFields(state: unknown, where: string): void {
  if (typeof state !== 'object' || state === null) return;
  const o = state as Record<string, unknown>;
  const bad = (field: string, what: string): never => {
    throw new UsageError(`${where}: strategy.${field} must be ${what} (got ${JSON.stringify(o[field])})`);
  };
  if (o['seed'] !== undefined && (typeof o['seed'] !== 'number' || !Number.isInteger(o['seed']))) bad('seed', 'an integer');
  const asked = o['asked'];
  if (asked !== undefined) {
    if (typeof asked !== 'object' || asked === null || Array.isArray(asked)) bad('asked', 'an object {generation, count, fingerprint}');
    const a = asked as Record<string, unknown>;
    for (const k of ['generation', 'count', 'fingerprint'])
      if (typeof a[k] !== 'number' || !Number.isInteger(a[k]) || (a[k] as number) < 0)
        throw new UsageError(`${where}: strategy.asked.${k} must be a non-negative integer (got ${JSON.stringify(a[k])})`);
  }
  const injected = o['injected'];
  if (injected === undefined) return;
  if (!Array.isArray(injected)) bad('injected', 'a list of points (lists of finite numbers)');
  (injected as unknown[]).forEach((p, i) => {
    if (!Array.isArray(p)) throw new UsageError(`${where}: strategy.injected[${i}] must be a list of finite numbers (got ${JSON.stringify(p)})`);
    p.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`${where}: strategy.injected[${i}][${j}] must be a finite number (got ${JSON.stringify(v)})`);
    });
  });
}
