/**
 * `npm run bench -- device [--backends webgpu,wasm] [--pops 1,8,32,128,512] [--ht-steps N] [--profile P] [--tf-flags K=V,…] [--out FILE]`: the GPU
 * check, in one run per backend: BLUR genome evaluations/s (784-100-10, k = 2, U = 10, batch 32) at each population
 * size P on the population axis, HyperTransformer training steps/s (5-way 1-shot, 28×28, 8 channels, synthetic
 * images), and whether the BLUR losses of every backend equal the first's within 1e-4 relative error. The same
 * entry runs from the self-contained bundle that `npm run bench -- device_bundle` builds for a GPU machine.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { blurGenome, randomBlurGenome, type BlurGenome } from '../genomes/blur_genome.js';
import { Rng } from '../src/core/rng.js';
import { evaluateBlurPopulation, metaLossAndGrad, type BlurSampler } from '../src/models/blur/meta_objective.js';
import { disposeTree } from '../src/models/nn/tensor_tree.js';
import { HT_DEFAULTS } from '../src/models/ht/ht_config.js';
import { initFewShotModel } from '../src/models/ht/few_shot_model.js';
import { trainFewShot } from '../src/models/ht/ht_training.js';
import { getTf, initBackend, loadWebgpu, type BackendName } from '../src/runtime/backend.js';
import { option } from './bench_args.js';
import { poolSampler } from './blur.js';
import { GPU_WORKLOADS } from './gpu_workloads.js';
import { kernelProfile, type KernelProfileRow } from './kernel_profile.js';
import { syntheticEpisodes } from './synthetic_episodes.js';
import { flatBlurRule } from '../tasks/blur/flat_blur_rule.js';

const tf = getTf();
const SIZES = [784, 100, 10];
const BLUR = { sizes: SIZES, unrollSteps: 10, batchSize: 32, seed: 0 };
/** Largest relative difference of a backend's BLUR losses from the first backend's that still counts as equal. */
export const EQUAL_WITHIN = 1e-4;

export { syntheticEpisodes };

/** What one of the four GPU workloads (bench/gpu_workloads.ts) did on a backend. */
export interface WorkloadRun {
  ok: boolean;
  /** The numbers it computed (losses, a gradient), for comparing backends. */
  values?: number[];
  ms?: number;
  /** Its error's first line, when it failed. */
  error?: string;
}

export interface DeviceFigures {
  backend: string;
  adapter?: string;
  /** P → genome evaluations per second. */
  blurEvalsPerSecond: Record<string, number>;
  /** P → the population's losses (for the equality check). */
  blurLosses: Record<string, number[]>;
  /** P → why that population size failed, if it did (the smaller ones still count). */
  blurErrors?: Record<string, string>;
  /** BLUR meta-gradients per second, one rule, the same network and unroll. */
  metaGradsPerSecond?: number;
  htStepsPerSecond: number;
  workloads?: Record<string, WorkloadRun>;
  /** `--profile P`: one evaluation at P under tf.profile (kernel time, wall time, the largest kernels). */
  profile?: { P: number; kernelMs: number; wallMs: number; kernels: number; top: KernelProfileRow[] };
}

/** `--tf-flags NAME=VALUE,…`: TensorFlow.js environment flags set after the backend starts (numbers and booleans parsed). */
export function parseTfFlags(spec: string): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const pair of spec.split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    if (!k || v === undefined) throw new Error(`--tf-flags takes NAME=VALUE pairs separated by commas (got '${pair}')`);
    out[k] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/** How the bundle imports TensorFlow.js's WebGPU backend (statically named, so that esbuild bundles it). */
export interface DeviceCheckOptions {
  importWebgpu?: () => Promise<unknown>;
}

const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0]!;

/** P random genomes (seeded by P) and the data sampler of the timed BLUR problem. */
function blurProblem(P: number): { genomes: BlurGenome[]; sampler: BlurSampler } {
  const rng = new Rng(P);
  return { genomes: Array.from({ length: P }, () => randomBlurGenome(2, rng)), sampler: poolSampler(SIZES[0]!, SIZES[SIZES.length - 1]!) };
}

