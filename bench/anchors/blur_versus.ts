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
import { blurGenome, randomBlurGenome, type BlurGenome } from '../../genomes/blur_genome.js';
import { evaluateBlurPopulation, metaLossAndGrad } from '../../src/models/blur/meta_objective.js';
import { flatBlurRule } from '../../tasks/blur/flat_blur_rule.js';
import { poolSampler, time } from '../blur.js';
import { cpuMs, median, type Rate } from '../stats.js';
import { blurAnchorMetaOptions, blurAnchorProblem, evometaReference, replaySampler, type BlurAnchorProblem } from './blur_problem.js';
import { checkBlurAnchor, relativeDifference, timeBlurAnchor, type JaxTiming } from './blur_jax.js';
import { numpyPythonOrSkip, probePython } from './python.js';

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
  /** Interleaved repeats of both sides' timings (medians are shown). */
  repeats: number;
}

const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : 'skipped');

/** Calls per second of `fn` (bench/blur.ts `time`: at least a second of warm-up) and the cores it kept busy over the warm-up and the timed calls. */
async function rate(fn: () => unknown, reps: number, per: number): Promise<Rate> {
  const [t0, c0] = [performance.now(), cpuMs()];
  const ms = await time(fn, reps);
  return { perS: (1000 * per) / ms, cores: (cpuMs() - c0) / (performance.now() - t0) };
}

/** One side's figures in one repeat: genome-steps/s per P of `pops`, and grads/s. */
interface SideRun {
  steps: Rate[];
  grad: Rate;
}

/** evometa's genome-steps/s per P and grads/s on the active backend, over the problem's own batches. */
async function evometaRun(o: BlurVersusOptions, problem: BlurAnchorProblem, genomes: readonly BlurGenome[]): Promise<SideRun> {
  const tf = getTf();
  const sampler = replaySampler(problem);
  const opts = blurAnchorMetaOptions(problem);
  const steps: Rate[] = [];
  for (const P of o.pops) steps.push(await rate(() => evaluateBlurPopulation(tf, genomes.slice(0, P), sampler, opts), Math.max(4, Math.round((o.reps * 8) / P)), P * o.unroll));
  const config = blurGenome.resolveConfig({});
  const flat = blurGenome.encode(genomes[0]!, config);
  return { steps, grad: await rate(() => metaLossAndGrad(tf, flat, flatBlurRule(config), sampler, opts), 3, 1) };
}

const jaxRun = (j: JaxTiming): SideRun => ({
  steps: j.rows.map((r) => ({ perS: r.genome_steps_per_s, cores: r.cores })),
  grad: { perS: j.grad.grads_per_s, cores: j.grad.cores },
});

/** Checks the anchor's math on the timed problem, then times both sides `o.repeats` times, interleaved. */
export async function blurVersusJax(o: BlurVersusOptions): Promise<void> {
  console.log('');
  console.log(`## BLUR against JAX: sizes ${o.sizes.join('-')}, k = 2, batch ${o.batch}, U = ${o.unroll} (U − 1 learning steps + query), P = ${o.pops.join(', ')}`);
  const numpy = numpyPythonOrSkip(o.python);
  if (numpy === null) return;
  const python = numpy.python;
  const info = await initBackend('wasm');
  const tf = getTf();
  const rng = new Rng(0);
  const genomes = Array.from({ length: Math.max(...o.pops) }, () => randomBlurGenome(2, rng));
  const problem = blurAnchorProblem({ sizes: o.sizes, unrollSteps: o.unroll, batchSize: o.batch, seed: 0, genomes, sampler: poolSampler(o.sizes[0]!, o.sizes[o.sizes.length - 1]!) });
  const reference = await evometaReference(tf, problem, genomes);
  const { float32, float64 } = checkBlurAnchor(python, problem, reference);
  const e = (v: number): string => v.toExponential(1);
  console.log(`anchor math checked against evometa: max relative difference ${e(float32.max)} over ${float32.P} genomes (median ${e(float32.median)}; `
    + `meta-losses and query outputs, numpy ${numpy.version} float32, evometa on ${info.backend}); evometa against the anchor's float64 run: max ${e(float64.max)}, median ${e(float64.median)}`);

  const jax = probePython(python, 'jax');
  if ('skipped' in jax) console.log(`JAX timing skipped: ${jax.skipped}; the rows below are evometa's alone`);
  const ours: SideRun[] = [];
  const theirs: SideRun[] = [];
  for (let r = 1; r <= o.repeats; r++) {
    const runOurs = async (): Promise<void> => void ours.push(await evometaRun(o, problem, genomes));
    const runTheirs = async (): Promise<void> => {
      if ('skipped' in jax) return;
      const timing = timeBlurAnchor(python, problem, { reps: o.reps, pops: o.pops, threads: o.threads });
      if (theirs.length === 0) {
        const config = blurGenome.resolveConfig({});
        const g = await metaLossAndGrad(tf, blurGenome.encode(genomes[0]!, config), flatBlurRule(config), replaySampler(problem), blurAnchorMetaOptions(problem));
        console.log(`jax ${timing.jax} on ${timing.backend} (${timing.devices.join(', ')}), XLA CPU threads ${o.threads}: its losses against evometa's, max relative difference `
          + `${e(relativeDifference(timing.losses, reference.losses))}; genome 0's meta-gradient against metaLossAndGrad, ${e(relativeDifference(timing.grad0.grad, g.grad))}`);
      }
      theirs.push(jaxRun(timing));
    };
    if (r % 2) { await runOurs(); await runTheirs(); } else { await runTheirs(); await runOurs(); }
    process.stderr.write(`blur repeat ${r}/${o.repeats} done\n`);
  }
  printTable(o, info.backend, ours, theirs);
}

/** Medians over the repeats, and each repeat's pair of figures. */
function printTable(o: BlurVersusOptions, backend: string, ours: SideRun[], theirs: SideRun[]): void {
  const med = (runs: SideRun[], pick: (r: SideRun) => number): number => (runs.length === 0 ? NaN : median(runs.map(pick)));
  console.log('');
  console.log(`median of ${ours.length} interleaved repeat(s)`);
  console.log(`| measure | P | evometa (tfjs ${backend}) | JAX | evometa / JAX | cores busy, evometa / JAX |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  const line = (measure: string, P: number, pick: (r: SideRun) => Rate, digits: number): void => {
    const [a, b] = [med(ours, (r) => pick(r).perS), med(theirs, (r) => pick(r).perS)];
    console.log(`| ${measure} | ${P} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${fmt(a / b, 2)} | ${fmt(med(ours, (r) => pick(r).cores), 2)} / ${fmt(med(theirs, (r) => pick(r).cores), 2)} |`);
  };
  o.pops.forEach((P, i) => line('genome-steps/s', P, (r) => r.steps[i]!, 0));
  line(`meta-gradient grads/s (U = ${o.unroll})`, 1, (r) => r.grad, 2);
  console.log('');
  console.log('per repeat (evometa / JAX):');
  const pairs = (pick: (r: SideRun) => Rate, digits: number): string =>
    ours.map((r, i) => `${pick(r).perS.toFixed(digits)}/${theirs[i] ? pick(theirs[i]!).perS.toFixed(digits) : '–'}`).join('  ');
  o.pops.forEach((P, i) => console.log(`  genome-steps/s P=${P}: ${pairs((r) => r.steps[i]!, 0)}`));
  console.log(`  grads/s: ${pairs((r) => r.grad, 2)}`);
}
