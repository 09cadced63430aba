/**
 * A genetic algorithm over module orderings (issue 4 §3), the discrete counterpart of CMA-ES on logits:
 * tournament selection, uniform or one-point crossover, per-position mutation and elitism on index
 * sequences. It searches the categorical space the genome kind declares (`StrategyOptions.categorical`, e.g.
 * the `ordering` kind's L positions × K choices) and speaks the engine's vector language: each candidate's
 * `x` is the space's one-hot logits, which the engine decodes with the kind like any other strategy's.
 *
 * Elites carry their fitness into the next generation instead of being evaluated again; with a noisy
 * fitness (accuracy of a short head fit) set `reevaluateElites` so a lucky draw cannot stay on top for free.
 */
import { Rng } from '../src/core/rng.js';
import { UsageError } from '../src/core/errors.js';
import { checkCategoricalSpace, decodeCategories, encodeCategories, type CategoricalSpace } from '../src/core/categorical.js';
import { booleanParam, numberParam, positiveInteger, rejectUnknownParams } from './params.js';
import { rankableFitness } from './ranking.js';
import { DEFAULT_MAX_FAILED_GENERATIONS, failedInRowAfter, failureStop, maxFailedGenerationsParam } from './failures.js';
import { checkGaState } from './genetic_state_check.js';
import { StateCheck } from './state_checks.js';
import type { Candidate, StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../src/core/strategy.js';

export type OrderingCrossover = 'uniform' | 'one-point';

export interface GaOrderingParams {
  /**
   * Choices at each position (for an ordering, modules N, or N + 1 with skip, at each of L positions): the
   * genome kind's categorical space.
   */
  categories: number[];
  popsize: number;
  tournamentSize: number;
  crossover: OrderingCrossover;
  /** Probability that a child is a crossover of two parents rather than a copy of one. */
  crossoverRate: number;
  /** Probability that each position of a child is redrawn (to a different index). Default 1 / positions. */
  mutationRate: number;
  /** Best individuals carried unchanged into the next generation. */
  elitism: number;
  reevaluateElites: boolean;
  /** Stop after this many generations without a better best. */
  patience: number;
  /** Stop after this many generations in a row without one successful evaluation (absent in older checkpoints: 10). */
  maxFailedGenerations?: number;
}

export interface Individual {
  order: number[];
  /** null when the evaluation failed (ranks worst); JSON has no Infinity. */
  fitness: number | null;
}

export interface GaOrderingState extends StrategyState {
  params: GaOrderingParams;
  /** x0's ordering: the first individual of the first generation (e.g. the source ordering). */
  start: number[];
  /** The evaluated population; empty before the first tell. */
  population: Individual[];
  /** Asked and not yet told: the candidates' orders, and the elites carried past evaluation. */
  pending: { orders: number[][]; carried: Individual[] };
  /** Generations since the best last improved. */
  stagnation: number;
  /** Generations in a row without one successful evaluation (absent in older checkpoints: 0). */
  failedInRow?: number;
}

const NAME = 'ga-ordering';
const KEYS = ['tournamentSize', 'crossover', 'crossoverRate', 'mutationRate', 'elitism', 'reevaluateElites', 'patience', 'maxFailedGenerations'];
const CROSSOVERS: readonly OrderingCrossover[] = ['uniform', 'one-point'];

function init(o: StrategyOptions): GaOrderingState {
  const p = o.params ?? {};
  rejectUnknownParams(p, KEYS, NAME);
  if (o.x0.length === 0) throw new Error(`${NAME}: the start point is empty`);
  if (!o.categorical)
    throw new UsageError(`${NAME}: the genome kind declares no categorical space (GenomeKind.categorical) to search; use a categorical genome such as --genome ordering, or a real-valued strategy such as --strategy cmaes`);
  const space = checkCategoricalSpace(o.categorical, o.x0.length, NAME);
  const length = space.categories.length;
  const popsize = o.popsize ?? 16;
  if (!Number.isInteger(popsize) || popsize < 2) throw new Error(`${NAME}: popsize must be an integer of at least 2 (got ${popsize})`);
  const crossover = p['crossover'] ?? 'uniform';
  if (!CROSSOVERS.includes(crossover as OrderingCrossover))
    throw new Error(`${NAME}: parameter 'crossover' must be one of ${CROSSOVERS.map((c) => `'${c}'`).join(', ')} (got ${JSON.stringify(crossover)})`);
  const params: GaOrderingParams = {
    categories: space.categories,
    popsize,
    tournamentSize: numberParam(p, 'tournamentSize', Math.min(3, popsize), (v) => positiveInteger(v) && v <= popsize, `an integer from 1 to popsize (${popsize})`, NAME),
    crossover: crossover as OrderingCrossover,
    crossoverRate: numberParam(p, 'crossoverRate', 0.9, (v) => v >= 0 && v <= 1, 'in [0, 1]', NAME),
    mutationRate: numberParam(p, 'mutationRate', 1 / length, (v) => v >= 0 && v <= 1, 'in [0, 1] (default 1 / positions)', NAME),
    elitism: numberParam(p, 'elitism', 1, (v) => Number.isInteger(v) && v >= 0 && v < popsize, `an integer from 0 to popsize − 1 (${popsize - 1})`, NAME),
    reevaluateElites: booleanParam(p, 'reevaluateElites', false, NAME),
    patience: numberParam(p, 'patience', 100, positiveInteger, 'a positive integer (generations)', NAME),
    maxFailedGenerations: maxFailedGenerationsParam(p, NAME),
  };
  return {
    strategy: NAME,
    generation: 0,
    evaluations: 0,
    sigma: params.mutationRate,
    best: null,
    rng: new Rng(o.seed).state(),
    params,
    start: decodeCategories(space, o.x0),
    population: [],
    pending: { orders: [], carried: [] },
    stagnation: 0,
    failedInRow: 0,
  };
}

/** The space searched; checkpoints written before the categorical space hold K `choices` at each of `length` positions. */
function spaceOf(p: GaOrderingParams): CategoricalSpace {
  const older = p as Partial<GaOrderingParams> & { choices?: number; length?: number };
  return { categories: older.categories ?? new Array<number>(older.length!).fill(older.choices!) };
}

const score = (i: Individual): number => i.fitness ?? Number.POSITIVE_INFINITY;

/** Population indices best first; ties keep population order. */
function ranked(population: readonly Individual[]): number[] {
  return population.map((_, i) => i).sort((a, b) => score(population[a]!) - score(population[b]!) || a - b);
}

function tournament(population: readonly Individual[], size: number, rng: Rng): Individual {
  let best = rng.int(population.length);
  for (let k = 1; k < size; k++) {
    const j = rng.int(population.length);
    if (score(population[j]!) < score(population[best]!) || (score(population[j]!) === score(population[best]!) && j < best)) best = j;
  }
  return population[best]!;
}

function cross(a: readonly number[], b: readonly number[], kind: OrderingCrossover, rng: Rng): number[] {
  if (kind === 'uniform') return a.map((v, l) => (rng.uniform() < 0.5 ? v : b[l]!));
  if (a.length < 2) return a.slice();
  const cut = 1 + rng.int(a.length - 1); // both parents contribute at least one position
  return [...a.slice(0, cut), ...b.slice(cut)];
}

function mutate(order: number[], rate: number, categories: readonly number[], rng: Rng): number[] {
  if (rate === 0) return order;
  return order.map((m, l) => {
    const choices = categories[l]!;
    if (choices < 2 || rng.uniform() >= rate) return m;
    const r = rng.int(choices - 1); // a different index, uniformly
    return r >= m ? r + 1 : r;
  });
}

function offspring(s: GaOrderingState, count: number, rng: Rng): number[][] {
  const p = s.params;
  const categories = spaceOf(p).categories;
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const a = tournament(s.population, p.tournamentSize, rng);
    const child = rng.uniform() < p.crossoverRate ? cross(a.order, tournament(s.population, p.tournamentSize, rng).order, p.crossover, rng) : a.order.slice();
    out.push(mutate(child, p.mutationRate, categories, rng));
  }
  return out;
}

