/** Module banks small enough for tests: one to pretrain in a few seconds on wasm, one built without any data. */
import type * as tfjs from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.js';
import { estimateStats } from '../../src/models/modular/bank_evaluation.js';
import { resolveModularConfig } from '../../src/models/modular/modular_config.js';
import { initHead, initMixtureLogits, initModuleBank } from '../../src/models/modular/modular_params.js';
import { BANK_FORMAT, BANK_VERSION, disposeModuleBank, saveModuleBank, type BankTrainingOptions, type LoadedModuleBank } from '../../src/models/modular/module_bank.js';
import { pretrainModuleBank } from '../../src/workflows/pretrain_bank.js';
import { join } from 'node:path';
import { tempDir } from './run_files.js';

/** 28×28 input to 7×7 tensors of 4 channels, 3 positions, 3 modules; two source domains, 60 steps. */
export const TINY_BANK: Partial<BankTrainingOptions> = {
  domains: ['plain', 'inverted'],
  steps: 60,
  hardSteps: 15,
  batchSize: 16,
  learningRate: 2e-2,
  trainSamples: 400,
  validation: 50,
  testSamples: 100,
  statsSamples: 64,
  seed: 3,
  network: { channels: 4, expansion: 2, blocks: 3, templates: 3, features: 8 },
};

/** TINY_BANK pretrained (a few seconds on wasm) and saved in a new temporary folder, whose path it returns. */
export async function savedTinyBank(tf: typeof tfjs): Promise<string> {
  const { bank } = await pretrainModuleBank(tf, TINY_BANK);
  const dir = join(tempDir(), 'bank');
  await saveModuleBank(tf, dir, bank);
  disposeModuleBank(tf, bank);
  return dir;
}

/** `n` images of 28×28 pixels, uniform in [0, 1), from a seed. */
export function randomImages(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * 28 * 28 }, () => rng.uniform());
}

/**
 * A bank of TINY_BANK's network, initialised (not trained) from `seed`, with one source domain per name: random
 * logits, a 10-class head, an ordering, and running statistics estimated on random images (so that they differ from
 * the defaults). What the format needs to round-trip, without drawing any data set.
 */
export function untrainedBank(tf: typeof tfjs, domains: readonly string[], seed = 5): LoadedModuleBank {
  const config = resolveModularConfig(TINY_BANK.network);
  const rng = new Rng(seed);
  const bank = initModuleBank(tf, config, rng);
  const sources = domains.map((name, k) => {
    const ordering = Array.from({ length: config.blocks }, (_, l) => (l + k) % config.templates);
    const head = initHead(tf, config, 10, rng);
    return { name, logits: initMixtureLogits(tf, config, rng), head, ordering, stats: estimateStats(tf, config, bank, { modules: ordering }, randomImages(16, seed + k), head) };
  });
  const training: BankTrainingOptions = {
    domains: [...domains], steps: 0, hardSteps: 0, batchSize: 1, learningRate: 1, temperature: [1, 1], trainSamples: 2, validation: 1, testSamples: 1,
    statsSamples: 16, seed, network: config,
  };
  return {
    config,
    bank,
    domains: sources,
    manifest: {
      format: BANK_FORMAT,
      version: BANK_VERSION,
      createdAt: new Date(0).toISOString(),
      config,
      sourceDomains: [...domains],
      domains: sources.map((d) => ({ name: d.name, ordering: d.ordering, mixture: [], validationAccuracy: 0, testAccuracy: 0 })),
      training: { ...training, finalLoss: 0, wallSeconds: 0, backend: tf.getBackend() },
      weightsManifest: [],
      weightsBytes: 0,
      weightsSha256: '',
    },
  };
}
