/**
 * CMA-ES's dense products in a small WebAssembly module, assembled byte by byte (src/core/wasm_assembler.ts), on
 * 128-bit SIMD lanes (two doubles per instruction): the steps Y = (D ⊙ Z)·Bᵀ of ask, C^{-1/2}·v, and the rank-μ
 * update of C. V8 runs plain JavaScript arithmetic one double at a time (about 4 GFLOP/s on these loops); the same
 * loops on f64x2 lanes do two at a time with fewer bounds checks.
 *
 * Each lane holds a different output entry, never a part of one sum: every entry is still its own sum of the same
 * products added in the same order, with a multiply and an add rounded separately (WebAssembly has no fused
 * multiply-add in its baseline SIMD), so the results are bit for bit those of the plain scalar loops.
 */
import { Body, F64, I32, instantiate, V128, type KernelFunction, type WasmMemory } from '../src/core/wasm_assembler.js';

/**
 * `steps_C_W(v, bt, y, n, np, k0, k1, i0, i1)`: for the candidates k ∈ [k0, k1) (C at a time) and the rows
 * i ∈ [i0, i1) (2W at a time), y[k·np + i] = Σ_{j<n} v[k·n + j]·bt[j·np + i], j ascending. bt is Bᵀ with rows
 * padded to np, v the scaled normals (one row of n per candidate), y the steps (one row of np per candidate).
 * The C·W accumulators stay in registers over j: each entry of Bᵀ loaded feeds C candidates. Rows outside,
 * candidates inside: the strip of Bᵀ for 2W rows (16W·n bytes) stays in the second-level cache while every
 * candidate passes it, so Bᵀ comes from memory once per call.
 */
