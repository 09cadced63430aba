/**
 * Adapting a pretrained module bank to a target domain (issue 4 §4): the one evaluation that the
 * `ordering-transfer` task, `evometa replay` for orderings and the orderings bench share, so their numbers agree.
 *
 * `evaluateTransfer(tf, c, bank, ordering, data, settings)` fits for a fixed budget and reports validation and test
 * accuracy. What is fitted (`settings.fit`):
 * - 'head': the modules and their batch-norm γ/β stay frozen. The running statistics of every position are set to the
 *   moments of `statsSamples` target training images under the ordering (one training-mode pass), the pooled
 *   features of every image are computed once in inference mode, and a fresh dense head is fitted on them by
 *   `headSteps` Adam steps of `batchSize` examples. Cheap: one forward pass per image, no backpropagation through
 *   the network.
 * - 'batchnorm': the head and a copy of every batch-norm γ/β (the input adapter's and the templates') train together
 *   through the network for `headSteps` steps of `batchSize` images, the running statistics moving with each step.
 * - 'all': full fine-tuning, every parameter of a copy of the bank and the head (the upper bound), same budget.
 * The ordering can be hard ({modules}) or a soft mixture ({logits}); a mixture's logits are not trained here (see
 * `fitMixtureLogits`, the paper's method). Everything random (head init, batches, the statistics' images) is derived
 * from `settings.seed`, so the result is a deterministic function of the ordering on a given backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { deriveSeed, Rng } from '../../src/core/rng.js';
import type { ModularResNetConfig } from '../../src/models/modular/modular_config.js';
import { initHead, initNetworkStats, type DomainHead, type ModuleBank, type NetworkStats } from '../../src/models/modular/modular_params.js';
import type { Ordering } from '../../src/models/modular/mixture.js';
import { modularForward, softmaxCrossEntropy } from '../../src/models/modular/modular_resnet.js';
import { batchTensors, trainStep, type ModularNetwork } from '../../src/models/modular/modular_training.js';
import { adoptAsVariables, disposeTree, toVariables, treeVariables } from '../../src/models/nn/tensor_tree.js';
import { readScalars } from '../../src/models/nn/read_scalars.js';
import { estimateStats } from '../../src/models/modular/bank_evaluation.js';
import { gather, sampleWithoutReplacement, takeRandom, type ImageSplit } from '../../src/data/image_dataset.js';

type Tf = typeof tfjs;

export type TransferFit = 'head' | 'batchnorm' | 'all';

export interface TransferSettings {
  fit: TransferFit;
  /** Optimiser steps of the fit (the "head budget"). */
  headSteps: number;
  batchSize: number;
  /** Adam learning rate of the fit. */
  learningRate: number;
  /** Target training images whose moments set the running statistics ('head' fit). */
  statsSamples: number;
  seed: number;
}

export const TRANSFER_DEFAULTS: Readonly<TransferSettings> = Object.freeze({
  fit: 'head',
  headSteps: 100,
  batchSize: 32,
  learningRate: 1e-2,
  statsSamples: 256,
  seed: 0,
});

/** A target domain's splits: train for the fit, validation for the fitness, test for reports only. */
export interface TransferData {
  numClasses: number;
  train: ImageSplit;
  validation: ImageSplit;
  /** Held out from every search; null skips the test accuracy. */
  test: ImageSplit | null;
}

export interface TransferResult {
  validationAccuracy: number;
  /** NaN without a test split. */
  testAccuracy: number;
  /** Mean cross-entropy on the validation split. */
  validationLoss: number;
  /** Mean training loss over the last tenth of the fit. */
  trainLoss: number;
}

/** Pooled features [n, F] of a split in inference mode, in chunks. */
export async function splitFeatures(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, stats: NetworkStats, images: Float32Array, chunk = 250): Promise<Float32Array> {
  const p = c.inputHeight * c.inputWidth * c.inputChannels;
  const n = images.length / p;
  const out = new Float32Array(n * c.features);
  const head: DomainHead = tf.tidy(() => ({ kernel: tf.zeros([c.features, 1]) as tfjs.Tensor2D, bias: tf.zeros([1]) as tfjs.Tensor1D }));
  for (let at = 0; at < n; at += chunk) {
    const m = Math.min(chunk, n - at);
    const f = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(at * p, (at + m) * p), [m, c.inputHeight, c.inputWidth, c.inputChannels]);
      return modularForward(tf, c, bank, ordering, head, x, { training: false, stats }).features;
    });
    try {
      out.set((await f.data()) as Float32Array, at * c.features);
    } finally {
      f.dispose();
    }
  }
  disposeTree(tf, head);
  return out;
}

