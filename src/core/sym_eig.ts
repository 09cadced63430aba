/**
 * Symmetric eigendecomposition C = B·diag(values)·Bᵀ of a dense row-major matrix.
 *
 * Householder tridiagonalisation followed by implicit QL iterations with Wilkinson-style shifts
 * (the symmetric QR algorithm of Golub & Van Loan, "Matrix Computations", §8.3, in its QL form). Every inner loop walks a row of a row-major array:
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
 * Builds the Householder reflection Hₖ = I − v·vᵀ/h that maps row k beyond the diagonal onto a
 * multiple of eₖ₊₁. v overwrites row k (columns > k); 1/h goes to invH[k] (0: identity).
 */
function householder(a: Float64Array, n: number, k: number, d: Float64Array, e: Float64Array, invH: Float64Array): void {
  const row = k * n;
  d[k] = a[row + k]!;
  let scale = 0;
  for (let j = k + 1; j < n; j++) scale += Math.abs(a[row + j]!);
  if (scale === 0) {
    e[k] = 0;
    invH[k] = 0;
    return;
  }
  let sigma2 = 0;
  for (let j = k + 1; j < n; j++) {
    const v = a[row + j]! / scale;
    a[row + j] = v;
    sigma2 += v * v;
  }
  const x0 = a[row + k + 1]!;
  const g = x0 >= 0 ? -Math.sqrt(sigma2) : Math.sqrt(sigma2);
  a[row + k + 1] = x0 - g;
  e[k] = scale * g;
  invH[k] = 1 / (sigma2 - x0 * g); // h = vᵀv / 2
}

/**
 * Reduces the symmetric matrix `a` (overwritten) to tridiagonal form T = Hₙ₋₃⋯H₀·A·H₀⋯Hₙ₋₃.
 * Only the upper triangle is read and updated. Householder vector k is left in row k (columns > k).
 * `d` receives the diagonal, `e[k]` the entry coupling k and k+1.
 *
 * Step k updates the trailing block as A₂₂ ← A₂₂ − v·qᵀ − q·vᵀ with q = p − (vᵀp/2h)·v, p = A₂₂v/h.
 * The product p of step k+1 is accumulated in the same pass as the update of step k (row k+1 is
 * updated first so that vₖ₊₁ is known), so the trailing block is read once per step.
 */
