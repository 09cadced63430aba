/**
 * Symmetric eigendecomposition C = B·diag(values)·Bᵀ of a dense row-major matrix.
 *
 * Householder tridiagonalisation followed by the implicit QL method with Wilkinson-style shifts
 * (Golub & Van Loan, "Matrix Computations", §8.3). Every inner loop walks a row of a row-major array:
 * the Householder vectors are taken from rows (the matrix is symmetric), the reflections are
 * accumulated as Qᵀ, and the QL rotations mix rows of Qᵀ, so nothing strides through memory.
 * CMA-ES decomposes C every few generations, which makes this its dominant cost for n in the hundreds.
 */

export interface SymEig {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Eigenvectors as the columns of a row-major n×n matrix: `vectors[i * n + j]` is entry i of vector j. */
  vectors: Float64Array;
}

const EPS = 2 ** -52;
/** QL sweeps allowed per eigenvalue; convergence is cubic, so in practice 1–3 are used. */
const MAX_SWEEPS = 60;

/** sqrt(a² + b²) without overflow or destructive underflow (Math.hypot is slow in V8). */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const t = y / x;
    return x * Math.sqrt(1 + t * t);
  }
  if (y === 0) return 0;
  const t = x / y;
  return y * Math.sqrt(1 + t * t);
}

/**
 * Reduces the symmetric matrix `a` (overwritten) to tridiagonal form T = Hₙ₋₃⋯H₀·A·H₀⋯Hₙ₋₃.
 * Only the upper triangle is read and updated. The Householder vector of step k is left in
 * row k, columns k+1..n-1, with its scale 1/h in `invH[k]` (0 where the step is the identity).
 * `d` receives the diagonal, `e[k]` the entry coupling k and k+1.
 */
function tridiagonalise(a: Float64Array, n: number, d: Float64Array, e: Float64Array, invH: Float64Array): void {
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    d[k] = a[row + k]!;
    let scale = 0;
    for (let j = k + 1; j < n; j++) scale += Math.abs(a[row + j]!);
    if (scale === 0) {
      e[k] = 0;
      invH[k] = 0;
      continue;
    }
    let sigma2 = 0;
    for (let j = k + 1; j < n; j++) {
      const v = a[row + j]! / scale;
      a[row + j] = v;
      sigma2 += v * v;
    }
    const x0 = a[row + k + 1]!;
    const g = x0 >= 0 ? -Math.sqrt(sigma2) : Math.sqrt(sigma2);
    const h = sigma2 - x0 * g; // = vᵀv / 2 for v = x − g·e₀
    a[row + k + 1] = x0 - g;
    e[k] = scale * g;
    const ih = 1 / h;
    invH[k] = ih;

    // p = A₂₂ v / h from the upper triangle, row by row.
    for (let i = k + 1; i < n; i++) p[i] = 0;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = a[row + i]!;
      let s = a[ri + i]! * vi;
      for (let j = i + 1; j < n; j++) {
        const aij = a[ri + j]!;
        s += aij * a[row + j]!;
        p[j] += aij * vi;
      }
      p[i] += s;
    }
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] *= ih;
      vp += a[row + i]! * p[i]!;
    }
    // q = p − (vᵀp / 2h)·v;  A₂₂ ← A₂₂ − v qᵀ − q vᵀ
    const kk = vp * ih * 0.5;
    for (let i = k + 1; i < n; i++) p[i] -= kk * a[row + i]!;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = a[row + i]!;
      const qi = p[i]!;
      for (let j = i; j < n; j++) a[ri + j] -= vi * p[j]! + qi * a[row + j]!;
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 2] = a[(n - 2) * n + n - 1]!;
  }
  d[n - 1] = a[n * n - 1]!;
  e[n - 1] = 0;
}

/** Qᵀ = Hₙ₋₃⋯H₀ built backwards in `z` (row-major), so each reflection updates whole rows. */
function accumulateQt(a: Float64Array, n: number, invH: Float64Array, z: Float64Array): void {
  z.fill(0);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const ih = invH[k]!;
    if (ih === 0) continue;
    const row = k * n;
    for (let r = k + 1; r < n; r++) {
      const zr = r * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += z[zr + j]! * a[row + j]!;
      s *= ih;
      if (s === 0) continue;
      for (let j = k + 1; j < n; j++) z[zr + j] -= s * a[row + j]!;
    }
  }
}

/**
 * Implicit QL on the tridiagonal (d, e); each plane rotation is applied to rows i, i+1 of `z`,
 * turning Qᵀ into the matrix whose rows are the eigenvectors of the original matrix.
 */
function qlImplicit(d: Float64Array, e: Float64Array, n: number, z: Float64Array): void {
  for (let l = 0; l < n; l++) {
    let sweeps = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= EPS * dd) break;
      }
      if (m === l) break;
      if (++sweeps > MAX_SWEEPS) throw new Error(`symEig: QL did not converge for eigenvalue ${l} of ${n}`);
      // Shift: the eigenvalue of the leading 2×2 block closer to d[l].
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the matrix split at i+1; restart with the smaller block.
          d[i + 1] -= p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        const zi = i * n;
        const zj = zi + n;
        for (let k = 0; k < n; k++) {
          const u = z[zi + k]!;
          const w = z[zj + k]!;
          z[zj + k] = s * u + c * w;
          z[zi + k] = c * u - s * w;
        }
      }
      if (deflated) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/**
 * Eigendecomposition of the symmetric n×n matrix `c` (row-major, left untouched; only its upper
 * triangle is read). Throws if QL fails to converge, which needs non-finite input in practice.
 */
export function symEig(c: ArrayLike<number>, n: number): SymEig {
  if (c.length !== n * n) throw new Error(`symEig: expected ${n * n} entries, got ${c.length}`);
  for (let i = 0; i < c.length; i++) {
    if (!Number.isFinite(c[i]!)) throw new Error('symEig: matrix has non-finite entries');
  }
  const a = Float64Array.from(c);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const invH = new Float64Array(n);
  const z = new Float64Array(n * n);
  if (n > 0) {
    tridiagonalise(a, n, d, e, invH);
    accumulateQt(a, n, invH, z);
    qlImplicit(d, e, n, z);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j]!;
    values[j] = d[src]!;
    const zr = src * n;
    for (let i = 0; i < n; i++) vectors[i * n + j] = z[zr + i]!;
  }
  return { values, vectors };
}
