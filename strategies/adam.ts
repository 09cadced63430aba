/** Adam (Kingma & Ba 2015) on plain number arrays, so its moments live in a JSON strategy state. */

export interface AdamParams {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamState {
  m: number[];
  v: number[];
  /** Steps taken (for bias correction). */
  t: number;
}

export const ADAM_DEFAULTS: AdamParams = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export function adamInit(n: number): AdamState {
  return { m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0), t: 0 };
}

/**
 * Gradient coordinates are clipped to ±1e150 before they enter the moments, so g² and the second moment v stay
 * finite (a strategy state must be finite JSON); no gradient of a real task comes near it.
 */
const GRADIENT_LIMIT = 1e150;

/** One descent step on x along `grad`; returns false (and changes nothing) if the step or the moments would not be finite. */
export function adamStep(x: number[], grad: readonly number[], s: AdamState, p: AdamParams): boolean {
  const t = s.t + 1;
  const g = grad.map((v) => Math.max(-GRADIENT_LIMIT, Math.min(GRADIENT_LIMIT, v)));
  const m = s.m.map((mi, i) => p.beta1 * mi + (1 - p.beta1) * g[i]!);
  const v = s.v.map((vi, i) => p.beta2 * vi + (1 - p.beta2) * g[i]! * g[i]!);
  const c1 = 1 - p.beta1 ** t;
  const c2 = 1 - p.beta2 ** t;
  const next = x.map((xi, i) => xi - (p.learningRate * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + p.epsilon));
  if (!(next.every(Number.isFinite) && m.every(Number.isFinite) && v.every(Number.isFinite))) return false;
  for (let i = 0; i < x.length; i++) x[i] = next[i]!;
  s.m = m;
  s.v = v;
  s.t = t;
  return true;
}