/**
 * Correct arg-max predictions against `labels` and the cross-entropy, read asynchronously (the WebGPU backend has
 * no synchronous read in Node.js); both tensors are disposed.
 */
async function readScores(tf: Tf, pred: tfjs.Tensor, loss: tfjs.Tensor, labels: ArrayLike<number>): Promise<{ hits: number; loss: number }> {
  try {
    const p = await pred.data();
    let hits = 0;
    for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) hits++;
    return { hits, loss: (await loss.data())[0]! };
  } finally {
    tf.dispose([pred, loss]);
  }
}

/** Accuracy and mean cross-entropy of a dense head on features [n, F]. */
async function headScores(tf: Tf, head: DomainHead, features: Float32Array, labels: Uint8Array, F: number): Promise<{ accuracy: number; loss: number }> {
  const n = labels.length;
  if (n === 0) return { accuracy: NaN, loss: NaN };
  const [pred, loss] = tf.tidy(() => {
    const logits = tf.add(tf.matMul(tf.tensor2d(features, [n, F]), head.kernel), head.bias) as tfjs.Tensor2D;
    const y = tf.tensor1d(Int32Array.from(labels), 'int32');
    return [tf.argMax(logits, 1), softmaxCrossEntropy(tf, logits, y)];
  });
  const r = await readScores(tf, pred, loss, labels);
  return { accuracy: r.hits / n, loss: r.loss };
}

function checkData(c: ModularResNetConfig, data: TransferData): void {
  const p = c.inputHeight * c.inputWidth * c.inputChannels;
  for (const [name, s] of [['train', data.train], ['validation', data.validation], ['test', data.test]] as const) {
    if (s && s.images.length !== s.labels.length * p) throw new RangeError(`target ${name} images are not ${c.inputHeight}×${c.inputWidth}×${c.inputChannels}`);
  }
}

/** Fits a head on frozen features (the 'head' fit). */
async function evaluateHeadOnly(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, data: TransferData, s: TransferSettings): Promise<TransferResult> {
  const nTrain = data.train.labels.length;
  const statsImages = takeRandom(data.train, Math.min(s.statsSamples, nTrain), new Rng(deriveSeed(s.seed, 'transfer-stats'))).images;
  const stats = estimateStats(tf, c, bank, ordering, statsImages);
  const F = c.features;
  const trainF = await splitFeatures(tf, c, bank, ordering, stats, data.train.images);
  const valF = await splitFeatures(tf, c, bank, ordering, stats, data.validation.images);
  const testF = data.test ? await splitFeatures(tf, c, bank, ordering, stats, data.test.images) : null;
  disposeTree(tf, stats);
  const head = adoptAsVariables(tf, initHead(tf, c, data.numClasses, new Rng(deriveSeed(s.seed, 'transfer-head'))));
  const opt = tf.train.adam(s.learningRate);
  const batchRng = new Rng(deriveSeed(s.seed, 'transfer-batches'));
  const B = Math.min(s.batchSize, nTrain);
  const tail: number[] = [];
  const vars = treeVariables(tf, head);
  for (let step = 0; step < s.headSteps; step++) {
    const idx = sampleWithoutReplacement(nTrain, B, batchRng);
    const xb = new Float32Array(B * F);
    const yb = new Int32Array(B);
    idx.forEach((i, k) => {
      xb.set(trainF.subarray(i * F, (i + 1) * F), k * F);
      yb[k] = data.train.labels[i]!;
    });
    const costT = opt.minimize(() => {
      const logits = tf.add(tf.matMul(tf.tensor2d(xb, [B, F]), head.kernel), head.bias) as tfjs.Tensor2D;
      return softmaxCrossEntropy(tf, logits, tf.tensor1d(yb, 'int32'));
    }, true, vars)!;
    const [cost] = await readScalars(tf, [costT]);
    if (step >= s.headSteps - Math.max(1, Math.ceil(s.headSteps / 10))) tail.push(cost!);
  }
  opt.dispose();
  const val = await headScores(tf, head, valF, data.validation.labels, F);
  const test = testF && data.test ? await headScores(tf, head, testF, data.test.labels, F) : { accuracy: NaN, loss: NaN };
  disposeTree(tf, head);
  return { validationAccuracy: val.accuracy, testAccuracy: test.accuracy, validationLoss: val.loss, trainLoss: mean(tail) };
}

