/**
 * CMA-ES termination criteria, as pycma 4.4 defines them (tolfun, tolfunhist, tolx, conditioncov, tolfacupx,
 * tolupsigma, NoEffectAxis/Coord, tolstagnation, tolflatfitness), and the fitness histories they read.
 * Budget limits and f targets belong to the engine.
 */
import type { CmaState } from './cma_state.js';
import { coordinateScale } from './cma_covariance.js';
import { DEFAULT_MAX_FAILED_GENERATIONS, failureStop } from './failures.js';
import { jsonNumber } from './json_safe.js';
import type { StopReasons } from '../src/core/types.js';

/** The median of sorted finite numbers; finite, and −0 as +0 (json_safe). */
function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[m]!;
  const [a, b] = [sorted[m - 1]!, sorted[m]!];
  // (a + b)/2 overflows for a, b near ±1.8e308; a/2 + b/2 does not.
  return jsonNumber(Number.isFinite(a + b) ? 0.5 * (a + b) : 0.5 * a + 0.5 * b);
}

function pushCapped(list: number[], value: number, cap: number): void {
  list.push(value);
  if (list.length > cap) list.splice(0, list.length - cap);
}

/** Updates the fitness histories behind tolfun, tolfunhist and tolstagnation. */
export function recordFitness(state: CmaState, finiteSorted: readonly number[], complete: boolean): void {
  const p = state.params;
  const n = state.dimension;
  // pycma's history of best values keeps the last ⌊10 + 30n/λ⌋ generations.
  pushCapped(state.fitHistory, finiteSorted[0]!, Math.floor(10 + (30 * n) / p.popsize));
  // The range of two finite values can overflow (1e308 − (−1e308)); as stored it is capped at the largest double,
  // so the state stays finite and JSON-exact, and a range that large never passes a tolerance anyway.
  state.lastRange = complete ? Math.min(Number.MAX_VALUE, finiteSorted[finiteSorted.length - 1]! - finiteSorted[0]!) : null;
  if (p.tolstagnation > 0) {
    pushCapped(state.bestHistory, finiteSorted[0]!, p.tolstagnation);
    pushCapped(state.medianHistory, median(finiteSorted), p.tolstagnation);
  }
}

/** Flat fitness as in the tutorial's reference code: best equals the ⌈0.7λ⌉-th best (finite). */
export function isFlat(state: CmaState, f: readonly number[], order: readonly number[]): boolean {
  const k = Math.ceil(0.7 * state.params.popsize) - 1;
  const a = f[order[0]!]!;
  const b = f[order[k]!]!;
  return Number.isFinite(b) && a === b;
}

/** pycma-like termination criteria; budget limits and f targets are the engine's. */
export function stop(state: CmaState): StopReasons {
  const reasons: StopReasons = {};
  const p = state.params;
  const n = state.dimension;
  if (state.generation === 0) return reasons;
  const { sigma, C, D, mean, pc } = state;
  const variance = (i: number) => (p.diagonal ? C[i]! : C[i * n + i]!);

  const hist = state.fitHistory;
  if (p.tolfun > 0 && state.lastRange !== null && state.lastRange < p.tolfun && hist.length > 0 && Math.max(...hist) - Math.min(...hist) < p.tolfun) {
    reasons['tolfun'] = p.tolfun;
  }
  if (p.tolfunhist > 0 && hist.length > 9 && Math.max(...hist) - Math.min(...hist) < p.tolfunhist) reasons['tolfunhist'] = p.tolfunhist;

  // tolx and tolfacupx per coordinate as in pycma, on the std σ·stds_i·√C_ii in the units of x; tolfacupx
  // against its first value σ0·stds_i (legacy states: C₀ carried the scales, stds0 holds them).
  let maxGrowth = 0;
  let tolxOk = p.tolx > 0;
  for (let i = 0; i < n; i++) {
    const s = coordinateScale(state, i);
    const sd = sigma * s * Math.sqrt(variance(i));
    maxGrowth = Math.max(maxGrowth, sd / (state.stds?.[i] ?? state.stds0?.[i] ?? 1));
    if (sd >= p.tolx || sigma * s * Math.abs(pc[i]!) >= p.tolx) tolxOk = false;
  }
  if (tolxOk) reasons['tolx'] = p.tolx;

  const dMax = Math.max(...D);
  const dMin = Math.min(...D);
  if (p.conditioncov > 0 && dMax * dMax > p.conditioncov * dMin * dMin) reasons['conditioncov'] = p.conditioncov;
  if (p.tolfacupx > 0 && maxGrowth > p.tolfacupx * state.sigma0) reasons['tolfacupx'] = p.tolfacupx;
  if (p.tolupsigma > 0 && sigma / state.sigma0 > p.tolupsigma * dMax) reasons['tolupsigma'] = p.tolupsigma;

  // No effect of a 0.1σ step along principal axis (g mod n), or of 0.2σ along any coordinate.
  const axis = state.generation % n;
  let axisNoEffect = true;
  for (let i = 0; i < n && axisNoEffect; i++) {
    const b = p.diagonal ? (i === axis ? 1 : 0) : state.B[i * n + axis]!;
    if (mean[i]! + 0.1 * sigma * D[axis]! * coordinateScale(state, i) * b !== mean[i]!) axisNoEffect = false;
  }
  if (axisNoEffect) reasons['noeffectaxis'] = 1;
  for (let i = 0; i < n; i++) {
    if (mean[i]! + 0.2 * sigma * coordinateScale(state, i) * Math.sqrt(variance(i)) === mean[i]!) {
      reasons['noeffectcoord'] = 1;
      break;
    }
  }

  // No improvement of the median of recent best and median f over the oldest of the window.
  const L = p.tolstagnation;
  if (L > 0 && state.bestHistory.length >= L) {
    const recent = Math.min(L, Math.max(20, Math.floor(L / 5)));
    const oldest = Math.min(L, 20);
    const med = (h: number[], from: number, to: number) => median(h.slice(from, to).sort((a, b) => a - b));
    const bh = state.bestHistory;
    const mh = state.medianHistory;
    if (med(bh, L - recent, L) >= med(bh, 0, oldest) && med(mh, L - recent, L) >= med(mh, 0, oldest)) reasons['tolstagnation'] = L;
  }
  if (p.tolflatfitness > 0 && state.flatGenerations > p.tolflatfitness) reasons['tolflatfitness'] = p.tolflatfitness;
  return { ...reasons, ...failureStop(state.failedGenerations ?? 0, p.maxFailedGenerations ?? DEFAULT_MAX_FAILED_GENERATIONS) };
}
