/**
 * `npm run bench -- versus [--python PATH] [--repeats 5] [--dims 10,100,200,500,1000] [--sep-dims 1000,5000]
 * [--blas-threads 1] [--blur-pops 1,8,32] [--blur-reps 20] [--blur-repeats 3] [--jax-threads 1] [--ht-reps 20]
 * [--ht-repeats 3] [--no-ht] [--no-blur] [--no-gemm] [--gemm-reps 10] [--gemm-repeats 3] [--normals box-muller|ziggurat]`: evometa against its anchors, measured side by side in one run on one machine.
 *
 * CMA-ES ask+tell milliseconds per generation on the sphere (x0 = 3·1, σ0 = 2, default λ, f excluded) for the
 * full model at each n of --dims and sep-CMA-ES at each n of --sep-dims, against pycma's ask/tell loop
 * (bench/anchors/pycma_asktell.py) when a Python that imports `cma` is given with --python or found as `python3`
 * (PYTHONPATH as set by the caller). The two are interleaved: each repeat times evometa and pycma on the same
 * dimension back to back (alternating which goes first), so both see the same load; the table shows the medians
 * over the repeats and their ratio. pycma runs with --blas-threads BLAS threads (default 1: evometa's ask and tell
 * run on one thread).
 *
 * Each side reports wall time (the issue's measure) and its process's CPU time, which the other jobs on a shared
 * machine disturb less (evometa's counts V8's compiler and garbage-collector threads too, so it can exceed the wall
 * time while the JIT is busy). evometa's figure is the mean of the generations without an eigendecomposition plus one decomposition's time
 * spread over its period ⌈eigenGap⌉ (timed on the same state), because that period (214 generations at n = 500)
 * is longer than the timed window; pycma's period (⌈1/(10n(c₁ + c_μ))⌉, 5 at n = 500) fits the window, which is a
 * multiple of it, so its figure is the plain mean.
 *
 * Then BLUR genome-steps/s (784-100-10, k = 2, batch 32, U = 10, P of --blur-pops) and meta-gradients/s against
 * the same computation in JAX (bench/anchors/blur_versus.ts): the anchor's math is first checked against evometa
 * with numpy on the timed problem; the JAX rows need a Python that imports jax (XLA's CPU runtime limited to
 * --jax-threads threads), --blur-repeats times interleaved. `--dims '' --sep-dims ''` runs the BLUR section alone.
 *
 * Then the roofline (bench/anchors/gemm_versus.ts): GFLOP/s of float32 matrix products, BLUR's input-layer shapes
 * and a square one, on tfjs-wasm against jit(jnp.dot), --gemm-repeats times interleaved; `--no-gemm` skips it.
 *
 * Then the HyperTransformer training step (HT_DEFAULTS, bench/anchors/ht_versus.ts): steps/s of `trainFewShot` on
 * wasm against jit(value_and_grad) + Adam in JAX, --ht-reps timed steps, --ht-repeats alternating repeats (default 3);
 * `--no-ht` skips it, `--no-blur` the BLUR section (`--dims '' --sep-dims '' --no-blur`: the HT section alone).
 */
import { cpus } from 'node:os';
import { cmaes, sepCmaes, type CmaState } from '../strategies/cma_es.js';
import { updateEigensystem } from '../strategies/cma_covariance.js';
import { DEFAULT_NORMALS } from '../strategies/cma_params.js';
import type { Strategy } from '../src/core/strategy.js';
import { option } from './bench_args.js';
import { probePython, runAnchor } from './anchors/python.js';
import { blurVersusJax } from './anchors/blur_versus.js';
import { htVersusJax } from './anchors/ht_versus.js';
import { GEMM_SHAPES, gemmVersusJax } from './anchors/gemm_versus.js';
import { cpuMs, median } from './stats.js';

type Model = 'full' | 'sep';

interface Timing {
  /** ms per generation, wall clock and this process's CPU time. */
  wall: number;
  cpu: number;
  popsize: number;
  /** Generations between eigendecompositions and one decomposition's wall ms (null: sep, or one every generation). */
  period: number | null;
  decompositionMs: number | null;
}

const sphere = (x: readonly number[]): number => x.reduce((a, v) => a + v * v, 0);
const list = (text: string): number[] => text.split(',').filter((v) => v.trim() !== '').map(Number);