function mean(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** The bank with the parameters that train in this fit as variables (copies), the rest shared as is. */
function trainableBank(tf: Tf, bank: ModuleBank, fit: 'batchnorm' | 'all'): { bank: ModuleBank; owned: unknown } {
  if (fit === 'all') {
    const b = toVariables(tf, bank);
    return { bank: b, owned: b };
  }
  const v = (t: tfjs.Tensor) => tf.variable(t, true);
  const t = bank.templates;
  const owned = {
    inputGamma: v(bank.inputGamma), inputBeta: v(bank.inputBeta),
    gamma1: v(t.gamma1), beta1: v(t.beta1), gamma2: v(t.gamma2), beta2: v(t.beta2), gamma3: v(t.gamma3), beta3: v(t.beta3),
  };
  return {
    bank: {
      ...bank,
      inputGamma: owned.inputGamma as tfjs.Tensor1D,
      inputBeta: owned.inputBeta as tfjs.Tensor1D,
      templates: {
        ...t,
        gamma1: owned.gamma1 as tfjs.Tensor2D, beta1: owned.beta1 as tfjs.Tensor2D,
        gamma2: owned.gamma2 as tfjs.Tensor2D, beta2: owned.beta2 as tfjs.Tensor2D,
        gamma3: owned.gamma3 as tfjs.Tensor2D, beta3: owned.beta3 as tfjs.Tensor2D,
      },
    },
    owned,
  };
}

/** Mean cross-entropy and accuracy of a network on a split with its running statistics, in chunks. */
async function networkScores(tf: Tf, c: ModularResNetConfig, net: ModularNetwork, split: ImageSplit): Promise<{ accuracy: number; loss: number }> {
  const n = split.labels.length;
  if (n === 0) return { accuracy: NaN, loss: NaN };
  const p = c.inputHeight * c.inputWidth * c.inputChannels;
  let correct = 0;
  let lossSum = 0;
  for (let at = 0; at < n; at += 250) {
    const m = Math.min(250, n - at);
    const labels = split.labels.subarray(at, at + m);
    const [pred, loss] = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(at * p, (at + m) * p), [m, c.inputHeight, c.inputWidth, c.inputChannels]);
      const y = tf.tensor1d(Int32Array.from(labels), 'int32');
      const r = modularForward(tf, c, net.bank, net.ordering, net.head, x, { training: false, stats: net.stats });
      return [tf.argMax(r.logits, 1), softmaxCrossEntropy(tf, r.logits, y)];
    });
    const r = await readScores(tf, pred, loss, labels);
    correct += r.hits;
    lossSum += r.loss * m;
  }
  return { accuracy: correct / n, loss: lossSum / n };
}

/** Trains head plus batch norm, or everything, through the network (the 'batchnorm' and 'all' fits). */
async function evaluateThroughNetwork(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, data: TransferData, s: TransferSettings & { fit: 'batchnorm' | 'all' }): Promise<TransferResult> {
  const { bank: tb, owned } = trainableBank(tf, bank, s.fit);
  const head = adoptAsVariables(tf, initHead(tf, c, data.numClasses, new Rng(deriveSeed(s.seed, 'transfer-head'))));
  const net: ModularNetwork = { bank: tb, ordering, head, stats: initNetworkStats(tf, c) };
  const vars = [...treeVariables(tf, owned), ...treeVariables(tf, head)];
  const opt = tf.train.adam(s.learningRate);
  const batchRng = new Rng(deriveSeed(s.seed, 'transfer-batches'));
  const nTrain = data.train.labels.length;
  const B = Math.min(s.batchSize, nTrain);
  const tail: number[] = [];
  try {
    for (let step = 0; step < s.headSteps; step++) {
      const g = gather(data.train, sampleWithoutReplacement(nTrain, B, batchRng));
      const b = batchTensors(tf, c, g.images, g.labels);
      const loss = await trainStep(tf, c, net, opt, b.x, b.y, vars);
      disposeTree(tf, b);
      if (step >= s.headSteps - Math.max(1, Math.ceil(s.headSteps / 10))) tail.push(loss);
    }
    const val = await networkScores(tf, c, net, data.validation);
    const test = data.test ? await networkScores(tf, c, net, data.test) : { accuracy: NaN, loss: NaN };
    return { validationAccuracy: val.accuracy, testAccuracy: test.accuracy, validationLoss: val.loss, trainLoss: mean(tail) };
  } finally {
    opt.dispose();
    disposeTree(tf, [owned, head, net.stats]);
  }
}

/** Fits and scores one ordering on the target domain (module doc). The bank is left untouched. */
export async function evaluateTransfer(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, data: TransferData, settings: Partial<TransferSettings> = {}): Promise<TransferResult> {
  const s: TransferSettings = { ...TRANSFER_DEFAULTS, ...settings };
  checkData(c, data);
  if (data.train.labels.length === 0) throw new RangeError('the target domain has no training images');
  if (s.fit === 'head') return evaluateHeadOnly(tf, c, bank, ordering, data, s);
  return evaluateThroughNetwork(tf, c, bank, ordering, data, s as TransferSettings & { fit: 'batchnorm' | 'all' });
}

