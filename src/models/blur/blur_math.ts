/**
 * BLUR equations (papers.md §1.3–1.6) on population-stacked tensors, as pure functions so `tf.grads` can
 * differentiate an unrolled loop with respect to the genome. Nothing here disposes its inputs.
 *
 * Stacked layout (state-major, so each contraction is a batched matMul over P·R·k with no transposes):
 * - neurons h^ℓ: [P, R, k, B, n]   (the code's [s, r, b, n, k] with the state axis moved before the batch)
 * - forward block F^ℓ: [P, R, k, n + 1, m]; row n is the bias neuron.
 * - backward block Bk^ℓ: [P, R, k, m, n]. Its bias column is never read by the backward message and
 *   influences nothing else (normalisation, Oja and saturation act per column or per element), so it is
 *   not stored.
 * The input layer's forward block uses a row layout instead (blur_input_layer.ts).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BlurActivation, BlurNetworkOptions } from './blur_options.js';
import type { BlurPopulationLayer } from './blur_population.js';

type Tf = typeof tfjs;
type T = tfjs.Tensor;
type Shape5 = [number, number, number, number, number];

/**
 * tanh; on wasm as 2σ(2z) − 1 (equal to within float32 rounding): tfjs-wasm's Tanh is a scalar loop about
 * 10× slower than its XNNPACK sigmoid.
 */
export function tanh(tf: Tf, z: T): T {
  return tf.getBackend() === 'wasm' ? tf.sub(tf.mul(tf.sigmoid(tf.mul(z, 2)), 2), 1) : tf.tanh(z);
}

export function activate(tf: Tf, z: T, f: BlurActivation): T {
  switch (f) {
    case 'relu_tanh': return tf.relu(tanh(tf, z));
    case 'tanh': return tanh(tf, z);
    case 'sigmoid': return tf.sigmoid(z);
    case 'relu': return tf.relu(z);
    case 'identity': return z;
  }
}

/** f'(z) in closed form (differentiable where f' is). */
export function activationDerivative(tf: Tf, z: T, f: BlurActivation): T {
  switch (f) {
    case 'relu_tanh': return tf.mul(tf.step(z), tf.sub(1, tf.square(tanh(tf, z))));
    case 'tanh': return tf.sub(1, tf.square(tanh(tf, z)));
    case 'sigmoid': {
      const s = tf.sigmoid(z);
      return tf.mul(s, tf.sub(1, s));
    }
    case 'relu': return tf.step(z);
    case 'identity': return tf.onesLike(z);
  }
}

/**
 * A constant tensor made by the backend's Fill kernel. tf.ones and tf.zeros are made on the CPU, and tfjs-webgpu
 * runs an op on the CPU whenever all its inputs are small CPU tensors, however large its output: a broadcast of
 * two such tensors to [P, …] cost 40 ms a step at P = 512. Filled on the GPU, the broadcast runs there.
 */
export function filled(tf: Tf, shape: number[], value: number): T {
  return tf.fill(shape, value);
}

/**
 * States [from, from + count) of a stacked tensor. Sliced as rank 3: tfjs-wasm slices rank ≥ 5 with a
 * generic per-element loop that is ~100× slower than its rank-3 row copies.
 */
export function states(tf: Tf, h: T, from: number, count: number): T {
  const [P, R, k, a, b] = h.shape as Shape5;
  const flat = tf.reshape(h, [P * R, k, a * b]);
  return tf.reshape(tf.slice(flat, [0, from, 0], [P * R, count, a * b]), [P, R, count, a, b]);
}

/** Forward activation; with `derivativeInState1`, state 1 gets f'(z) instead of f(z). */
export function forwardActivation(tf: Tf, z: T, f: BlurActivation, derivativeInState1: boolean): T {
  if (!derivativeInState1) return activate(tf, z, f);
  const k = z.shape[2]!;
  const parts = [activate(tf, states(tf, z, 0, 1), f), activationDerivative(tf, states(tf, z, 1, 1), f)];
  if (k > 2) parts.push(activate(tf, states(tf, z, 2, k - 2), f));
  return tf.concat(parts, 2);
}

