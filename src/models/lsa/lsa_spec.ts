/**
 * The shape of a linear self-attention (LSA) model of "Transformers learn in-context by gradient descent"
 * (von Oswald et al., ICML 2023): tokens e = (x, y) of width D = N_x + 1, K attention-only layers without softmax
 * or normalisation, each with its own weights or one set applied K times (looped). Its parameters, in one fixed
 * order, are what a flat search vector holds.
 */

/**
 * 'pq': per layer the two products the layer depends on, P (= P W_V of the paper) and Q (= W_Kᵀ W_Q);
 * 'kqvp': the paper's four matrices W_K, W_Q, W_V, P, as its code trains them (over-parametrised).
 */
export const LSA_FORMS = ['pq', 'kqvp'] as const;
export type LsaForm = (typeof LSA_FORMS)[number];

export interface LsaSpec {
  /** N_x: input width; tokens are N_x + 1 wide (one target entry, N_y = 1). */
  nx: number;
  /** K: attention layers applied. */
  layers: number;
  /** One set of weights applied K times (the paper's `deq`), instead of K sets. */
  looped: boolean;
  form: LsaForm;
  /**
   * Whether the query token is among the keys and values. The paper's equation sums over the N context tokens
   * only (false); its code attends over all N + 1, which equals that for one constructed layer from W₀ = 0
   * (the query's value is 0) but not for K > 1 layers, where the query's y entry is no longer 0.
   */
  attendToQuery: boolean;
}

/** The matrix names of one layer, in flat order; every matrix is D × D. */
export const LSA_MATRICES: Readonly<Record<LsaForm, readonly string[]>> = {
  pq: ['P', 'Q'],
  kqvp: ['WK', 'WQ', 'WV', 'P'],
};

/** Token width D = N_x + 1. */
export const tokenWidth = (spec: Pick<LsaSpec, 'nx'>): number => spec.nx + 1;

/** Weight sets held: 1 when looped, else K. */
export const storedLayers = (spec: Pick<LsaSpec, 'layers' | 'looped'>): number => (spec.looped ? 1 : spec.layers);

/** Length of the flat parameter vector. */
export function lsaParamCount(spec: LsaSpec): number {
  const d = tokenWidth(spec);
  return storedLayers(spec) * LSA_MATRICES[spec.form].length * d * d;
}

/** Throws a one-line reason where the spec cannot describe a model. */
export function checkLsaSpec(spec: LsaSpec, where = 'lsa'): LsaSpec {
  if (!Number.isInteger(spec.nx) || spec.nx < 1 || spec.nx > 256) throw new Error(`${where}: nx must be an integer from 1 to 256 (got ${String(spec.nx)})`);
  if (!Number.isInteger(spec.layers) || spec.layers < 1 || spec.layers > 64) throw new Error(`${where}: layers must be an integer from 1 to 64 (got ${String(spec.layers)})`);
  if (!(LSA_FORMS as readonly string[]).includes(spec.form)) throw new Error(`${where}: form must be one of ${LSA_FORMS.join(', ')} (got ${String(spec.form)})`);
  if (typeof spec.looped !== 'boolean' || typeof spec.attendToQuery !== 'boolean') throw new Error(`${where}: looped and attendToQuery must be true or false`);
  return spec;
}
