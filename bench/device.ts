/**
 * `npm run bench -- device [--backends webgpu,wasm] [--pops 1,8,32,128,512] [--ht-steps N] [--out FILE]`: the GPU
 * check, in one run per backend: BLUR genome evaluations/s (784-100-10, k = 2, U = 10, batch 32) at each population
 * size P on the population axis, HyperTransformer training steps/s (5-way 1-shot, 28×28, 8 channels, synthetic
 * images), and whether the BLUR losses of every backend equal the first's within 1e-4 relative error. The same
 * entry runs from the self-contained bundle that `npm run bench -- device_bundle` builds for a GPU machine.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { randomBlurGenome } from '../genomes/blur_genome.js';
import { Rng } from '../src/core/rng.js';
import { evaluateBlurPopulation } from '../src/models/blur/meta_objective.js';
import { HT_DEFAULTS, type HtConfig } from '../src/models/ht/ht_config.js';
import { initFewShotModel, type FewShotEpisode } from '../src/models/ht/few_shot_model.js';
import { trainFewShot } from '../src/models/ht/ht_training.js';
import { getTf, initBackend, loadWebgpu, type BackendName } from '../src/runtime/backend.js';
import { option } from './bench_args.js';
import { poolSampler } from './blur.js';

const tf = getTf();
const SIZES = [784, 100, 10];
const BLUR = { sizes: SIZES, unrollSteps: 10, batchSize: 32, seed: 0 };
/** Largest relative difference of a backend's BLUR losses from the first backend's that still counts as equal. */
export const EQUAL_WITHIN = 1e-4;

/** Few-shot episodes of uniform noise images for HT configuration `c`: for timing and kernel coverage, not accuracy. */
export function syntheticEpisodes(c: Pick<HtConfig, 'ways' | 'shots' | 'queries' | 'imageSize'>): (i: number) => FewShotEpisode {
  return (i) => {
    const rng = new Rng(1000 + i);
    const images = (n: number) => Float32Array.from({ length: n * c.imageSize * c.imageSize }, () => rng.uniform() * 2 - 1);
    const labels = (per: number) => Array.from({ length: c.ways * per }, (_, k) => k % c.ways);
    return { support: { x: images(c.ways * c.shots), labels: labels(c.shots) }, query: { x: images(c.ways * c.queries), labels: labels(c.queries) } };
  };
}

export interface DeviceFigures {
  backend: string;
  adapter?: string;
  /** P → genome evaluations per second. */
  blurEvalsPerSecond: Record<string, number>;
  /** P → the population's losses (for the equality check). */
  blurLosses: Record<string, number[]>;
  htStepsPerSecond: number;
}

/** How the bundle imports TensorFlow.js's WebGPU backend (statically named, so that esbuild bundles it). */
export interface DeviceCheckOptions {
  importWebgpu?: () => Promise<unknown>;
}

async function measure(backend: BackendName, pops: readonly number[], htSteps: number, options: DeviceCheckOptions): Promise<DeviceFigures> {
  const importWebgpu = options.importWebgpu;
  const info = await initBackend(backend, backend === 'webgpu' && importWebgpu ? { loaders: { webgpu: () => loadWebgpu(true, importWebgpu) } } : {});
  const sampler = poolSampler(SIZES[0]!, SIZES[SIZES.length - 1]!);
  const out: DeviceFigures = { backend: info.backend, ...(info.adapter ? { adapter: info.adapter } : {}), blurEvalsPerSecond: {}, blurLosses: {}, htStepsPerSecond: 0 };
  for (const P of pops) {
    const rng = new Rng(P);
    const genomes = Array.from({ length: P }, () => randomBlurGenome(2, rng));
    const first = evaluateBlurPopulation(tf, genomes, sampler, BLUR); // warm-up: shader and kernel set-up
    const reps = Math.max(1, Math.min(4, Math.round(64 / P)));
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) evaluateBlurPopulation(tf, genomes, sampler, BLUR);
    out.blurEvalsPerSecond[P] = (reps * P) / ((performance.now() - t0) / 1000);
    out.blurLosses[P] = first.loss;
    console.log(`${info.backend.padEnd(6)} BLUR P = ${String(P).padStart(3)}: ${out.blurEvalsPerSecond[P]!.toFixed(1).padStart(8)} genome-evals/s`);
  }
  const model = initFewShotModel(tf, 'hypertransformer', HT_DEFAULTS, 1);
  trainFewShot(tf, model, { steps: 1, episode: syntheticEpisodes(HT_DEFAULTS) }); // warm-up
  const t0 = performance.now();
  trainFewShot(tf, model, { steps: htSteps, episode: syntheticEpisodes(HT_DEFAULTS) });
  out.htStepsPerSecond = htSteps / ((performance.now() - t0) / 1000);
  console.log(`${info.backend.padEnd(6)} HT training: ${out.htStepsPerSecond.toFixed(2)} steps/s (${HT_DEFAULTS.episodesPerStep} episodes a step)`);
  return out;
}

/** Largest |a − b| / max(|b|, 1e-6) over the populations both measured. */
export function maxRelativeDifference(a: DeviceFigures, b: DeviceFigures): number {
  let worst = 0;
  for (const [P, losses] of Object.entries(a.blurLosses)) {
    const ref = b.blurLosses[P];
    if (!ref) continue;
    losses.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]!) / Math.max(Math.abs(ref[i]!), 1e-6))));
  }
  return worst;
}

export default async function deviceCheck(args: string[], options: DeviceCheckOptions = {}): Promise<void> {
  const backends = option(args, 'backends', 'webgpu,wasm').split(',') as BackendName[];
  const pops = option(args, 'pops', '1,8,32,128,512').split(',').map(Number);
  const htSteps = Number(option(args, 'ht-steps', '5'));
  const out = option(args, 'out', '');
  console.log(`device check: ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}, tfjs ${tf.version.tfjs}, ${new Date().toISOString()}`);
  const figures: DeviceFigures[] = [];
  const skipped: Record<string, string> = {};
  for (const b of backends) {
    try {
      figures.push(await measure(b, pops, htSteps, options));
    } catch (e) {
      skipped[b] = (e as Error).message.split('\n')[0]!;
      console.log(`${b}: skipped (${skipped[b]})`);
    }
  }
  const comparisons = figures.slice(1).map((f) => ({ backend: f.backend, against: figures[0]!.backend, maxRelativeDifference: maxRelativeDifference(f, figures[0]!) }));
  for (const c of comparisons) console.log(`BLUR losses, ${c.backend} against ${c.against}: max relative difference ${c.maxRelativeDifference.toExponential(2)} (${c.maxRelativeDifference <= EQUAL_WITHIN ? 'equal' : 'DIFFERENT'} within ${EQUAL_WITHIN})`);
  const result = { machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version }, date: new Date().toISOString(), figures, skipped, comparisons };
  if (out) writeFileSync(out, JSON.stringify(result, null, 1));
}