/**
 * out[c] = Σ_d M'[c, d] h[d] per (p, r), where M' = Mᵀ if `transpose` else M; M is [P·R, k, k], h is
 * [P, R, k, ...]. ν, μ, α mix as Σ_d h[d] M[d, c] (transpose = true); β as Σ_e M[c, e] h[e] (false).
 */
export function mixStates(tf: Tf, m: tfjs.Tensor3D, h: T, transpose: boolean): T {
  const [P, R, k] = h.shape as number[] as [number, number, number];
  const flat = tf.reshape(h, [P * R, k, -1]) as tfjs.Tensor3D;
  if (tf.getBackend() === 'webgpu') {
    // tfjs-webgpu's BatchMatMul tiles the k×k operand (k = 2 or 3) as it would a large one, and its reduction over
    // a middle axis is as slow; column d of M' times state d, added over d, is k elementwise passes instead.
    const mt = transpose ? tf.transpose(m, [0, 2, 1]) : m;
    const X = flat.shape[2];
    let out: tfjs.Tensor | null = null;
    for (let d = 0; d < k; d++) {
      const term = tf.mul(tf.slice(mt, [0, 0, d], [P * R, k, 1]), tf.slice(flat, [0, d, 0], [P * R, 1, X]));
      out = out === null ? term : tf.add(out, term);
    }
    return tf.reshape(out!, h.shape);
  }
  // a single untransposed product takes tfjs-wasm's XNNPACK path; transposing the k×k matrix is cheap
  const mix = P * R === 1 && transpose ? tf.matMul(tf.transpose(m, [0, 2, 1]), flat) : tf.matMul(m, flat, transpose, false);
  return tf.reshape(mix, h.shape);
}

/**
 * [h; 1] along the neuron axis: the bias neuron, 1 in every state. On wasm a pad (its concat loops per row), as
 * rank 2: the pad's gradient is a slice, and tfjs-wasm slices rank ≥ 5 element by element (5 ms for 6 464 numbers,
 * a third of a meta-gradient's time) where a rank-2 slice copies rows.
 */
export function withBias(tf: Tf, h: T): T {
  const [P, R, k, B, n] = h.shape as Shape5;
  if (tf.getBackend() === 'wasm') return tf.reshape(tf.pad(tf.reshape(h, [P * R * k * B, n]), [[0, 0], [0, 1]], 1), [P, R, k, B, n + 1]);
  return tf.concat([h, filled(tf, [P, R, k, B, 1], 1)], 4);
}

/** Largest P·R·k for which wasm splits a batched product into 2-D ones (splitting copies, see below). */
const WASM_SPLIT_MAX = 4;

/**
 * Batched (P·R·k) matMul of [.., a, b] by [.., b, c] → [P, R, k, a, c]. On wasm a batched or transposed
 * BatchMatMul takes a naive path ~10× slower than XNNPACK's 2-D one, but every slice copies its whole
 * source tensor, so only small batches are split into 2-D products.
 */
export function stateMatMul(tf: Tf, a: T, b: T, transposeA = false): T {
  const [P, R, k] = a.shape as number[] as [number, number, number];
  const N = P * R * k;
  let a3 = tf.reshape(a, [N, a.shape[3]!, a.shape[4]!]) as tfjs.Tensor3D;
  const b3 = tf.reshape(b, [N, b.shape[3]!, b.shape[4]!]) as tfjs.Tensor3D;
  let out: tfjs.Tensor3D;
  if (tf.getBackend() === 'wasm' && N <= WASM_SPLIT_MAX) {
    if (transposeA) a3 = tf.transpose(a3, [0, 2, 1]);
    const as = tf.unstack(a3) as tfjs.Tensor2D[];
    const bs = tf.unstack(b3) as tfjs.Tensor2D[];
    out = tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]!))) as tfjs.Tensor3D;
  } else {
    out = tf.matMul(a3, b3, transposeA, false);
  }
  return tf.reshape(out, [P, R, k, out.shape[1]!, out.shape[2]!]);
}

