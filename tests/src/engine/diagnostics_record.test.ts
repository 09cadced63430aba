import test from 'ava';
import { join } from 'node:path';
import { runSearch } from '../../../src/search.js';
import { resolveRunConfig } from '../../../src/engine/run_config.js';
import { DIAGNOSTIC_VECTORS_MAX_DIM } from '../../../src/engine/loop.js';
import { readJson, tempDir } from '../../helpers/run_files.js';
import { loadRun } from '../../../src/report/report.js';

const six = (v: number) => Number(v.toPrecision(6));

async function run(o: Record<string, unknown>) {
  const dir = join(tempDir(), 'run');
  await runSearch(resolveRunConfig({ task: 'ellipsoid', workers: 0, seed: 4, ...o }, () => 0), dir);
  return { gens: loadRun(dir).generations, state: readJson(join(dir, 'checkpoint.json')).strategy };
}

test("each generation record carries the CMA-ES distribution after it: axis ratio, σ·√C_ii and the mean, to 6 digits", async (t) => {
  const { gens, state } = await run({ dim: 5, strategy: 'cmaes', 'max-generations': 12 });
  t.is(gens.length, 12);
  const last = gens.at(-1)!;
  t.deepEqual(last.scales, [0, 1, 2, 3, 4].map((i) => six(state.sigma * Math.sqrt(state.C[i * 5 + i]))));
  t.deepEqual(last.mean, state.mean.map(six));
  t.is(last.axisRatio, six(Math.max(...state.D) / Math.min(...state.D)));
  t.true(gens.every((r) => r.axisRatio! >= 1 && r.scales!.length === 5));
});

test(`above ${DIAGNOSTIC_VECTORS_MAX_DIM} dimensions only the axis ratio is recorded; a strategy without diagnostics records none`, async (t) => {
  const big = await run({ dim: DIAGNOSTIC_VECTORS_MAX_DIM + 1, strategy: 'sep-cmaes', 'max-generations': 2 });
  t.true(big.gens.every((r) => typeof r.axisRatio === 'number' && r.scales === undefined && r.mean === undefined));
  const grad = await run({ dim: 3, task: 'sphere', strategy: 'es-grad', 'max-generations': 2 });
  t.true(grad.gens.every((r) => !('axisRatio' in r) && !('scales' in r) && !('mean' in r)));
});
