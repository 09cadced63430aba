/**
 * How each block position gets its weights (papers.md §3.1): either a softmax mixture of the N templates
 * through that position's logits (the differentiable relaxation), or one template picked by index (a hard
 * ordering). A one-hot mixture and the hard pick give bit-identical parameters, which the tests check.
 *
 * With `allowSkip`, choice N is the identity. Mixing an identity into the weights has no meaning, so the
 * skip probability p instead gates the residual branch, x + (1 − p)·F(x), and the templates are mixed by
 * the softmax of the first N logits (the template probabilities renormalised). p = 1 is exactly x.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { choicesPerPosition, expandedChannels, type ModularResNetConfig } from './modular_config.js';
import { TEMPLATE_KEYS, type TemplateParams } from './modular_params.js';

type Tf = typeof tfjs;

/** One position's block parameters, shaped for the ops that use them. */
export type BlockParams = {
  expandKernel: tfjs.Tensor2D; // [C, E]
  gamma1: tfjs.Tensor1D;
  beta1: tfjs.Tensor1D;
  depthwiseKernel: tfjs.Tensor4D; // [3, 3, E, 1]
  gamma2: tfjs.Tensor1D;
  beta2: tfjs.Tensor1D;
  projectKernel: tfjs.Tensor2D; // [E, C]
  gamma3: tfjs.Tensor1D;
  beta3: tfjs.Tensor1D;
};

/** What runs at one position: a block (its branch scaled by `gate` when given), or nothing (skip). */
export interface PositionPlan {
  block: BlockParams | null;
  gate: tfjs.Scalar | null;
}

/** Either the soft mixture (logits [L, K]) or a hard ordering (L indices in [0, K); N = skip). */
export type Ordering = { logits: tfjs.Tensor2D } | { modules: readonly number[] };

function blockShapes(c: ModularResNetConfig): Record<keyof TemplateParams, number[]> {
  const C = c.channels;
  const E = expandedChannels(c);
  return {
    expandKernel: [C, E], gamma1: [E], beta1: [E],
    depthwiseKernel: [3, 3, E, 1], gamma2: [E], beta2: [E],
    projectKernel: [E, C], gamma3: [C], beta3: [C],
  };
}

/** Template probabilities [L, N] and, with skipping, the branch gates 1 − p_skip [L]. */
export function mixtureWeights(tf: Tf, c: ModularResNetConfig, logits: tfjs.Tensor2D): { weights: tfjs.Tensor2D; gates: tfjs.Tensor1D | null } {
  const K = choicesPerPosition(c);
  if (logits.rank !== 2 || logits.shape[0] !== c.blocks || logits.shape[1] !== K)
    throw new RangeError(`mixture logits must be [${c.blocks}, ${K}] (blocks × ${c.allowSkip ? 'templates + skip' : 'templates'}), got [${logits.shape.join(', ')}]`);
  if (!c.allowSkip) return { weights: tf.softmax(logits), gates: null };
  const N = c.templates;
  const weights = tf.softmax(tf.slice(logits, [0, 0], [c.blocks, N]));
  const pSkip = tf.slice(tf.softmax(logits), [0, N], [c.blocks, 1]);
  return { weights, gates: tf.reshape(tf.sub(1, pSkip), [c.blocks]) };
}

/** Every position's parameters as the weighted sum of the templates: one matMul per parameter tensor. */
export function mixedPlans(tf: Tf, c: ModularResNetConfig, templates: TemplateParams, logits: tfjs.Tensor2D): PositionPlan[] {
  const { weights, gates } = mixtureWeights(tf, c, logits);
  const shapes = blockShapes(c);
  const perKey = {} as Record<keyof TemplateParams, tfjs.Tensor2D>;
  for (const key of TEMPLATE_KEYS) {
    const t = templates[key];
    perKey[key] = tf.matMul(weights, tf.reshape(t, [c.templates, t.size / c.templates]));
  }
  return Array.from({ length: c.blocks }, (_, l) => {
    const block = {} as Record<keyof TemplateParams, tfjs.Tensor>;
    for (const key of TEMPLATE_KEYS) {
      const m = perKey[key];
      block[key] = tf.reshape(tf.slice(m, [l, 0], [1, m.shape[1]]), shapes[key]);
    }
    const gate = gates ? (tf.reshape(tf.slice(gates, [l], [1]), []) as tfjs.Scalar) : null;
    return { block: block as unknown as BlockParams, gate };
  });
}

/** Checks a hard ordering against the config; the message names the position and the valid range. */
export function checkModules(c: ModularResNetConfig, modules: readonly number[]): void {
  const K = choicesPerPosition(c);
  if (modules.length !== c.blocks) throw new RangeError(`a hard ordering needs ${c.blocks} module indices (one per block position), got ${modules.length}`);
  modules.forEach((m, l) => {
    if (!Number.isInteger(m) || m < 0 || m >= K)
      throw new RangeError(`module index at position ${l} must be an integer in [0, ${K - 1}]${c.allowSkip ? ` (${c.templates} = skip)` : ''}, got ${m}`);
  });
}

/** The picked template's parameters at each position (the same values a one-hot mixture yields). */
export function hardPlans(tf: Tf, c: ModularResNetConfig, templates: TemplateParams, modules: readonly number[]): PositionPlan[] {
  checkModules(c, modules);
  const shapes = blockShapes(c);
  return modules.map((m) => {
    if (m === c.templates) return { block: null, gate: null };
    const block = {} as Record<keyof TemplateParams, tfjs.Tensor>;
    for (const key of TEMPLATE_KEYS) {
      const t = templates[key];
      const d = t.size / c.templates;
      block[key] = tf.reshape(tf.slice(tf.reshape(t, [c.templates, d]), [m, 0], [1, d]), shapes[key]);
    }
    return { block: block as unknown as BlockParams, gate: null };
  });
}

/**
 * Logits whose softmax is exactly one-hot in float32 at each position's chosen index: the others sit
 * `magnitude` below, and e^−104 already underflows to 0. With skipping, a skipped position's template
 * logits are all equal, so its (zero-gated) branch still computes finite values.
 */
export function hardLogits(tf: Tf, c: ModularResNetConfig, modules: readonly number[], magnitude = 1000): tfjs.Tensor2D {
  checkModules(c, modules);
  const K = choicesPerPosition(c);
  const v = new Float32Array(c.blocks * K).fill(-magnitude);
  modules.forEach((m, l) => (v[l * K + m] = 0));
  return tf.tensor2d(v, [c.blocks, K]);
}
