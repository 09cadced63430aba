/**
 * `validateState` of the CMA-ES family: a CmaState read from a checkpoint has the shapes its dimension n and λ
 * imply (mean, paths and D of n numbers, C of n×n or n, B of n×n or none, pending samples of λ×n), only finite
 * numbers, σ > 0, a symmetric C with a positive diagonal, and parameters in their ranges.
 */
import { NORMAL_METHODS } from '../src/core/normals.js';
import { checkCommonFields, checkJsonBounds, dimensionOf, StateCheck } from './state_checks.js';

type Json = Record<string, unknown>;

function checkParams(c: StateCheck, p: Json, diagonal: boolean): number {
  const pc = c.at('params');
  const lambda = pc.number(p, 'popsize', { min: 2, integer: true });
  pc.number(p, 'mu', { min: 1, max: lambda, integer: true });
  pc.numbers(p, 'weights', lambda, `popsize is ${lambda}`);
  pc.number(p, 'mueff', { above: 0 });
  pc.number(p, 'cs', { above: 0, below: 1 });
  pc.number(p, 'damps', { above: 0 });
  pc.number(p, 'cc', { above: 0, max: 1 });
  pc.number(p, 'c1', { above: 0, max: 1 });
  pc.number(p, 'cmu', { min: 0, max: 1 });
  pc.number(p, 'chiN', { above: 0 });
  pc.boolean(p, 'active');
  if (pc.boolean(p, 'diagonal') !== diagonal) pc.fail('diagonal', `is ${!diagonal}, but this strategy keeps ${diagonal ? 'a diagonal' : 'a full'} covariance`);
  pc.number(p, 'eigenGap', { above: 0 });
  for (const k of ['tolfun', 'tolfunhist', 'tolx', 'conditioncov', 'tolfacupx', 'tolupsigma']) pc.number(p, k, { min: 0 });
  for (const k of ['tolstagnation', 'tolflatfitness']) pc.number(p, k, { min: 0, integer: true });
  if (pc.has(p, 'integerMinStd')) pc.number(p, 'integerMinStd', { min: 0 });
  if (pc.has(p, 'cmean')) pc.number(p, 'cmean', { above: 0, max: 1 });
  if (pc.has(p, 'maxFailedGenerations')) pc.number(p, 'maxFailedGenerations', { min: 1, integer: true });
  if (pc.has(p, 'normals') && !(NORMAL_METHODS as readonly unknown[]).includes(p['normals']))
    pc.fail('normals', `must be one of ${NORMAL_METHODS.join(', ')} (got ${JSON.stringify(p['normals'])})`);
  return lambda;
}

function checkCovariance(c: StateCheck, s: Json, n: number, diagonal: boolean): void {
  const run = `the run has ${n}`;
  if (diagonal) {
    c.numbers(s, 'C', n, `${run} (variances of sep-CMA-ES)`, { above: 0 });
    c.numbers(s, 'B', 0, 'sep-CMA-ES keeps none');
  } else {
    const C = c.numbers(s, 'C', n * n, `n×n = ${n * n} for the run's n = ${n}`);
    c.numbers(s, 'B', n * n, `n×n = ${n * n} for the run's n = ${n}`);
    for (let i = 0; i < n; i++) {
      if (!(C[i * n + i]! > 0)) c.fail(`C[${i * n + i}]`, `is a variance (row ${i}, column ${i}) and must be > 0 (got ${C[i * n + i]})`);
      for (let j = i + 1; j < n; j++) {
        if (C[i * n + j] !== C[j * n + i]) c.fail('C', `is not symmetric (row ${i}, column ${j}: ${C[i * n + j]}; row ${j}, column ${i}: ${C[j * n + i]})`);
      }
    }
  }
  c.numbers(s, 'D', n, run, { above: 0 });
}

function checkPending(c: StateCheck, s: Json, n: number, lambda: number): void {
  if (s['pending'] === null) return;
  const pending = c.object(s, 'pending');
  const pc = c.at('pending');
  for (const k of ['x', 'y']) {
    const rows = pc.list(pending, k, lambda, `popsize is ${lambda}`);
    rows.forEach((row, r) => pc.vectorValue(row, `${k}[${r}]`, n, `the run has ${n}`));
  }
  if (pc.has(pending, 'zNorm2')) pc.numbers(pending, 'zNorm2', lambda, `popsize is ${lambda}`, { min: 0 });
}

function checkIntegers(c: StateCheck, s: Json, n: number): void {
  if (!c.has(s, 'integers')) return;
  const ints = c.numbers(s, 'integers', null, '', { min: 0, max: n - 1, integer: true });
  ints.forEach((v, k) => {
    if (k > 0 && v <= ints[k - 1]!) c.fail(`integers[${k}]`, `must be above integers[${k - 1}] (coordinate indices ascending, each once; got ${v} after ${ints[k - 1]})`);
  });
}

/** Checks a CmaState of the strategy `name` (cmaes or sep-cmaes); `c` names where it sits (e.g. strategy.inner). */
export function checkCmaState(c: StateCheck, state: unknown, name: string, dimension?: number): void {
  const s = c.root(state);
  const n = dimensionOf(c, s['dimension'], dimension, 'dimension');
  if (s['dimension'] !== n) c.fail('dimension', `is ${JSON.stringify(s['dimension'])}, the run has ${n}`);
  checkCommonFields(c, s, name, n, { above: 0 });
  c.number(s, 'sigma0', { above: 0 });
  const diagonal = name === 'sep-cmaes';
  const lambda = checkParams(c, c.object(s, 'params'), diagonal);
  const run = `the run has ${n}`;
  for (const k of ['mean', 'ps', 'pc']) c.numbers(s, k, n, run);
  checkCovariance(c, s, n, diagonal);
  c.number(s, 'eigenGeneration', { min: 0, max: s['generation'] as number, integer: true });
  checkJsonBounds(c, s, 'bounds', n);
  checkIntegers(c, s, n);
  checkPending(c, s, n, lambda);
  c.numbers(s, 'fitHistory', null);
  c.nullableNumber(s, 'lastRange', { min: 0 });
  const best = c.numbers(s, 'bestHistory', null);
  c.numbers(s, 'medianHistory', best.length, `bestHistory has ${best.length}`);
  c.number(s, 'flatGenerations', { min: 0, integer: true });
  for (const k of ['stds', 'stds0']) if (c.has(s, k)) c.numbers(s, k, n, run, { above: 0 });
  if (c.has(s, 'failedGenerations')) c.number(s, 'failedGenerations', { min: 0, integer: true });
}