function tridiagonalise(a: Float64Array, n: number, d: Float64Array, e: Float64Array, invH: Float64Array): void {
  let p = new Float64Array(n);
  let q = new Float64Array(n);
  if (n > 2) {
    householder(a, n, 0, d, e, invH);
    if (invH[0] !== 0) {
      for (let i = 1; i < n; i++) {
        const ri = i * n;
        const vi = a[i]!;
        let s = a[ri + i]! * vi;
        for (let j = i + 1; j < n; j++) {
          const aij = a[ri + j]!;
          s += aij * a[j]!;
          p[j] += aij * vi;
        }
        p[i] += s;
      }
    }
  }
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    const ih = invH[k]!;
    const active = ih !== 0;
    if (active) {
      let vp = 0;
      for (let i = k + 1; i < n; i++) {
        p[i] *= ih;
        vp += a[row + i]! * p[i]!;
      }
      const kk = vp * ih * 0.5;
      for (let i = k + 1; i < n; i++) p[i] -= kk * a[row + i]!;
      [p, q] = [q, p]; // q of step k; p is free for step k+1
      const r1 = (k + 1) * n;
      const v1 = a[row + k + 1]!;
      const q1 = q[k + 1]!;
      for (let j = k + 1; j < n; j++) a[r1 + j] -= v1 * q[j]! + q1 * a[row + j]!;
    }
    const next = k + 1 < n - 2;
    let activeNext = false;
    const rowN = (k + 1) * n;
    if (next) {
      householder(a, n, k + 1, d, e, invH);
      activeNext = invH[k + 1] !== 0;
      for (let i = k + 2; i < n; i++) p[i] = 0;
    }
    if (active && activeNext) {
      for (let i = k + 2; i < n; i++) {
        const ri = i * n;
        const vi = a[row + i]!;
        const qi = q[i]!;
        const ui = a[rowN + i]!;
        const aii = a[ri + i]! - 2 * vi * qi;
        a[ri + i] = aii;
        let s = aii * ui;
        for (let j = i + 1; j < n; j++) {
          const aij = a[ri + j]! - (vi * q[j]! + qi * a[row + j]!);
          a[ri + j] = aij;
          s += aij * a[rowN + j]!;
          p[j] += aij * ui;
        }
        p[i] += s;
      }
    } else if (active) {
      for (let i = k + 2; i < n; i++) {
        const ri = i * n;
        const vi = a[row + i]!;
        const qi = q[i]!;
        for (let j = i; j < n; j++) a[ri + j] -= vi * q[j]! + qi * a[row + j]!;
      }
    } else if (activeNext) {
      for (let i = k + 2; i < n; i++) {
        const ri = i * n;
        const ui = a[rowN + i]!;
        let s = a[ri + i]! * ui;
        for (let j = i + 1; j < n; j++) {
          const aij = a[ri + j]!;
          s += aij * a[rowN + j]!;
          p[j] += aij * ui;
        }
        p[i] += s;
      }
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 2] = a[(n - 2) * n + n - 1]!;
  }
  if (n >= 1) d[n - 1] = a[n * n - 1]!;
  if (n >= 1) e[n - 1] = 0;
}

/**
 * Qᵀ = Hₙ₋₃⋯H₀ built backwards in `z` (row-major): X ← X·Hₖ only touches rows and columns > k.
 * Reflections are applied two at a time (both dot products in one pass over a row, then one
 * combined update), which halves the passes over memory.
 */
function accumulateQt(a: Float64Array, n: number, invH: Float64Array, z: Float64Array): void {
  z.fill(0);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  let k = n - 3;
  for (; k >= 1; k -= 2) {
    // X ← X·Hₖ·Hₖ₋₁ with vₖ in row k (columns > k) and vₖ₋₁ in row k-1 (columns ≥ k).
    const ih1 = invH[k]!;
    const ih2 = invH[k - 1]!;
    const r1 = k * n;
    const r2 = (k - 1) * n;
    let gamma = 0; // vₖ·vₖ₋₁
    for (let j = k + 1; j < n; j++) gamma += a[r1 + j]! * a[r2 + j]!;
    const v2k = a[r2 + k]!;
    for (let r = k; r < n; r++) {
      const zr = r * n;
      let s1 = 0;
      let s2 = z[zr + k]! * v2k;
      for (let j = k + 1; j < n; j++) {
        const x = z[zr + j]!;
        s1 += x * a[r1 + j]!;
        s2 += x * a[r2 + j]!;
      }
      const c1 = s1 * ih1;
      const c2 = (s2 - c1 * gamma) * ih2;
      if (c1 === 0 && c2 === 0) continue;
      z[zr + k] -= c2 * v2k;
      for (let j = k + 1; j < n; j++) z[zr + j] -= c1 * a[r1 + j]! + c2 * a[r2 + j]!;
    }
  }
  if (k === 0) {
    const ih = invH[0]!;
    if (ih !== 0) {
      for (let r = 1; r < n; r++) {
        const zr = r * n;
        let s = 0;
        for (let j = 1; j < n; j++) s += z[zr + j]! * a[j]!;
        s *= ih;
        if (s === 0) continue;
        for (let j = 1; j < n; j++) z[zr + j] -= s * a[j]!;
      }
    }
  }
}

