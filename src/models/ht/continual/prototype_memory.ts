/**
 * The prototypical loss of the Continual HyperTransformer (Vladymyrov et al., TMLR 2024, §3): after task τ the
 * learner stores one prototype c_{τk} per class k of the task, the mean embedding of its support images under the
 * weights θ_τ of that time. Later queries are embedded with the current weights θ_t and scored by −‖f_{θ_t}(x) − c‖²
 * against a candidate set: the prototypes of the query's own task (task-incremental) or of every task so far
 * (class-incremental). Nothing else is kept: no image of a past task is stored or replayed.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { negSquaredDistances, prototypes } from '../protonet.js';
import type { Scenario } from './cht_config.js';

type Tf = typeof tfjs;

/** The prototypes one task left behind. */
export interface StoredPrototypes {
  /** Position of the task in its sequence (0-based). */
  task: number;
  /** [ways, embedding]: row k is c_{τk}. */
  protos: tfjs.Tensor2D;
  /** classes[k]: the source class of row k (the identity a query's prediction is checked against). */
  classes: readonly number[];
}

/** The rows a query of task `task` competes among once `stored` (tasks 0 … t) is in memory. */
export interface CandidateSet {
  protos: tfjs.Tensor2D;
  /** Source class of each row. */
  classes: number[];
  /** (task, k) of each row. */
  keys: [number, number][];
}

/** c_{τk} for one task: the class means of its support embeddings (labels 0 … ways−1). */
export function storePrototypes(tf: Tf, task: number, supportEmbeddings: tfjs.Tensor2D, labels: tfjs.Tensor1D, classes: readonly number[]): StoredPrototypes {
  return { task, protos: prototypes(tf, supportEmbeddings, labels, classes.length), classes: [...classes] };
}

/** Task-incremental: the query's task's own rows; class-incremental: every stored row, in task order. */
export function candidateSet(tf: Tf, stored: readonly StoredPrototypes[], scenario: Scenario, queryTask: number): CandidateSet {
  const rows = scenario === 'task-incremental' ? stored.filter((s) => s.task === queryTask) : stored;
  if (rows.length === 0) throw new Error(`no prototypes stored for task ${queryTask}`);
  return {
    protos: rows.length === 1 ? rows[0]!.protos : (tf.concat(rows.map((s) => s.protos), 0) as tfjs.Tensor2D),
    classes: rows.flatMap((s) => s.classes),
    keys: rows.flatMap((s) => s.classes.map((_, k) => [s.task, k] as [number, number])),
  };
}

/**
 * [Q, P] 0/1: row q marks the candidates of query q's source class. In the class-incremental case a class that came
 * back in a later task owns several rows; the loss puts the query's probability mass on all of them together.
 */
export function classMatches(tf: Tf, queryClasses: readonly number[], candidateClasses: readonly number[]): tfjs.Tensor2D {
  const m = new Float32Array(queryClasses.length * candidateClasses.length);
  queryClasses.forEach((y, q) => candidateClasses.forEach((c, j) => (m[q * candidateClasses.length + j] = c === y ? 1 : 0)));
  return tf.tensor2d(m, [queryClasses.length, candidateClasses.length]);
}

/**
 * Mean over queries of −log Σ_{j: class j = y} softmax_j(−‖e − c_j‖²). Every query's class must be among the
 * candidates (it is: its own task's prototypes are always in the set).
 */
export function prototypicalLoss(tf: Tf, queryEmbeddings: tfjs.Tensor2D, candidates: CandidateSet, queryClasses: readonly number[]): tfjs.Scalar {
  const logits = negSquaredDistances(tf, queryEmbeddings, candidates.protos);
  const match = classMatches(tf, queryClasses, candidates.classes);
  const all = tf.logSumExp(logits, 1);
  // The non-matching entries are pushed to −1e9 before the log-sum-exp, so only the query's class counts.
  const own = tf.logSumExp(tf.add(logits, tf.mul(tf.sub(match, 1), 1e9)), 1);
  return tf.mean(tf.sub(all, own)) as tfjs.Scalar;
}

/** Fraction of queries whose nearest candidate prototype is of their own source class. */
export function prototypeAccuracy(tf: Tf, queryEmbeddings: tfjs.Tensor2D, candidates: CandidateSet, queryClasses: readonly number[]): number {
  const nearest = tf.tidy(() => tf.argMax(negSquaredDistances(tf, queryEmbeddings, candidates.protos), 1).dataSync());
  let correct = 0;
  queryClasses.forEach((y, q) => (correct += candidates.classes[nearest[q]!] === y ? 1 : 0));
  return correct / queryClasses.length;
}