/** Eq. F message before κ_n/η_n and the activation: u_{b,j,c} = Σ_{i,d} ĥ_{b,i,d} ν_{d,c} F_{i,j,c}, ĥ = [h; 1]. */
export function forwardMessage(tf: Tf, h: T, forward: T, nu: tfjs.Tensor3D): T {
  return stateMatMul(tf, mixStates(tf, nu, withBias(tf, h), true), forward);
}

/** Eq. B message: v_{b,i,c} = Σ_{j,d} h^{ℓ+1}_{b,j,d} μ_{d,c} Bk_{j,i,c} (no bias). */
export function backwardMessage(tf: Tf, hUp: T, backward: T, mu: tfjs.Tensor3D): T {
  return stateMatMul(tf, mixStates(tf, mu, hUp, true), backward);
}

/**
 * Eq. S, batch SUM: ΔF_{i,j,c} = Σ_b (ĥ_{b,i}·α[:,c]) (β[c,:]·h^{ℓ+1}_{b,j}) and, when `withBackward`,
 * ΔBk_{j,i,c} = Σ_b (h^{ℓ+1}_{b,j}·α[:,c]) (β[c,:]·h_{b,i}) for i < n.
 */
export function hebbianUpdate(tf: Tf, pre: T, post: T, alpha: tfjs.Tensor3D, beta: tfjs.Tensor3D, withBackward: boolean): { dF: T; dB: T | null } {
  const dF = stateMatMul(tf, mixStates(tf, alpha, withBias(tf, pre), true), mixStates(tf, beta, post, false), true);
  const dB = withBackward ? stateMatMul(tf, mixStates(tf, alpha, post, true), mixStates(tf, beta, pre, false), true) : null;
  return { dF, dB };
}

/** §1.6: S / sqrt(Σ_rows S² + 1e-9) per (column, state), optionally × rescaleTo; rows are `axis`. */
export function normalizeBlock(tf: Tf, s: T, rescaleTo: T | null, axis = 3): T {
  const n = tf.div(s, tf.sqrt(tf.add(tf.sum(tf.square(s), axis, true), 1e-9)));
  return rescaleTo ? tf.mul(n, rescaleTo) : n;
}

/** The block as used for activations (`normalize_in_activations` normalises only this copy). */
export function activationBlock(tf: Tf, s: T, g: BlurPopulationLayer, o: BlurNetworkOptions, axis = 3): T {
  return o.normalizeInActivations ? normalizeBlock(tf, s, o.rescale ? g.rescaleTo : null, axis) : s;
}

/** symmetric_states: state 0 copied into every state (a broadcast multiply: tfjs-wasm's Tile is slow). */
export function syncStates(tf: Tf, s: T): T {
  return tf.mul(states(tf, s, 0, 1), filled(tf, [1, 1, s.shape[2]!, 1, 1], 1));
}

/** Backward block as Fᵀ without the bias row. */
export function transposeForward(tf: Tf, f: T): T {
  const [P, R, k, n1, m] = f.shape as Shape5;
  const rows = tf.slice(tf.reshape(f, [P * R * k, n1, m]), [0, 0, 0], [P * R * k, n1 - 1, m]); // rank 3: see `states`
  return tf.reshape(tf.transpose(rows, [0, 2, 1]), [P, R, k, m, n1 - 1]);
}

/** Σ_b −(β[c,:]·N_b)² per column: the Oja factor of the neurons `cols` whose index is a block's column. */
export function ojaActivity(tf: Tf, betaMixed: T): T {
  return tf.neg(tf.sum(tf.square(betaMixed), 3, true));
}

