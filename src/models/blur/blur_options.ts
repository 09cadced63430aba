/**
 * Settings of a BLUR network (the public code's `NetworkSpec`, papers.md §1.2–1.6) as plain JSON, so a
 * genome file can say which settings it is meant to run with. Defaults follow `default_network_spec`.
 */
import { UsageError } from '../../core/errors.js';

export const BLUR_ACTIVATIONS = ['relu_tanh', 'tanh', 'sigmoid', 'relu', 'identity'] as const;
/** Elementwise activations; each has a closed-form derivative (needed by `derivativeInState1`, `feedback: 'error'`). */
export type BlurActivation = (typeof BLUR_ACTIVATIONS)[number];

export const BLUR_BACKWARD_UPDATES = ['additive', 'multiplicative', 'multiplicative_second_state', 'none'] as const;
/** How the backward message v is applied to the lower layer (eq. B, §1.4). */
export type BlurBackwardUpdate = (typeof BLUR_BACKWARD_UPDATES)[number];

export const BLUR_FEEDBACKS = ['target', 'error', 'softmax-error'] as const;
/**
 * What the output layer's state 1 receives before the backward pass (§1.2 step 7):
 * - 'target' (the public code's `concat_groundtruth_in`): the raw target y.
 * - 'error': δ = (ŷ − y) ⊙ f'(z), the gradient of L = ½ Σ_batch Σ_outputs (ŷ − y)² with respect to the
 *   output pre-activation z. This is what state 1 must hold for the backprop genome (§1.8) to make one
 *   BLUR step exactly one SGD step (learning rate −synapse.update) on that batch-summed loss.
 * - 'softmax-error': δ = (softmax(ŷ) − t) ⊙ f'(z), t = (y + 1)/2 the 0/1 one-hot target, the gradient of the
 *   batch-summed softmax cross-entropy of the outputs ŷ (one output: the logistic loss of σ(ŷ)). The backprop genome
 *   then takes SGD steps on the loss the replay baselines train on; with `outputActivation: 'identity'` the outputs
 *   are the logits themselves. Like 'error', an extension of the paper's feedback for the gradient genome (§1.8).
 */
export type BlurFeedback = (typeof BLUR_FEEDBACKS)[number];

export const BLUR_SYNAPSE_MOMENTS = ['none', 'momentum', 'adam'] as const;
/**
 * Per-synapse moment buffers between the Hebbian update H and the synapse (an extension of eq. S, not in the
 * paper): the family of §1.5 keeps no memory across steps but the synapses themselves, so it has no momentum
 * and no per-weight step normalisation. With these the backprop genome (§1.8) takes heavy-ball or Adam steps
 * exactly, as it takes SGD steps without them, and a search can move the decays (genome extras `momentum`,
 * `rmsDecay`) with the rest of the rule.
 * - 'none': S ← κ_w S + η_w H (eq. S).
 * - 'momentum': M ← β₁ M + H; S ← κ_w S + η_w M (tf.train.momentum's form).
 * - 'adam': M ← β₁ M + (1 − β₁) H, V ← β₂ V + (1 − β₂) H²; S ← κ_w S + η_w M̂ / (√V̂ + ε), M̂ and V̂ bias-corrected
 *   by 1 − β^t, t the number of Hebbian updates so far (Kingma & Ba, "Adam", Algorithm 1).
 */
export type BlurSynapseMoments = (typeof BLUR_SYNAPSE_MOMENTS)[number];

export interface BlurNetworkOptions {
  /** Forward activation of hidden layers (`forward_activation_fn`). Default 'relu_tanh'. */
  hiddenActivation: BlurActivation;
  /** Forward activation of the output layer (`last_layer_activation_fn`). Default 'tanh'. */
  outputActivation: BlurActivation;
  /** Activation of a hidden layer after its backward update (`backward_activation_fn`). Default 'relu_tanh'. */
  backwardActivation: BlurActivation;
  /**
   * Forward activations write f(z) into state 0 and f'(z) into state 1 (states ≥ 2 get f), as the public
   * test's `sigmoid_with_grad` does; this is how the backprop genome obtains the local derivative. Default false.
   */
  derivativeInState1: boolean;
  /** Eq. B rule. Default 'additive'. */
  backwardUpdate: BlurBackwardUpdate;
  /** Default 'target'. */
  feedback: BlurFeedback;
  /** Backward block := forward blockᵀ, at init and for every Hebbian update (`symmetric_in_out_synapses`). Default false. */
  symmetricInOut: boolean;
  /** Synapse state 0 copied to all states, at init and for every Hebbian update (`symmetric_states_synapses`). Default false. */
  symmetricStates: boolean;
  /** L2-normalise both blocks over their input axis at the start of every step (§1.6). Default false. */
  normalizeSynapses: boolean;
  /** Normalise only the copy used to compute activations; the stored synapse is unchanged (§1.6). Default false. */
  normalizeInActivations: boolean;
  /** Multiply normalised synapses by the genome's `synapse.rescaleTo`. Default false. */
  rescale: boolean;
  /** Add the Oja decay term (§1.5), scaled by |genome `synapse.ojaMultiplier`| · `ojaExtraMultiplier`. Default false. */
  oja: boolean;
  /** `OjasSpec.extra_multiplier`. Default 1. */
  ojaExtraMultiplier: number;
  /** 'exp': the code's 'exp_update' saturation, dw ·= exp(−|S|·(eps + |saturation|)). Default 'none'. */
  saturation: 'none' | 'exp';
  /** `synapse_saturation_eps`. Default 0. */
  saturationEps: number;
  /** Hebbian pre-synaptic side uses the states saved after the forward pass. Default false. */
  forwardActivationsForSynapseUpdate: boolean;
  /** Synapse init U(−1, 1)·initScale (`fixed_random_initializer`'s scale). Default 1. */
  initScale: number;
  /** Divide the init by sqrt(n + m + 1) (`scale_by_channels`). Default false. */
  initScaleByChannels: boolean;
  /** Moment buffers between H and the synapse (see `BlurSynapseMoments`). Default 'none'. */
  synapseMoments: BlurSynapseMoments;
  /**
   * ε of 'adam'. H sums over the batch, so it is Adam's ε on the batch-mean gradient times the batch size.
   * Default 1e-6.
   */
  momentEpsilon: number;
}

