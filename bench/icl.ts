/**
 * `npm run bench -- icl [--out DIR] [--layers 1,2,3] [--looped] [--generations G] [--backend B]`: the comparison of
 * "Transformers learn in-context by gradient descent" (von Oswald et al., ICML 2023) for K = 1, 2, 3: per K, CMA-ES
 * finds the learning rate of K GD steps (task icl-gd), metagrad meta-trains a K-layer linear self-attention model on
 * fresh tasks (task icl-linear-regression, two Adam stages, the point kept by meta-validation), and the test sets
 * (in distribution; inputs and weights scaled ×2, ×4) are scored once. `--looped` trains looped (weight-shared)
 * models instead of stacked ones; G scales every stage down to G meta-steps (a quick check of the pipeline).
 * Writes results.json and results.md under the output folder and prints the tables and the CLI command of every run.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliCommand, option } from './bench_args.js';
import { deriveSeed } from '../src/core/rng.js';
import type { BackendRequest } from '../src/runtime/backend_names.js';
import { compareLsaWithGd, type IclCompareOptions, type IclCompareResult, type IclTrainStage } from '../src/workflows/icl_compare.js';

/** Every seed of the bench comes from this root (fixed before a run; the sets' seeds are checked to be disjoint). */
export const ICL_BENCH_ROOT = 20261201;

/** The paper's task family (N_x = 10, N = 10) and the training schedule per K. */
export const ICL_BENCH_STAGES: Readonly<Record<number, IclTrainStage[]>> = {
  1: [{ generations: 1500, learningRate: 1e-3 }, { generations: 500, learningRate: 2e-4 }],
  2: [{ generations: 2000, learningRate: 1e-3 }, { generations: 1000, learningRate: 2e-4 }],
  3: [{ generations: 2000, learningRate: 1e-3 }, { generations: 1000, learningRate: 2e-4 }],
};

/** The workflow's options for K layers (looped or stacked); `generations` caps every stage (quick runs). */
export function iclBenchOptions(layers: number, looped: boolean, outDir: string, generations?: number, backend: BackendRequest = 'auto'): IclCompareOptions {
  const stages = (ICL_BENCH_STAGES[layers] ?? ICL_BENCH_STAGES[3]!).map((s) => ({ ...s, generations: generations ? Math.min(generations, s.generations) : s.generations }));
  return {
    model: { nx: 10, n: 10, layers, looped, form: 'pq' },
    train: { stages, metaBatch: 1, batchSize: 256, validateEvery: generations ? Math.max(1, Math.floor(generations / 2)) : 250, seed: deriveSeed(ICL_BENCH_ROOT, 'meta-training'), initScale: 0.01 },
    gd: { dataSeed: deriveSeed(ICL_BENCH_ROOT, 'gd-meta-training'), batchSize: 8192, generations: 30, seed: deriveSeed(ICL_BENCH_ROOT, 'gd-search') },
    validation: { seed: deriveSeed(ICL_BENCH_ROOT, 'meta-validation'), tasks: 4096 },
    test: { seed: deriveSeed(ICL_BENCH_ROOT, 'test'), tasks: 4096 },
    outDir,
    backend,
  };
}

const f4 = (v: number): string => (Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toFixed(4));

/** The markdown tables of the results: one row per K in distribution, then every shift per K. */
export function iclTables(results: IclCompareResult[]): string {
  const name = (r: IclCompareResult) => `${r.model.layers}${r.model.looped ? ' looped' : ''}`;
  const lines = [
    '| K | GD η | GD test loss | LSA test loss | chosen at (stage, meta-step, val. loss) | mean \\|ŷ_LSA − ŷ_GD\\| | cos(∂ŷ/∂x_q) | mean ‖Δ ∂ŷ/∂x_q‖ | construction max \\|Δŷ\\| |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const id = r.test[0]!;
    lines.push(`| ${name(r)} | ${r.eta.toFixed(3)} | ${f4(id.gdLoss)} | ${f4(id.lsaLoss)} | ${r.chosen.stage}, ${r.chosen.generation}, ${f4(r.chosen.valLoss)} | ${f4(id.predictionDiff)} | ${id.sensitivityCosine.toFixed(4)} | ${f4(id.sensitivityDiff)} | ${id.constructionMaxDiff.toExponential(1)} |`);
  }
  lines.push('', '| K | test set | loss of ŷ = 0 | GD test loss | LSA test loss | mean \\|ŷ_LSA − ŷ_GD\\| | cos(∂ŷ/∂x_q) |', '|---|---|---:|---:|---:|---:|---:|');
  for (const r of results)
    for (const s of r.test) lines.push(`| ${name(r)} | ${s.label} | ${f4(s.zeroLoss)} | ${f4(s.gdLoss)} | ${f4(s.lsaLoss)} | ${f4(s.predictionDiff)} | ${s.sensitivityCosine.toFixed(4)} |`);
  lines.push('', '| K | layer | η_eff = −N·A_yy·mean M_kk | max other \\|A_ij\\| / \\|A_yy\\| | max other \\|M_ij\\| / mean M_kk |', '|---|---:|---:|---:|---:|');
  for (const r of results) for (const l of r.layers) lines.push(`| ${name(r)} | ${l.layer + 1} | ${l.etaEffective.toFixed(3)} | ${l.aOther.toFixed(3)} | ${l.mOther.toFixed(3)} |`);
  return lines.join('\n');
}

export default async function (args: string[]): Promise<void> {
  const looped = args.includes('--looped');
  const outRoot = option(args, 'out', looped ? 'results/bench-icl-looped' : 'results/bench-icl');
  const layers = option(args, 'layers', '1,2,3').split(',').map(Number);
  if (layers.some((k) => !Number.isInteger(k) || k < 1 || k > 8)) throw new Error(`--layers must be a comma list of integers from 1 to 8 (got ${option(args, 'layers', '')})`);
  const generations = option(args, 'generations', '') ? Number(option(args, 'generations', '')) : undefined;
  const backend = option(args, 'backend', 'auto') as BackendRequest;
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  const results: IclCompareResult[] = [];
  const t0 = performance.now();
  for (const k of layers) {
    const o = iclBenchOptions(k, looped, outRoot, generations, backend);
    const t1 = performance.now();
    const r = await compareLsaWithGd({ ...o, log: (line) => console.log(line) });
    for (const run of r.runs) console.log(`$ ${cliCommand(run.flags, run.dir, 0)}   # ${run.wallSeconds.toFixed(0)} s`);
    console.log(`K=${k}: ${((performance.now() - t1) / 1000).toFixed(0)} s`);
    results.push(r);
  }
  const wall = (performance.now() - t0) / 1000;
  const tables = iclTables(results);
  console.log(`\n${tables}\n\ntotal ${wall.toFixed(0)} s`);
  writeFileSync(join(outRoot, 'results.json'), JSON.stringify({ root: ICL_BENCH_ROOT, wallSeconds: wall, results }, null, 1));
  writeFileSync(join(outRoot, 'results.md'), `${tables}\n`);
}