export interface MixtureFitOptions {
  /** Adam steps on the logits and a head together. Default 100. */
  steps: number;
  batchSize: number;
  /** Default 5e-2: the logits must move by several units to change a choice. */
  learningRate: number;
  /** Start logits [L, K] (e.g. a source domain's); default all zero (the uniform mixture). */
  init?: tfjs.Tensor2D;
  /** Temperature τ of softmax(logits / τ) during the fit. Default 1. */
  temperature: number;
  seed: number;
  /**
   * Steps (1…steps) after which the fitted logits are also returned, so one fit scores several step budgets: tuning
   * the number of steps on validation then costs one fit per learning rate, not one per budget.
   */
  checkpoints?: number[];
}

/** The fit's logits after `step` steps (already divided by the temperature; the caller owns them). */
export interface MixtureSnapshot {
  step: number;
  logits: tfjs.Tensor2D;
  ordering: number[];
}

export const MIXTURE_FIT_DEFAULTS: Readonly<Omit<MixtureFitOptions, 'init'>> = Object.freeze({ steps: 100, batchSize: 32, learningRate: 5e-2, temperature: 1, seed: 0 });

/**
 * The paper's adaptation by gradient descent on the soft mixture (papers.md §3.3, finetune mode "m" with a head):
 * Adam on the target's mixture logits and a fresh head together, modules frozen, batch statistics in training
 * mode. Returns the fitted logits (the caller owns them, already divided by the temperature, so that
 * softmax(logits) is the mixture) and their argmax ordering; score either with `evaluateTransfer` under the
 * same head budget.
 */
export function fitMixtureLogits(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, data: Pick<TransferData, 'numClasses' | 'train'>, options: Partial<MixtureFitOptions> = {}): { logits: tfjs.Tensor2D; ordering: number[]; losses: number[]; snapshots: MixtureSnapshot[] } {
  const o = { ...MIXTURE_FIT_DEFAULTS, ...options };
  const checkpoints = new Set(o.checkpoints ?? []);
  for (const k of checkpoints)
    if (!Number.isInteger(k) || k < 1 || k > o.steps) throw new RangeError(`mixture fit checkpoints must be integers from 1 to steps = ${o.steps} (got ${k})`);
  const K = c.templates + (c.allowSkip ? 1 : 0);
  const logits = adoptAsVariables(tf, o.init ? tf.clone(o.init) : tf.zeros([c.blocks, K])) as tfjs.Variable<tfjs.Rank.R2>;
  if (logits.shape[0] !== c.blocks || logits.shape[1] !== K) {
    logits.dispose();
    throw new RangeError(`start logits must be [${c.blocks}, ${K}], got [${o.init!.shape.join(', ')}]`);
  }
  const head = adoptAsVariables(tf, initHead(tf, c, data.numClasses, new Rng(deriveSeed(o.seed, 'mixture-head'))));
  const opt = tf.train.adam(o.learningRate);
  const batchRng = new Rng(deriveSeed(o.seed, 'mixture-batches'));
  const nTrain = data.train.labels.length;
  const B = Math.min(o.batchSize, nTrain);
  const losses: number[] = [];
  const snapshots: MixtureSnapshot[] = [];
  const vars = [logits as tfjs.Variable, ...treeVariables(tf, head)];
  const current = (): { logits: tfjs.Tensor2D; ordering: number[] } => {
    const out = tf.tidy(() => tf.div(logits, o.temperature)) as tfjs.Tensor2D;
    return { logits: out, ordering: out.arraySync().map((r) => r.reduce((best, v, k) => (v > r[best]! ? k : best), 0)) };
  };
  try {
    for (let step = 0; step < o.steps; step++) {
      const g = gather(data.train, sampleWithoutReplacement(nTrain, B, batchRng));
      const b = batchTensors(tf, c, g.images, g.labels);
      const cost = opt.minimize(() => {
        const r = modularForward(tf, c, bank, { logits: tf.div(logits, o.temperature) as tfjs.Tensor2D }, head, b.x, { training: true });
        return softmaxCrossEntropy(tf, r.logits, b.y);
      }, true, vars)!;
      losses.push(cost.dataSync()[0]!);
      cost.dispose();
      disposeTree(tf, b);
      if (checkpoints.has(step + 1)) snapshots.push({ step: step + 1, ...current() });
    }
    return { ...current(), losses, snapshots };
  } catch (e) {
    for (const s of snapshots) s.logits.dispose();
    throw e;
  } finally {
    opt.dispose();
    disposeTree(tf, [logits, head]);
  }
}
