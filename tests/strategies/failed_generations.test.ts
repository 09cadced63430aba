/**
 * Strategies learn nothing from failed evaluations and stop on a task that only fails: x (or the distribution)
 * stays where it was on a generation whose evaluations all failed, and `maxFailedGenerations` such generations in
 * a row (default 10) end the search with `{ noSuccessfulEvaluations }`.
 */
import test from 'ava';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { STRATEGIES } from '../../strategies/index.js';
import { esGrad, type EsGradState } from '../../strategies/es_grad.js';
import { metagrad } from '../../strategies/metagrad.js';
import { runSearch } from '../../src/search.js';
import { resolveRunConfig } from '../../src/engine/run_config.js';
import { tempDir } from '../helpers/run_files.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { StrategyOptions, StrategyState } from '../../src/core/strategy.js';

const failed = (i: number): Evaluation => (i % 3 === 0 ? { status: 'error', fitness: Number.NaN, error: 'boom' } : i % 3 === 1 ? { status: 'nan', fitness: Number.NaN } : { status: 'timeout', fitness: Number.NaN });
const sphere = (c: Candidate): Evaluation => {
  const fitness = c.x.reduce((a, v) => a + v * v, 0);
  return c.wants === 'fitness+grad' ? { status: 'ok', fitness, grad: c.x.map((v) => 2 * v) } : { status: 'ok', fitness };
};

const start = (name: string, params: Record<string, unknown> = {}): StrategyOptions => ({
  x0: [1, -2, 0.5, 3, -1],
  sigma0: 0.3,
  seed: 4,
  params,
  ...(name === 'ga-ordering' ? { categorical: { categories: [5] } } : {}),
});

/** What must not move on a failed generation: each strategy's search point and what it learned. */
function learned(name: string, s: StrategyState): unknown {
  const o = s as unknown as Record<string, unknown>;
  if (name === 'metagrad' || name === 'es-grad') return [o['x'], o['adam']];
  if (name === 'ga-ordering') return [o['start'], s.best];
  const cma = (o['inner'] ?? o) as Record<string, unknown>;
  return [cma['mean'], cma['C'], cma['sigma'], cma['ps'], cma['pc']];
}

for (const [name, s] of Object.entries(STRATEGIES)) {
  test(`${name}: all-failed generations leave the search where it was and stop it with noSuccessfulEvaluations after 10`, (t) => {
    const state = s.init(start(name));
    const cs0 = s.ask(state);
    s.tell(state, cs0, cs0.map(sphere)); // one good generation first, so there is something to keep
    const before = JSON.stringify(learned(name, state));
    for (let g = 1; g <= 10; g++) {
      t.deepEqual(s.stop(state), {}, `generation ${g}`);
      const cs = s.ask(state);
      s.tell(state, cs, cs.map((_, i) => failed(i)));
      t.is(JSON.stringify(learned(name, state)), before, `generation ${g} moved the search`);
    }
    t.deepEqual(s.stop(state), { noSuccessfulEvaluations: 10 });
  });

  test(`${name}: maxFailedGenerations sets the count, and one successful evaluation resets it`, (t) => {
    const state = s.init(start(name, { maxFailedGenerations: 3 }));
    const fail = () => {
      const cs = s.ask(state);
      s.tell(state, cs, cs.map((_, i) => failed(i)));
    };
    fail();
    fail();
    // One generation in which a single evaluation (for es-grad: a single antithetic pair) succeeds.
    const cs = s.ask(state);
    s.tell(state, cs, cs.map((c, i) => (i < 2 ? sphere(c) : failed(i))));
    fail();
    fail();
    t.deepEqual(s.stop(state), {});
    fail();
    t.deepEqual(s.stop(state), { noSuccessfulEvaluations: 3 });
    t.throws(() => s.init(start(name, { maxFailedGenerations: 0 })), { message: /'maxFailedGenerations' must be a positive integer/ });
  });
}

test('es-grad: a pair with one failed half contributes no gradient', (t) => {
  const state = esGrad.init({ x0: [1, -1, 2], sigma0: 0.1, seed: 5, params: { pairs: 4 } });
  const cs = esGrad.ask(state);
  const copy = JSON.parse(JSON.stringify(state)) as EsGradState;
  // The same generation with pair 0's perturbation replaced: if pair 0 (failed in one half) contributed, x would differ.
  copy.pending[0] = copy.pending[0]!.map((v) => -3 * v + 1);
  const evaluations = cs.map((c, i) => (i === 1 ? failed(0) : sphere(c)));
  esGrad.tell(state, cs, evaluations);
  esGrad.tell(copy, cs, evaluations);
  t.deepEqual(copy.x, state.x);
  t.notDeepEqual(state.x, [1, -1, 2]);
  t.is(state.failedInRow, 0);
});

test('the engine: es-grad and metagrad on a task whose evaluations all fail keep x0 and stop with noSuccessfulEvaluations', async (t) => {
  for (const strategy of ['es-grad', 'metagrad', 'cmaes']) {
    const config = resolveRunConfig(
      { task: 'faulty', genome: 'vector', strategy, dim: 4, x0: 0, 'task-config': { failRate: 1 }, 'max-generations': 1000, workers: 0, backend: 'cpu', seed: 1 },
      () => 0,
    );
    const dir = join(tempDir(), strategy);
    const summary = await runSearch(config, dir);
    t.deepEqual(summary.stopReason, { noSuccessfulEvaluations: 10 }, strategy);
    t.is(summary.generations, 10);
    t.is(summary.bestFitness, null);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { x0: number[] };
    const checkpoint = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { strategy: StrategyState };
    t.deepEqual(STRATEGIES[strategy]!.point(checkpoint.strategy), manifest.x0, `${strategy} moved x on failures only`);
  }
});

test('metagrad: evaluations without a gradient (status error) move nothing', (t) => {
  const state = metagrad.init({ x0: [0.5, 0.5], sigma0: 0.1, seed: 1 });
  for (let g = 0; g < 10; g++) {
    const cs = metagrad.ask(state);
    metagrad.tell(state, cs, cs.map(() => ({ status: 'ok', fitness: 1 }))); // a fitness, but no gradient
  }
  t.deepEqual(state.x, [0.5, 0.5]);
  t.deepEqual(metagrad.stop(state), { noSuccessfulEvaluations: 10 });
});
