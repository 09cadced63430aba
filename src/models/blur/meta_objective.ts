/**
 * The BLUR meta-objective (papers.md §1.9): run the inner loop for U unrolled steps on support batches,
 * then score output state 0 on a query batch the inner loop never saw. Lower is better: the loss is the
 * MSE against the ±1 targets, averaged over outputs, batch and replicas, one number per genome (the paper's), or
 * with `loss: 'cross-entropy'` the softmax cross-entropy of the outputs read as logits, averaged over batch and
 * replicas. MSE on ±1 one-hot targets rewards the constant −1 output of a 10-way episode (its loss, 0.4, is low
 * while its accuracy is chance); the cross-entropy of a constant output is log m, so it agrees with accuracy.
 *
 * Unroll: of the U steps the last is forward only (§1.2). Neurons are zeroed at every step, so its
 * forward pass cannot reach the query; its only lasting effect is the start-of-step synapse normalisation,
 * which is applied. So U − 1 learning steps run, drawing support batches for steps 0 … U − 2.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../core/errors.js';
import { deriveSeed, Rng } from '../../core/rng.js';
import { initSynapses } from './blur_init.js';
import { networkPredict, networkStep, normalizeSynapses, synapseTensors, type BlurSynapses } from './blur_step.js';
import { checkSizes, populationOptions } from './blur_network.js';
import { resolveBlurNetworkOptions, type BlurNetworkOptions } from './blur_options.js';
import { disposePopulation, populationFromGenomes, populationFromTensors, type BlurPopulation } from './blur_population.js';
import type { BlurRule, FlatBlurRule } from './blur_rule.js';
import { targetProbabilities } from './blur_math.js';
import { checkHorizons } from './horizons.js';

type Tf = typeof tfjs;

/** Row-major batch: x is B × numInputs, y is B × numOutputs of ±1 targets. */
export interface BlurBatch {
  x: Float32Array;
  y: Float32Array;
}

/**
 * Where episodes come from. All randomness must come from the given Rng, so an evaluation is reproducible
 * from its seed. `support` is called for steps 0 … U − 2 in order, then `query` once, with the same Rng;
 * the returned arrays are copied, so a sampler may reuse its buffers.
 */
export interface BlurSampler {
  readonly numInputs: number;
  /** Classes (one-hot ±1 targets) or 1 (a single ±1 target). */
  readonly numOutputs: number;
  support(step: number, rng: Rng, batch: number): BlurBatch;
  query(rng: Rng, batch: number): BlurBatch;
}

export interface BlurMetaOptions {
  /** Layer sizes [numInputs, hidden…, numOutputs]. */
  sizes: readonly number[];
  /** U ≥ 1 unrolled steps (the last forward only). */
  unrollSteps: number;
  batchSize: number;
  /** Query batch size. Default batchSize. */
  queryBatchSize?: number;
  /** Synapse initialisations per genome. Default 1. */
  replicas?: number;
  /** Seeds the data stream and the synapse initialisation. */
  seed: number;
  /** Overrides the genomes' own `network` options. */
  network?: Partial<BlurNetworkOptions>;
  /** The query loss. Default 'mse'. */
  loss?: BlurMetaLoss;
  /**
   * Unroll lengths h (ascending, the last = unrollSteps) after whose h − 1 learning steps the query is scored; the
   * loss and accuracy are the means over them. Default [unrollSteps], the paper's single horizon (§1.9). Why
   * several: a rule meta-trained at one horizon trades what comes after it (and before) for that point; scoring
   * 50, 100 and 200 steps of one unroll asks for a rule that is fast early and still learning later.
   */
  horizons?: readonly number[];
}

export const BLUR_META_LOSSES = ['mse', 'cross-entropy'] as const;
/**
 * 'mse': mean of (ŷ − y)² over outputs (papers.md §1.9). 'cross-entropy': −Σ_j t_j log softmax(ŷ)_j with
 * t = (y + 1)/2 the one-hot target (one output: the logistic loss −t log σ(ŷ) − (1 − t) log(1 − σ(ŷ))).
 */
export type BlurMetaLoss = (typeof BLUR_META_LOSSES)[number];

export interface BlurEvaluation {
  /** Per genome; NaN where not finite. */
  loss: number[];
  /** Per genome, in [0, 1]; NaN where the loss is NaN. */
  accuracy: number[];
}

interface Episode {
  support: { x: tfjs.Tensor2D; y: tfjs.Tensor2D }[];
  query: { x: tfjs.Tensor2D; y: tfjs.Tensor2D };
}

