/**
 * `npm run bench -- cmaes`: CMA-ES against pycma on the settings of the acceptance tests (x0 = 3·1, σ0 = 2,
 * f target 1e-8, seeds 1…11, n = 10), and plain cmaes's success rate on 10-D Rosenbrock over seeds 1…40 (a run
 * fails when it settles in the local minimum f ≈ 3.99 near x₁ = −1). pycma's figures come from
 * bench/anchors/pycma_reference.json, written by bench/anchors/pycma_reference.py (pycma version and date inside).
 * The ask+tell cost per generation against pycma is `npm run bench -- versus`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmaes } from '../strategies/cma_es.js';
import { ipopCmaes } from '../strategies/restarts.js';
import { BENCHMARK_FUNCTIONS, type BenchmarkFunction } from '../tasks/benchmark_functions.js';
import type { Strategy, StrategyState } from '../src/core/strategy.js';
import { minimize } from '../strategies/minimize.js';
import { ANCHORS_DIR } from './anchors/python.js';
import { median } from './stats.js';

const TARGET = 1e-8;
const SEEDS = Array.from({ length: 11 }, (_, i) => i + 1);
/** Seeds of the Rosenbrock success rate. */
const ROSENBROCK_SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

/** What pycma_reference.py writes (the fields read here). */
interface PycmaReference {
  pycma: string;
  date: string;
  rows: { function: string; n: number; strategy: string; max_evaluations: number; success: number; runs: number; median_evaluations: number }[];
  rosenbrock_plain: { success: number; runs: number; median_evaluations_of_successes: number | null; failed_seeds: number[] };
}

function pycmaReference(): PycmaReference {
  return JSON.parse(readFileSync(join(ANCHORS_DIR, 'pycma_reference.json'), 'utf8')) as PycmaReference;
}
/** Evaluations until some f ≤ target, counted pycma's way (the whole last generation). */
function evaluationsToTarget<S extends StrategyState>(strategy: Strategy<S>, f: BenchmarkFunction, n: number, seed: number, maxEvaluations: number): { evaluations: number; success: boolean } {
  return minimize(strategy, f, { x0: new Array<number>(n).fill(3), sigma0: 2, seed }, { target: TARGET, maxEvaluations });
}


export default async function main(_args: string[]): Promise<void> {
  const ref = pycmaReference();
  const rows = ref.rows.map((r) => ({ fn: r.function, strategy: r.strategy, n: r.n, pycma: r.median_evaluations, maxEvaluations: r.max_evaluations }));
  console.log('Evaluations to f ≤ 1e-8 (x0 = 3·1, σ0 = 2, seeds 1…11, median over all seeds)');
  console.log(`| function | n | strategy | success | median evals | pycma ${ref.pycma} (${ref.date}) | ratio |`);
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const row of rows) {
    const strategy = (row.strategy === 'cmaes' ? cmaes : ipopCmaes) as Strategy<StrategyState>;
    const f = BENCHMARK_FUNCTIONS[row.fn as keyof typeof BENCHMARK_FUNCTIONS];
    const results = SEEDS.map((seed) => evaluationsToTarget(strategy, f, row.n, seed, row.maxEvaluations));
    const med = median(results.map((r) => r.evaluations));
    const ok = results.filter((r) => r.success).length;
    console.log(`| ${row.fn} | ${row.n} | ${row.strategy} | ${ok}/${results.length} | ${med} | ${row.pycma} | ${(med / row.pycma).toFixed(2)} |`);
  }

  console.log('');
  const rosen = ROSENBROCK_SEEDS.map((seed) => ({ seed, ...evaluationsToTarget(cmaes as Strategy<StrategyState>, BENCHMARK_FUNCTIONS.rosenbrock, 10, seed, 1e5) }));
  const solved = rosen.filter((r) => r.success);
  console.log(`Plain cmaes on rosenbrock n=10 (x0 = 3·1, σ0 = 2, f ≤ 1e-8, default λ, at most 1e5 evaluations), seeds 1…${ROSENBROCK_SEEDS.length}`);
  console.log('| strategy | success | median evals of the successes | failed seeds |');
  console.log('|---|---:|---:|---|');
  console.log(`| cmaes | ${solved.length}/${rosen.length} | ${median(solved.map((r) => r.evaluations))} | ${rosen.filter((r) => !r.success).map((r) => r.seed).join(', ') || '–'} |`);
  const plain = ref.rosenbrock_plain;
  console.log(`| pycma ${ref.pycma} | ${plain.success}/${plain.runs} | ${plain.median_evaluations_of_successes ?? '–'} | ${plain.failed_seeds.join(', ') || '–'} (its own seeds) |`);
}
