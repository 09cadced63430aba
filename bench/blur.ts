/**
 * `npm run bench -- blur [--sizes 784,100,10] [--batch 32] [--steps 50] [--unroll 10] [--pops 1,8,32]
 * [--backends wasm,cpu] [--grad] [--workers 1,2] [--kernels]`: BLUR inner steps/s of one genome (k = 2), and
 * genome evaluations/s (U unrolled steps + a query batch) with P genomes batched on the population axis, per
 * backend, also as genome-steps/s (U × genome evaluations/s, the measure).
 * With --grad it also times metaLossAndGrad (the meta-gradient through the unroll) for one genome.
 * With --workers it times the largest P on wasm in W worker threads at once (each evaluating its own
 * populations of P, started together), W from the list, and prints the aggregate genome-steps/s, the speed-up over
 * one worker, the process's CPU time per wall second (how many cores were really used) and genome-steps per
 * CPU-second (what each busy core delivers: on a machine shared with other jobs the wall figures say little).
 * With --kernels it prints where one evaluation of the largest P spends its time, per TensorFlow.js kernel
 * (and per BatchMatMul shape), from tf.profile.
 */
import { once } from 'node:events';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { initBackend, getTf, type BackendName } from '../src/runtime/backend.js';
import { Rng } from '../src/core/rng.js';
import { blurGenome, randomBlurGenome } from '../genomes/blur_genome.js';
import { BlurNetwork } from '../src/models/blur/blur_network.js';
import { evaluateBlurPopulation, metaLossAndGrad, type BlurBatch, type BlurSampler } from '../src/models/blur/meta_objective.js';
import { flatBlurRule } from '../tasks/blur/flat_blur_rule.js';

const tf = getTf();

import { option } from './bench_args.js';
import { cpuMs, median } from './stats.js';
import { kernelProfile } from './kernel_profile.js';

/** Gaussian inputs and ±1 one-hot targets cut from a fixed pool, so data generation stays off the clock. */
export function poolSampler(numInputs: number, numOutputs: number): BlurSampler {
  const rows = 1024;
  const rng = new Rng(1);
  const x = Float32Array.from({ length: rows * numInputs }, () => rng.normal());
  const y = new Float32Array(rows * numOutputs).fill(-1);
  for (let r = 0; r < rows; r++) y[r * numOutputs + rng.int(numOutputs)] = 1;
  const draw = (r: Rng, batch: number): BlurBatch => {
    const at = r.int(rows - batch);
    return { x: x.subarray(at * numInputs, (at + batch) * numInputs), y: y.subarray(at * numOutputs, (at + batch) * numOutputs) };
  };
  return { numInputs, numOutputs, support: (_s, r, b) => draw(r, b), query: draw };
}

/**
 * What a worker of --workers evaluates: `warmups` evaluations before 'go' (a pool thread of a real run lives for the
 * whole search, so its wasm tier-up compile and first allocations are not what a search pays per generation), then
 * `reps` timed evaluations of one population of P genomes.
 */
interface WorkerJob {
  blurBenchWorker: true;
  sizes: number[];
  batch: number;
  unroll: number;
  P: number;
  warmups: number;
  reps: number;
}

function population(P: number): ReturnType<typeof randomBlurGenome>[] {
  const rng = new Rng(P);
  return Array.from({ length: P }, () => randomBlurGenome(2, rng));
}

/** A worker's side: warm up, say ready, run its evaluations on 'go', report its wall time. */
async function workerMain(job: WorkerJob): Promise<void> {
  await initBackend('wasm');
  const sampler = poolSampler(job.sizes[0]!, job.sizes[job.sizes.length - 1]!);
  const genomes = population(job.P);
  const opts = { sizes: job.sizes, unrollSteps: job.unroll, batchSize: job.batch, seed: 0 };
  for (let r = 0; r < job.warmups; r++) await evaluateBlurPopulation(tf, genomes, sampler, opts);
  parentPort!.once('message', async () => {
    const t0 = performance.now();
    for (let r = 0; r < job.reps; r++) await evaluateBlurPopulation(tf, genomes, sampler, opts);
    parentPort!.postMessage({ ms: performance.now() - t0 });
  });
  parentPort!.postMessage({ ready: true });
}

if (!isMainThread && (workerData as Partial<WorkerJob> | null)?.blurBenchWorker) await workerMain(workerData as WorkerJob);