function checkOptions(sampler: BlurSampler, o: BlurMetaOptions): void {
  checkSizes(o.sizes);
  if (o.sizes[0] !== sampler.numInputs || o.sizes[o.sizes.length - 1] !== sampler.numOutputs)
    throw new UsageError(`BLUR sizes ${JSON.stringify(o.sizes)} must start with the data's ${sampler.numInputs} inputs and end with its ${sampler.numOutputs} outputs`);
  const int = (v: unknown, name: string, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UsageError(`BLUR ${name} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  };
  int(o.unrollSteps, 'unrollSteps', 1);
  int(o.batchSize, 'batchSize', 1);
  int(o.queryBatchSize ?? o.batchSize, 'queryBatchSize', 1);
  int(o.replicas ?? 1, 'replicas', 1);
  if (o.loss !== undefined && !(BLUR_META_LOSSES as readonly string[]).includes(o.loss))
    throw new UsageError(`BLUR meta-objective loss must be one of ${BLUR_META_LOSSES.join(', ')} (got ${JSON.stringify(o.loss)})`);
  if (!Number.isFinite(o.seed)) throw new UsageError(`BLUR seed must be a finite number (got ${o.seed})`);
  if (o.horizons !== undefined) checkHorizons(o.horizons, o.unrollSteps);
}

/** The horizons before the last, as the count of learning steps done when each is scored. */
function earlyHorizons(o: BlurMetaOptions): Set<number> {
  return new Set((o.horizons ?? []).slice(0, -1).map((h) => h - 1));
}

function batchTensors(tf: Tf, b: BlurBatch, sampler: BlurSampler, size: number, what: string): { x: tfjs.Tensor2D; y: tfjs.Tensor2D } {
  if (b.x.length !== size * sampler.numInputs || b.y.length !== size * sampler.numOutputs)
    throw new Error(`sampler ${what} returned x of ${b.x.length} and y of ${b.y.length} numbers; expected ${size}×${sampler.numInputs} and ${size}×${sampler.numOutputs}`);
  return { x: tf.tensor2d(b.x, [size, sampler.numInputs]), y: tf.tensor2d(b.y, [size, sampler.numOutputs]) };
}

/**
 * The episode's batches, U − 1 support batches then the query: one data stream per seed, shared by every genome.
 * Each batch is copied (a sampler may hand out views of a buffer it reuses, and tfjs-cpu keeps the array it is
 * given), so the caller owns them: the meta-objective makes tensors of them, a benchmark's anchor writes them out.
 */
export function episodeBatches(sampler: BlurSampler, o: Pick<BlurMetaOptions, 'seed' | 'unrollSteps' | 'batchSize' | 'queryBatchSize'>): { support: BlurBatch[]; query: BlurBatch } {
  const rng = new Rng(deriveSeed(o.seed, 'blur-data'));
  const own = (b: BlurBatch): BlurBatch => ({ x: b.x.slice(), y: b.y.slice() });
  const support: BlurBatch[] = [];
  for (let s = 0; s < o.unrollSteps - 1; s++) support.push(own(sampler.support(s, rng, o.batchSize)));
  return { support, query: own(sampler.query(rng, o.queryBatchSize ?? o.batchSize)) };
}

function drawEpisode(tf: Tf, sampler: BlurSampler, o: BlurMetaOptions): Episode {
  const b = episodeBatches(sampler, o);
  const qb = o.queryBatchSize ?? o.batchSize;
  return { support: b.support.map((batch, s) => batchTensors(tf, batch, sampler, o.batchSize, `support(${s})`)), query: batchTensors(tf, b.query, sampler, qb, 'query') };
}

function disposeEpisode(e: Episode): void {
  for (const b of [...e.support, e.query]) {
    b.x.dispose();
    b.y.dispose();
  }
}

/**
 * U − 1 learning steps, then the forward-only step's normalisation; returns the trained synapses.
 * With `owned` (no gradient wanted) each superseded synapse set, `syn` included, is freed as it goes.
 * `at(cur)` is called with the synapses after each count of learning steps in `early` (it must not keep them).
 */
function unroll(tf: Tf, syn: BlurSynapses, pop: BlurPopulation, e: Episode, o: BlurNetworkOptions, owned: boolean, early: Set<number> = new Set(), at: (cur: BlurSynapses) => void = () => {}): BlurSynapses {
  let s = syn;
  const advance = (fn: (cur: BlurSynapses) => BlurSynapses): void => {
    if (!owned) {
      s = fn(s);
      return;
    }
    const cur = s;
    s = tf.tidy(() => fn(cur) as unknown as tfjs.TensorContainer) as unknown as BlurSynapses;
    tf.dispose(synapseTensors(cur));
  };
  e.support.forEach((b, step) => {
    if (early.has(step)) at(s);
    advance((cur) => networkStep(tf, cur, pop, b.x, b.y, o).synapses);
  });
  if (o.normalizeSynapses) advance((cur) => normalizeSynapses(tf, cur, pop, o));
  return s;
}

/** The query predictions of synapses scored at an early horizon: with the forward-only step's normalisation, as at the end. */
function earlyPredict(tf: Tf, cur: BlurSynapses, pop: BlurPopulation, x: tfjs.Tensor2D, o: BlurNetworkOptions): tfjs.Tensor4D {
  return networkPredict(tf, o.normalizeSynapses ? normalizeSynapses(tf, cur, pop, o) : cur, pop, x, o);
}

/** The mean of per-horizon tensors (the last is the end of the unroll); one tensor is returned as it is. */
function meanOver<T extends tfjs.Tensor>(tf: Tf, parts: T[]): T {
  return (parts.length === 1 ? parts[0]! : tf.div(tf.addN(parts), parts.length)) as T;
}

/**
 * Per-example query loss [P, R, B] of predictions [P, R, B, m] against ±1 targets y [B, m]. The cross-entropy uses
 * log-softmax (log σ for one output), finite for any finite logits.
 */
export function queryLoss(tf: Tf, pred: tfjs.Tensor4D, y: tfjs.Tensor2D, loss: BlurMetaLoss = 'mse'): tfjs.Tensor3D {
  if (loss === 'mse') return tf.mean(tf.square(tf.sub(pred, y)), 3) as tfjs.Tensor3D;
  const t = targetProbabilities(tf, y);
  if (y.shape[1] > 1) return tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(pred)), 3)) as tfjs.Tensor3D;
  // −t log σ(ŷ) − (1 − t) log σ(−ŷ), with log σ(v) = −softplus(−v)
  const nll = tf.add(tf.mul(t, tf.softplus(tf.neg(pred))), tf.mul(tf.sub(1, t), tf.softplus(pred)));
  return tf.reshape(nll, pred.shape.slice(0, 3) as [number, number, number]) as tfjs.Tensor3D;
}

/** Per-genome loss [P] and accuracy [P] of predictions [P,R,B,m] against y [B,m]. */
function score(tf: Tf, pred: tfjs.Tensor4D, y: tfjs.Tensor2D, lossKind: BlurMetaLoss = 'mse'): { loss: tfjs.Tensor1D; accuracy: tfjs.Tensor1D } {
  // the MSE reduced in one mean over [R, B, m], as before the cross-entropy existed (bit-identical results)
  const loss = (lossKind === 'mse' ? tf.mean(tf.square(tf.sub(pred, y)), [1, 2, 3]) : tf.mean(queryLoss(tf, pred, y, lossKind), [1, 2])) as tfjs.Tensor1D;
  const m = y.shape[1];
  const hit = m > 1
    ? tf.equal(tf.argMax(pred, 3), tf.argMax(y, 1))
    : tf.equal(tf.greater(tf.reshape(pred, pred.shape.slice(0, 3)), 0), tf.greater(tf.reshape(y, [y.shape[0]]), 0));
  return { loss, accuracy: tf.mean(tf.cast(hit, 'float32'), [1, 2]) as tfjs.Tensor1D };
}

const finiteOrNaN = (v: number): number => (Number.isFinite(v) ? v : NaN);

/**
 * Scores P rules (genomes) batched on the population axis (same data and synapse inits for all). Asynchronous
 * because a GPU backend (WebGPU) can read results back only asynchronously.
 */
export async function evaluateBlurPopulation(tf: Tf, genomes: readonly BlurRule[], sampler: BlurSampler, opts: BlurMetaOptions): Promise<BlurEvaluation> {
  checkOptions(sampler, opts);
  const o = populationOptions(genomes, opts.network);
  const R = opts.replicas ?? 1;
  const pop = populationFromGenomes(tf, genomes, R, opts.sizes.length - 1);
  const episode = drawEpisode(tf, sampler, opts);
  try {
    const syn0 = initSynapses(tf, opts.sizes, pop.k, pop.P, R, opts.seed, o);
    const early: { loss: tfjs.Tensor1D; accuracy: tfjs.Tensor1D }[] = [];
    const scoreEarly = (cur: BlurSynapses): void => void early.push(tf.tidy(() => score(tf, earlyPredict(tf, cur, pop, episode.query.x, o), episode.query.y, opts.loss)));
    const trained = unroll(tf, syn0, pop, episode, o, true, earlyHorizons(opts), scoreEarly);
    const [loss, accuracy] = tf.tidy(() => {
      const sc = score(tf, networkPredict(tf, trained, pop, episode.query.x, o), episode.query.y, opts.loss);
      return [meanOver(tf, [...early.map((e) => e.loss), sc.loss]), meanOver(tf, [...early.map((e) => e.accuracy), sc.accuracy])];
    });
    tf.dispose([synapseTensors(trained), early]);
    try {
      const lossValues = Array.from(await loss.data(), finiteOrNaN);
      return { loss: lossValues, accuracy: Array.from(await accuracy.data(), (a, p) => (Number.isNaN(lossValues[p]) ? NaN : a)) };
    } finally {
      tf.dispose([loss, accuracy]);
    }
  } finally {
    disposeEpisode(episode);
    disposePopulation(pop);
  }
}

export interface BlurMetaGradient {
  /** NaN where not finite. */
  loss: number;
  /** NaN where the loss is NaN. */
  accuracy: number;
  /** d loss / d flat, in the flat vector's order; all NaN when the loss is not finite. */
  grad: number[];
}

/**
 * The meta-loss of one rule held in a flat vector and its gradient with respect to that vector, by `tf.grads`
 * through the unrolled inner loop. `rule` slices the vector (the genome kind's layout). Network options:
 * defaults ⊕ opts.network (a flat vector carries no `network` field). Asynchronous for a GPU backend's reads.
 */
export async function metaLossAndGrad(tf: Tf, flat: readonly number[], rule: FlatBlurRule, sampler: BlurSampler, opts: BlurMetaOptions): Promise<BlurMetaGradient> {
  checkOptions(sampler, opts);
  if (flat.length !== rule.dim) throw new UsageError(`the BLUR rule vector must have ${rule.dim} numbers for this config (got ${flat.length})`);
  const L = opts.sizes.length - 1;
  if (rule.layers !== 1 && rule.layers !== L)
    throw new UsageError(`the BLUR rule vector holds ${rule.layers} layer rules but the network has ${L} synapse layers (sizes ${JSON.stringify(opts.sizes)}); use 1 (shared) or ${L}`);
  const o = resolveBlurNetworkOptions(opts.network);
  const R = opts.replicas ?? 1;
  const episode = drawEpisode(tf, sampler, opts);
  const x = tf.tensor1d(Array.from(flat));
  const syn0 = initSynapses(tf, opts.sizes, rule.k, 1, R, opts.seed, o);
  const kept: { preds: tfjs.Tensor4D[] } = { preds: [] };
  try {
    const f = (v: tfjs.Tensor): tfjs.Scalar => {
      const pop = populationFromTensors(tf, [rule.fromFlat(tf, v as tfjs.Tensor1D)], R, rule.layers);
      const keepPred = (pred: tfjs.Tensor4D): void => void kept.preds.push(tf.keep(pred));
      const trained = unroll(tf, syn0, pop, episode, o, false, earlyHorizons(opts), (cur) => keepPred(earlyPredict(tf, cur, pop, episode.query.x, o)));
      keepPred(networkPredict(tf, trained, pop, episode.query.x, o));
      const y = episode.query.y;
      const lossOf = (pred: tfjs.Tensor4D): tfjs.Scalar => (opts.loss === 'cross-entropy' ? tf.mean(queryLoss(tf, pred, y, 'cross-entropy')) : tf.mean(tf.square(tf.sub(pred, y)))) as tfjs.Scalar;
      return meanOver(tf, kept.preds.map(lossOf));
    };
    const { value, grads } = tf.valueAndGrads(f)([x]);
    const acc = tf.tidy(() => meanOver(tf, kept.preds.map((pred) => score(tf, pred, episode.query.y).accuracy)));
    let loss: number, grad: number[], accuracy: number;
    try {
      [loss, grad, accuracy] = [(await value.data())[0]!, Array.from(await grads[0]!.data()), (await acc.data())[0]!];
    } finally {
      tf.dispose([value, ...grads, acc]);
    }
    const ok = Number.isFinite(loss);
    return { loss: ok ? loss : NaN, accuracy: ok ? accuracy : NaN, grad: ok ? grad : grad.map(() => NaN) };
  } finally {
    tf.dispose(kept.preds);
    x.dispose();
    tf.dispose(synapseTensors(syn0));
    disposeEpisode(episode);
  }
}
