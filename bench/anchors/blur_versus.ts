/**
 * The BLUR section of `npm run bench -- versus`: evometa's population evaluation (genome-steps/s) and
 * meta-gradient (grads/s) against the same computation in JAX (bench/anchors/blur_jax.py), measured in one run.
 *
 * First the anchor's numpy run is checked against evometa on the very problem that is timed (same genomes,
 * synapses, batches), then, where the Python imports jax, the anchor times jit(vmap) over the first P genomes and
 * jit(value_and_grad) of genome 0, and evometa times the same P on tfjs-wasm after a warm-up of at least a second
 * (bench/blur.ts `time`). JAX's own losses and gradient are compared with evometa's too, so each ratio row is
 * known to compare one computation.
 */
import { getTf, initBackend } from '../../src/runtime/backend.js';
import { Rng } from '../../src/core/rng.js';
import { blurGenome, randomBlurGenome } from '../../genomes/blur_genome.js';
import { evaluateBlurPopulation, metaLossAndGrad } from '../../src/models/blur/meta_objective.js';
import { flatBlurRule } from '../../tasks/blur/flat_blur_rule.js';
import { poolSampler, time } from '../blur.js';
import { blurAnchorMetaOptions, blurAnchorProblem, evometaReference, replaySampler } from './blur_problem.js';
import { checkBlurAnchor, relativeDifference, timeBlurAnchor, type JaxTiming } from './blur_jax.js';
import { probePython } from './python.js';

export interface BlurVersusOptions {
  /** The interpreter named with --python, else python3 is tried. */
  python: string | undefined;
  /** Layer sizes. Default 784-100-10 (the issue's). */
  sizes: number[];
  batch: number;
  /** U: U − 1 learning steps and the query, counted as U genome-steps. */
  unroll: number;
  /** Population sizes timed; the problem holds max(pops) genomes and each row takes the first P. */
  pops: number[];
  /** Timed calls per P on each side. */
  reps: number;
  /** Threads of XLA's CPU runtime (evometa's evaluation runs on one). */
  threads: number;
}

const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : 'skipped');

/** evometa's genome-steps/s per P and grads/s on tfjs-wasm, over the problem's own batches. */
function evometaTimings(o: BlurVersusOptions, problem: ReturnType<typeof blurAnchorProblem>, genomes: ReturnType<typeof randomBlurGenome>[]): { rows: number[]; gradsPerS: number } {
  const tf = getTf();
  const sampler = replaySampler(problem);
  const opts = blurAnchorMetaOptions(problem);
  const rows = o.pops.map((P) => {
    const ms = time(() => void evaluateBlurPopulation(tf, genomes.slice(0, P), sampler, opts), Math.max(4, Math.round(o.reps * 8 / P)));
    return (1000 * P * o.unroll) / ms;
  });
  const config = blurGenome.resolveConfig({});
  const flat = blurGenome.encode(genomes[0]!, config);
  const ms = time(() => void metaLossAndGrad(tf, flat, flatBlurRule(config), sampler, opts), 3);
  return { rows, gradsPerS: 1000 / ms };
}

export async function blurVersusJax(o: BlurVersusOptions): Promise<void> {
  console.log('');
  console.log(`## BLUR against JAX: sizes ${o.sizes.join('-')}, k = 2, batch ${o.batch}, U = ${o.unroll} (U − 1 learning steps + query), P = ${o.pops.join(', ')}`);
  const numpy = probePython(o.python, 'numpy');
  if ('skipped' in numpy) {
    console.log(`anchor skipped: ${numpy.skipped}`);
    return;
  }
  const python = numpy.python;
  const info = await initBackend('wasm');
  const tf = getTf();
  const rng = new Rng(0);
  const genomes = Array.from({ length: Math.max(...o.pops) }, () => randomBlurGenome(2, rng));
  const problem = blurAnchorProblem({ sizes: o.sizes, unrollSteps: o.unroll, batchSize: o.batch, seed: 0, genomes, sampler: poolSampler(o.sizes[0]!, o.sizes[o.sizes.length - 1]!) });
  const ours = evometaReference(tf, problem, genomes);
  const { float32, float64 } = checkBlurAnchor(python, problem, ours);
  const e = (v: number): string => v.toExponential(1);
  console.log(`anchor math checked against evometa: max relative difference ${e(float32.max)} over ${float32.P} genomes (median ${e(float32.median)}; `
    + `meta-losses and query outputs, numpy ${numpy.version} float32, evometa on ${info.backend}); evometa against the anchor's float64 run: max ${e(float64.max)}, median ${e(float64.median)}`);

  const jax = probePython(python, 'jax');
  let theirs: JaxTiming | null = null;
  if ('skipped' in jax) console.log(`JAX timing skipped: ${jax.skipped}; the rows below are evometa's alone`);
  else {
    theirs = timeBlurAnchor(python, problem, { reps: o.reps, pops: o.pops, threads: o.threads });
    const config = blurGenome.resolveConfig({});
    const g = metaLossAndGrad(tf, blurGenome.encode(genomes[0]!, config), flatBlurRule(config), replaySampler(problem), blurAnchorMetaOptions(problem));
    console.log(`jax ${theirs.jax} on ${theirs.backend} (${theirs.devices.join(', ')}), XLA CPU threads ${o.threads}: its losses against evometa's, max relative difference `
      + `${relativeDifference(theirs.losses, ours.losses).toExponential(2)}; genome 0's meta-gradient against metaLossAndGrad, ${relativeDifference(theirs.grad0.grad, g.grad).toExponential(2)}`);
  }
  const ev = evometaTimings(o, problem, genomes);
  console.log('');
  console.log(`| measure | P | evometa (tfjs ${info.backend}, 1 thread) | JAX | evometa / JAX | JAX cores busy |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  o.pops.forEach((P, i) => {
    const row = theirs?.rows.find((r) => r.P === P);
    const j = row?.genome_steps_per_s ?? NaN;
    console.log(`| genome-steps/s | ${P} | ${fmt(ev.rows[i]!)} | ${fmt(j)} | ${fmt(ev.rows[i]! / j, 2)} | ${fmt(row?.cores ?? NaN, 2)} |`);
  });
  const jg = theirs?.grad.grads_per_s ?? NaN;
  console.log(`| meta-gradient grads/s (U = ${o.unroll}) | 1 | ${fmt(ev.gradsPerS, 2)} | ${fmt(jg, 2)} | ${fmt(ev.gradsPerS / jg, 2)} | ${fmt(theirs?.grad.cores ?? NaN, 2)} |`);
}
