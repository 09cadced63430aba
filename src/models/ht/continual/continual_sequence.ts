/**
 * One pass over a sequence of few-shot tasks, as the Continual HyperTransformer meets them (Vladymyrov et al.,
 * TMLR 2024, §3): for t = 1 … T the learner makes its CNN θ_t from task t's support set (and θ_{t−1}), stores task t's
 * prototypes under θ_t, and is scored on the queries of every task τ ≤ t against the prototypes stored so far.
 * The training loss is the mean of those T(T+1)/2 terms, so the loss at task T back-propagates through the whole
 * recursion into the generator's use at task 1.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { CnnWeights } from '../hypertransformer.js';
import { imagesTensor } from '../target_cnn.js';
import type { FewShotEpisode } from '../few_shot_model.js';
import type { Scenario } from './cht_config.js';
import { embedImages, freezeStats, taskWeights, type ContinualModel, type TaskCnn } from './continual_model.js';
import { candidateSet, prototypeAccuracy, prototypicalLoss, storePrototypes, type StoredPrototypes } from './prototype_memory.js';

type Tf = typeof tfjs;

/** One task of a sequence: a few-shot episode and the source class of each of its labels. */
export interface ContinualTask extends FewShotEpisode {
  /** classes[k] is the source class of episode label k. */
  classes: readonly number[];
}

export interface SequencePass {
  /** Mean prototypical loss over every (t, τ ≤ t) pair. */
  loss: tfjs.Scalar;
  /** accuracy[t][τ]: task τ's query accuracy with the learner as it is after task t (τ ≤ t); empty unless asked. */
  accuracy: number[][];
  /** The CNN of each step, for inspection (tests); tensors belong to the caller's scope. */
  weights: TaskCnn[];
}

export interface SequenceOptions {
  scenario: Scenario;
  /** Read the accuracies (a device read per pair; training leaves it off). */
  accuracy?: boolean;
}

interface TaskTensors {
  supportX: tfjs.Tensor4D;
  supportLabels: tfjs.Tensor1D;
  queryX: tfjs.Tensor4D;
  queryClasses: number[];
}

function taskTensors(tf: Tf, task: ContinualTask, side: number): TaskTensors {
  return {
    supportX: imagesTensor(tf, task.support.x, side),
    supportLabels: tf.tensor1d(Int32Array.from(task.support.labels), 'int32'),
    queryX: imagesTensor(tf, task.query.x, side),
    queryClasses: Array.from(task.query.labels, (k) => task.classes[k]!),
  };
}

/** Runs the learner over `tasks` in order; call inside tf.tidy or a gradient function (it allocates freely). */
export function runSequence(tf: Tf, m: ContinualModel, tasks: readonly ContinualTask[], o: SequenceOptions): SequencePass {
  const stored: StoredPrototypes[] = [];
  const seen: TaskTensors[] = [];
  const weights: TaskCnn[] = [];
  const accuracy: number[][] = [];
  let total: tfjs.Scalar = tf.scalar(0);
  let terms = 0;
  let previous: CnnWeights | null = null;
  tasks.forEach((task, t) => {
    const tt = taskTensors(tf, task, m.config.imageSize);
    seen.push(tt);
    const w = taskWeights(tf, m, tt.supportX, tt.supportLabels, previous);
    const cnn = freezeStats(tf, m, w, tt.supportX);
    weights.push(cnn);
    stored.push(storePrototypes(tf, t, embedImages(tf, m, cnn, tt.supportX), tt.supportLabels, task.classes));
    const row: number[] = [];
    seen.forEach((q, tau) => {
      const candidates = candidateSet(tf, stored, o.scenario, tau);
      const e = embedImages(tf, m, cnn, q.queryX);
      total = tf.add(total, prototypicalLoss(tf, e, candidates, q.queryClasses));
      terms++;
      if (o.accuracy) row.push(prototypeAccuracy(tf, e, candidates, q.queryClasses));
    });
    if (o.accuracy) accuracy.push(row);
    previous = w;
  });
  return { loss: tf.div(total, Math.max(1, terms)) as tfjs.Scalar, accuracy, weights };
}

/** After each task t: the mean accuracy over the tasks seen so far (the paper's curve). */
export function seenSoFar(accuracy: readonly (readonly number[])[]): number[] {
  return accuracy.map((row) => row.reduce((a, v) => a + v, 0) / row.length);
}

/**
 * Backward transfer (Lopez-Paz & Ranzato, "Gradient Episodic Memory for Continual Learning", §5): the mean over
 * τ < T of acc[T][τ] − acc[τ][τ]; positive when learning later tasks improved the earlier ones.
 */
export function backwardTransfer(accuracy: readonly (readonly number[])[]): number {
  const last = accuracy.length - 1;
  if (last < 1) return 0;
  let sum = 0;
  for (let tau = 0; tau < last; tau++) sum += accuracy[last]![tau]! - accuracy[tau]![tau]!;
  return sum / last;
}
