/**
 * The input layer's forward block F^0 in row layout: weights w = F^0[:n0]ᵀ stacked over the population,
 * [P·R·k·n1, n0], and bias b = F^0[n0]ᵀ, [P·R·k·n1, 1]; row ((p·R + r)·k + c)·n1 + j.
 *
 * Why: every genome and replica sees the same input h^0 = [x, 0, …, 0], so eq. F and eq. S for this block
 * become one 2-D matMul each over all P·R·k·n1 rows, with the small x as the right operand. That is
 * tfjs-wasm's fast path (XNNPACK packs the right operand, so it should be small; batched or transposed
 * products take a ~10× slower loop; slices copy their whole source). Per-genome scalars and per-state mix
 * coefficients become column vectors [rows, 1]. This block dominates the cost of image inputs (784 × hidden).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { filled, mixStates, ojaActivity, syncStates } from './blur_math.js';
import type { BlurNetworkOptions } from './blur_options.js';
import type { BlurPopulation, BlurPopulationLayer } from './blur_population.js';

type Tf = typeof tfjs;
type T = tfjs.Tensor;

/** F^0 split into its weight rows and bias, both row layout. */
export interface InputBlock {
  /** [P·R·k·n1, n0] */
  w: T;
  /** [P·R·k·n1, 1] */
  b: T;
}

export interface RowShape {
  P: number;
  R: number;
  k: number;
  /** Neurons of layer 1. */
  m: number;
}

export function rowShape(pop: BlurPopulation, input: InputBlock): RowShape {
  return { P: pop.P, R: pop.R, k: pop.k, m: input.w.shape[0]! / (pop.P * pop.R * pop.k) };
}

/** Stacked [P, R, k, B, m] → rows [P·R·k·m, B]. */
export function toRows(tf: Tf, h: T): tfjs.Tensor2D {
  const [P, R, k, B, m] = h.shape as [number, number, number, number, number];
  return tf.reshape(tf.transpose(tf.reshape(h, [P * R * k, B, m]), [0, 2, 1]), [P * R * k * m, B]);
}

/** Rows [P·R·k·m, B] → stacked [P, R, k, B, m]. */
export function fromRows(tf: Tf, u: T, s: RowShape): T {
  const B = u.shape[1]!;
  return tf.reshape(tf.transpose(tf.reshape(u, [s.P * s.R * s.k, s.m, B]), [0, 2, 1]), [s.P, s.R, s.k, B, s.m]);
}

/** A per-(member, state) coefficient [P·R, k] repeated over its m rows: [P·R·k·m, 1]. */
function stateColumn(tf: Tf, v: T, s: RowShape): T {
  return tf.reshape(tf.mul(tf.reshape(v, [-1, 1]), filled(tf, [1, s.m], 1)), [-1, 1]);
}

/** A per-genome scalar (rank 0, or [P,1,1,1,1]) as a column; rank 0 stays rank 0 (it broadcasts). */
export function genomeColumn(tf: Tf, v: T, s: RowShape): T {
  if (v.rank === 0) return v;
  return tf.reshape(tf.mul(tf.reshape(v, [s.P, 1]), filled(tf, [1, s.R * s.k * s.m], 1)), [-1, 1]);
}

/** Row d of a [P·R, k, k] mix matrix as [P·R, k] (entries M[d][c]). */
function mixRow(tf: Tf, m: tfjs.Tensor3D, d: number): T {
  const [PR, , k] = m.shape;
  return tf.reshape(tf.slice(m, [0, d, 0], [PR, 1, k]), [PR, k]);
}

/** §1.6 for F^0: each column of F^0 (a row here, bias included) L2-normalised, times rescaleTo when `rescale`. */
export function normalizeInput(tf: Tf, input: InputBlock, g: BlurPopulationLayer, s: RowShape, rescale: boolean): InputBlock {
  let inv = tf.rsqrt(tf.add(tf.add(tf.sum(tf.square(input.w), 1, true), tf.square(input.b)), 1e-9));
  if (rescale) inv = tf.mul(inv, genomeColumn(tf, g.rescaleTo, s));
  return { w: tf.mul(input.w, inv), b: tf.mul(input.b, inv) };
}

/**
 * Eq. F message into layer 1 for h^0 = [x, 0, …]: u[c] = ν[0][c]·(x F[:n0]) + (Σ_d ν[d][c])·F[n0]
 * (the bias neuron is 1 in every state); returned stacked [P, R, k, B, m].
 */
export function inputForwardMessage(tf: Tf, input: InputBlock, x: tfjs.Tensor2D, g: BlurPopulationLayer, s: RowShape): T {
  const xw = tf.matMul(input.w as tfjs.Tensor2D, tf.transpose(x)); // [rows, B]
  const u = tf.add(tf.mul(xw, stateColumn(tf, mixRow(tf, g.nu, 0), s)), tf.mul(input.b, stateColumn(tf, tf.sum(g.nu, 1), s)));
  return fromRows(tf, u, s);
}

