/**
 * `npm run bench -- soak [--generations 2000] [--every 100] [--workers 2] [--out DIR]`: memory over a long run.
 * A blur-boolean CMA-ES search (random BLUR genome, hidden [20], 5 unrolled steps, batches of 64; CMA-ES stopping
 * criteria off so it runs every generation) on `--workers` threads, sampling every `--every` generations:
 * - rss: the process's resident memory (main thread and worker threads together), as the OS sees it;
 * - main heap: the main thread's V8 heap after a full collection (what it retains);
 * - worker heap: the largest worker thread's heap after a full collection, and their live tensors;
 * each heap also as reserved from the system (V8 keeps what it grew to between collections).
 * It prints a Markdown table and the ratio of the last rss to the rss at generation 200 (the goal: at most 1.2).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { option } from './bench_args.js';
import { resolveRunConfig } from '../src/engine/run_config.js';
import { runSearch, type GenerationRecord } from '../src/engine/engine.js';
import { PoolEvaluator } from '../src/evaluator/pool_evaluator.js';
import type { Evaluator, EvaluatorFactory, JobResult } from '../src/evaluator/protocol.js';
import { builtinRegistry } from '../src/plugins.js';
import type { SoakWorkerData, WorkerSample } from './soak/worker.js';

const SOAK_WORKER = new URL('./soak/worker.js', import.meta.url).href;

/** The search: the paper's network (hidden [20], 5 unrolled steps) with small batches, so 2000 generations take minutes. */
export const SOAK_SEARCH: Record<string, unknown> = {
  task: 'blur-boolean',
  genome: 'blur',
  strategy: 'cmaes',
  init: 'random',
  sigma0: 0.5,
  seed: 1,
  'task-config': { hidden: [20], unrollSteps: 5, batchSize: 64, queryBatchSize: 64 },
  'strategy-params': { tolfun: 0, tolfunhist: 0, tolx: 0, tolstagnation: 0, tolflatfitness: 0, conditioncov: 0, tolfacupx: 0, tolupsigma: 0 },
};

/** Memory at one sampled generation. */
export interface SoakRow {
  generation: number;
  rssMb: number;
  mainHeapMb: number;
  /** The main thread's heap as reserved from the system (V8 grows it between collections and rarely gives it back). */
  mainHeapTotalMb: number;
  workerHeapMb: number;
  workerHeapTotalMb: number;
  tensors: number;
  elapsedS: number;
}

const mb = (bytes: number): number => bytes / 2 ** 20;

/** A pool whose threads report their memory on sampled generations into `samples` (by thread). */
function sampledPool(every: number, samples: Map<number, WorkerSample>): EvaluatorFactory {
  return ({ workers, limits = {} }) => {
    const data: SoakWorkerData = { plugins: [], every };
    const pool = new PoolEvaluator({ workers, workerModule: SOAK_WORKER, workerData: data, ...(limits.heapMb !== undefined ? { heapMb: limits.heapMb } : {}) });
    const evaluator: Evaluator = {
      workers,
      async evaluate(jobs) {
        const results = (await pool.evaluate(jobs)) as (JobResult & { soak?: WorkerSample })[];
        for (const r of results) if (r.soak) samples.set(r.soak.thread, r.soak);
        return results;
      },
      close: () => pool.close(),
    };
    return evaluator;
  };
}

export function soakTable(rows: readonly SoakRow[]): string {
  const lines = ['| generation | rss MB | main heap MB (reserved) | worker heap MB, max (reserved) | live tensors | elapsed s |', '|---:|---:|---:|---:|---:|---:|'];
  const f = (v: number) => v.toFixed(1);
  for (const r of rows)
    lines.push(`| ${r.generation} | ${f(r.rssMb)} | ${f(r.mainHeapMb)} (${f(r.mainHeapTotalMb)}) | ${f(r.workerHeapMb)} (${f(r.workerHeapTotalMb)}) | ${r.tensors} | ${r.elapsedS.toFixed(0)} |`);
  return lines.join('\n');
}

export default async function (args: string[]): Promise<void> {
  const generations = Number(option(args, 'generations', '2000'));
  const every = Number(option(args, 'every', '100'));
  const workers = Number(option(args, 'workers', '2'));
  const given = option(args, 'out', '');
  const dir = given || join(tmpdir(), `evometa-soak-${process.pid}`);
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const config = resolveRunConfig({ ...SOAK_SEARCH, 'max-generations': generations, workers }, () => 1);
  const registry = builtinRegistry();
  const samples = new Map<number, WorkerSample>();
  const rows: SoakRow[] = [];
  const t0 = performance.now();
  const onGeneration = (r: GenerationRecord): void => {
    if ((r.generation + 1) % every !== 0) return;
    const rss = process.memoryUsage().rss;
    collect();
    const worker = [...samples.values()];
    rows.push({
      generation: r.generation + 1,
      rssMb: mb(rss),
      mainHeapMb: mb(process.memoryUsage().heapUsed),
      mainHeapTotalMb: mb(process.memoryUsage().heapTotal),
      workerHeapMb: Math.max(0, ...worker.map((s) => s.heapMb)),
      workerHeapTotalMb: Math.max(0, ...worker.map((s) => s.heapTotalMb)),
      tensors: worker.reduce((a, s) => a + s.tensors, 0),
      elapsedS: (performance.now() - t0) / 1000,
    });
    process.stderr.write(`soak: generation ${r.generation + 1}/${generations}, rss ${mb(rss).toFixed(1)} MB\n`);
  };
  try {
    await runSearch(config, dir, { registry, evaluators: sampledPool(every, samples), hooks: { onGeneration }, command: `npm run bench -- soak ${args.join(' ')}`.trim() });
  } finally {
    if (!given) rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${soakTable(rows)}\n\n`);
  const at200 = rows.find((r) => r.generation === 200) ?? rows[0];
  const end = rows[rows.length - 1];
  if (at200 && end) process.stdout.write(`rss at generation ${end.generation} / rss at generation ${at200.generation}: ${(end.rssMb / at200.rssMb).toFixed(3)} (goal ≤ 1.2)\n`);
}