/** Calls of `fn` per second over `reps` calls, one after another. */
async function callsPerSecond(reps: number, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) await fn();
  return reps / ((performance.now() - t0) / 1000);
}

async function timeBlur(out: DeviceFigures, P: number): Promise<void> {
  const { genomes, sampler } = blurProblem(P);
  const first = await evaluateBlurPopulation(tf, genomes, sampler, BLUR); // warm-up: shader and kernel set-up
  const reps = Math.max(1, Math.min(4, Math.round(64 / P)));
  out.blurEvalsPerSecond[P] = P * (await callsPerSecond(reps, () => evaluateBlurPopulation(tf, genomes, sampler, BLUR)));
  out.blurLosses[P] = first.loss;
  console.log(`${out.backend.padEnd(6)} BLUR P = ${String(P).padStart(3)}: ${out.blurEvalsPerSecond[P]!.toFixed(1).padStart(8)} genome-evals/s`);
}

async function timeMetaGrad(out: DeviceFigures): Promise<void> {
  const config = blurGenome.resolveConfig({});
  const flat = blurGenome.encode(randomBlurGenome(2, new Rng(7)), config);
  const sampler = poolSampler(SIZES[0]!, SIZES[SIZES.length - 1]!);
  const grad = (): Promise<unknown> => metaLossAndGrad(tf, flat, flatBlurRule(config), sampler, BLUR);
  await grad(); // warm-up
  out.metaGradsPerSecond = await callsPerSecond(3, grad);
  console.log(`${out.backend.padEnd(6)} BLUR meta-gradient: ${out.metaGradsPerSecond.toFixed(2)} grads/s`);
}

async function timeHt(out: DeviceFigures, htSteps: number): Promise<void> {
  const model = initFewShotModel(tf, 'hypertransformer', HT_DEFAULTS, 1);
  try {
    await trainFewShot(tf, model, { steps: 1, episode: syntheticEpisodes(HT_DEFAULTS) }); // warm-up
    const t0 = performance.now();
    await trainFewShot(tf, model, { steps: htSteps, episode: syntheticEpisodes(HT_DEFAULTS) });
    out.htStepsPerSecond = htSteps / ((performance.now() - t0) / 1000);
  } finally {
    disposeTree(tf, model.params);
  }
  console.log(`${out.backend.padEnd(6)} HT training: ${out.htStepsPerSecond.toFixed(2)} steps/s (${HT_DEFAULTS.episodesPerStep} episodes a step)`);
}

/** What one backend's measurement runs: population sizes, HT steps, the P to profile (0: none), TensorFlow.js flags. */
interface MeasureSettings {
  pops: readonly number[];
  htSteps: number;
  profileP: number;
  tfFlags: Record<string, number | boolean | string>;
}

