/**
 * The covariance matrix C of CMA-ES: its update (tutorial eq. 47), its eigendecomposition B·D²·Bᵀ (lazy, with
 * eigenvalues clamped so D stays usable), C^{-1/2}·v, and the floor on integer coordinates' spread. C is n×n
 * row-major, or the n variances for the diagonal model of sep-CMA-ES.
 */
import { symEig } from '../src/core/sym_eig.js';
import { splitRows } from './cma_sampling.js';
import { cmaWasm, evenLength, keptB, multiplyKept, paddedLength, wasmHeap } from './cma_wasm.js';
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


/**
 * ‖C^{-1/2} v‖² and, into `out` if given, C^{-1/2} v = B·D⁻¹·Bᵀ·v, from the current B, D: the two products in the
 * WebAssembly kernels on the kept B and Bᵀ, each entry summed in the order of a plain matrix-vector product.
 */
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
  const np = paddedLength(n);
  const { heap, base } = wasmHeap(B, n, 2 * np);
  const [vAt, tAt] = [base, base + np];
  for (let i = 0; i < n; i++) heap[vAt + i] = v[i]!;
  multiplyKept(heap, 0, n, vAt, 1, tAt); // Bᵀv
  let s = 0;
  for (let j = 0; j < n; j++) {
    const t = heap[tAt + j]! / D[j]!;
    heap[tAt + j] = t;
    s += t * t;
  }
  if (out) {
    multiplyKept(heap, keptB(n).transposed, n, tAt, 1, vAt); // B·t
    for (let i = 0; i < n; i++) out[i] = heap[vAt + i]!;
  }
  return s;
}

/**
 * Eq. (47) on the upper triangle, mirrored: C stays exactly symmetric. Returns whether every entry is finite.
 * Entry (i, j) is decay·C_ij + c₁·p_ci·p_cj + Σ_u (c_u·y_ui)·y_uj with the vectors of `used` in order, as a plain loop
 * over the vectors would add them. The sums run in the WebAssembly kernel (`cma_wasm.ts`) on a copy of C: two rows
 * by eight columns at a time on f64x2 lanes, each entry read and written once, one lane per entry, so the result is
 * bit for bit the plain loop's.
 */
export function updateFullC(C: number[], n: number, decay: number, c1: number, pc: readonly number[], ys: readonly number[][], used: readonly number[], coef: readonly number[]): boolean {
  const nu = used.length;
  const np = paddedLength(n);
  const cLength = evenLength(n * n + np + 2); // the kernel's extra row when n is odd
  const aLength = evenLength(np * nu);
  const { heap, base } = wasmHeap(null, n, cLength + aLength + nu * np + np);
  const [cAt, aAt, yAt, pcAt] = [base, base + cLength, base + cLength + aLength, base + cLength + aLength + nu * np];
  heap.set(C, cAt);
  heap.fill(0, cAt + n * n, aAt + aLength); // the extra row, and a's pad row
  for (let u = 0; u < nu; u++) {
    const v = ys[used[u]!]!;
    const cu = coef[u]!;
    const row = yAt + u * np;
    for (let i = 0; i < n; i++) {
      heap[aAt + i * nu + u] = cu * v[i]!; // a[i·nu + u] = c_u·y_ui
      heap[row + i] = v[i]!;
    }
    if (np !== n) heap[row + n] = 0;
  }
  for (let j = 0; j < n; j++) heap[pcAt + j] = pc[j]!;
  if (np !== n) heap[pcAt + n] = 0;
  cmaWasm().rankMu(8 * cAt, 8 * aAt, 8 * yAt, 8 * pcAt, n, np, nu, 0, np, decay, c1);
  mirrorUpper(heap, n, cAt);
  let finite = true;
  for (let k = 0; k < n * n; k++) {
    const v = heap[cAt + k]!;
    C[k] = v;
    if (v - v !== 0) finite = false; // NaN for ±∞ and NaN
  }
  return finite;
}

/** Copies the upper triangle of the n×n row-major matrix at `at` onto the lower, in 32×32 tiles so the column writes stay in cache. */
export function mirrorUpper(C: { [k: number]: number }, n: number, at = 0): void {
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = Math.min(n, i0 + T);
    for (let j0 = i0; j0 < n; j0 += T) {
      const j1 = Math.min(n, j0 + T);
      for (let i = i0; i < i1; i++) {
        const row = at + i * n;
        for (let j = Math.max(j0, i + 1); j < j1; j++) C[at + j * n + i] = C[row + j]!;
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