/** Generations per timed run, the same for both sides: a multiple of pycma's eigendecomposition period, ≥ 30. */
function generationsFor(model: Model, n: number): number {
  const base = Math.min(400, Math.max(30, Math.floor(20000 / n)));
  if (model === 'sep') return base;
  const p = cmaes.init({ x0: new Array<number>(n).fill(0), sigma0: 1, seed: 1 }).params;
  const period = Math.max(1, Math.ceil(1 / (10 * n * (p.c1 + p.cmu))));
  return period * Math.max(4, Math.ceil(base / period));
}

/** evometa's ask+tell ms per generation (wall and CPU), after three untimed generations. */
function evometaTiming(model: Model, n: number, generations: number, seed: number, normals: string | undefined): Timing {
  const strategy = (model === 'sep' ? sepCmaes : cmaes) as Strategy<CmaState>;
  const state = strategy.init({ x0: new Array<number>(n).fill(3), sigma0: 2, seed, ...(normals ? { params: { normals } } : {}) });
  const all = { wall: 0, cpu: 0 };
  const plain = { wall: 0, cpu: 0, count: 0 };
  for (let g = -3; g < generations; g++) {
    const [t0, c0] = [performance.now(), cpuMs()];
    const candidates = strategy.ask(state);
    const [t1, c1] = [performance.now(), cpuMs()];
    const evaluations = candidates.map((c) => ({ status: 'ok' as const, fitness: sphere(c.x) }));
    const [t2, c2] = [performance.now(), cpuMs()];
    strategy.tell(state, candidates, evaluations);
    const wall = t1 - t0 + (performance.now() - t2);
    const cpu = c1 - c0 + (cpuMs() - c2);
    if (g < 0) continue;
    all.wall += wall;
    all.cpu += cpu;
    if (state.eigenGeneration !== state.generation) {
      plain.wall += wall;
      plain.cpu += cpu;
      plain.count++;
    }
  }
  const popsize = state.params.popsize;
  if (model === 'sep' || plain.count === 0) return { wall: all.wall / generations, cpu: all.cpu / generations, popsize, period: null, decompositionMs: null };
  const [t, c] = [performance.now(), cpuMs()];
  updateEigensystem(state);
  const [decompositionMs, decompositionCpu] = [performance.now() - t, cpuMs() - c];
  const period = Math.ceil(state.params.eigenGap);
  return {
    wall: plain.wall / plain.count + decompositionMs / period,
    cpu: plain.cpu / plain.count + decompositionCpu / period,
    popsize,
    period,
    decompositionMs,
  };
}

interface PycmaRow {
  ms_per_generation: number;
  cpu_ms_per_generation: number;
  eigendecompositions: number;
  generations: number;
}

