/**
 * `validateState` of ga-ordering: the categorical space (categories per variable, or an older checkpoint's K
 * `choices` at each of `length` positions), every order of the start, population and pending generation a valid
 * category per variable, fitness finite or null (a failed evaluation), and the GA's parameters in their ranges.
 */
import { checkCommonFields, StateCheck } from './state_checks.js';

type Json = Record<string, unknown>;

/** Categories per variable, from the params of a current or an older checkpoint. */
function categoriesOf(c: StateCheck, p: Json): number[] {
  const pc = c.at('params');
  if (p['categories'] === undefined && p['choices'] !== undefined) {
    const k = pc.number(p, 'choices', { min: 1, integer: true });
    return new Array<number>(pc.number(p, 'length', { min: 1, integer: true })).fill(k);
  }
  const categories = pc.numbers(p, 'categories', null, '', { min: 1, integer: true });
  if (categories.length === 0) pc.fail('categories', 'is empty; the space needs at least one variable');
  return categories;
}

function checkOrder(c: StateCheck, v: unknown, label: string, categories: readonly number[]): void {
  const order = c.vectorValue(v, label, categories.length, `the space has ${categories.length} variables`, { min: 0, integer: true }) as number[];
  order.forEach((m, l) => {
    if (m >= categories[l]!) c.fail(`${label}[${l}]`, `is category ${m}, but variable ${l} has ${categories[l]} (0 to ${categories[l]! - 1})`);
  });
}

function checkIndividual(c: StateCheck, v: unknown, label: string, categories: readonly number[]): void {
  const ind = c.at(label).root(v);
  checkOrder(c, ind['order'], `${label}.order`, categories);
  c.at(label).nullableNumber(ind, 'fitness');
}

export function checkGaState(c: StateCheck, state: unknown, dimension?: number): void {
  const s = c.root(state);
  const p = c.object(s, 'params');
  const pc = c.at('params');
  const categories = categoriesOf(c, p);
  const logits = categories.reduce((a, k) => a + k, 0);
  if (dimension !== undefined && dimension !== logits) pc.fail('categories', `hold ${logits} logits, the run has ${dimension}`);
  checkCommonFields(c, s, 'ga-ordering', logits);
  const popsize = pc.number(p, 'popsize', { min: 2, integer: true });
  pc.number(p, 'tournamentSize', { min: 1, max: popsize, integer: true });
  pc.oneOf(p, 'crossover', ['uniform', 'one-point']);
  pc.number(p, 'crossoverRate', { min: 0, max: 1 });
  pc.number(p, 'mutationRate', { min: 0, max: 1 });
  pc.number(p, 'elitism', { min: 0, max: popsize - 1, integer: true });
  pc.boolean(p, 'reevaluateElites');
  pc.number(p, 'patience', { min: 1, integer: true });
  if (pc.has(p, 'maxFailedGenerations')) pc.number(p, 'maxFailedGenerations', { min: 1, integer: true });
  checkOrder(c, s['start'], 'start', categories);
  c.list(s, 'population').forEach((ind, i) => checkIndividual(c, ind, `population[${i}]`, categories));
  const pending = c.object(s, 'pending');
  c.at('pending').list(pending, 'orders').forEach((o, i) => checkOrder(c, o, `pending.orders[${i}]`, categories));
  c.at('pending').list(pending, 'carried').forEach((ind, i) => checkIndividual(c, ind, `pending.carried[${i}]`, categories));
  c.number(s, 'stagnation', { min: 0, integer: true });
  if (c.has(s, 'failedInRow')) c.number(s, 'failedInRow', { min: 0, integer: true });
}
