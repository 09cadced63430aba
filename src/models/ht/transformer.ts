/**
 * The HyperTransformer's generator network (papers.md §2.5): an encoder-only, post-LayerNorm transformer
 * over one token sequence [T, E], with no positional encoding, so permuting the tokens permutes the output
 * (the support set is a set). Written from elementary ops over a plain parameter tree, so every parameter
 * and the input differentiate on every backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { glorotUniform } from '../../runtime/tensor_init.js';
import { headDim, type Activation, type HtConfig } from './ht_config.js';

type Tf = typeof tfjs;

/** LayerNorm epsilon of the reference (`LayerNormalization(epsilon=1e-6)`). */
export const LN_EPSILON = 1e-6;
/** Added (negated) to attention logits of masked keys, as the reference's LARGE_NUMBER. */
export const MASK_PENALTY = 1e8;

export interface TransformerConfig {
  /** E: token width, also the width of every block's output. */
  width: number;
  layers: number;
  heads: number;
  /** Total Q/K width over all heads (a multiple of `heads`). */
  qkDim: number;
  /** Total V width over all heads (a multiple of `heads`). */
  vDim: number;
  /** FFN hidden width. */
  innerDim: number;
  activation: Activation;
  /** No FFN activation in the last block (reference flag `transformer_skip_last_nonlinearity`). */
  skipLastNonlinearity?: boolean;
}

/** Widths from the HT config's fractions of E, each rounded up to a multiple of the head count. */
export function transformerConfig(
  width: number,
  c: Pick<HtConfig, 'transformerLayers' | 'heads' | 'qkFraction' | 'vFraction' | 'innerFraction' | 'transformerActivation'>,
  skipLastNonlinearity = false,
): TransformerConfig {
  return {
    width,
    layers: c.transformerLayers,
    heads: c.heads,
    qkDim: headDim(c.qkFraction, width, c.heads),
    vDim: headDim(c.vFraction, width, c.heads),
    innerDim: headDim(c.innerFraction, width, c.heads),
    activation: c.transformerActivation,
    skipLastNonlinearity,
  };
}

export interface LayerNormParams {
  gamma: tfjs.Tensor1D;
  beta: tfjs.Tensor1D;
}

/** One encoder block; kernels are [in, out] so a token row times the kernel is a Dense layer. */
export interface TransformerBlockParams {
  wq: tfjs.Tensor2D; bq: tfjs.Tensor1D;
  wk: tfjs.Tensor2D; bk: tfjs.Tensor1D;
  wv: tfjs.Tensor2D; bv: tfjs.Tensor1D;
  wo: tfjs.Tensor2D; bo: tfjs.Tensor1D;
  ln1: LayerNormParams;
  w1: tfjs.Tensor2D; b1: tfjs.Tensor1D;
  w2: tfjs.Tensor2D; b2: tfjs.Tensor1D;
  ln2: LayerNormParams;
}

export interface TransformerParams {
  blocks: TransformerBlockParams[];
}

function checkConfig(cfg: TransformerConfig): void {
  const ints = ['width', 'layers', 'heads', 'qkDim', 'vDim', 'innerDim'] as const;
  for (const k of ints) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new Error(`transformer: ${k} must be a positive integer (got ${cfg[k]})`);
  }
  if (cfg.qkDim % cfg.heads !== 0 || cfg.vDim % cfg.heads !== 0) {
    throw new Error(`transformer: qkDim ${cfg.qkDim} and vDim ${cfg.vDim} must be multiples of heads ${cfg.heads}`);
  }
}

/** Keras defaults: glorot-uniform kernels, zero biases, LayerNorm γ = 1, β = 0. Draws only from `rng`. */
export function initTransformer(tf: Tf, cfg: TransformerConfig, rng: Rng): TransformerParams {
  checkConfig(cfg);
  const { width: e, qkDim: qk, vDim: v, innerDim: inner } = cfg;
  const kernel = (i: number, o: number): tfjs.Tensor2D => glorotUniform(tf, [i, o], rng) as tfjs.Tensor2D;
  const zeros = (n: number): tfjs.Tensor1D => tf.zeros([n]) as tfjs.Tensor1D;
  const ln = (): LayerNormParams => ({ gamma: tf.ones([e]) as tfjs.Tensor1D, beta: zeros(e) });
  const blocks: TransformerBlockParams[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    blocks.push({
      wq: kernel(e, qk), bq: zeros(qk),
      wk: kernel(e, qk), bk: zeros(qk),
      wv: kernel(e, v), bv: zeros(v),
      wo: kernel(v, e), bo: zeros(e),
      ln1: ln(),
      w1: kernel(e, inner), b1: zeros(inner),
      w2: kernel(inner, e), b2: zeros(e),
      ln2: ln(),
    });
  }
  return { blocks };
}