export const gaOrdering: Strategy<GaOrderingState> = {
  name: NAME,
  description: "genetic algorithm on module orderings, or any genome kind's categorical space (tournament selection, uniform/one-point crossover, per-position mutation, elitism); x is the space's one-hot logits",
  init,
  ask(s): Candidate[] {
    const rng = new Rng(s.rng);
    const p = s.params;
    const space = spaceOf(p);
    let orders: number[][];
    let carried: Individual[] = [];
    if (s.population.length === 0) {
      orders = [s.start.slice(), ...Array.from({ length: p.popsize - 1 }, () => space.categories.map((k) => rng.int(k)))];
    } else {
      const elites = ranked(s.population).slice(0, p.elitism).map((i) => s.population[i]!);
      const children = offspring(s, p.popsize - elites.length, rng);
      if (p.reevaluateElites) orders = [...elites.map((e) => e.order.slice()), ...children];
      else {
        carried = elites.map((e) => ({ order: e.order.slice(), fitness: e.fitness }));
        orders = children;
      }
    }
    s.rng = rng.state();
    s.pending = { orders, carried };
    return orders.map((order, index) => ({ index, x: encodeCategories(space, order), wants: 'fitness' as const }));
  },
  tell(s, candidates, evaluations) {
    const { orders, carried } = s.pending;
    if (candidates.length !== orders.length || evaluations.length !== orders.length)
      throw new Error(`${NAME}: told ${candidates.length} candidates with ${evaluations.length} evaluations, but ${orders.length} were asked`);
    s.evaluations += evaluations.length;
    s.generation++;
    const evaluated: Individual[] = orders.map((order, i) => {
      const f = rankableFitness(evaluations[i]!);
      return { order, fitness: Number.isFinite(f) ? f : null };
    });
    let improved = false;
    const space = spaceOf(s.params);
    evaluated.forEach((ind) => {
      if (ind.fitness !== null && (!s.best || ind.fitness < s.best.fitness)) {
        s.best = { x: encodeCategories(space, ind.order), fitness: ind.fitness };
        improved = true;
      }
    });
    s.stagnation = improved ? 0 : s.stagnation + 1;
    s.failedInRow = failedInRowAfter(s.failedInRow ?? 0, evaluated.some((ind) => ind.fitness !== null));
    s.population = [...carried, ...evaluated];
    s.pending = { orders: [], carried: [] };
  },
  stop(s): StopReasons {
    return { ...(s.stagnation >= s.params.patience ? { stagnation: s.stagnation } : {}), ...failureStop(s.failedInRow ?? 0, s.params.maxFailedGenerations ?? DEFAULT_MAX_FAILED_GENERATIONS) };
  },
  validateState: (state, where, dimension) => checkGaState(new StateCheck(where), state, dimension),
  /**
   * The current elite: the best-ranked individual of the last evaluated population (with elitism the best so
   * far, unless a re-evaluated elite lost its place), or x0's ordering before the first generation is told.
   */
  point(s): number[] {
    const elite = s.population.length > 0 ? s.population[ranked(s.population)[0]!]!.order : s.start;
    return encodeCategories(spaceOf(s.params), elite);
  },
};