function stepsKernel(C: number, W: number): KernelFunction {
  const [v, bt, y, n, np, k0, k1, i0, i1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [k, i, count, pb, npb] = [9, 10, 11, 12, 13];
  const pv = (c: number): number => 14 + c;
  const py = (c: number): number => 14 + C + c;
  const acc = (c: number, w: number): number => 14 + 2 * C + c * W + w;
  const splat = (c: number): number => 14 + 2 * C + C * W + c;
  const bv = 14 + 3 * C + C * W;
  const b = new Body();
  const offset = (row: () => void, col: number, base: number): void => {
    // base + ((row·stride + col) << 3)
    b.get(base);
    row();
    b.get(col).add().shl3().add();
  };
  b.get(np).shl3().set(npb);
  b.get(i0).set(i);
  b.whileNot(() => b.get(i).get(i1).geS(), () => {
    b.get(k0).set(k);
    b.whileNot(() => b.get(k).get(k1).geS(), () => {
      for (let c = 0; c < C; c++) {
        offset(() => b.get(k).i32(c).add().get(np).mul(), i, y);
        b.set(py(c));
        for (let w = 0; w < W; w++) b.get(py(c)).vLoad(16 * w).set(acc(c, w));
        b.get(v).get(k).i32(c).add().get(n).mul().shl3().add().set(pv(c));
      }
      b.get(bt).get(i).shl3().add().set(pb);
      b.get(n).set(count);
      b.whileNot(() => b.get(count).eqz(), () => {
        for (let c = 0; c < C; c++) b.get(pv(c)).vSplatLoad().set(splat(c));
        for (let w = 0; w < W; w++) {
          b.get(pb).vLoad(16 * w).set(bv);
          for (let c = 0; c < C; c++) b.get(acc(c, w)).get(splat(c)).get(bv).vMul().vAdd().set(acc(c, w));
        }
        for (let c = 0; c < C; c++) b.bump(pv(c), 8);
        b.bump(pb, () => b.get(npb));
        b.bump(count, -1);
      });
      for (let c = 0; c < C; c++) for (let w = 0; w < W; w++) b.get(py(c)).get(acc(c, w)).vStore(16 * w);
      b.bump(k, C);
    });
    b.bump(i, 2 * W);
  });
  return {
    name: `steps_${C}_${W}`,
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [...new Array<number>(5 + 2 * C).fill(I32), ...new Array<number>(C * W + C + 1).fill(V128)],
    body: b,
  };
}

/**
 * `rank_mu(c, a, y, pc, cs, np, nu, i0, i1, decay, c1)`: eq. (47) on rows i ∈ [i0, i1) of the upper triangle, two
 * rows at a time (i0 even), columns j ∈ [i, np) in blocks of eight, then of two: c[i·cs + j] ← decay·c_ij +
 * (c₁·pc_i)·pc_j + Σ_{u<nu} a[i·nu + u]·y[u·np + j], u ascending. c is C with rows cs apart, a[i·nu + u] = c_u·y_ui
 * (np rows), y the used steps (one row of np each), pc p_c (np entries). Besides the upper triangle it writes
 * entries below the diagonal only: (i + 1, i) of each row pair and, when cs = np − 1 (odd n), the block that runs
 * past the end of row i into (i + 1, 0), and row np − 1 (past C when n is odd); the caller mirrors the upper
 * triangle over the lower and leaves room for the extra row.
 */
function rankMuKernel(): KernelFunction {
  const [c, a, y, pc, cs, np, nu, i0, i1, decay, c1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [i, j, u, pa0, pa1, py, npb, pc0, pc1, csb] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const [dec, pr0, pr1, s0, s1, yv, pcv] = [21, 22, 23, 24, 25, 26, 27];
  const acc = (r: number, w: number): number => 28 + r * 4 + w;
  const b = new Body();
  const block = (W: number): void => {
    b.get(c).get(i).get(cs).mul().get(j).add().shl3().add().set(pc0);
    b.get(pc0).get(csb).add().set(pc1);
    for (let w = 0; w < W; w++) {
      b.get(pc).get(j).shl3().add().vLoad(16 * w).set(pcv);
      b.get(dec).get(pc0).vLoad(16 * w).vMul().get(pr0).get(pcv).vMul().vAdd().set(acc(0, w));
      b.get(dec).get(pc1).vLoad(16 * w).vMul().get(pr1).get(pcv).vMul().vAdd().set(acc(1, w));
    }
    b.get(a).get(i).get(nu).mul().shl3().add().set(pa0);
    b.get(pa0).get(nu).shl3().add().set(pa1);
    b.get(y).get(j).shl3().add().set(py);
    b.get(nu).set(u);
    b.whileNot(() => b.get(u).eqz(), () => {
      b.get(pa0).vSplatLoad().set(s0);
      b.get(pa1).vSplatLoad().set(s1);
      for (let w = 0; w < W; w++) {
        b.get(py).vLoad(16 * w).set(yv);
        b.get(acc(0, w)).get(s0).get(yv).vMul().vAdd().set(acc(0, w));
        b.get(acc(1, w)).get(s1).get(yv).vMul().vAdd().set(acc(1, w));
      }
      b.bump(pa0, 8).bump(pa1, 8).bump(py, () => b.get(npb)).bump(u, -1);
    });
    for (let w = 0; w < W; w++) {
      b.get(pc0).get(acc(0, w)).vStore(16 * w);
      b.get(pc1).get(acc(1, w)).vStore(16 * w);
    }
  };
  b.get(np).shl3().set(npb);
  b.get(cs).shl3().set(csb);
  b.get(decay).vSplat().set(dec);
  b.get(i0).set(i);
  b.whileNot(() => b.get(i).get(i1).geS(), () => {
    b.get(c1).get(pc).get(i).shl3().add().f64Load(0).f64Mul().vSplat().set(pr0);
    b.get(c1).get(pc).get(i).shl3().add().f64Load(8).f64Mul().vSplat().set(pr1);
    b.get(i).set(j);
    b.whileNot(() => b.get(j).i32(8).add().get(np).gtS(), () => {
      block(4);
      b.bump(j, 8);
    });
    b.whileNot(() => b.get(j).get(np).geS(), () => {
      block(1);
      b.bump(j, 2);
    });
    b.bump(i, 2);
  });
  return {
    name: 'rank_mu',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64],
    locals: [...new Array<number>(10).fill(I32), ...new Array<number>(7 + 8).fill(V128)],
    body: b,
  };
}

type StepsKernel = (v: number, bt: number, y: number, n: number, np: number, k0: number, k1: number, i0: number, i1: number) => void;
type RankMuKernel = (c: number, a: number, y: number, pc: number, cs: number, np: number, nu: number, i0: number, i1: number, decay: number, c1: number) => void;

/** The instantiated kernels and their memory (its buffer changes when it grows, so views are taken per use). */
export interface CmaWasm {
  memory: WasmMemory;
  steps: { [key: string]: StepsKernel };
  rankMu: RankMuKernel;
}

let instance: CmaWasm | null = null;

/** The kernels, compiled on first use (synchronously: the module is a few kilobytes). */
export function cmaWasm(): CmaWasm {
  if (instance !== null) return instance;
  const kernels = [stepsKernel(2, 4), stepsKernel(2, 1), stepsKernel(1, 4), stepsKernel(1, 1), rankMuKernel()];
  const exports = instantiate(kernels);
  const steps: { [key: string]: StepsKernel } = {};
  for (const k of kernels.slice(0, 4)) steps[k.name] = exports[k.name] as StepsKernel;
  instance = { memory: exports['memory'] as WasmMemory, steps, rankMu: exports['rank_mu'] as RankMuKernel };
  return instance;
}

/** Grows the memory to at least `bytes` and returns a Float64Array over all of it. */
export function wasmDoubles(bytes: number): Float64Array {
  const { memory } = cmaWasm();
  const missing = bytes - memory.buffer.byteLength;
  if (missing > 0) {
    try {
      memory.grow(Math.ceil(missing / 65536));
    } catch {
      throw new Error(`CMA-ES kernels: cannot grow WebAssembly memory to ${Math.ceil(bytes / 2 ** 20)} MiB (the limit is 4096 MiB; full CMA-ES keeps C, B and Bᵀ there, 24·n² bytes): use sep-cmaes for this n`);
    }
  }
  return new Float64Array(memory.buffer);
}

/** n rounded up to even: the padded row length of the matrices in the module's memory (whole f64x2 lanes). */
export function paddedLength(n: number): number {
  return n + (n & 1);
}

/**
 * B and Bᵀ stay in the module's memory from one call to the next, from byte 0, rows padded to an even length, and
 * are rewritten only when a call brings another B. CMA-ES never changes B in place (each eigendecomposition assigns
 * a new array), so the array's identity and n tell whether the copies are current; B changes once per
 * eigendecomposition period, so the copies are paid once per period, not once per generation.
 */
let loadedB: { B: readonly number[]; n: number } | null = null;

/** Where the kept matrices lie, in doubles: B at 0, Bᵀ at `transposed`, both n rows of paddedLength(n). */
export function keptB(n: number): { transposed: number; end: number } {
  const size = n * paddedLength(n);
  return { transposed: size, end: 2 * size };
}

/**
 * The module's memory as doubles, with room for `scratch` doubles from index `base` on, past the kept B and Bᵀ;
 * with a B, those are made current first.
 */
export function wasmHeap(B: readonly number[] | null, n: number, scratch: number): { heap: Float64Array; base: number } {
  const keep = B !== null ? keptB(n).end : loadedB !== null ? keptB(loadedB.n).end : 0;
  const heap = wasmDoubles(8 * (keep + scratch));
  if (B !== null && (loadedB === null || loadedB.B !== B || loadedB.n !== n)) {
    copyB(heap, B, n);
    loadedB = { B, n };
  }
  return { heap, base: keep };
}

/** heap[i·np + j] = B[i·n + j] and heap[T + j·np + i] = B[i·n + j] (np = paddedLength(n), pad columns 0), Bᵀ in 32×32 tiles. */
function copyB(heap: Float64Array, B: readonly number[], n: number): void {
  const np = paddedLength(n);
  const T = keptB(n).transposed;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) heap[i * np + j] = B[i * n + j]!;
  const tile = 32;
  for (let i0 = 0; i0 < n; i0 += tile) {
    const i1 = Math.min(n, i0 + tile);
    for (let j0 = 0; j0 < n; j0 += tile) {
      const j1 = Math.min(n, j0 + tile);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) heap[T + j * np + i] = B[i * n + j]!;
    }
  }
  if (np !== n) for (let j = 0; j < n; j++) heap[j * np + n] = heap[T + j * np + n] = 0;
}

/**
 * y_k = M·v_k for the `count` vectors v_k (rows of n doubles from heap index `vAt`) into rows of np from `yAt`
 * (zeroed here), where the kept matrix at `matrixAt` holds Mᵀ (Bᵀ gives B·v, B gives Bᵀ·v): each entry is
 * Σ_j v_k[j]·Mᵀ[j][i], j ascending.
 */
export function multiplyKept(heap: Float64Array, matrixAt: number, n: number, vAt: number, count: number, yAt: number): void {
  const np = paddedLength(n);
  heap.fill(0, yAt, yAt + count * np);
  const { steps } = cmaWasm();
  const [pairs, eights] = [count - (count % 2), np - (np % 8)];
  const args = [8 * vAt, 8 * matrixAt, 8 * yAt, n, np] as const;
  steps['steps_2_4']!(...args, 0, pairs, 0, eights);
  steps['steps_2_1']!(...args, 0, pairs, eights, np);
  steps['steps_1_4']!(...args, pairs, count, 0, eights);
  steps['steps_1_1']!(...args, pairs, count, eights, np);
}

/** k rounded up to even, so every region in the memory starts on a 16-byte boundary. */
export function evenLength(k: number): number {
  return k + (k & 1);
}