/** Each stage is tried on its own: a failure is recorded with its reason and the next stage still runs. */
async function measure(backend: BackendName, { pops, htSteps, profileP, tfFlags }: MeasureSettings, options: DeviceCheckOptions): Promise<DeviceFigures> {
  const importWebgpu = options.importWebgpu;
  const info = await initBackend(backend, backend === 'webgpu' && importWebgpu ? { loaders: { webgpu: () => loadWebgpu(true, importWebgpu) } } : {});
  const out: DeviceFigures = { backend: info.backend, ...(info.adapter ? { adapter: info.adapter } : {}), blurEvalsPerSecond: {}, blurLosses: {}, htStepsPerSecond: 0, workloads: {} };
  if (info.adapter) console.log(`${info.backend}: adapter ${info.adapter}`);
  for (const [k, v] of Object.entries(tfFlags)) tf.env().set(k, v);
  if (Object.keys(tfFlags).length) console.log(`${info.backend}: TensorFlow.js flags ${JSON.stringify(tfFlags)}`);
  for (const [name, run] of Object.entries(GPU_WORKLOADS)) {
    const t0 = performance.now();
    try {
      out.workloads![name] = { ok: true, values: await run(), ms: performance.now() - t0 };
    } catch (e) {
      out.workloads![name] = { ok: false, error: firstLine(e) };
    }
    console.log(`${info.backend.padEnd(6)} ${name}: ${out.workloads![name]!.ok ? `ran (${out.workloads![name]!.ms!.toFixed(0)} ms)` : `FAILED (${out.workloads![name]!.error})`}`);
  }
  for (const P of pops) {
    try {
      await timeBlur(out, P);
    } catch (e) {
      (out.blurErrors ??= {})[P] = firstLine(e);
      console.log(`${info.backend.padEnd(6)} BLUR P = ${P}: FAILED (${out.blurErrors[P]})`);
    }
  }
  if (profileP > 0) {
    try {
      const { genomes, sampler } = blurProblem(profileP);
      console.log(`${info.backend.padEnd(6)} BLUR P = ${profileP}, profiled:`);
      const p = await kernelProfile(async () => void (await evaluateBlurPopulation(tf, genomes, sampler, BLUR)));
      out.profile = { P: profileP, kernelMs: p.totalMs, wallMs: p.wallMs, kernels: p.kernels, top: p.rows.slice(0, 60) };
    } catch (e) {
      console.log(`${info.backend.padEnd(6)} profile: FAILED (${firstLine(e)})`);
    }
  }
  for (const [stage, run] of [['meta-gradient', () => timeMetaGrad(out)], ['HT training', () => timeHt(out, htSteps)]] as const) {
    try {
      await run();
    } catch (e) {
      console.log(`${info.backend.padEnd(6)} ${stage}: FAILED (${firstLine(e)})`);
    }
  }
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

/** Workload → the largest relative difference of its numbers between two backends (both must have run it). */
export function workloadDifferences(a: DeviceFigures, b: DeviceFigures): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, run] of Object.entries(a.workloads ?? {})) {
    const ref = b.workloads?.[name]?.values;
    if (!run.values || !ref || ref.length !== run.values.length) continue;
    out[name] = run.values.reduce((worst, v, i) => Math.max(worst, Math.abs(v - ref[i]!) / Math.max(Math.abs(ref[i]!), 1e-6)), 0);
  }
  return out;
}

export default async function deviceCheck(args: string[], options: DeviceCheckOptions = {}): Promise<void> {
  const backends = option(args, 'backends', 'webgpu,wasm').split(',') as BackendName[];
  const pops = option(args, 'pops', '1,8,32,128,512').split(',').map(Number);
  const htSteps = Number(option(args, 'ht-steps', '5'));
  const settings: MeasureSettings = { pops, htSteps, profileP: Number(option(args, 'profile', '0')), tfFlags: parseTfFlags(option(args, 'tf-flags', '')) };
  const out = option(args, 'out', '');
  console.log(`device check: ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}, tfjs ${tf.version.tfjs}, ${new Date().toISOString()}`);
  const figures: DeviceFigures[] = [];
  const skipped: Record<string, string> = {};
  for (const b of backends) {
    try {
      figures.push(await measure(b, settings, options));
    } catch (e) {
      skipped[b] = (e as Error).message.split('\n')[0]!;
      console.log(`${b}: skipped (${skipped[b]})`);
    }
  }
  const comparisons = figures.slice(1).map((f) => ({
    backend: f.backend,
    against: figures[0]!.backend,
    maxRelativeDifference: maxRelativeDifference(f, figures[0]!),
    workloads: workloadDifferences(f, figures[0]!),
  }));
  for (const c of comparisons) {
    console.log(`BLUR losses, ${c.backend} against ${c.against}: max relative difference ${c.maxRelativeDifference.toExponential(2)} (${c.maxRelativeDifference <= EQUAL_WITHIN ? 'equal' : 'DIFFERENT'} within ${EQUAL_WITHIN})`);
    for (const [name, d] of Object.entries(c.workloads)) console.log(`  ${name}: max relative difference ${d.toExponential(2)}`);
  }
  const result = { machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version }, date: new Date().toISOString(), figures, skipped, comparisons };
  if (out) writeFileSync(out, JSON.stringify(result, null, 1));
}
