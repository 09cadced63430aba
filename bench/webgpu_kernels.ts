/**
 * `npm run bench -- webgpu_kernels`: which TensorFlow.js kernels evometa's GPU workloads run (recorded with
 * tf.profile on the cpu backend, small sizes), and which of them TensorFlow.js's WebGPU backend does not register.
 * Those would fail on `--backend webgpu`; the README lists them, and a test keeps that list true.
 */
import { blurGenome, randomBlurGenome } from '../genomes/blur_genome.js';
import { Rng } from '../src/core/rng.js';
import { evaluateBlurPopulation, metaLossAndGrad, type BlurSampler } from '../src/models/blur/meta_objective.js';
import { HT_DEFAULTS } from '../src/models/ht/ht_config.js';
import { initFewShotModel } from '../src/models/ht/few_shot_model.js';
import { trainFewShot } from '../src/models/ht/ht_training.js';
import { resolveModularConfig } from '../src/models/modular/modular_config.js';
import { initHead, initModuleBank, initNetworkStats } from '../src/models/modular/modular_params.js';
import { trainStep } from '../src/models/modular/modular_training.js';
import { getTf, initBackend } from '../src/runtime/backend.js';
import { flatBlurRule } from '../tasks/blur/flat_blur_rule.js';
import { syntheticEpisodes } from './device.js';

const tf = getTf();

function sampler(): BlurSampler {
  const draw = (r: Rng, batch: number) => ({ x: Float32Array.from({ length: batch * 6 }, () => r.normal()), y: Float32Array.from({ length: batch * 2 }, (_, i) => (i % 2 ? 1 : -1)) });
  return { numInputs: 6, numOutputs: 2, support: (_s, r, b) => draw(r, b), query: draw };
}

const episode = syntheticEpisodes({ ...HT_DEFAULTS, imageSize: 16 });

/** The workloads the GPU backend is for, each once, at small sizes: what matters is which kernels they call. */
const WORKLOADS: Record<string, () => void> = {
  'BLUR population evaluation': () => {
    const rng = new Rng(1);
    evaluateBlurPopulation(tf, [randomBlurGenome(2, rng), randomBlurGenome(2, rng)], sampler(), { sizes: [6, 5, 2], unrollSteps: 2, batchSize: 4, seed: 0 });
  },
  'BLUR meta-gradient': () => {
    const config = blurGenome.resolveConfig({});
    metaLossAndGrad(tf, blurGenome.encode(randomBlurGenome(2, new Rng(2)), config), flatBlurRule(config), sampler(), { sizes: [6, 5, 2], unrollSteps: 2, batchSize: 4, seed: 0 });
  },
  'HyperTransformer training step': () => {
    const m = initFewShotModel(tf, 'hypertransformer', { ...HT_DEFAULTS, imageSize: 16, episodesPerStep: 1 }, 1);
    trainFewShot(tf, m, { steps: 1, episode });
  },
  'modular ResNet training step': () => {
    const c = resolveModularConfig({ channels: 4, blocks: 2, templates: 2 });
    const rng = new Rng(3);
    const bank = initModuleBank(tf, c, rng);
    const net = { bank, head: initHead(tf, c, 3, rng), ordering: { modules: [0, 1] }, stats: initNetworkStats(tf, c) };
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 4) as import('@tensorflow/tfjs').Tensor4D;
    const y = tf.tensor1d([0, 2], 'int32');
    const trainable = [bank.inputKernel, net.head.kernel].map((t) => tf.variable(t));
    trainStep(tf, c, { ...net, bank: { ...bank, inputKernel: trainable[0]! }, head: { ...net.head, kernel: trainable[1]! } } as never, tf.train.sgd(0.01), x, y, trainable);
  },
};

export interface KernelCoverage {
  /** Workload → the kernels it ran. */
  used: Record<string, string[]>;
  /** Workload → the kernels it ran that the webgpu backend lacks. */
  missing: Record<string, string[]>;
}

export async function webgpuKernelCoverage(): Promise<KernelCoverage> {
  await initBackend('cpu');
  await import('@tensorflow/tfjs-backend-webgpu'); // registers its kernels; needs no GPU
  const have = new Set(tf.getKernelsForBackend('webgpu').map((k) => k.kernelName));
  const used: Record<string, string[]> = {};
  const missing: Record<string, string[]> = {};
  for (const [name, run] of Object.entries(WORKLOADS)) {
    const p = await tf.profile(() => tf.tidy(run));
    // Names ending in __op are composite ops (custom gradients such as logSoftmax), built from the kernels listed.
    used[name] = [...new Set(p.kernelNames)].filter((k) => !k.endsWith('__op')).sort();
    missing[name] = used[name]!.filter((k) => !have.has(k));
  }
  return { used, missing };
}

export default async function webgpuKernels(): Promise<void> {
  const c = await webgpuKernelCoverage();
  for (const [name, kernels] of Object.entries(c.used)) {
    const miss = c.missing[name]!;
    console.log(`${name}: ${kernels.length} kernels; without a webgpu kernel: ${miss.length ? miss.join(', ') : 'none'}`);
  }
}
