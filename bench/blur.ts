/**
 * `npm run bench -- blur [--sizes 784,100,10] [--batch 32] [--steps 50] [--unroll 10] [--pops 1,8,32]
 * [--backends wasm,cpu] [--grad]`: BLUR inner steps/s of one genome (k = 2), and genome evaluations/s
 * (U unrolled steps + a query batch) with P genomes batched on the population axis, per backend.
 * With --grad it also times metaLossAndGrad (the meta-gradient through the unroll) for one genome.
 */
import { initBackend, getTf, type BackendName } from '../src/runtime/backend.js';
import { Rng } from '../src/core/rng.js';
import { blurGenome, randomBlurGenome } from '../genomes/blur_genome.js';
import { BlurNetwork } from '../src/models/blur/blur_network.js';
import { evaluateBlurPopulation, metaLossAndGrad, type BlurBatch, type BlurSampler } from '../src/models/blur/meta_objective.js';
import { flatBlurRule } from '../tasks/blur/flat_blur_rule.js';

const tf = getTf();

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

/** Gaussian inputs and ±1 one-hot targets cut from a fixed pool, so data generation stays off the clock. */
function poolSampler(numInputs: number, numOutputs: number): BlurSampler {
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

function time(fn: () => void, reps: number): number {
  fn(); // warm-up: kernel setup, heap growth
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
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
    const ms = time(() => net.step(xt, yt), reps);
    tf.tidy(() => tf.sum(net.synapses.input.w).dataSync()); // everything has run (cpu and wasm are synchronous anyway)
    const leaked = tf.memory().numTensors - before;
    net.dispose();
    tf.dispose([xt, yt]);
    console.log(`${info.backend.padEnd(5)} inner step, P = 1: ${(1000 / ms).toFixed(1).padStart(7)} steps/s (${ms.toFixed(2)} ms/step over ${reps}), tensors leaked ${leaked}`);

    for (const P of pops) {
      const rng = new Rng(P);
      const genomes = Array.from({ length: P }, () => randomBlurGenome(2, rng));
      const opts = { sizes, unrollSteps: unroll, batchSize: batch, seed: 0 };
      const evalReps = slow ? 1 : Math.max(2, Math.round(16 / P));
      const msEval = time(() => void evaluateBlurPopulation(tf, genomes, sampler, opts), evalReps);
      console.log(`${info.backend.padEnd(5)} evaluation U = ${unroll} + query, P = ${String(P).padStart(2)}: `
        + `${((1000 * P) / msEval).toFixed(2).padStart(7)} genome-evals/s (${msEval.toFixed(0)} ms per population of ${P})`);
    }

    if (grad) {
      const config = blurGenome.resolveConfig({});
      const flat = blurGenome.encode(genome, config);
      const opts = { sizes, unrollSteps: unroll, batchSize: batch, seed: 0 };
      const msGrad = time(() => void metaLossAndGrad(tf, flat, flatBlurRule(config), sampler, opts), slow ? 1 : 3);
      console.log(`${info.backend.padEnd(5)} metaLossAndGrad U = ${unroll}: ${(1000 / msGrad).toFixed(2).padStart(7)} grads/s (${msGrad.toFixed(0)} ms)`);
    }
  }
}
