/**
 * `validateState` of the gradient strategies (metagrad, es-grad): x and Adam's moments of n finite numbers (the
 * second moment ≥ 0), parameters in their ranges, the failure counter, bounds, and es-grad's pending perturbations.
 */
import { checkCommonFields, checkJsonBounds, dimensionOf, StateCheck } from './state_checks.js';

type Json = Record<string, unknown>;

/** The Adam parameters and moments both strategies share; returns n. */
function checkAdamAndX(c: StateCheck, s: Json, name: string, dimension: number | undefined): { n: number; p: Json } {
  const x = c.list(s, 'x');
  const n = dimensionOf(c, x.length, dimension, 'x');
  const run = `the run has ${n}`;
  c.numbers(s, 'x', n, run);
  checkCommonFields(c, s, name, n);
  const p = c.object(s, 'params');
  const pc = c.at('params');
  pc.number(p, 'learningRate', { above: 0 });
  pc.number(p, 'beta1', { min: 0, below: 1 });
  pc.number(p, 'beta2', { min: 0, below: 1 });
  pc.number(p, 'epsilon', { above: 0 });
  pc.number(p, 'maxFailedGenerations', { min: 1, integer: true });
  const adam = c.object(s, 'adam');
  const ac = c.at('adam');
  ac.numbers(adam, 'm', n, run);
  ac.numbers(adam, 'v', n, run, { min: 0 });
  ac.number(adam, 't', { min: 0, integer: true });
  c.number(s, 'failedInRow', { min: 0, integer: true });
  checkJsonBounds(c, s, 'bounds', n);
  return { n, p };
}

export function checkMetagradState(c: StateCheck, state: unknown, dimension?: number): void {
  const s = c.root(state);
  const { p } = checkAdamAndX(c, s, 'metagrad', dimension);
  c.at('params').number(p, 'metaBatch', { min: 1, integer: true });
  c.at('params').number(p, 'clipNorm', { min: 0 });
  c.nullableNumber(s, 'lastLoss');
}

export function checkEsGradState(c: StateCheck, state: unknown, dimension?: number): void {
  const s = c.root(state);
  const { n, p } = checkAdamAndX(c, s, 'es-grad', dimension);
  const pc = c.at('params');
  const pairs = pc.number(p, 'pairs', { min: 1, integer: true });
  pc.number(p, 'noiseStd', { above: 0 });
  pc.boolean(p, 'rankShaping');
  const pending = c.list(s, 'pending');
  if (pending.length !== 0 && pending.length !== pairs) c.fail('pending', `has ${pending.length} perturbations, pairs is ${pairs} (or none between generations)`);
  pending.forEach((eps, i) => c.vectorValue(eps, `pending[${i}]`, n, `the run has ${n}`));
}
