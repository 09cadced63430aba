/**
 * The covariance matrix C of CMA-ES: its update (tutorial eq. 47), its eigendecomposition B·D²·Bᵀ (lazy, with
 * eigenvalues clamped so D stays usable), C^{-1/2}·v, and the floor on integer coordinates' spread. C is n×n
 * row-major, or the n variances for the diagonal model of sep-CMA-ES.
 */
import { symEig } from '../src/core/sym_eig.js';
import { dot2x4, scratch, SLOT, splitRows } from './cma_sampling.js';
import type { CmaState } from './cma_state.js';


/**
 * Integer handling: raises σ·stds_i·√C_ii of each integer coordinate to params.integerMinStd. Without it,
 * once every sample of an integer coordinate rounds to the same value, f carries no signal along it,
 * the continuous coordinates shrink σ and the integer one freezes on a rounding plateau (possibly the
 * wrong one). The floor keeps a steady chance of a ±1 move (≈1.2% per coordinate and sample at std
 * 0.2 from a plateau's centre), as pycma's `integer_variables`. Row and column i of C are scaled by
 * f (C_ii by f²), i.e. C ← S·C·S with S = diag(1, …, f, …, 1): C stays symmetric positive definite
 * and only the distribution's spread along coordinate i changes, its correlations are kept.
 * Returns whether C changed (B and D are then stale).
 */
export function enforceIntegerFloor(state: CmaState): boolean {
  const ints = state.integers ?? [];
  const floor = state.params.integerMinStd ?? 0;
  if (ints.length === 0 || !(floor > 0)) return false;
  const { dimension: n, C, sigma } = state;
  const diagonal = state.params.diagonal;
  let changed = false;
  for (const i of ints) {
    const cii = diagonal ? C[i]! : C[i * n + i]!;
    const std = sigma * coordinateScale(state, i) * Math.sqrt(cii);
    if (std >= floor) continue;
    const f = std > 0 ? floor / std : NaN;
    if (!Number.isFinite(f)) continue; // σ or C_ii at 0 or absurd: nothing sensible to scale
    changed = true;
    if (diagonal) {
      C[i] = cii * f * f;
      continue;
    }
    for (let j = 0; j < n; j++) {
      C[i * n + j] = C[i * n + j]! * f;
      C[j * n + i] = C[j * n + i]! * f; // C_ii gets f twice
    }
  }
  return changed;
}


/** ‖C^{-1/2} v‖² and, into `out` if given, C^{-1/2} v = B·D⁻¹·Bᵀ·v, from the current B, D. */
export function invSqrtC(state: CmaState, v: ArrayLike<number>, out?: Float64Array): number {
  const { dimension: n, B, D } = state;
  if (state.params.diagonal) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const t = v[i]! / D[i]!;
      if (out) out[i] = t;
      s += t * t;
    }
    return s;
  }
  // Bᵀv, accumulated row by row, four rows per pass over t (each t[j] still adds its terms in row order).
  const t = scratch(SLOT.invSqrt, n).fill(0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const [v0, v1, v2, v3] = [v[i]!, v[i + 1]!, v[i + 2]!, v[i + 3]!];
    const r0 = i * n;
    const [r1, r2, r3] = [r0 + n, r0 + 2 * n, r0 + 3 * n];
    for (let j = 0; j < n; j++) t[j] = t[j]! + B[r0 + j]! * v0 + B[r1 + j]! * v1 + B[r2 + j]! * v2 + B[r3 + j]! * v3;
  }
  for (; i < n; i++) {
    const vi = v[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) t[j] += B[row + j]! * vi;
  }
  let s = 0;
  for (let j = 0; j < n; j++) {
    t[j] /= D[j]!;
    s += t[j]! * t[j]!;
  }
  if (out) {
    // B·t, four rows at a time: four independent sums instead of one chain of additions.
    let r = 0;
    for (; r + 3 < n; r += 4) {
      const r0 = r * n;
      const [r1, r2, r3] = [r0 + n, r0 + 2 * n, r0 + 3 * n];
      let u0 = 0, u1 = 0, u2 = 0, u3 = 0;
      for (let j = 0; j < n; j++) {
        const tj = t[j]!;
        u0 += B[r0 + j]! * tj;
        u1 += B[r1 + j]! * tj;
        u2 += B[r2 + j]! * tj;
        u3 += B[r3 + j]! * tj;
      }
      out[r] = u0;
      out[r + 1] = u1;
      out[r + 2] = u2;
      out[r + 3] = u3;
    }
    for (; r < n; r++) {
      const row = r * n;
      let u = 0;
      for (let j = 0; j < n; j++) u += B[row + j]! * t[j]!;
      out[r] = u;
    }
  }
  return s;
}

/**
 * Eq. (47) on the upper triangle, mirrored: C stays exactly symmetric. Returns whether every entry is finite.
 * Entry (i, j) is decay·C_ij + c₁·p_ci·p_cj + Σ_u (c_u·y_ui)·y_uj with the vectors of `used` in order, as a plain loop
 * over the vectors would add them; the sums over u run on the vectors transposed (n × |used|, each entry's terms
 * side by side), two rows by four columns at a time, so each entry of C is read and written once.
 */
