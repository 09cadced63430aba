/**
 * Data for replaying a rule: train (the steps' batches), validation (to pick baseline learning rates)
 * and test (only for the reported accuracies). Image datasets or generated 2-D Boolean functions.
 */
import { deriveSeed, Rng } from '../../core/rng.js';
import { UsageError } from '../../core/errors.js';
import { loadImageDataset } from '../../data/registry.js';
import { IMAGE_DATASETS } from '../../data/registry.js';
import { makeSplit, withValidation, type ImageSplit } from '../../data/image_dataset.js';
import { BOOLEAN_FUNCTIONS, sampleBoolean } from '../../data/boolean_functions.js';

export interface ReplayData {
  name: string;
  inputs: number;
  classes: number;
  train: ImageSplit;
  validation: ImageSplit;
  test: ImageSplit;
}

export interface ReplayDataOptions {
  task: string;
  downsample: number;
  /** Keep these classes (relabelled 0…k−1); default all. */
  classes: number[] | null;
  trainSamples: number;
  validation: number;
  testSamples: number;
}

export const REPLAY_TASKS: readonly string[] = [...IMAGE_DATASETS, ...BOOLEAN_FUNCTIONS];

/** How many classes a replay task has (before loading it): 2 for a Boolean function, else the kept classes or 10. */
export function replayClasses(task: string, classes: readonly number[] | null): number {
  if ((BOOLEAN_FUNCTIONS as readonly string[]).includes(task)) return 2;
  return classes ? classes.length : 10;
}

function booleanSplit(name: string, n: number, seed: number): ImageSplit {
  const b = sampleBoolean(name, n, new Rng(seed));
  return makeSplit(b.x, Uint8Array.from(b.y, (v) => (v > 0 ? 1 : 0)), 2);
}

export function loadReplayData(o: ReplayDataOptions): ReplayData {
  if ((BOOLEAN_FUNCTIONS as readonly string[]).includes(o.task)) {
    return {
      name: o.task,
      inputs: 2,
      classes: 2,
      train: booleanSplit(o.task, o.trainSamples, deriveSeed(0, 'replay-train', o.task)),
      validation: booleanSplit(o.task, o.validation, deriveSeed(0, 'replay-validation', o.task)),
      test: booleanSplit(o.task, o.testSamples, deriveSeed(0, 'replay-test', o.task)),
    };
  }
  if (!(IMAGE_DATASETS as readonly string[]).includes(o.task)) throw new UsageError(`unknown replay task '${o.task}'; valid tasks: ${REPLAY_TASKS.join(', ')}`);
  const ds = loadImageDataset(o.task, {
    train: o.trainSamples + o.validation,
    test: o.testSamples,
    downsample: o.downsample,
    ...(o.classes ? { classes: o.classes } : {}),
  });
  const split = withValidation(ds, o.validation, new Rng(deriveSeed(0, 'replay-validation', o.task)));
  return { name: o.task, inputs: ds.width * ds.height, classes: ds.numClasses, train: split.train, validation: split.validation, test: ds.test };
}
