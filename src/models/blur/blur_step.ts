/**
 * One BLUR inner-loop step (papers.md §1.2) and the forward-only validation step, as pure functions of
 * (synapses, genome tensors, batch) → new synapses, so `tf.grads` can differentiate an unrolled loop.
 * Nothing here disposes its inputs; wrap calls in tf.tidy.
 */
import type * as tfjs from '@tensorflow/tfjs';
import {
  activationBlock, applySynapseUpdate, backwardMessage, backwardRule, feedback, forwardActivation, forwardMessage,
  hebbianUpdate, mixStates, normalizeBlock, ojaActivity, ojaTerm, states, syncStates, transposeForward,
} from './blur_math.js';
import { genomeColumn, inputForwardMessage, inputHebbian, inputSynapseUpdate, normalizeInput, rowShape, type InputBlock } from './blur_input_layer.js';
import type { BlurNetworkOptions } from './blur_options.js';
import { layerGenome, type BlurPopulation } from './blur_population.js';
import { momentStep, momentTensors, type MomentBuffers, type MomentDecays, type SynapseMoments } from './synapse_moments.js';

type Tf = typeof tfjs;
type T = tfjs.Tensor;

export interface BlurSynapses {
  /**
   * F^0 in row layout (blur_input_layer.ts). Bk^0 only feeds the input layer, which is never written, so it
   * is not stored.
   */
  input: InputBlock;
  /** Synapse layers ℓ = 1 … L − 1 (index ℓ − 1): F^ℓ [P, R, k, n + 1, m] and Bk^ℓ [P, R, k, m, n]. */
  upper: { forward: T; backward: T }[];
  /** Hebbian updates made so far: Adam's bias correction and the η_w schedule (genome `updateDecay`) count them. */
  updates: number;
  /** The moment buffers of network option synapseMoments (absent with 'none'). */
  moments?: SynapseMoments;
}

export function synapseTensors(syn: BlurSynapses): T[] {
  return [syn.input.w, syn.input.b, ...syn.upper.flatMap((u) => [u.forward, u.backward]), ...momentTensors(syn.moments)];
}

/**
 * The start-of-step `state_update_fn`: normalise both blocks of every layer (when enabled). With
 * per-layer genomes, layer ℓ uses its own rescaleTo (the public code passes the unsliced genome's).
 */
export function normalizeSynapses(tf: Tf, syn: BlurSynapses, pop: BlurPopulation, o: BlurNetworkOptions): BlurSynapses {
  if (!o.normalizeSynapses) return syn;
  const scale = (l: number) => (o.rescale ? layerGenome(pop, l).rescaleTo : null);
  const out: BlurSynapses = {
    input: normalizeInput(tf, syn.input, layerGenome(pop, 0), rowShape(pop, syn.input), o.rescale),
    upper: syn.upper.map((u, i) => ({ forward: normalizeBlock(tf, u.forward, scale(i + 1)), backward: normalizeBlock(tf, u.backward, scale(i + 1)) })),
    updates: syn.updates,
  };
  if (syn.moments) out.moments = syn.moments;
  return out;
}

export interface BlurForward {
  /** layers[0] is the input x [B, n0] itself (h^0 = [x, 0, …] is implicit); layers[ℓ] = h^ℓ [P, R, k, B, n_ℓ]. */
  layers: T[];
  /** Pre-activations z^1 … z^L (index ℓ − 1), [P, R, k, B, n_ℓ]. */
  pre: T[];
}

