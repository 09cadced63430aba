/**
 * One CMA-ES generation: `ask` samples λ candidates around the mean (tutorial eqs. 38–40) and `tell` moves
 * the mean, the evolution paths, σ and C from their ranking (eqs. 41–47), with pycma's clip of |Δ ln σ| ≤ 1.
 * With params.stds (pycma's CMA_stds) a candidate is m + σ·stds ⊙ y: everything but the mean's move works on
 * the scaled steps y = B·D·z.
 */
import { rankableFitness, rankOrderOf } from './ranking.js';
import { reflect } from './bounds.js';
import { drawScaledNormals, multiplyRowsByB, scratch, SLOT, splitRows } from './cma_sampling.js';
import { coordinateScale, enforceIntegerFloor, invSqrtC, rebuildC, updateDiagonalC, updateEigensystem, updateFullC } from './cma_covariance.js';
import { isFlat, recordFitness } from './cma_stop.js';
import type { CmaState } from './cma_state.js';
import { failedInRowAfter } from './failures.js';
import type { Candidate, Evaluation } from '../src/core/types.js';

/** Eq. (38)–(40): x_k = m + σ·stds ⊙ (B·D·z_k), z_k ~ N(0, I); the candidate is x_k mirrored into the bounds. */
export function ask(state: CmaState): Candidate[] {
  const { dimension: n, params: p, mean, sigma, B, D, bounds, stds } = state;
  const lambda = p.popsize;
  const { scaled, zNorm2, rng } = drawScaledNormals(state.rng, D, n, lambda, p.normals ?? 'box-muller');
  const ys = p.diagonal ? splitRows(scaled, n, lambda) : multiplyRowsByB(B, n, scaled, lambda);
  const xs: number[][] = [];
  for (const y of ys) {
    const x = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let v = mean[i]! + sigma * (stds ? stds[i]! : 1) * y[i]!;
      if (!Number.isFinite(v)) v = v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE; // σ run away: keep the state JSON
      x[i] = bounds ? reflect(v, bounds.lower[i] ?? null, bounds.upper[i] ?? null) : v;
    }
    xs.push(x);
  }
  state.rng = rng;
  state.pending = { x: xs, y: ys, zNorm2 };
  return xs.map((x, index) => ({ index, x: x.slice(), wants: 'fitness' as const }));
}

/**
 * h_σ as pycma computes it, from ‖p_σ‖² after the update of generation g (counted from 0): the squared length
 * corrected for the cumulation's start (p_σ begins at 0, so E‖p_σ‖² = n·(1 − (1 − c_σ)^{2(g+1)}) under random
 * selection), per coordinate, against 2 + 4/(n + 1). The tutorial's ‖p_σ‖/√(1 − (1 − c_σ)^{2(g+1)}) <
 * (1.4 + 2/(n + 1))·E‖N(0, I)‖ puts the threshold slightly higher (n = 10: 23.81 against 23.64 for the corrected
 * ‖p_σ‖²); the squared form is pycma's, so p_c stalls exactly when pycma's does.
 */
export function hsigma(psNorm2: number, n: number, cs: number, g: number): boolean {
  return psNorm2 / (1 - (1 - cs) ** (2 * (g + 1))) / n < 2 + 4 / (n + 1);
}

function allFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