export function updateFullC(C: number[], n: number, decay: number, c1: number, pc: readonly number[], ys: readonly number[][], used: readonly number[], coef: readonly number[]): boolean {
  const nu = used.length;
  const a = scratch(SLOT.rankA, n * nu); // a[i·nu + u] = c_u·y_ui
  const y = scratch(SLOT.rankY, n * nu); // y[j·nu + u] = y_uj
  for (let u = 0; u < nu; u++) {
    const v = ys[used[u]!]!;
    const cu = coef[u]!;
    for (let i = 0; i < n; i++) {
      a[i * nu + u] = cu * v[i]!;
      y[i * nu + u] = v[i]!;
    }
  }
  let check = 0; // stays 0 while every entry is finite (x − x is NaN for ±∞ and NaN)
  for (let i = 0; i < n; i += 2) {
    const rows = i + 1 < n ? 2 : 1;
    // Rows i and i + 1 from column i on (entry (i + 1, i) lies below the diagonal and is left to the mirror):
    // first decay·C + c₁·p_c p_cᵀ, then the sums over u, four columns at a time, then the leftover columns.
    for (let r = i; r < i + rows; r++) {
      const pr = c1 * pc[r]!;
      for (let j = r; j < n; j++) C[r * n + j] = decay * C[r * n + j]! + pr * pc[j]!;
    }
    let j = i;
    if (rows === 2) {
      const ai = i * nu;
      addTerms(C, n, a, y, nu, i, i);
      addTerms(C, n, a, y, nu, i, i + 1);
      addTerms(C, n, a, y, nu, i + 1, i + 1);
      for (j = i + 2; j + 3 < n; j += 4) dot2x4(a, ai, ai + nu, y, j * nu, nu, nu, C, i * n + j, n, 1);
      for (; j < n; j++) {
        addTerms(C, n, a, y, nu, i, j);
        addTerms(C, n, a, y, nu, i + 1, j);
      }
    } else {
      addTerms(C, n, a, y, nu, i, i);
    }
    for (let r = i; r < i + rows; r++) for (let k = r; k < n; k++) check += C[r * n + k]! - C[r * n + k]!;
  }
  mirrorUpper(C, n);
  return check === 0;
}

/** Adds Σ_u a[i·nu + u]·y[j·nu + u] to C_ij, u in order: an entry outside the two-by-four blocks. */
function addTerms(C: number[], n: number, a: Float64Array, y: Float64Array, nu: number, i: number, j: number): void {
  let s = C[i * n + j]!;
  for (let u = 0; u < nu; u++) s += a[i * nu + u]! * y[j * nu + u]!;
  C[i * n + j] = s;
}

/** Copies the upper triangle of the n×n row-major C onto the lower, in 32×32 tiles so the column writes stay in cache. */
export function mirrorUpper(C: number[], n: number): void {
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = Math.min(n, i0 + T);
    for (let j0 = i0; j0 < n; j0 += T) {
      const j1 = Math.min(n, j0 + T);
      for (let i = i0; i < i1; i++) {
        const row = i * n;
        for (let j = Math.max(j0, i + 1); j < j1; j++) C[j * n + i] = C[row + j]!;
      }
    }
  }
}

/** Eq. (47) for the diagonal model. */
export function updateDiagonalC(C: number[], decay: number, c1: number, pc: readonly number[], ys: readonly number[][], used: readonly number[], coef: readonly number[]): void {
  for (let i = 0; i < C.length; i++) C[i] = decay * C[i]! + c1 * pc[i]! * pc[i]!;
  used.forEach((r, u) => {
    const y = ys[r]!;
    for (let i = 0; i < C.length; i++) C[i] += coef[u]! * y[i]! * y[i]!;
  });
  // Without the positive-definiteness cap a variance may in principle reach ≤ 0; keep it usable.
  let max = 0;
  for (let i = 0; i < C.length; i++) max = Math.max(max, C[i]!);
  const floor = Math.max(max * 1e-20, Number.MIN_VALUE);
  for (let i = 0; i < C.length; i++) if (!(C[i]! >= floor)) C[i] = floor;
}

/**
 * B, D from C. C needs no symmetrising: updateFullC mirrors the upper triangle, which is also all
 * symEig reads. Eigenvalues are clamped to ≥ 1e-20·max so D stays usable (the
 * conditioncov stop fires long before); if clamping was needed, C is rebuilt from the clamped
 * decomposition. If C is unusable (decomposition fails), the last good decomposition is kept and
 * C reset to it.
 */
export function updateEigensystem(state: CmaState): void {
  const n = state.dimension;
  const C = state.C;
  state.eigenGeneration = state.generation;
  let eig: ReturnType<typeof symEig>;
  try {
    eig = symEig(C, n);
  } catch {
    rebuildC(state);
    return;
  }
  const max = eig.values[n - 1]!;
  if (!(max > 0 && Number.isFinite(max))) {
    rebuildC(state);
    return;
  }
  const floor = max * 1e-20;
  let clamped = false;
  const D = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    let v = eig.values[j]!;
    if (!(v >= floor)) {
      v = floor;
      clamped = true;
    }
    D[j] = Math.sqrt(v);
  }
  state.B = splitRows(eig.vectors, n * n, 1)[0]!;
  state.D = D;
  if (clamped) rebuildC(state);
}

/** C = B·D²·Bᵀ. */
export function rebuildC(state: CmaState): void {
  const { dimension: n, B, D } = state;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += B[i * n + k]! * D[k]! * D[k]! * B[j * n + k]!;
      state.C[i * n + j] = s;
      state.C[j * n + i] = s;
    }
  }
}

/** The fixed scale of coordinate i (params.stds, pycma's CMA_stds; 1 when none was given). */
export function coordinateScale(state: Pick<CmaState, 'stds'>, i: number): number {
  return state.stds?.[i] ?? 1;
}
