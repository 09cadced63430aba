/**
 * The dense kernels of CMA-ES's sampling (tutorial eqs. 38–39): the λ normal vectors of a generation and their
 * steps y_k = B·(D ⊙ z_k). For λ candidates the steps are one matrix product Y = (D ⊙ Z)·Bᵀ, computed two rows of B
 * against four candidates at a time, so every entry of B is loaded once per four candidates instead of once per
 * candidate. Each y_k[i] is still the sum over j = 0…n−1 in ascending order, exactly as a plain matrix-vector
 * product computes it, so the blocking changes no bit of the result.
 */
import type { RngState } from '../src/core/rng.js';

/**
 * Scratch arrays for one ask or tell, reused from call to call and never part of the state. A fresh Float64Array
 * of λ·n numbers per generation lives outside V8's heap, and their sum pushes V8 into a garbage collection
 * almost every generation (sep-CMA-ES at n = 1000 spent a third of its time there). `slot` tells apart the
 * arrays one call needs at the same time; the contents are whatever the last user left.
 */
export function scratch(slot: number, length: number): Float64Array {
  let a = scratchArrays[slot];
  if (a === undefined || a.length < length) {
    a = new Float64Array(length);
    scratchArrays[slot] = a;
  }
  return a.length === length ? a : a.subarray(0, length);
}
const scratchArrays: Float64Array[] = [];

/** The scratch slots of ask and tell. */
export const SLOT = { scaled: 0, steps: 1, ymean: 2, zmean: 3, invSqrt: 4, rankA: 5, rankY: 6 } as const;

/**
 * Fills `out` with standard normals from the strategy's random state and returns the state after them: exactly
 * `Rng.normal`'s stream (Box–Muller on two of `Rng.uniform`'s doubles per normal), so a run draws the numbers it drew
 * before this kernel existed. The uniforms are the Alea generator of seedrandom (same state {c, s0, s1, s2}, same
 * steps, same 53-bit doubles), stepped here in local variables, since through `Rng`'s closures (and in object fields,
 * which V8 boxes) each draw costs more than its arithmetic; a test pins the stream to `Rng`'s.
 */
export function fillNormals(state: RngState, out: Float64Array): RngState {
  let { c, s0, s1, s2 } = state;
  if (![c, s0, s1, s2].every(Number.isFinite)) throw new Error('rng state must be {c, s0, s1, s2} with finite numbers');
  const m = out.length;
  for (let k = 0; k < m; k++) {
    // Two doubles, each from two Alea steps: t = 2091639·s0 + c·2⁻³², shift, c = ⌊t⌋ (int32), s2 = t − c.
    let t = 2091639 * s0 + c * 2.3283064365386963e-10;
    s0 = s1; s1 = s2; c = t | 0; s2 = t - c;
    const a = s2;
    t = 2091639 * s0 + c * 2.3283064365386963e-10;
    s0 = s1; s1 = s2; c = t | 0; s2 = t - c;
    const u1 = 1 - (a + ((s2 * 0x200000) | 0) * 1.1102230246251565e-16);
    t = 2091639 * s0 + c * 2.3283064365386963e-10;
    s0 = s1; s1 = s2; c = t | 0; s2 = t - c;
    const b = s2;
    t = 2091639 * s0 + c * 2.3283064365386963e-10;
    s0 = s1; s1 = s2; c = t | 0; s2 = t - c;
    const u2 = b + ((s2 * 0x200000) | 0) * 1.1102230246251565e-16;
    out[k] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return { c, s0, s1, s2 };
}

/**
 * The D ⊙ z_k of eq. (39) for λ vectors z_k ~ N(0, I) (candidate k's n coordinates at k·n), and each ‖z_k‖². The
 * array has ⌈λ/4⌉·4 rows, the ones past λ zero, as `multiplyRowsByB` takes them.
 */
export function drawScaledNormals(rng: RngState, D: readonly number[], n: number, lambda: number): { scaled: Float64Array; zNorm2: number[]; rng: RngState } {
  const scaled = scratch(SLOT.scaled, paddedRows(lambda) * n);
  scaled.fill(0, lambda * n);
  const after = fillNormals(rng, scaled.subarray(0, lambda * n));
  const zNorm2: number[] = [];
  for (let k = 0; k < lambda; k++) {
    const o = k * n;
    let s = 0;
    for (let j = 0; j < n; j++) {
      const z = scaled[o + j]!;
      s += z * z;
      scaled[o + j] = D[j]! * z;
    }
    zNorm2.push(s);
  }
  return { scaled, zNorm2, rng: after };
}

/** λ rounded up to a multiple of four: the rows the sampling kernel works on (the extra ones are zero, their products dropped). */
function paddedRows(count: number): number {
  return Math.ceil(count / 4) * 4;
}

/**
 * y_k = B·v_k for the `count` vectors v_k (rows of `v`, which holds ⌈count/4⌉·4 of them), B n×n row-major; as
 * number[] rows (they go into the state).
 */
export function multiplyRowsByB(B: readonly number[], n: number, v: Float64Array, count: number): number[][] {
  const end = paddedRows(count) * n;
  const out = scratch(SLOT.steps, end);
  // Rows of B outside, vectors inside: a pair of rows (2n numbers) stays in the first-level cache while every
  // vector passes it, so B is read from memory once per generation (8 MB at n = 1000) instead of once per four
  // vectors; the vectors (λ·n numbers) stay in the second-level cache.
  let i = 0;
  out.fill(0);
  for (; i + 1 < n; i += 2) for (let o = 0; o < end; o += 4 * n) dot2x4(B, i * n, i * n + n, v, o, n, n, out, o + i, 1, n);
  if (i < n) for (let o = 0; o < end; o += 4 * n) oneRowFourVectors(B, n, v, out, i, o);
  return splitRows(out, n, count);
}

/** The `count` rows of n entries of a row-major array, as number[] (Array.from on a typed array is slow in V8). */
export function splitRows(a: Float64Array, n: number, count: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < count; r++) {
    const row = new Array<number>(n);
    const o = r * n;
    for (let i = 0; i < n; i++) row[i] = a[o + i]!;
    rows.push(row);
  }
  return rows;
}