/** LayerNorm over the last axis with the biased variance, as Keras. */
export function layerNorm(tf: Tf, x: tfjs.Tensor2D, p: LayerNormParams, epsilon = LN_EPSILON): tfjs.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), p.gamma), p.beta) as tfjs.Tensor2D;
}

/** relu, leaky relu (α = 0.1, as the reference's 'lrelu') or exact (erf) gelu, as `tf.nn.gelu`'s default. */
export function activate(tf: Tf, x: tfjs.Tensor, act: Activation): tfjs.Tensor {
  switch (act) {
    case 'relu': return tf.relu(x);
    case 'lrelu': return tf.leakyRelu(x, 0.1);
    case 'gelu': return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  }
}

function dense(tf: Tf, x: tfjs.Tensor2D, w: tfjs.Tensor2D, b: tfjs.Tensor1D): tfjs.Tensor2D {
  return tf.add(tf.matMul(x, w), b) as tfjs.Tensor2D;
}

/** [T, h·d] → [h, T, d]. */
function splitHeads(tf: Tf, x: tfjs.Tensor2D, heads: number): tfjs.Tensor3D {
  const [t, w] = x.shape;
  return tf.transpose(tf.reshape(x, [t, heads, w / heads]), [1, 0, 2]);
}

/** Multi-head scaled dot-product self-attention; `mask` [T] (1 = ignore as a key) adds −1e8 to those logits. */
function selfAttention(tf: Tf, p: TransformerBlockParams, heads: number, x: tfjs.Tensor2D, mask?: tfjs.Tensor1D): tfjs.Tensor2D {
  const q = splitHeads(tf, dense(tf, x, p.wq, p.bq), heads);
  const k = splitHeads(tf, dense(tf, x, p.wk, p.bk), heads);
  const v = splitHeads(tf, dense(tf, x, p.wv, p.bv), heads);
  let logits: tfjs.Tensor = tf.div(tf.matMul(q, k, false, true), Math.sqrt(q.shape[2])); // [h, T, T]
  if (mask) logits = tf.sub(logits, tf.mul(mask, MASK_PENALTY)); // broadcasts over the key axis
  const attended = tf.matMul(tf.softmax(logits), v); // [h, T, dv]
  const concat = tf.reshape(tf.transpose(attended, [1, 0, 2]), [x.shape[0], p.wv.shape[1]]) as tfjs.Tensor2D;
  return dense(tf, concat, p.wo, p.bo);
}

/**
 * Runs every block: x = LN(x + MHA(x)); x = LN(x + FFN(x)). `x` is [T, E]; `mask` [T] marks tokens
 * (1) that no token may attend to. Returns a new [T, E] tensor; intermediates are freed.
 */
export function transformerForward(
  tf: Tf, params: TransformerParams, cfg: TransformerConfig, x: tfjs.Tensor2D, mask?: tfjs.Tensor1D,
): tfjs.Tensor2D {
  checkConfig(cfg);
  if (x.rank !== 2 || x.shape[1] !== cfg.width) throw new Error(`transformer: input must be [T, ${cfg.width}] (got [${x.shape.join(', ')}])`);
  if (mask && (mask.rank !== 1 || mask.shape[0] !== x.shape[0])) throw new Error(`transformer: mask must be [${x.shape[0]}] (got [${mask.shape.join(', ')}])`);
  if (params.blocks.length !== cfg.layers) throw new Error(`transformer: ${params.blocks.length} blocks of parameters for ${cfg.layers} layers`);
  return tf.tidy(() => {
    let h = x;
    params.blocks.forEach((p, i) => {
      h = layerNorm(tf, tf.add(h, selfAttention(tf, p, cfg.heads, h, mask)), p.ln1);
      const last = i === params.blocks.length - 1;
      let hidden: tfjs.Tensor = dense(tf, h, p.w1, p.b1);
      if (!(last && cfg.skipLastNonlinearity)) hidden = activate(tf, hidden, cfg.activation);
      h = layerNorm(tf, tf.add(h, dense(tf, hidden as tfjs.Tensor2D, p.w2, p.b2)), p.ln2);
    });
    return h;
  });
}
