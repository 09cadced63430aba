/**
 * The setting a BLUR task meta-trains a rule in (`Task.trainingSetting`): the network's layer sizes, how targets are
 * encoded, the learning steps and batch of the inner loop. A genome file exported from a run records it as
 * `meta.trainedOn`, and `evometa replay` rebuilds that network unless a flag overrides a value, so a rule is first
 * seen in the setting it was selected in (a rule meta-trained on 2-20-1 with one ±1 output is not the same
 * optimiser on a 2-20-2 one-hot network).
 */
import { BOOLEAN_FUNCTIONS, getBooleanTaskFunction } from '../../src/data/boolean_functions.js';

/** 'signed': one output with a ±1 target (binary tasks); 'one-hot': one output per class, +1 at the class, −1 elsewhere. */
export const BLUR_OUTPUT_ENCODINGS = ['signed', 'one-hot'] as const;
export type BlurOutputEncoding = (typeof BLUR_OUTPUT_ENCODINGS)[number];

export interface BlurTrainingSetting {
  /** Layer sizes [inputs, hidden…, outputs], e.g. [2, 20, 1]. */
  layers: number[];
  outputs: BlurOutputEncoding;
  /** Learning steps per network: unrollSteps − 1 (the last unrolled step is forward only, papers.md §1.2). */
  steps: number;
  unrollSteps: number;
  /** Support batch per learning step. */
  batchSize: number;
  /** The `evometa replay --task` a replay runs by default: data like the meta-training data that was not trained on. */
  replayTask: string;
  /** Image tasks: the downsampling factor of the images (the input size is (28 / downsample)²). */
  downsample?: number;
}

interface InnerLoop {
  hidden: number[];
  unrollSteps: number;
  batchSize: number;
}

/**
 * Boolean functions: the first training function's inputs (2, or 3 for the 3-input functions), one ±1 output. The
 * replay task is the first held-out function, else the first Boolean function not trained on.
 */
export function booleanTrainingSetting(c: InnerLoop & { train: readonly string[]; heldOut: readonly string[] }): BlurTrainingSetting {
  const replayTask = c.heldOut[0] ?? BOOLEAN_FUNCTIONS.find((f) => !c.train.includes(f)) ?? c.train[0] ?? 'and';
  const inputs = c.train[0] !== undefined ? getBooleanTaskFunction(c.train[0]).inputs : 2;
  return { layers: [inputs, ...c.hidden, 1], outputs: 'signed', steps: c.unrollSteps - 1, unrollSteps: c.unrollSteps, batchSize: c.batchSize, replayTask };
}

/** Image episodes of `ways` classes, one-hot; the replay task is the other 28×28 dataset. */
export function imageTrainingSetting(c: InnerLoop & { dataset: string; ways: number; downsample: number }): BlurTrainingSetting {
  const side = 28 / c.downsample;
  return {
    layers: [side * side, ...c.hidden, c.ways],
    outputs: 'one-hot',
    steps: c.unrollSteps - 1,
    unrollSteps: c.unrollSteps,
    batchSize: c.batchSize,
    replayTask: c.dataset === 'mnist' ? 'fashion-mnist' : 'mnist',
    downsample: c.downsample,
  };
}
