/**
 * `validateState` of ipop-cmaes and bipop-cmaes: the restart bookkeeping (counters, regime, finished runs, the
 * config every run starts from) and the current inner CMA-ES run's state, checked as cmaes checks its own.
 */
import { cmaParameters } from './cma_params.js';
import { checkCmaState } from './cma_state_check.js';
import { initialStds } from './cma_state.js';
import { checkCommonFields, checkJsonBounds, dimensionOf, StateCheck } from './state_checks.js';

type Json = Record<string, unknown>;

/** Stop reasons as data: names with finite numbers. */
function checkReasons(c: StateCheck, o: Json, field: string): void {
  const r = c.object(o, field);
  for (const k of Object.keys(r)) c.at(field).number(r, k);
}

function checkConfig(c: StateCheck, s: Json, bipop: boolean, dimension: number | undefined): number {
  const config = c.object(s, 'config');
  const cc = c.at('config');
  const n = dimensionOf(cc, cc.list(config, 'x0').length, dimension, 'x0');
  cc.numbers(config, 'x0', n, `the run has ${n}`);
  cc.number(config, 'sigma0', { above: 0 });
  cc.number(config, 'seed');
  checkJsonBounds(cc, config, 'bounds', n);
  if (cc.has(config, 'integers')) cc.numbers(config, 'integers', null, '', { min: 0, max: n - 1, integer: true });
  cc.number(config, 'popsize0', { min: 2, integer: true });
  cc.number(config, 'maxRestarts', { min: 0, integer: true });
  cc.number(config, 'incPopsize', { min: 1 });
  if (cc.boolean(config, 'bipop') !== bipop) cc.fail('bipop', `is ${!bipop}, but this strategy is ${bipop ? 'BIPOP' : 'IPOP'}`);
  const innerParams = cc.object(config, 'innerParams');
  try {
    cmaParameters(n, { diagonal: false, popsize: config['popsize0'] as number, params: innerParams });
    initialStds('cmaes', innerParams['stds'], n);
  } catch (e) {
    cc.fail('innerParams', `are not valid cmaes parameters: ${(e as Error).message}`);
  }
  return n;
}

export function checkRestartState(c: StateCheck, state: unknown, name: string, bipop: boolean, dimension?: number): void {
  const s = c.root(state);
  const n = checkConfig(c, s, bipop, dimension);
  checkCommonFields(c, s, name, n);
  checkCmaState(c.at('inner'), s['inner'], 'cmaes', n);
  c.number(s, 'restart', { min: 0, integer: true });
  const popsize = c.number(s, 'popsize', { min: 2, integer: true });
  const innerPopsize = (s['inner'] as { params: { popsize: number } }).params.popsize;
  if (innerPopsize !== popsize) c.fail('popsize', `is ${popsize}, but the inner run's params.popsize is ${innerPopsize}`);
  c.oneOf(s, 'regime', ['large', 'small']);
  for (const k of ['largeRestarts', 'evaluationsLarge', 'evaluationsSmall', 'lastLargeRunEvaluations', 'runEvaluations']) c.number(s, k, { min: 0, integer: true });
  c.nullableNumber(s, 'runMaxEvaluations', { min: 1, integer: true });
  c.list(s, 'runs').forEach((run, i) => {
    const rc = c.at(`runs[${i}]`);
    const r = rc.root(run);
    rc.number(r, 'restart', { min: 0, integer: true });
    rc.oneOf(r, 'regime', ['large', 'small']);
    rc.number(r, 'popsize', { min: 2, integer: true });
    rc.number(r, 'sigma0', { above: 0 });
    rc.number(r, 'evaluations', { min: 0, integer: true });
    rc.nullableNumber(r, 'bestFitness');
    checkReasons(rc, r, 'stop');
  });
  if (s['finished'] !== null) checkReasons(c, s, 'finished');
}