/** §1.2 steps 2–5 (neurons zeroed, so the κ_n·h term of eq. F is 0): h^{ℓ+1} = σ(η_n u). */
export function forwardPass(tf: Tf, syn: BlurSynapses, pop: BlurPopulation, x: tfjs.Tensor2D, o: BlurNetworkOptions): BlurForward {
  const L = syn.upper.length + 1;
  const layers: T[] = [x];
  const pre: T[] = [];
  const act = (l: number) => (l === L - 1 ? o.outputActivation : o.hiddenActivation);
  const g0 = layerGenome(pop, 0);
  const s = rowShape(pop, syn.input);
  const f0 = o.normalizeInActivations ? normalizeInput(tf, syn.input, g0, s, o.rescale) : syn.input;
  const z1 = tf.mul(g0.neuronUpdate, inputForwardMessage(tf, f0, x, g0, s));
  pre.push(z1);
  layers.push(forwardActivation(tf, z1, act(0), o.derivativeInState1));
  for (let l = 1; l < L; l++) {
    const g = layerGenome(pop, l);
    const z = tf.mul(g.neuronUpdate, forwardMessage(tf, layers[l]!, activationBlock(tf, syn.upper[l - 1]!.forward, g, o), g.nu));
    pre.push(z);
    layers.push(forwardActivation(tf, z, act(l), o.derivativeInState1));
  }
  return { layers, pre };
}

/** §1.2 step 8: ℓ = L−1 … 1, each using the already updated upper layer; layer 0 is never written. */
export function backwardPass(tf: Tf, layers: readonly T[], syn: BlurSynapses, pop: BlurPopulation, o: BlurNetworkOptions): T[] {
  const out = layers.slice();
  for (let l = syn.upper.length; l >= 1; l--) {
    const g = layerGenome(pop, l);
    const v = backwardMessage(tf, out[l + 1]!, activationBlock(tf, syn.upper[l - 1]!.backward, g, o), g.mu);
    out[l] = backwardRule(tf, out[l]!, v, g, o);
  }
  return out;
}

/** §1.2 step 9, eq. S for every layer pair: `pres[ℓ]` is the pre-synaptic layer, `posts[ℓ + 1]` the post. */
export function synapseUpdate(tf: Tf, syn: BlurSynapses, pres: readonly T[], posts: readonly T[], pop: BlurPopulation, o: BlurNetworkOptions): BlurSynapses {
  const x = pres[0] as tfjs.Tensor2D;
  const moments = o.synapseMoments === 'none' ? undefined : syn.moments;
  if (o.synapseMoments !== 'none' && !moments) throw new Error(`synapseMoments '${o.synapseMoments}' needs synapses made by initSynapses with that option (they have no moment buffers)`);
  const t = syn.updates + 1;
  const spop = scheduledPopulation(tf, pop, t);
  const g0 = layerGenome(spop, 0);
  const s0 = rowShape(pop, syn.input);
  let input: InputBlock;
  let inputMoments: SynapseMoments['input'] | undefined;
  if (moments) {
    const h = inputHebbian(tf, x, posts[1]!, g0, s0, o);
    const column = (v: T): T => genomeColumn(tf, v, s0);
    const rule: InputMomentRule = { decays: { beta1: column(g0.momentum), beta2: column(g0.rmsDecay) }, keep: column(g0.synapseKeep), update: column(g0.synapseUpdate) };
    const w = inputMomentUpdate(tf, syn.input.w, h.w, moments.input.w, rule, t, o);
    const b = inputMomentUpdate(tf, syn.input.b, h.b, moments.input.b, rule, t, o);
    input = { w: w.synapse, b: b.synapse };
    inputMoments = { w: w.buffers, b: b.buffers };
  } else {
    input = inputSynapseUpdate(tf, syn.input, x, posts[1]!, g0, s0, o);
  }
  const upperMoments: SynapseMoments['upper'] = [];
  const upper = syn.upper.map((u, i) => {
    const l = i + 1;
    const g = layerGenome(spop, l);
    const pre = pres[l]!;
    const post = posts[l + 1]!;
    let { dF, dB } = hebbianUpdate(tf, pre, post, g.alpha, g.beta, !o.symmetricInOut);
    if (o.symmetricStates) dF = syncStates(tf, dF);
    if (o.symmetricInOut) dB = transposeForward(tf, dF);
    else if (o.symmetricStates) dB = syncStates(tf, dB!);
    // the Oja term is added after syncing, as in the public code
    if (o.oja) {
      dF = tf.add(dF, ojaTerm(tf, u.forward, ojaActivity(tf, mixStates(tf, g.beta, post, false)), g, o));
      dB = tf.add(dB!, ojaTerm(tf, u.backward, ojaActivity(tf, mixStates(tf, g.beta, pre, false)), g, o));
    }
    if (moments) {
      const decays = { beta1: g.momentum, beta2: g.rmsDecay };
      const f = momentStep(tf, moments.upper[i]!.forward, dF, decays, t, o);
      const b = momentStep(tf, moments.upper[i]!.backward, dB!, decays, t, o);
      upperMoments.push({ forward: f.buffers, backward: b.buffers });
      dF = f.direction;
      dB = b.direction;
    }
    return {
      forward: applySynapseUpdate(tf, u.forward, dF, g.synapseKeep, g.synapseUpdate, g.saturation, o),
      backward: applySynapseUpdate(tf, u.backward, dB!, g.synapseKeep, g.synapseUpdate, g.saturation, o),
    };
  });
  if (!moments) return { input, upper, updates: t };
  return { input, upper, updates: t, moments: { input: inputMoments!, upper: upperMoments } };
}