export const DEFAULT_BLUR_NETWORK_OPTIONS: Readonly<BlurNetworkOptions> = Object.freeze({
  hiddenActivation: 'relu_tanh',
  outputActivation: 'tanh',
  backwardActivation: 'relu_tanh',
  derivativeInState1: false,
  backwardUpdate: 'additive',
  feedback: 'target',
  symmetricInOut: false,
  symmetricStates: false,
  normalizeSynapses: false,
  normalizeInActivations: false,
  rescale: false,
  oja: false,
  ojaExtraMultiplier: 1,
  saturation: 'none',
  saturationEps: 0,
  forwardActivationsForSynapseUpdate: false,
  initScale: 1,
  initScaleByChannels: false,
  synapseMoments: 'none',
  momentEpsilon: 1e-6,
});

const ENUMS: Partial<Record<keyof BlurNetworkOptions, readonly string[]>> = {
  hiddenActivation: BLUR_ACTIVATIONS,
  outputActivation: BLUR_ACTIVATIONS,
  backwardActivation: BLUR_ACTIVATIONS,
  backwardUpdate: BLUR_BACKWARD_UPDATES,
  feedback: BLUR_FEEDBACKS,
  saturation: ['none', 'exp'],
  synapseMoments: BLUR_SYNAPSE_MOMENTS,
};

/**
 * Checks a partial options object (from code or a genome file) and returns only its keys, validated.
 * `where` prefixes error messages (e.g. "genome.json: network").
 */
export function validateBlurNetworkOptions(raw: unknown, where = 'network options'): Partial<BlurNetworkOptions> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${where} must be an object such as {"backwardUpdate": "additive"}`);
  const out: Record<string, unknown> = {};
  const valid = Object.keys(DEFAULT_BLUR_NETWORK_OPTIONS);
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (!valid.includes(key)) throw new UsageError(`${where}: unknown key '${key}'; valid keys: ${valid.join(', ')}`);
    const def = DEFAULT_BLUR_NETWORK_OPTIONS[key as keyof BlurNetworkOptions];
    const choices = ENUMS[key as keyof BlurNetworkOptions];
    if (choices) {
      if (typeof v !== 'string' || !choices.includes(v))
        throw new UsageError(`${where}.${key} must be one of ${choices.join(', ')} (got ${JSON.stringify(v)})`);
    } else if (typeof def === 'boolean') {
      if (typeof v !== 'boolean') throw new UsageError(`${where}.${key} must be true or false (got ${JSON.stringify(v)})`);
    } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (key === 'initScale' && v === 0)) {
      throw new UsageError(`${where}.${key} must be a finite number ${key === 'initScale' ? '> 0' : '>= 0'} (got ${JSON.stringify(v)})`);
    }
    out[key] = v;
  }
  return out as Partial<BlurNetworkOptions>;
}

/** Defaults overlaid by each partial in order (later wins); every partial is validated. */
export function resolveBlurNetworkOptions(...partials: (Partial<BlurNetworkOptions> | undefined)[]): BlurNetworkOptions {
  const o: BlurNetworkOptions = { ...DEFAULT_BLUR_NETWORK_OPTIONS };
  for (const p of partials) if (p !== undefined) Object.assign(o, validateBlurNetworkOptions(p));
  if (o.synapseMoments !== 'none' && (o.oja || o.saturation !== 'none'))
    throw new UsageError(`network option synapseMoments '${o.synapseMoments}' works with saturation 'none' and oja false only (got saturation '${o.saturation}', oja ${o.oja}); drop one of them`);
  return o;
}