function pycmaTiming(python: string, model: Model, n: number, generations: number, seed: number, threads: string): { row: PycmaRow; versions: Record<string, unknown> } {
  const dims = model === 'full' ? ['--dims', String(n), '--sep-dims', ''] : ['--dims', '', '--sep-dims', String(n)];
  const env = { OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
  const out = runAnchor(python, 'pycma_asktell.py', [...dims, '--generations', String(generations), '--seed', String(seed), '--warmup', '3'], env);
  const rows = out['rows'] as PycmaRow[];
  return { row: rows[0]!, versions: out };
}

export default async function main(args: string[]): Promise<void> {
  const repeats = Number(option(args, 'repeats', '5'));
  const threads = option(args, 'blas-threads', '1');
  // params.normals of evometa's runs: the default (the ziggurat) unless given, e.g. 'box-muller' for the stream of older runs.
  const normals = args.includes('--normals') ? option(args, 'normals', '') : undefined;
  const explicit = args.includes('--python') ? option(args, 'python', 'python3') : undefined;
  const rows: { model: Model; n: number }[] = [
    ...list(option(args, 'dims', '10,100,200,500,1000')).map((n) => ({ model: 'full' as const, n })),
    ...list(option(args, 'sep-dims', '1000,5000')).map((n) => ({ model: 'sep' as const, n })),
  ];
  const probe = probePython(explicit, 'cma');
  const python = 'skipped' in probe ? null : probe.python;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`# evometa vs anchors, ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, Node ${process.version}`);
  console.log(python ? `pycma ${'version' in probe ? probe.version : ''} via ${python}, ${threads} BLAS thread(s)` : `pycma anchor skipped: ${'skipped' in probe ? probe.skipped : ''}`);

  // One untimed pass per row first, so every repeat times code the JIT has already optimised.
  for (const row of rows) evometaTiming(row.model, row.n, Math.min(20, generationsFor(row.model, row.n)), 99, normals);
  const evometa = rows.map(() => [] as Timing[]);
  const pycma = rows.map(() => [] as PycmaRow[]);
  let versions: Record<string, unknown> | null = null;
  for (let r = 1; r <= repeats; r++) {
    rows.forEach((row, k) => {
      const generations = generationsFor(row.model, row.n);
      const ours = (): void => void evometa[k]!.push(evometaTiming(row.model, row.n, generations, 100 + r, normals));
      const theirs = (): void => {
        if (!python) return;
        const out = pycmaTiming(python, row.model, row.n, generations, r, threads);
        pycma[k]!.push(out.row);
        versions = out.versions;
      };
      if (r % 2) { ours(); theirs(); } else { theirs(); ours(); }
    });
    process.stderr.write(`repeat ${r}/${repeats} done\n`);
  }

  if (versions) {
    const v = versions as Record<string, unknown>;
    console.log(`anchor: pycma ${v['pycma']}, numpy ${v['numpy']} (${v['blas']}), Python ${v['python']}`);
  }
  console.log('');
  console.log(`## CMA-ES ask+tell per generation (sphere, default λ, f excluded, evometa's normals: ${normals ?? DEFAULT_NORMALS}), ms, median of ${repeats} interleaved repeats`);
  console.log('| model | n | λ | generations timed | evometa wall | pycma wall | evometa / pycma | evometa CPU | pycma CPU | evometa / pycma (CPU) | evometa decomposition (wall) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  rows.forEach((row, k) => {
    const ours = evometa[k]!;
    const theirs = pycma[k]!;
    const [wall, cpu] = [median(ours.map((t) => t.wall)), median(ours.map((t) => t.cpu))];
    const skipped = theirs.length === 0;
    const [pWall, pCpu] = skipped ? [NaN, NaN] : [median(theirs.map((p) => p.ms_per_generation)), median(theirs.map((p) => p.cpu_ms_per_generation))];
    const num = (v: number, digits = 3): string => (skipped ? 'skipped' : v.toFixed(digits));
    const dec = ours[0]!.period === null ? (row.model === 'sep' ? '– (diagonal)' : 'every generation') : `${median(ours.map((t) => t.decompositionMs!)).toFixed(1)} ms every ${ours[0]!.period} generations`;
    console.log(`| ${row.model} | ${row.n} | ${ours[0]!.popsize} | ${generationsFor(row.model, row.n)} | ${wall.toFixed(3)} | ${num(pWall)} | ${num(wall / pWall, 2)} | ${cpu.toFixed(3)} | ${num(pCpu)} | ${num(cpu / pCpu, 2)} | ${dec} |`);
  });
  console.log('');
  console.log('per repeat, wall ms (evometa / pycma):');
  rows.forEach((row, k) => {
    const pairs = evometa[k]!.map((t, i) => `${t.wall.toFixed(3)}/${pycma[k]![i]?.ms_per_generation.toFixed(3) ?? '–'}`);
    console.log(`  ${row.model} n=${row.n}: ${pairs.join('  ')}`);
  });
  if (!args.includes('--no-blur')) await blurVersusJax({
    python: explicit ?? (python ?? undefined),
    sizes: [784, 100, 10],
    batch: 32,
    unroll: 10,
    pops: list(option(args, 'blur-pops', '1,8,32')),
    reps: Number(option(args, 'blur-reps', '20')),
    threads: Number(option(args, 'jax-threads', '1')),
    repeats: Number(option(args, 'blur-repeats', '3')),
  });
  if (!args.includes('--no-gemm')) {
    await gemmVersusJax({
      python: explicit ?? (python ?? undefined),
      shapes: GEMM_SHAPES,
      reps: Number(option(args, 'gemm-reps', '10')),
      threads: Number(option(args, 'jax-threads', '1')),
      repeats: Number(option(args, 'gemm-repeats', '3')),
    });
  }
  if (!args.includes('--no-ht')) {
    await htVersusJax({
      python: explicit ?? (python ?? undefined),
      reps: Number(option(args, 'ht-reps', '20')),
      threads: Number(option(args, 'jax-threads', '1')),
      repeats: Number(option(args, 'ht-repeats', '3')),
    });
  }
}
