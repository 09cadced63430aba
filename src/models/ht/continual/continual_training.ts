/**
 * Meta-training of a continual learner by unrolling task sequences (Vladymyrov et al., TMLR 2024, §3): each step
 * averages the sequence loss over `episodesPerStep` sequences and moves every parameter by the optimiser, with the
 * HT's learning-rate schedule. A checkpoint is chosen by a meta-validation score only (the caller's function, run
 * every `validateEvery` steps on classes training never sees), so the held-out test is read once, at the end.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { disposeTree, mapTree } from '../../nn/tensor_tree.js';
import { optimiseParams, summarize } from '../ht_training.js';
import { backwardTransfer, runSequence, seenSoFar, type ContinualTask } from './continual_sequence.js';
import type { ContinualModel } from './continual_model.js';
import type { Scenario } from './cht_config.js';

type Tf = typeof tfjs;

export interface ContinualProgress {
  step: number;
  loss: number;
  learningRate: number;
}

export interface ValidationPoint {
  step: number;
  /** Higher is better (the caller's meta-validation accuracy). */
  score: number;
}

export interface ContinualTrainOptions {
  steps: number;
  /** Training sequence `i` (sequences of step s are s·E … s·E + E − 1). */
  sequence: (i: number) => ContinualTask[];
  /** Meta-validation: scored after every `every` steps and at the end; the best-scoring parameters are kept. */
  validate?: { every: number; score: (m: ContinualModel) => number };
  onStep?: (p: ContinualProgress) => void;
  onValidate?: (p: ValidationPoint) => void;
}

export interface ContinualTrainResult {
  history: ContinualProgress[];
  validation: ValidationPoint[];
  /** The step whose parameters the model holds at the end (the last step without validation). */
  chosenStep: number;
}

/** Trains the model in place (its parameters become variables, then the chosen checkpoint's tensors). */
export async function trainContinual(tf: Tf, m: ContinualModel, o: ContinualTrainOptions): Promise<ContinualTrainResult> {
  const c = m.config;
  const history: ContinualProgress[] = [];
  const validation: ValidationPoint[] = [];
  let best: { step: number; score: number; params: ContinualModel['params'] } | null = null;
  const checkpoint = (step: number): void => {
    const score = o.validate!.score(m);
    validation.push({ step, score });
    o.onValidate?.({ step, score });
    if (best === null || score > best.score) {
      if (best) disposeTree(tf, best.params);
      best = { step, score, params: mapTree(tf, m.params, (t) => t.clone()) };
    }
  };
  const loss = (step: number): tfjs.Scalar => {
    let total: tfjs.Scalar = tf.scalar(0);
    for (let e = 0; e < c.episodesPerStep; e++) {
      total = tf.add(total, runSequence(tf, m, o.sequence(step * c.episodesPerStep + e), { scenario: m.settings.scenario }).loss);
    }
    return tf.div(total, c.episodesPerStep) as tfjs.Scalar;
  };
  await optimiseParams(tf, m, o.steps, loss, (step, value, learningRate) => {
    const p = { step, loss: value, learningRate };
    history.push(p);
    o.onStep?.(p);
    if (o.validate && (step % o.validate.every === 0 || step === o.steps)) checkpoint(step);
  });
  const chosen = best as { step: number; params: ContinualModel['params'] } | null;
  if (!chosen) return { history, validation, chosenStep: o.steps };
  disposeTree(tf, m.params);
  m.params = chosen.params;
  return { history, validation, chosenStep: chosen.step };
}

export interface ContinualScore {
  sequences: number;
  tasks: number;
  scenario: Scenario;
  /** After each task t (index t − 1): mean accuracy over tasks 1 … t, averaged over sequences. */
  seenSoFar: number[];
  /** 95 % half-width of each seenSoFar entry over sequences. */
  ci95: number[];
  /** acc[t][τ] averaged over sequences. */
  matrix: number[][];
  /** Backward transfer over the whole sequence, averaged over sequences, and its 95 % half-width. */
  backwardTransfer: number;
  backwardTransferCi95: number;
}

/** Scores the learner on `count` sequences of `tasks` tasks each; no parameter changes. */
export function evaluateContinual(
  tf: Tf, m: ContinualModel, sequence: (i: number) => ContinualTask[], count: number, scenario: Scenario, onSequence?: (done: number) => void,
): ContinualScore {
  const curves: number[][] = [];
  const bwt: number[] = [];
  let matrix: number[][] = [];
  for (let i = 0; i < count; i++) {
    const acc = tf.tidy(() => runSequence(tf, m, sequence(i), { scenario, accuracy: true }).accuracy);
    curves.push(seenSoFar(acc));
    bwt.push(backwardTransfer(acc));
    matrix = i === 0 ? acc.map((r) => r.map((v) => v / count)) : matrix.map((r, t) => r.map((v, tau) => v + acc[t]![tau]! / count));
    onSequence?.(i + 1);
  }
  const tasks = curves[0]?.length ?? 0;
  const per = Array.from({ length: tasks }, (_, t) => summarize(curves.map((c) => c[t]!)));
  const b = summarize(bwt);
  return { sequences: count, tasks, scenario, seenSoFar: per.map((s) => s.mean), ci95: per.map((s) => s.ci95), matrix, backwardTransfer: b.mean, backwardTransferCi95: b.ci95 };
}
