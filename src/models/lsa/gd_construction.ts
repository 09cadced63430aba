/**
 * The weights that make a linear self-attention layer one step of gradient descent ("Transformers learn in-context
 * by gradient descent", von Oswald et al., ICML 2023, Proposition 1), for the in-context least-squares loss
 * L(W) = 1/(2N) Σ_i ‖W x_i − y_i‖² from W₀ = 0 with learning rate η:
 *
 *   W_K = W_Q = [[I, 0], [0, 0]],   W_V = [[0, 0], [W₀, −1]] = [[0, 0], [0, −1]],   P = (η/N) [[0, 0], [0, 1]]
 *
 * so A = P W_V = (η/N) [[0, 0], [0, −1]] and M = W_Kᵀ W_Q = [[I, 0], [0, 0]]. The x entries stay as they are and
 * every token's y entry becomes y_j − ΔW x_j with ΔW = −η∇L(W₀): the query's (x_q, 0) becomes −ΔW x_q = −ŷ.
 * Applied again (a second layer with the same weights, keys and values over the context tokens only), the
 * context tokens hold the residuals y_i − W₁x_i, so the layer computes the GD step from W₁, and K layers give
 * K steps of GD: the query holds −W_K x_q.
 */
import { LSA_MATRICES, checkLsaSpec, storedLayers, tokenWidth, type LsaSpec } from './lsa_spec.js';

/** The D × D matrices of the construction, row-major, by the spec form's names. */
export function gdStepMatrices(nx: number, eta: number, n: number, form: LsaSpec['form']): Record<string, number[]> {
  const d = nx + 1;
  const zeros = (): number[] => new Array<number>(d * d).fill(0);
  const xIdentity = zeros();
  for (let k = 0; k < nx; k++) xIdentity[k * d + k] = 1;
  const yy = (v: number): number[] => {
    const m = zeros();
    m[d * d - 1] = v;
    return m;
  };
  if (form === 'pq') return { P: yy(-eta / n), Q: xIdentity };
  return { WK: xIdentity, WQ: xIdentity.slice(), WV: yy(-1), P: yy(eta / n) };
}

/** The flat parameter vector (lsa_spec order) whose every layer is one GD step with learning rate η over N context pairs. */
export function gdConstructionWeights(spec: LsaSpec, eta: number, n: number): number[] {
  checkLsaSpec(spec);
  if (!Number.isFinite(eta)) throw new Error(`gd construction: η must be a finite number (got ${eta})`);
  const m = gdStepMatrices(spec.nx, eta, n, spec.form);
  const layer = LSA_MATRICES[spec.form].flatMap((name) => m[name]!);
  if (layer.length !== LSA_MATRICES[spec.form].length * tokenWidth(spec) ** 2) throw new Error('gd construction: matrix sizes disagree with the spec');
  return new Array<number[]>(storedLayers(spec)).fill(layer).flat();
}
