/**
 * CMA-ES (Hansen & Ostermeier 2001) and sep-CMA-ES (Ros & Hansen 2008) in one implementation, one concept a
 * file: cma_params (defaults), bounds (mirror reflection), cma_state (the JSON state and its start),
 * cma_generation (ask/tell), cma_covariance (C and its eigensystem), cma_stop (termination); sep-CMA-ES is
 * the same code with `params.diagonal`.
 * Equations follow Hansen's tutorial (arXiv:1604.00772, "Eq. (n)" below); defaults follow pycma 4.4
 * where it deviates from the tutorial (c₁ × min(1, λ/6), c_σ, d_σ, c_μ with the ¼ offset, sep rates).
 *
 * Design choices:
 * - The whole state is plain JSON (number[] and null, never NaN or ±Infinity), so a checkpoint is
 *   `JSON.stringify(state)` and a resumed run continues bit for bit.
 * - Failed, NaN or infinite evaluations rank worst (shared `rankOrder`). A generation without any
 *   finite evaluation carries no information and leaves the distribution untouched, and
 *   `maxFailedGenerations` (10) of them in a row stop the run with `{ noSuccessfulEvaluations }`; any update
 *   that would produce a non-finite number is dropped as a whole, so the state is never corrupted.
 * - Box bounds are handled by mirror reflection into [lower, upper], as a genotype → phenotype map
 *   (the idea of pycma's BoundTransform): the candidate handed out and evaluated is the reflected
 *   point, while the update learns from the unrepaired sample, i.e. CMA-ES optimises the unbounded
 *   function x ↦ f(reflect(x)). Feeding the repaired points into the update instead (y = (x_repaired
 *   − m)/σ) was tried and rejected: with the optimum on a bound the selected repaired steps are
 *   folded, C collapses along the bound while σ grows without limit (σ ≈ 1e100 after 400
 *   generations on a 5-D sphere with four active bounds, where this way reaches f − f* < 1e-12).
 *   So `mean` may lie outside the box; `reflect(mean)` and `best.x` are feasible.
 * - Integer coordinates (`options.integers`, declared by the genome kind, which rounds them): after
 *   each update their marginal std σ·stds_i·√C_ii is raised to ≥ `integerMinStd` by rescaling row and
 *   column i of C (see enforceIntegerFloor), as pycma's `integer_variables`.
 * - `params.stds` is pycma's CMA_stds: a fixed per-coordinate scaling outside C (x = m + σ·stds ⊙ B·D·z, the
 *   update in the scaled coordinates), not C₀ = diag(stds²) as evometa had it before (see cma_state.ts).
 * - h_σ is pycma's: ‖p_σ‖²/(1 − (1 − c_σ)^{2(g+1)})/n < 2 + 4/(n + 1).
 * - Cost per generation (cma_sampling, cma_covariance): the λ normals drawn in one loop on the state's Alea stream
 *   (exactly Rng.normal's Box–Muller numbers, so runs keep their trajectories), the steps B·D·z, C^{-1/2}·v and
 *   the rank-μ update on the upper triangle in WebAssembly SIMD kernels (cma_wasm; bit for bit the plain loops,
 *   B and Bᵀ kept there between eigendecompositions), ‖C^{-1/2}y‖² of the negative weights as the ‖z‖² that
 *   ask kept, scratch arrays reused between generations; B and D are recomputed every max(1/(10n(c₁ + c_μ)), 1/(100(c₁ + c_μ)))
 *   generations (pycma's lazy gap up to n = 10, 1/100 of C's adaptation time above: see defaultEigenGap).
 */
import { reflectIntoBounds } from './bounds.js';
import { CMA_PARAM_KEYS } from './cma_params.js';
import { initCmaState, type CmaState } from './cma_state.js';
import { coordinateScale } from './cma_covariance.js';
import { checkCmaState } from './cma_state_check.js';
import { StateCheck } from './state_checks.js';
import { ask, tell } from './cma_generation.js';
import { stop } from './cma_stop.js';
import { cmaDiagnostics } from './cma_diagnostics.js';
import type { Strategy, WarmStart } from '../src/core/strategy.js';

export { CMA_PARAM_KEYS, cmaParameters, defaultPopsize, type CmaParams } from './cma_params.js';
export { boundsFromJson, boundsToJson, reflectIntoBounds, type JsonBounds } from './bounds.js';
export type { CmaState } from './cma_state.js';

/** The search's estimate: the mean mirrored into the box (the mean itself may lie outside it). */
function point(state: CmaState): number[] {
  return reflectIntoBounds(state.mean, state.bounds);
}

/**
 * What a new search needs to go on from this distribution: the mirrored mean, σ, and as `stds` (pycma's
 * CMA_stds) the per-coordinate scales stds_i·√C_ii, so that the new search's first distribution has this one's
 * marginal std σ·stds_i·√C_ii in each coordinate and need not relearn how sensitive each coordinate is.
 */
function warmStart(state: CmaState): WarmStart {
  const n = state.dimension;
  const stds = Array.from({ length: n }, (_, i) => coordinateScale(state, i) * Math.sqrt(state.params.diagonal ? state.C[i]! : state.C[i * n + i]!));
  return { x0: point(state), sigma0: state.sigma, params: { stds } };
}

function makeStrategy(name: string, diagonal: boolean, description: string): Strategy<CmaState> {
  return {
    name,
    description,
    init: (options) => initCmaState(name, diagonal, options),
    ask,
    tell,
    stop,
    point,
    warmStart,
    validateState: (state, where, dimension) => checkCmaState(new StateCheck(where), state, name, dimension),
    diagnostics: cmaDiagnostics,
    stateNumbers: (n) => (diagonal ? 6 * n : 2 * n * n + 6 * n),
  };
}

/** Full-covariance active CMA-ES with pycma's defaults. */
export const cmaes: Strategy<CmaState> = makeStrategy(
  'cmaes',
  false,
  'CMA-ES (active, full covariance, pycma 4.4 defaults); params: ' + CMA_PARAM_KEYS.join(', '),
);

/** sep-CMA-ES: diagonal covariance with pycma's separable learning rates; O(n) per candidate. */
export const sepCmaes: Strategy<CmaState> = makeStrategy(
  'sep-cmaes',
  true,
  'sep-CMA-ES (diagonal covariance, pycma separable learning rates); params: ' + CMA_PARAM_KEYS.join(', '),
);
