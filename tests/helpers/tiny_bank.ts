/** A module bank small enough to pretrain in a few seconds on wasm, for the module-ordering tests. */
import type { BankTrainingOptions } from '../../src/models/modular/module_bank.js';

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