export function tell(state: CmaState, candidates: readonly Candidate[], evaluations: readonly Evaluation[]): void {
  const pending = state.pending;
  const p = state.params;
  const n = state.dimension;
  const lambda = p.popsize;
  if (!pending) throw new Error(`${state.strategy}: tell() without a pending ask()`);
  if (candidates.length !== lambda || evaluations.length !== lambda) {
    throw new Error(`${state.strategy}: tell() expects ${lambda} candidates and evaluations (got ${candidates.length} and ${evaluations.length})`);
  }
  candidates.forEach((c, i) => {
    if (c.index !== i) throw new Error(`${state.strategy}: candidates must be given in ask() order (position ${i} has index ${c.index})`);
  });
  const g = state.generation;
  state.pending = null;
  state.generation = g + 1;
  state.evaluations += lambda;

  const f = evaluations.map(rankableFitness);
  const order = rankOrderOf(f);
  const finite = order.filter((k) => Number.isFinite(f[k]!));
  state.failedGenerations = failedInRowAfter(state.failedGenerations ?? 0, finite.length > 0);
  if (finite.length === 0) return; // nothing learned; mean, C, σ and paths stay as they were
  const bestK = finite[0]!;
  if (state.best === null || f[bestK]! < state.best.fitness) state.best = { x: pending.x[bestK]!.slice(), fitness: f[bestK]! };
  recordFitness(state, finite.map((k) => f[k]!), finite.length === lambda);

  const ys = order.map((k) => pending.y[k]!); // by rank
  const w = p.weights;

  // Eq. (41): ⟨y⟩_w over the μ best; Eq. (42): m ← m + c_m σ ⟨y⟩_w. The paths below use ⟨y⟩_w, whatever c_m.
  const ymean = scratch(SLOT.ymean, n).fill(0);
  for (let r = 0; r < p.mu; r++) {
    const y = ys[r]!;
    for (let i = 0; i < n; i++) ymean[i] += w[r]! * y[i]!;
  }
  const cm = p.cmean ?? 1;
  const mean = state.mean.map((m, i) => m + cm * state.sigma * coordinateScale(state, i) * ymean[i]!);

  // Eq. (43): p_σ ← (1 − c_σ) p_σ + √(c_σ(2 − c_σ) μeff) C^{-1/2} ⟨y⟩_w.
  const zmean = scratch(SLOT.zmean, n);
  invSqrtC(state, ymean, zmean);
  const csFactor = Math.sqrt(p.cs * (2 - p.cs) * p.mueff);
  const ps = state.ps.map((v, i) => (1 - p.cs) * v + csFactor * zmean[i]!);
  let psNorm2 = 0;
  for (const v of ps) psNorm2 += v * v;
  const psNorm = Math.sqrt(psNorm2);

  // Eq. (45): p_c, stalled while ‖p_σ‖ is long (h_σ = 0).
  const hsig = hsigma(psNorm2, n, p.cs, g);
  const ccFactor = hsig ? Math.sqrt(p.cc * (2 - p.cc) * p.mueff) : 0;
  const pc = state.pc.map((v, i) => (1 - p.cc) * v + ccFactor * ymean[i]!);

  // Eq. (46): w°ᵢ = wᵢ for wᵢ ≥ 0, else wᵢ · n / ‖C^{-1/2} yᵢ‖². With y = B·D·z from the B, D that are still
  // current (they change only at the end of tell), C^{-1/2} y = B·z, so ‖C^{-1/2} y‖² = ‖z‖², kept by ask
  // (checkpoints written before it was kept compute it from y).
  const negative: number[] = [];
  for (let r = 0; r < lambda; r++) if (w[r]! < 0) negative.push(r);
  const norms2 = pending.zNorm2 ? negative.map((r) => pending.zNorm2![order[r]!]!) : negative.map((r) => invSqrtC(state, ys[r]!));
  const used: number[] = [];
  const coef: number[] = [];
  let sumW = 0;
  for (let r = 0, k = 0; r < lambda; r++) {
    const wr = w[r]!;
    sumW += wr;
    if (wr === 0) continue;
    let wo = wr;
    if (wr < 0) {
      const norm2 = norms2[k++]!;
      if (!(norm2 > 0)) continue;
      wo = (wr * n) / norm2;
    }
    used.push(r);
    coef.push(p.cmu * wo);
  }

  // Eq. (44), with pycma's clip of |Δ ln σ| ≤ 1; flat fitness (tutorial's remedy) inflates σ.
  let logStep = Math.max(-1, Math.min(1, (p.cs / p.damps) * (psNorm / p.chiN - 1)));
  const flat = isFlat(state, f, order);
  if (flat) logStep += 0.2 + p.cs / p.damps;
  const sigma = Math.min(1e300, Math.max(1e-300, state.sigma * Math.exp(logStep)));
  if (!(allFinite(mean) && allFinite(ps) && allFinite(pc) && Number.isFinite(sigma))) return;

  // Eq. (47): C ← (1 + c₁δ(h_σ) − c₁ − c_μ Σwⱼ) C + c₁ p_c p_cᵀ + c_μ Σ w°ᵢ yᵢ yᵢᵀ, in place.
  const delta = hsig ? 0 : p.cc * (2 - p.cc);
  const decay = 1 + p.c1 * delta - p.c1 - p.cmu * sumW;
  let finiteC: boolean;
  if (p.diagonal) {
    updateDiagonalC(state.C, decay, p.c1, pc, ys, used, coef);
    finiteC = allFinite(state.C);
  } else {
    finiteC = updateFullC(state.C, n, decay, p.c1, pc, ys, used, coef);
  }
  if (!finiteC) {
    // Only absurd inputs (|y| near 1e154) get here: fall back to the last decomposition, learn nothing.
    if (p.diagonal) state.C = state.D.map((d) => d * d);
    else rebuildC(state);
    return;
  }
  state.mean = mean;
  state.ps = ps;
  state.pc = pc;
  state.sigma = sigma;
  state.flatGenerations = flat ? state.flatGenerations + 1 : 0;
  // A widened C must reach the next ask at once, so it forces the (otherwise lazy) decomposition.
  const widened = enforceIntegerFloor(state);
  if (p.diagonal) {
    state.D = state.C.map(Math.sqrt);
    state.eigenGeneration = state.generation;
  } else if (widened || state.generation - state.eigenGeneration >= p.eigenGap) {
    updateEigensystem(state);
  }
}