/** Oja term (§1.5): sign(η_w)·extra·|oja|·S ⊙ Σ_b −(β·N_col)², `act` from `ojaActivity`. */
export function ojaTerm(tf: Tf, s: T, act: T, g: BlurPopulationLayer, o: BlurNetworkOptions): T {
  const scale = tf.mul(tf.mul(tf.sign(g.synapseUpdate), tf.abs(g.ojaMultiplier)), o.ojaExtraMultiplier);
  return tf.mul(scale, tf.mul(s, act));
}

/** S ← κ_w S + η_w H, or the 'exp' saturating form; κ, η, saturation broadcast onto S. */
export function applySynapseUpdate(tf: Tf, s: T, h: T, keep: T, update: T, saturation: T, o: BlurNetworkOptions): T {
  if (o.saturation === 'none') return tf.add(tf.mul(keep, s), tf.mul(update, h));
  const dw = tf.add(tf.mul(tf.sub(keep, 1), s), tf.mul(update, h));
  return tf.add(s, tf.mul(dw, saturationDamping(tf, s, saturation, o)));
}

/** exp(−|S|·(eps + |saturation|)). */
export function saturationDamping(tf: Tf, s: T, saturation: T, o: BlurNetworkOptions): T {
  return tf.exp(tf.neg(tf.mul(tf.abs(s), tf.add(o.saturationEps, tf.abs(saturation)))));
}

/**
 * Class probabilities of outputs ŷ [..., m] read as logits: softmax over the last axis, or σ(ŷ) for one output
 * (the probability of the +1 label).
 */
export function outputProbabilities(tf: Tf, out: T): T {
  return out.shape[out.shape.length - 1] === 1 ? tf.sigmoid(out) : tf.softmax(out);
}

/** ±1 targets as 0/1 probabilities, (y + 1)/2. */
export function targetProbabilities(tf: Tf, y: T): T {
  return tf.mul(tf.add(y, 1), 0.5);
}

/**
 * §1.2 step 7: state 0 keeps the prediction, state 1 gets y ('target'), δ of the MSE ('error') or δ of the softmax
 * cross-entropy ('softmax-error'; blur_options.ts), the rest 0.
 */
export function feedback(tf: Tf, out: T, outPre: T, y: tfjs.Tensor2D, o: BlurNetworkOptions): T {
  const [P, R, k, B, m] = out.shape as Shape5;
  const y5 = tf.mul(tf.reshape(y, [1, 1, 1, B, m]), filled(tf, [P, R, 1, 1, 1], 1));
  const s0 = states(tf, out, 0, 1);
  const residual = (): T => (o.feedback === 'error' ? tf.sub(s0, y5) : tf.sub(outputProbabilities(tf, s0), targetProbabilities(tf, y5)));
  const s1 = o.feedback === 'target' ? y5 : tf.mul(residual(), activationDerivative(tf, states(tf, outPre, 0, 1), o.outputActivation));
  const parts = [s0, s1];
  if (k > 2) parts.push(filled(tf, [P, R, k - 2, B, m], 0));
  return tf.concat(parts, 2);
}

/** Eq. B: how the message v updates the lower layer, then σ_bwd. */
export function backwardRule(tf: Tf, h: T, v: T, g: BlurPopulationLayer, o: BlurNetworkOptions): T {
  let next: T;
  switch (o.backwardUpdate) {
    case 'additive':
      next = tf.add(tf.mul(g.neuronKeep, h), tf.mul(g.neuronUpdate, v));
      break;
    case 'multiplicative':
      next = tf.mul(g.neuronKeep, tf.mul(h, v));
      break;
    case 'multiplicative_second_state': {
      const k = h.shape[2]!;
      const rest = tf.mul(states(tf, h, 1, k - 1), states(tf, v, 1, k - 1));
      next = tf.mul(g.neuronKeep, tf.concat([states(tf, h, 0, 1), rest], 2));
      break;
    }
    case 'none':
      next = v;
      break;
  }
  return activate(tf, next, o.backwardActivation);
}
