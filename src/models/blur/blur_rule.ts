/**
 * A BLUR learned update rule as the network consumes it (papers.md §1.7): per neuron-state count k, the
 * forward and backward state mixes ν, μ, the Hebbian pre/post transforms α, β and a few scalars, shared by
 * all synapse layers or one per layer. Plain data here and as tensors; how a search vector or a file encodes
 * it is the genome kind's business (genomes/blur_genome.ts), so the network knows no encoding.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BlurNetworkOptions } from './blur_options.js';

type Tf = typeof tfjs;

/** Adam's decays (Kingma & Ba, "Adam", §2), for a rule that names none: rules from before the moment buffers keep their files. */
export const MOMENT_DECAY_DEFAULTS: Readonly<{ momentum: number; rmsDecay: number }> = Object.freeze({ momentum: 0.9, rmsDecay: 0.999 });

/** No decay of η_w with the update count, for a rule that names none: rules from before the schedule keep their files and steps. */
export const UPDATE_DECAY_DEFAULT = 0;

/** The rule of one synapse layer. */
export interface BlurLayerRule {
  neuron: {
    /** k×k forward state mix ν (eq. F): ν[d][c] routes input state d into output state c. */
    nu: number[][];
    /** k×k backward state mix μ (eq. B). */
    mu: number[][];
    /** κ_n */
    keep: number;
    /** η_n */
    update: number;
  };
  synapse: {
    /** α, k×k (eq. S): the row neuron's projection α[:, c] for synapse state c. */
    pre: number[][];
    /** β, k×k (eq. S): the column neuron's projection β[c, :]. */
    post: number[][];
    /** κ_w */
    keep: number;
    /** η_w */
    update: number;
    /** Used only with saturation 'exp'. */
    saturation: number;
    /** Used only with normalisation + rescale. */
    rescaleTo: number;
    /** Used only with the Oja term. */
    ojaMultiplier: number;
    /** β₁, the first-moment decay; used only with synapseMoments 'momentum' or 'adam'. Absent: `MOMENT_DECAY_DEFAULTS`. */
    momentum?: number;
    /** β₂, the second-moment decay; used only with synapseMoments 'adam'. Absent: `MOMENT_DECAY_DEFAULTS`. */
    rmsDecay?: number;
    /**
     * δ ≥ 0, an inverse-time decay of η_w with the update count t (1 for the first): the t-th update uses
     * η_w / (1 + δ (t − 1)) (an extension of eq. S, the schedule of Robbins & Monro's stochastic approximation).
     * Absent: `UPDATE_DECAY_DEFAULT`, a fixed η_w.
     */
    updateDecay?: number;
  };
}

/** A whole rule: what a network of P rules is built from (a genome file is one, plus its format header). */
export interface BlurRule {
  k: number;
  /** One entry: shared by all synapse layers; otherwise one per synapse layer. */
  layers: BlurLayerRule[];
  /** Network options this rule is meant to run with (e.g. the backprop rule's). */
  network?: Partial<BlurNetworkOptions>;
}

/** One layer rule as tensors (k×k matrices and scalars). */
export interface BlurLayerTensors {
  nu: tfjs.Tensor2D;
  mu: tfjs.Tensor2D;
  pre: tfjs.Tensor2D;
  post: tfjs.Tensor2D;
  neuronKeep: tfjs.Scalar;
  neuronUpdate: tfjs.Scalar;
  synapseKeep: tfjs.Scalar;
  synapseUpdate: tfjs.Scalar;
  saturation: tfjs.Scalar;
  rescaleTo: tfjs.Scalar;
  ojaMultiplier: tfjs.Scalar;
  momentum: tfjs.Scalar;
  rmsDecay: tfjs.Scalar;
  updateDecay: tfjs.Scalar;
}

/** A rule as tensors: constants from a `BlurRule`, or slices of a search vector that gradients flow back to. */
export interface BlurRuleTensors {
  k: number;
  layers: BlurLayerTensors[];
}

/**
 * A rule held in a flat parameter vector: the meta-gradient differentiates the unrolled inner loop with respect
 * to that vector, so the network is handed the (differentiable) slicing rather than the encoding behind it.
 */
export interface FlatBlurRule {
  /** Numbers the vector must hold. */
  readonly dim: number;
  /** Neuron and synapse states. */
  readonly k: number;
  /** Layer rules the vector holds: 1 (shared by every synapse layer) or one per synapse layer. */
  readonly layers: number;
  /** The rule as slices of x (same layout as the vector), so `tf.grads` with respect to x comes back in its order. */
  fromFlat(tf: Tf, x: tfjs.Tensor1D): BlurRuleTensors;
}

/** A rule as constant tensors; the caller owns them. */
export function blurRuleTensors(tf: Tf, rule: BlurRule): BlurRuleTensors {
  return {
    k: rule.k,
    layers: rule.layers.map((l) => ({
      nu: tf.tensor2d(l.neuron.nu),
      mu: tf.tensor2d(l.neuron.mu),
      pre: tf.tensor2d(l.synapse.pre),
      post: tf.tensor2d(l.synapse.post),
      neuronKeep: tf.scalar(l.neuron.keep),
      neuronUpdate: tf.scalar(l.neuron.update),
      synapseKeep: tf.scalar(l.synapse.keep),
      synapseUpdate: tf.scalar(l.synapse.update),
      saturation: tf.scalar(l.synapse.saturation),
      rescaleTo: tf.scalar(l.synapse.rescaleTo),
      ojaMultiplier: tf.scalar(l.synapse.ojaMultiplier),
      momentum: tf.scalar(l.synapse.momentum ?? MOMENT_DECAY_DEFAULTS.momentum),
      rmsDecay: tf.scalar(l.synapse.rmsDecay ?? MOMENT_DECAY_DEFAULTS.rmsDecay),
      updateDecay: tf.scalar(l.synapse.updateDecay ?? UPDATE_DECAY_DEFAULT),
    })),
  };
}