/** W workers evaluating at once: aggregate genome-steps/s (wall clock from 'go' to the last report) and cores used. */
async function workersThroughput(W: number, job: WorkerJob): Promise<{ genomeSteps: number; cores: number }> {
  const workers = Array.from({ length: W }, () => new Worker(new URL(import.meta.url), { workerData: job }));
  try {
    await Promise.all(workers.map((w) => once(w, 'message')));
    const done = workers.map((w) => once(w, 'message'));
    const [t0, c0] = [performance.now(), cpuMs()];
    for (const w of workers) w.postMessage('go');
    await Promise.all(done);
    const [wall, cpu] = [performance.now() - t0, cpuMs() - c0];
    return { genomeSteps: (W * job.P * job.reps * job.unroll) / (wall / 1000), cores: cpu / wall };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Mean ms per call after a warm-up of at least `warmupMs` (and one call): V8 compiles tfjs-wasm's module to optimized
 * code in the background during the first second or so, and a search's threads run far longer than that.
 */
export async function time(fn: () => unknown, reps: number, warmupMs = 1000): Promise<number> {
  const w0 = performance.now();
  do await fn();
  while (performance.now() - w0 < warmupMs);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t0) / reps;
}

export default async function (args: string[]): Promise<void> {
  const sizes = option(args, 'sizes', '784,100,10').split(',').map(Number);
  const batch = Number(option(args, 'batch', '32'));
  const steps = Number(option(args, 'steps', '50'));
  const unroll = Number(option(args, 'unroll', '10'));
  const pops = option(args, 'pops', '1,8,32').split(',').map(Number);
  const backends = option(args, 'backends', 'wasm,cpu').split(',') as BackendName[];
  const grad = args.includes('--grad');
  const sampler = poolSampler(sizes[0]!, sizes[sizes.length - 1]!);
  console.log(`blur: sizes ${sizes.join('-')}, k = 2, batch ${batch}, tfjs ${tf.version.tfjs}, node ${process.version}`);
  for (const backend of backends) {
    const info = await initBackend(backend);
    const slow = info.backend === 'cpu';
    const genome = randomBlurGenome(2, new Rng(0));

    const net = new BlurNetwork(genome, sizes, undefined, { seed: 0 });
    const b = sampler.support(0, new Rng(0), batch);
    const xt = tf.tensor2d(b.x, [batch, sizes[0]!]);
    const yt = tf.tensor2d(b.y, [batch, sizes[sizes.length - 1]!]);
    const before = tf.memory().numTensors;
    const reps = slow ? Math.max(3, Math.round(steps / 10)) : steps;
    const ms = await time(() => net.step(xt, yt), reps, slow ? 0 : 1000);
    tf.tidy(() => tf.sum(net.synapses.input.w).dataSync()); // everything has run (cpu and wasm are synchronous anyway)
    const leaked = tf.memory().numTensors - before;
    net.dispose();
    tf.dispose([xt, yt]);
    console.log(`${info.backend.padEnd(5)} inner step, P = 1: ${(1000 / ms).toFixed(1).padStart(7)} steps/s (${ms.toFixed(2)} ms/step over ${reps}), tensors leaked ${leaked}`);

    for (const P of pops) {
      const genomes = population(P);
      const opts = { sizes, unrollSteps: unroll, batchSize: batch, seed: 0 };
      const evalReps = slow ? 1 : Math.max(4, Math.round(64 / P));
      const msEval = await time(async () => void await evaluateBlurPopulation(tf, genomes, sampler, opts), evalReps, slow ? 0 : 1000);
      console.log(`${info.backend.padEnd(5)} evaluation U = ${unroll} + query, P = ${String(P).padStart(2)}: `
        + `${((1000 * P) / msEval).toFixed(2).padStart(7)} genome-evals/s = ${((1000 * P * unroll) / msEval).toFixed(0).padStart(5)} genome-steps/s (${msEval.toFixed(0)} ms per population of ${P})`);
    }
    const largest = Math.max(...pops);
    if (args.includes('--kernels')) {
      await kernelProfile(async () => void await evaluateBlurPopulation(tf, population(largest), sampler, { sizes, unrollSteps: unroll, batchSize: batch, seed: 0 }));
    }

    if (grad) {
      const config = blurGenome.resolveConfig({});
      const flat = blurGenome.encode(genome, config);
      const opts = { sizes, unrollSteps: unroll, batchSize: batch, seed: 0 };
      const msGrad = await time(async () => void await metaLossAndGrad(tf, flat, flatBlurRule(config), sampler, opts), slow ? 1 : 3, slow ? 0 : 1000);
      console.log(`${info.backend.padEnd(5)} metaLossAndGrad U = ${unroll}: ${(1000 / msGrad).toFixed(2).padStart(7)} grads/s (${msGrad.toFixed(0)} ms)`);
    }
  }
  const workerCounts = args.includes('--workers') ? option(args, 'workers', '1,2').split(',').map(Number) : [];
  if (workerCounts.length > 0) {
    const P = Math.max(...pops);
    const job: WorkerJob = { blurBenchWorker: true, sizes, batch, unroll, P, warmups: Math.max(3, Math.round(96 / P)), reps: Math.max(4, Math.round(256 / P)) };
    let one: number | null = null;
    const rates = new Map<number, number[]>();
    const speedUps = new Map<number, number[]>();
    const push = (m: Map<number, number[]>, W: number, v: number): void => void m.set(W, [...(m.get(W) ?? []), v]);
    for (const W of workerCounts) {
      const r = await workersThroughput(W, job);
      if (W === 1) one = r.genomeSteps;
      push(rates, W, r.genomeSteps);
      if (one !== null && W !== 1) push(speedUps, W, r.genomeSteps / one);
      const speedUp = one !== null ? ` (${(r.genomeSteps / one).toFixed(2)}× one worker)` : '';
      console.log(`wasm  ${W} worker(s), P = ${P} each: ${r.genomeSteps.toFixed(0).padStart(5)} genome-steps/s${speedUp}, ${r.cores.toFixed(2)} cores busy, `
        + `${(r.genomeSteps / r.cores).toFixed(0)} genome-steps per CPU-second`);
    }
    // A shared machine's figures swing from one measurement to the next: alternate the counts (--workers 1,2,1,2,...)
    // and read the medians, each speed-up taken against the one-worker measurement just before it.
    if (workerCounts.length > 2) {
      for (const [W, list] of rates) {
        const s = speedUps.get(W);
        console.log(`wasm  ${W} worker(s), median of ${list.length}: ${median(list).toFixed(0)} genome-steps/s` + (s ? `, ${median(s).toFixed(2)}× the one-worker run before it (${Math.min(...s).toFixed(2)}–${Math.max(...s).toFixed(2)})` : ''));
      }
    }
  }
}