/**
 * The two-by-four block the dense products of CMA-ES share: for rows l0 and l1 of L and the four rows of R that
 * start at q0, q0 + qStride, q0 + 2·qStride, q0 + 3·qStride, adds Σ_{t<m} L[l_r + t]·R[q_c + t] to the entry
 * out[o + r·rowStride + c·colStride] (r = 0, 1; c = 0…3), each sum adding its terms in order of t to the entry's
 * value, the eight held in registers.
 */
export function dot2x4(L: ArrayLike<number>, l0: number, l1: number, R: Float64Array, q0: number, qStride: number, m: number, out: { [k: number]: number }, o: number, rowStride: number, colStride: number): void {
  const [q1, q2, q3] = [q0 + qStride, q0 + 2 * qStride, q0 + 3 * qStride];
  const [o0, o1, o2, o3] = [o, o + colStride, o + 2 * colStride, o + 3 * colStride];
  let s0 = out[o0]!, s1 = out[o1]!, s2 = out[o2]!, s3 = out[o3]!;
  let t0 = out[o0 + rowStride]!, t1 = out[o1 + rowStride]!, t2 = out[o2 + rowStride]!, t3 = out[o3 + rowStride]!;
  for (let t = 0; t < m; t++) {
    const a = L[l0 + t]!;
    const b = L[l1 + t]!;
    const v0 = R[q0 + t]!, v1 = R[q1 + t]!, v2 = R[q2 + t]!, v3 = R[q3 + t]!;
    s0 += a * v0;
    s1 += a * v1;
    s2 += a * v2;
    s3 += a * v3;
    t0 += b * v0;
    t1 += b * v1;
    t2 += b * v2;
    t3 += b * v3;
  }
  out[o0] = s0;
  out[o1] = s1;
  out[o2] = s2;
  out[o3] = s3;
  out[o0 + rowStride] = t0;
  out[o1 + rowStride] = t1;
  out[o2 + rowStride] = t2;
  out[o3 + rowStride] = t3;
}

/** Entry i of the products with the four vectors from offset o (the last row when n is odd). */
function oneRowFourVectors(B: readonly number[], n: number, v: Float64Array, out: Float64Array, i: number, o: number): void {
  const o1 = o + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  const r0 = i * n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let j = 0; j < n; j++) {
    const a = B[r0 + j]!;
    s0 += a * v[o + j]!;
    s1 += a * v[o1 + j]!;
    s2 += a * v[o2 + j]!;
    s3 += a * v[o3 + j]!;
  }
  out[o + i] = s0;
  out[o1 + i] = s1;
  out[o2 + i] = s2;
  out[o3 + i] = s3;
}
