/**
 * The linear self-attention forward pass of "Transformers learn in-context by gradient descent" (von Oswald et
 * al., ICML 2023), one head, no softmax, no normalisation, no MLP:
 *
 *   e_j ← e_j + P W_V Σ_i e_i (W_K e_i)ᵀ (W_Q e_j)  =  e_j + A S M e_j,   S = Σ_i e_i e_iᵀ,
 *
 * with A = P W_V and M = W_Kᵀ W_Q (the 'pq' form holds A and M directly). The sum runs over the N context
 * tokens (or all N + 1 with `attendToQuery`). The query token (x_q, 0) is last; the prediction is its y entry
 * negated (the paper's `preds = −out[:, −1, −1]`), so that one constructed layer outputs the GD step's ŷ.
 *
 * Parameters are a plain tree of tensors; `lsaParamsFromFlat` slices them out of one flat vector so that a
 * gradient with respect to that vector (the search vector of a meta-gradient) comes from one tf.grad.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { LSA_MATRICES, checkLsaSpec, lsaParamCount, storedLayers, tokenWidth, type LsaSpec } from './lsa_spec.js';

type Tf = typeof tfjs;

/** One layer's matrices by name ('P', 'Q' or 'WK', 'WQ', 'WV', 'P'), each [D, D]. */
export type LsaLayerParams = Record<string, tfjs.Tensor2D>;

export interface LsaParams {
  /** One entry when looped, else one per layer. */
  layers: LsaLayerParams[];
}

/** The parameter tree as views of `flat` (slices, so gradients flow back to it), in the flat order of lsa_spec. */
export function lsaParamsFromFlat(tf: Tf, flat: tfjs.Tensor1D, spec: LsaSpec): LsaParams {
  checkLsaSpec(spec);
  const n = lsaParamCount(spec);
  if (flat.shape[0] !== n) throw new Error(`lsa: the flat vector has ${flat.shape[0]} numbers, the spec needs ${n}`);
  const d = tokenWidth(spec);
  const names = LSA_MATRICES[spec.form];
  let at = 0;
  const layers: LsaLayerParams[] = [];
  for (let l = 0; l < storedLayers(spec); l++) {
    const layer: LsaLayerParams = {};
    for (const name of names) {
      layer[name] = tf.reshape(tf.slice(flat, [at], [d * d]), [d, d]);
      at += d * d;
    }
    layers.push(layer);
  }
  return { layers };
}

/** A = P W_V and M = W_Kᵀ W_Q of one layer. */
function products(tf: Tf, layer: LsaLayerParams, spec: LsaSpec): { a: tfjs.Tensor2D; m: tfjs.Tensor2D } {
  if (spec.form === 'pq') return { a: layer['P']!, m: layer['Q']! };
  return { a: tf.matMul(layer['P']!, layer['WV']!), m: tf.matMul(layer['WK']!, layer['WQ']!, true, false) };
}

/** Every token after the K layers, [B, T, D] from tokens [B, T, D] (query last). */
export function lsaForward(tf: Tf, params: LsaParams, tokens: tfjs.Tensor3D, spec: LsaSpec): tfjs.Tensor3D {
  const [b, t, d] = tokens.shape;
  if (d !== tokenWidth(spec)) throw new Error(`lsa: tokens are ${d} wide, the spec's are N_x + 1 = ${tokenWidth(spec)}`);
  if (t < 2) throw new Error(`lsa: needs at least one context token and the query (got ${t} tokens)`);
  const keys = spec.attendToQuery ? t : t - 1;
  let e = tokens;
  for (let k = 0; k < spec.layers; k++) {
    const { a, m } = products(tf, params.layers[spec.looped ? 0 : k]!, spec);
    const context = keys === t ? e : tf.slice(e, [0, 0, 0], [b, keys, d]);
    const s = tf.matMul(context, context, true, false); // [B, D, D]: Σ_i e_i e_iᵀ
    // Row form of Δe_j = A S M e_j: ΔE = E Mᵀ S Aᵀ (S is symmetric).
    const em = tf.reshape(tf.matMul(tf.reshape(e, [b * t, d]), m, false, true), [b, t, d]);
    const ems = tf.reshape(tf.matMul(em, s), [b * t, d]);
    e = tf.add(e, tf.reshape(tf.matMul(ems, a, false, true), [b, t, d]));
  }
  return e;
}

/** ŷ [B]: the query token's y entry after the K layers, negated (the paper's convention). */
export function lsaPredict(tf: Tf, params: LsaParams, tokens: tfjs.Tensor3D, spec: LsaSpec): tfjs.Tensor1D {
  const out = lsaForward(tf, params, tokens, spec);
  const [b, t, d] = out.shape;
  return tf.neg(tf.reshape(tf.slice(out, [0, t - 1, d - 1], [b, 1, 1]), [b]));
}

/** The paper's training loss ½ mean (y_q − ŷ)², a scalar. */
export function lsaQueryLoss(tf: Tf, params: LsaParams, tokens: tfjs.Tensor3D, targets: tfjs.Tensor1D, spec: LsaSpec): tfjs.Scalar {
  return tf.mul(0.5, tf.mean(tf.square(tf.sub(targets, lsaPredict(tf, params, tokens, spec)))));
}

/** The mean query loss and its gradient with respect to the flat parameter vector (both plain numbers). */
export function lsaLossAndGrad(tf: Tf, flat: readonly number[], tokens: tfjs.Tensor3D, targets: tfjs.Tensor1D, spec: LsaSpec): { loss: number; grad: number[] } {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((v: tfjs.Tensor) => lsaQueryLoss(tf, lsaParamsFromFlat(tf, v as tfjs.Tensor1D, spec), tokens, targets, spec))([tf.tensor1d(flat as number[])]);
    return { loss: value.dataSync()[0]!, grad: Array.from(grads[0]!.dataSync()) };
  });
}

/**
 * The sensitivities ∂ŷ/∂x_q [B, N_x] of each task's prediction to its query input (the paper's alignment
 * measure), by tf.grad through the whole model: each ŷ_b depends only on task b's tokens.
 */
export function lsaQuerySensitivity(tf: Tf, params: LsaParams, tokens: tfjs.Tensor3D, spec: LsaSpec): tfjs.Tensor2D {
  return tf.tidy(() => {
    const g = tf.grad((x: tfjs.Tensor) => tf.sum(lsaPredict(tf, params, x as tfjs.Tensor3D, spec)))(tokens);
    const [b, t, d] = tokens.shape;
    return tf.reshape(tf.slice(g, [0, t - 1, 0], [b, 1, d - 1]), [b, d - 1]);
  });
}