/** What eq. S for F^0 needs from the post layer: its β-mixed rows, the α coefficients as columns, the Oja factor. */
interface InputHebbianParts {
  /** β-mixed post in rows, [P·R·k·m, B] (synced when symmetricStates). */
  rows: T;
  /** α[0][c] as a column: the weight of x, the only non-zero pre state. */
  a0: T;
  /** Σ_d α[d][c] as a column: the bias neuron is 1 in every state. */
  aSum: T;
  /** The Oja factor per row, before syncing (as the public code), or null. */
  act: T | null;
}

function inputHebbianParts(tf: Tf, post: T, g: BlurPopulationLayer, s: RowShape, o: BlurNetworkOptions): InputHebbianParts {
  let bp = mixStates(tf, g.beta, post, false);
  const act = o.oja ? tf.reshape(ojaActivity(tf, bp), [-1, 1]) : null; // before syncing, as the code
  let a0 = mixRow(tf, g.alpha, 0);
  let aSum: T = tf.sum(g.alpha, 1);
  if (o.symmetricStates) {
    bp = syncStates(tf, bp);
    a0 = tf.tile(tf.slice(a0, [0, 0], [a0.shape[0]!, 1]), [1, s.k]);
    aSum = tf.tile(tf.slice(aSum, [0, 0], [aSum.shape[0]!, 1]), [1, s.k]);
  }
  return { rows: toRows(tf, bp), a0: stateColumn(tf, a0, s), aSum: stateColumn(tf, aSum, s), act };
}

/**
 * Eq. S for F^0 with pre = [x, 0, …], and the update applied: η·ΔW = (Bp ⊙ η α[0][c]) x and
 * η·Δb = Σ_b Bp ⊙ η Σ_d α[d][c], with Bp the β-mixed post in rows. The Oja term is a per-row decay
 * |η|·|oja|·extra·Σ_b −Bp², folded into κ_w; symmetricStates syncs Bp and the α coefficients.
 */
export function inputSynapseUpdate(tf: Tf, input: InputBlock, x: tfjs.Tensor2D, post: T, g: BlurPopulationLayer, s: RowShape, o: BlurNetworkOptions): InputBlock {
  const { rows, a0, aSum, act } = inputHebbianParts(tf, post, g, s, o);
  const eta = genomeColumn(tf, g.synapseUpdate, s);
  const etaW = tf.matMul(tf.mul(rows, tf.mul(a0, eta)) as tfjs.Tensor2D, x);
  const etaB = tf.mul(tf.sum(rows, 1, true), tf.mul(aSum, eta));
  let decay = genomeColumn(tf, g.synapseKeep, s);
  if (act) decay = tf.add(decay, tf.mul(tf.mul(tf.abs(eta), genomeColumn(tf, tf.abs(g.ojaMultiplier), s)), tf.mul(act, o.ojaExtraMultiplier)));
  const apply = (v: T, etaH: T): T => {
    if (o.saturation === 'none') return tf.add(tf.mul(v, decay), etaH);
    const dw = tf.add(tf.mul(v, tf.sub(decay, 1)), etaH);
    const damp = tf.exp(tf.neg(tf.mul(tf.abs(v), tf.add(o.saturationEps, genomeColumn(tf, tf.abs(g.saturation), s)))));
    return tf.add(v, tf.mul(dw, damp));
  };
  return { w: apply(input.w, etaW), b: apply(input.b, etaB) };
}

/** Eq. S's H for F^0 without η (what moment buffers take): ΔW = (Bp ⊙ α[0][c]) x, Δb = Σ_b Bp ⊙ Σ_d α[d][c]. */
export function inputHebbian(tf: Tf, x: tfjs.Tensor2D, post: T, g: BlurPopulationLayer, s: RowShape, o: BlurNetworkOptions): InputBlock {
  const { rows, a0, aSum } = inputHebbianParts(tf, post, g, s, o);
  return { w: tf.matMul(tf.mul(rows, a0) as tfjs.Tensor2D, x), b: tf.mul(tf.sum(rows, 1, true), aSum) };
}

/** F^0 as a stacked block [P, R, k, n0 + 1, m] (for inspection and tests; not on the hot path). */
export function inputBlockStacked(tf: Tf, input: InputBlock, s: RowShape): T {
  const n1 = input.w.shape[1]! + 1;
  return tf.transpose(tf.reshape(tf.concat([input.w, input.b], 1), [s.P, s.R, s.k, s.m, n1]), [0, 1, 2, 4, 3]);
}

/** A stacked block [P, R, k, n0 + 1, m] in row layout. */
export function inputBlockFromStacked(tf: Tf, f: T): InputBlock {
  const [P, R, k, n1, m] = f.shape as [number, number, number, number, number];
  const rows = tf.reshape(tf.transpose(f, [0, 1, 2, 4, 3]), [P * R * k * m, n1]);
  return { w: tf.slice(rows, [0, 0], [P * R * k * m, n1 - 1]), b: tf.slice(rows, [0, n1 - 1], [P * R * k * m, 1]) };
}
