/**
 * A genetic algorithm over module orderings (issue 4 §3), the discrete counterpart of CMA-ES on logits:
 * tournament selection, uniform or one-point crossover, per-position mutation and elitism on index
 * sequences. It speaks the engine's vector language: each candidate's `x` is the one-hot L×K logit
 * vector of the `ordering` genome kind, so the engine decodes it with that kind like any other strategy's.
 *
 * Elites carry their fitness into the next generation instead of being evaluated again; with a noisy
 * fitness (accuracy of a short head fit) set `reevaluateElites` so a lucky draw cannot stay on top for free.
 */
import { Rng } from '../src/core/rng.js';
import { decodeOrder, encodeOrder } from '../genomes/ordering_genome.js';
import { booleanParam, numberParam, positiveInteger, rejectUnknownParams } from './params.js';
import { rankableFitness } from './ranking.js';
import type { Candidate, Evaluation, StopReasons } from '../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../src/core/strategy.js';

export type OrderingCrossover = 'uniform' | 'one-point';

export interface GaOrderingParams {
  /** Choices per position K (modules N, or N + 1 with skip). Read from x0 when it is a one-hot encoding. */
  choices: number;
  /** Positions L (x0.length / choices). */
  length: number;
  popsize: number;
  tournamentSize: number;
  crossover: OrderingCrossover;
  /** Probability that a child is a crossover of two parents rather than a copy of one. */
  crossoverRate: number;
  /** Probability that each position of a child is redrawn (to a different index). Default 1/L. */
  mutationRate: number;
  /** Best individuals carried unchanged into the next generation. */
  elitism: number;
  reevaluateElites: boolean;
  /** Stop after this many generations without a better best. */
  patience: number;
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
}

const NAME = 'ga-ordering';
const KEYS = ['choices', 'tournamentSize', 'crossover', 'crossoverRate', 'mutationRate', 'elitism', 'reevaluateElites', 'patience'];
const CROSSOVERS: readonly OrderingCrossover[] = ['uniform', 'one-point'];

/** K when x0 is exactly an ordering's one-hot encoding (one 1 per row, zeros elsewhere), else null. */
export function choicesFromEncoding(x0: readonly number[]): number | null {
  const ones = x0.filter((v) => v === 1).length;
  if (ones === 0 || x0.length % ones !== 0) return null;
  const K = x0.length / ones;
  for (let at = 0; at < x0.length; at += K) {
    const row = x0.slice(at, at + K);
    if (row.filter((v) => v === 1).length !== 1 || row.some((v) => v !== 0 && v !== 1)) return null;
  }
  return K;
}

function resolveChoices(p: Record<string, unknown>, x0: readonly number[]): number {
  if (p['choices'] !== undefined) {
    const K = numberParam(p, 'choices', 0, positiveInteger, 'a positive integer (modules N, or N + 1 with allowSkip)', NAME);
    if (x0.length % K !== 0) throw new Error(`${NAME}: parameter 'choices' = ${K} does not divide the genome length ${x0.length} (positions × choices)`);
    return K;
  }
  const K = choicesFromEncoding(x0);
  if (K === null)
    throw new Error(`${NAME}: parameter 'choices' is needed (modules N, or N + 1 with allowSkip): the start point is not a one-hot ordering `
      + `encoding, so the choices per position cannot be read from it; start from --init random or an ordering file, or pass --strategy-params '{"choices": N}'`);
  return K;
}

function init(o: StrategyOptions): GaOrderingState {
  const p = o.params ?? {};
  rejectUnknownParams(p, KEYS, NAME);
  if (o.x0.length === 0) throw new Error(`${NAME}: the start point is empty`);
  const choices = resolveChoices(p, o.x0);
  const length = o.x0.length / choices;
  const popsize = o.popsize ?? 16;
  if (!Number.isInteger(popsize) || popsize < 2) throw new Error(`${NAME}: popsize must be an integer of at least 2 (got ${popsize})`);
  const crossover = p['crossover'] ?? 'uniform';
  if (!CROSSOVERS.includes(crossover as OrderingCrossover))
    throw new Error(`${NAME}: parameter 'crossover' must be one of ${CROSSOVERS.map((c) => `'${c}'`).join(', ')} (got ${JSON.stringify(crossover)})`);
  const params: GaOrderingParams = {
    choices,
    length,
    popsize,
    tournamentSize: numberParam(p, 'tournamentSize', Math.min(3, popsize), (v) => positiveInteger(v) && v <= popsize, `an integer from 1 to popsize (${popsize})`, NAME),
    crossover: crossover as OrderingCrossover,
    crossoverRate: numberParam(p, 'crossoverRate', 0.9, (v) => v >= 0 && v <= 1, 'in [0, 1]', NAME),
    mutationRate: numberParam(p, 'mutationRate', 1 / length, (v) => v >= 0 && v <= 1, 'in [0, 1] (default 1 / positions)', NAME),
    elitism: numberParam(p, 'elitism', 1, (v) => Number.isInteger(v) && v >= 0 && v < popsize, `an integer from 0 to popsize − 1 (${popsize - 1})`, NAME),
    reevaluateElites: booleanParam(p, 'reevaluateElites', false, NAME),
    patience: numberParam(p, 'patience', 100, positiveInteger, 'a positive integer (generations)', NAME),
  };
  return {
    strategy: NAME,
    generation: 0,
    evaluations: 0,
    sigma: params.mutationRate,
    best: null,
    rng: new Rng(o.seed).state(),
    params,
    start: decodeOrder(o.x0, choices),
    population: [],
    pending: { orders: [], carried: [] },
    stagnation: 0,
  };
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

function mutate(order: number[], rate: number, choices: number, rng: Rng): number[] {
  if (choices < 2 || rate === 0) return order;
  return order.map((m) => {
    if (rng.uniform() >= rate) return m;
    const r = rng.int(choices - 1); // a different index, uniformly
    return r >= m ? r + 1 : r;
  });
}

function offspring(s: GaOrderingState, count: number, rng: Rng): number[][] {
  const p = s.params;
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const a = tournament(s.population, p.tournamentSize, rng);
    const child = rng.uniform() < p.crossoverRate ? cross(a.order, tournament(s.population, p.tournamentSize, rng).order, p.crossover, rng) : a.order.slice();
    out.push(mutate(child, p.mutationRate, p.choices, rng));
  }
  return out;
}

export const gaOrdering: Strategy<GaOrderingState> = {
  name: NAME,
  description: 'genetic algorithm on module orderings (tournament selection, uniform/one-point crossover, per-position mutation, elitism); x is the one-hot logits of genome kind ordering',
  init,
  ask(s): Candidate[] {
    const rng = new Rng(s.rng);
    const p = s.params;
    let orders: number[][];
    let carried: Individual[] = [];
    if (s.population.length === 0) {
      orders = [s.start.slice(), ...Array.from({ length: p.popsize - 1 }, () => Array.from({ length: p.length }, () => rng.int(p.choices)))];
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
    return orders.map((order, index) => ({ index, x: encodeOrder(order, p.choices), wants: 'fitness' as const }));
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
    evaluated.forEach((ind) => {
      if (ind.fitness !== null && (!s.best || ind.fitness < s.best.fitness)) {
        s.best = { x: encodeOrder(ind.order, s.params.choices), fitness: ind.fitness };
        improved = true;
      }
    });
    s.stagnation = improved ? 0 : s.stagnation + 1;
    s.population = [...carried, ...evaluated];
    s.pending = { orders: [], carried: [] };
  },
  stop(s): StopReasons {
    return s.stagnation >= s.params.patience ? { stagnation: s.stagnation } : {};
  },
};
