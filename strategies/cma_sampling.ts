/**
 * The dense kernels of CMA-ES's sampling (tutorial eqs. 38–39): the λ normal vectors of a generation and their
 * steps y_k = B·(D ⊙ z_k). For λ candidates the steps are one matrix product Y = (D ⊙ Z)·Bᵀ, computed on SIMD lanes
 * in `cma_wasm.ts`. Each y_k[i] is still the sum over j = 0…n−1 in ascending order, exactly as a plain
 * matrix-vector product computes it, so the blocking changes no bit of the result.
 */
import type { RngState } from '../src/core/rng.js';
import { fillNormals, type NormalMethod } from '../src/core/normals.js';
import { evenLength, keptB, multiplyKept, paddedLength, wasmHeap } from './cma_wasm.js';

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
export const SLOT = { scaled: 0, ymean: 1, zmean: 2 } as const;

/**
 * The D ⊙ z_k of eq. (39) for λ vectors z_k ~ N(0, I) (candidate k's n coordinates at k·n), and each ‖z_k‖²;
 * the normals by the run's `method` (params.normals).
 */
export function drawScaledNormals(rng: RngState, D: readonly number[], n: number, lambda: number, method: NormalMethod): { scaled: Float64Array; zNorm2: number[]; rng: RngState } {
  const scaled = scratch(SLOT.scaled, lambda * n);
  const after = fillNormals(rng, scaled, method);
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

/**
 * y_k = B·v_k for the `count` vectors v_k (rows of n in `v`), B n×n row-major; as number[] rows (they go into the
 * state). The products run in the WebAssembly kernels (`cma_wasm.ts`) on Bᵀ kept there: two candidates against
 * eight rows of B at a time, the sixteen sums on f64x2 lanes, each still added over j in ascending order, as a plain
 * matrix-vector product adds it.
 */
export function multiplyRowsByB(B: readonly number[], n: number, v: Float64Array, count: number): number[][] {
  const vLength = evenLength(count * n);
  const { heap, base } = wasmHeap(B, n, vLength + count * paddedLength(n));
  heap.set(v.subarray(0, count * n), base);
  multiplyKept(heap, keptB(n).transposed, n, base, count, base + vLength);
  return splitRows(heap, n, count, base + vLength, paddedLength(n));
}

/** The `count` rows of n entries of a row-major array (rows `stride` apart from `start`), as number[] (Array.from on a typed array is slow in V8). */
export function splitRows(a: Float64Array, n: number, count: number, start = 0, stride = n): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < count; r++) {
    const row = new Array<number>(n);
    const o = start + r * stride;
    for (let i = 0; i < n; i++) row[i] = a[o + i]!;
    rows.push(row);
  }
  return rows;
}