/**
 * The genomes with η_w of the t-th update, η_w / (1 + δ (t − 1)) (genome `updateDecay`, blur_rule.ts), made once per
 * layer genome (once per step for a shared one). The first update, and every update with δ = 0, uses η_w itself, bit
 * for bit.
 */
function scheduledPopulation(tf: Tf, pop: BlurPopulation, t: number): BlurPopulation {
  if (t === 1) return pop;
  return { ...pop, layers: pop.layers.map((g) => ({ ...g, synapseUpdate: tf.div(g.synapseUpdate, tf.add(1, tf.mul(g.updateDecay, t - 1))) })) };
}

/** Layer 0's genome numbers as row-layout columns (blur_input_layer.ts), made once per step for F^0's two parts. */
interface InputMomentRule {
  decays: MomentDecays;
  keep: T;
  update: T;
}

/** One row-layout part of F^0 under synapseMoments: buffers updated with h, then S ← κ_w S + η_w · direction. */
function inputMomentUpdate(tf: Tf, v: T, h: T, buf: MomentBuffers, rule: InputMomentRule, t: number, o: BlurNetworkOptions): { synapse: T; buffers: MomentBuffers } {
  const { direction, buffers } = momentStep(tf, buf, h, rule.decays, t, o);
  return { synapse: tf.add(tf.mul(v, rule.keep), tf.mul(direction, rule.update)), buffers };
}

export interface BlurStepResult {
  synapses: BlurSynapses;
  /** Neuron states after the forward pass. */
  forward: BlurForward;
  /** Neuron states after feedback and the backward pass (layers[0] is x), what the Hebbian update saw. */
  layers: T[];
}

/** One inner-loop step (§1.2): zero, input, normalise, forward, feedback, backward, Hebbian update. */
export function networkStep(tf: Tf, syn: BlurSynapses, pop: BlurPopulation, x: tfjs.Tensor2D, y: tfjs.Tensor2D, o: BlurNetworkOptions): BlurStepResult {
  const s0 = normalizeSynapses(tf, syn, pop, o);
  const fwd = forwardPass(tf, s0, pop, x, o);
  const L = s0.upper.length + 1;
  const layers = fwd.layers.slice();
  layers[L] = feedback(tf, layers[L]!, fwd.pre[L - 1]!, y, o);
  const after = backwardPass(tf, layers, s0, pop, o);
  const pres = o.forwardActivationsForSynapseUpdate ? fwd.layers : after;
  return { synapses: synapseUpdate(tf, s0, pres, after, pop, o), forward: fwd, layers: after };
}

/** The validation step (§1.2, forward only): output state 0, [P, R, B, m]. */
export function networkPredict(tf: Tf, syn: BlurSynapses, pop: BlurPopulation, x: tfjs.Tensor2D, o: BlurNetworkOptions): tfjs.Tensor4D {
  const fwd = forwardPass(tf, normalizeSynapses(tf, syn, pop, o), pop, x, o);
  const out = states(tf, fwd.layers[fwd.layers.length - 1]!, 0, 1);
  const [P, R, , B, m] = out.shape as [number, number, number, number, number];
  return tf.reshape(out, [P, R, B, m]) as tfjs.Tensor4D;
}