/**
 * Applies the rotations of one QL sweep, G(m−1), G(m−2), …, G(lo) in that order, to rows lo..m of `z`:
 * G(i) maps rows (i, i+1) to (c·zᵢ − s·zᵢ₊₁, s·zᵢ + c·zᵢ₊₁). Row i+1 is final once G(i) is applied,
 * so the running row stays in registers, eight columns at a time: one load and one store per entry
 * and rotation instead of two of each.
 */
function applySweep(z: Float64Array, n: number, lo: number, m: number, cs: Float64Array, sn: Float64Array): void {
  let k = 0;
  for (; k + 7 < n; k += 8) {
    const top = m * n + k;
    let w0 = z[top]!, w1 = z[top + 1]!, w2 = z[top + 2]!, w3 = z[top + 3]!;
    let w4 = z[top + 4]!, w5 = z[top + 5]!, w6 = z[top + 6]!, w7 = z[top + 7]!;
    for (let i = m - 1; i >= lo; i--) {
      const c = cs[i]!;
      const s = sn[i]!;
      const o = i * n + k;
      const q = o + n;
      let u = z[o]!;
      z[q] = s * u + c * w0;
      w0 = c * u - s * w0;
      u = z[o + 1]!;
      z[q + 1] = s * u + c * w1;
      w1 = c * u - s * w1;
      u = z[o + 2]!;
      z[q + 2] = s * u + c * w2;
      w2 = c * u - s * w2;
      u = z[o + 3]!;
      z[q + 3] = s * u + c * w3;
      w3 = c * u - s * w3;
      u = z[o + 4]!;
      z[q + 4] = s * u + c * w4;
      w4 = c * u - s * w4;
      u = z[o + 5]!;
      z[q + 5] = s * u + c * w5;
      w5 = c * u - s * w5;
      u = z[o + 6]!;
      z[q + 6] = s * u + c * w6;
      w6 = c * u - s * w6;
      u = z[o + 7]!;
      z[q + 7] = s * u + c * w7;
      w7 = c * u - s * w7;
    }
    const bottom = lo * n + k;
    z[bottom] = w0;
    z[bottom + 1] = w1;
    z[bottom + 2] = w2;
    z[bottom + 3] = w3;
    z[bottom + 4] = w4;
    z[bottom + 5] = w5;
    z[bottom + 6] = w6;
    z[bottom + 7] = w7;
  }
  for (; k < n; k++) {
    let w = z[m * n + k]!;
    for (let i = m - 1; i >= lo; i--) {
      const c = cs[i]!;
      const s = sn[i]!;
      const u = z[i * n + k]!;
      z[(i + 1) * n + k] = s * u + c * w;
      w = c * u - s * w;
    }
    z[lo * n + k] = w;
  }
}

/**
 * Implicit QL on the tridiagonal (d, e); the plane rotations of each sweep are applied to rows of
 * `z`, turning Qᵀ into the matrix whose rows are the eigenvectors of the original matrix.
 */
function qlImplicit(d: Float64Array, e: Float64Array, n: number, z: Float64Array): void {
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
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
      let i = m - 1;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) break; // underflow: the matrix splits at i+1
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        cs[i] = c;
        sn[i] = s;
      }
      if (i + 1 < m) applySweep(z, n, i + 1, m, cs, sn);
      if (i >= l) {
        d[i + 1] -= p;
        e[m] = 0;
        continue;
      }
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/**
 * Eigendecomposition of the symmetric n×n matrix `c` (row-major, left untouched; only its upper
 * triangle is read). Throws on non-finite entries, and if QL fails to converge (never observed).
 */
export function symEig(c: ArrayLike<number>, n: number): SymEig {
  if (c.length !== n * n) throw new Error(`symEig: expected ${n * n} entries, got ${c.length}`);
  for (let i = 0; i < c.length; i++) {
    if (!Number.isFinite(c[i]!)) throw new Error('symEig: matrix has non-finite entries');
  }
  const a = new Float64Array(c); // the array-like constructor: Float64Array.from goes through the iterator
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
