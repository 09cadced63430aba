/**
 * A faster wasm `BatchMatMul` for batched or transposed-A float32 products, bit for bit the results of the kernel
 * it replaces.
 *
 * tfjs-backend-wasm 4.22 sends only an untransposed product of batch 1 to XNNPACK; every other product (a batch of
 * per-genome matrices, a transposed left operand) runs a scalar C++ loop that walks the right operand down its
 * columns. BLUR's per-genome products (state mixes and the upper layers) are such products: 29 % of a P = 32
 * evaluation's kernel time. This kernel runs them on f32x4 lanes in a small WebAssembly module that imports
 * tfjs-wasm's own memory, so it reads and writes the tensors in place. Each lane holds a different output entry and
 * computes it as the C++ loop does: over blocks of 48 along the shared dimension, each block's sum accumulated in
 * float32 from 0 in ascending order, multiply and add rounded separately (no fused multiply-add in baseline
 * WebAssembly SIMD), added to the entry as (entry + sum) + 0. A transposed right operand (the gradients of a
 * product: 30 % of a BLUR meta-gradient's kernel time went to two such 2-D products) is first copied into the plain
 * layout. Products narrower than four columns take the same arithmetic in JavaScript; those it does not take
 * (broadcast batches, the XNNPACK case) keep the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { Body, I32, instantiate, V128, type KernelFunction, type WasmMemory } from '../core/wasm_assembler.js';

/** The shared-dimension block of the kernel replaced (its kBlockSize). */
const BLOCK = 48;

/**
 * `bmm(a, b, o, M, K, N, N4, ai, ak)` for one matrix of the batch (byte addresses a, b, o): for rows i < M and
 * columns j < N4 (a multiple of 4), o[i·N + j] = Σ over blocks of (Σ_{k in block} A(i, k)·b[k·N + j]), with
 * A(i, k) at a + i·ai + k·ak bytes (ai, ak give either layout of A). Columns go sixteen at a time, then four.
 */
function bmmKernel(): KernelFunction {
  const [a, b, o, M, K, N, N4, ai, ak] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, j, k0, kEnd, count, pa, pb, po, nb] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [s, zero] = [18, 19];
  const out = (w: number): number => 20 + w;
  const acc = (w: number): number => 24 + w;
  const body = new Body();
  const columns = (W: number): void => {
    for (let w = 0; w < W; w++) body.vZero().set(out(w));
    body.i32(0).set(k0);
    body.whileNot(() => body.get(k0).get(K).geS(), () => {
      // kEnd = min(K, k0 + 48); count = kEnd − k0
      body.get(k0).i32(BLOCK).add().set(kEnd);
      body.op(0x02, 0x40).get(kEnd).get(K).op(0x4c).op(0x0d, 0).get(K).set(kEnd).op(0x0b); // if kEnd > K: kEnd = K
      body.get(kEnd).get(k0).sub().set(count);
      for (let w = 0; w < W; w++) body.vZero().set(acc(w));
      body.get(a).get(i).get(ai).mul().add().get(k0).get(ak).mul().add().set(pa);
      body.get(b).get(k0).get(N).mul().get(j).add().shl2().add().set(pb);
      body.whileNot(() => body.get(count).eqz(), () => {
        body.get(pa).vSplatLoad32().set(s);
        for (let w = 0; w < W; w++) body.get(acc(w)).get(s).get(pb).vLoad(16 * w).f32x4Mul().f32x4Add().set(acc(w));
        body.bump(pa, () => body.get(ak));
        body.bump(pb, () => body.get(nb));
        body.bump(count, -1);
      });
      for (let w = 0; w < W; w++) body.get(out(w)).get(acc(w)).f32x4Add().get(zero).f32x4Add().set(out(w));
      body.bump(k0, BLOCK);
    });
    body.get(o).get(i).get(N).mul().get(j).add().shl2().add().set(po);
    for (let w = 0; w < W; w++) body.get(po).get(out(w)).vStore(16 * w);
  };
  body.get(N).shl2().set(nb);
  body.vZero().set(zero);
  body.i32(0).set(i);
  body.whileNot(() => body.get(i).get(M).geS(), () => {
    body.i32(0).set(j);
    body.whileNot(() => body.get(j).i32(16).add().get(N4).gtS(), () => {
      columns(4);
      body.bump(j, 16);
    });
    body.whileNot(() => body.get(j).get(N4).geS(), () => {
      columns(1);
      body.bump(j, 4);
    });
    body.bump(i, 1);
  });
  return {
    name: 'bmm',
    params: new Array<number>(9).fill(I32),
    locals: [...new Array<number>(9).fill(I32), ...new Array<number>(2 + 4 + 4).fill(V128)],
    body,
  };
}

type BmmKernel = (a: number, b: number, o: number, M: number, K: number, N: number, N4: number, ai: number, ak: number) => void;

/** What this kernel uses of the wasm backend (structural, as in wasm_conv_grad.ts). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  wasm: { asm: { memory: WasmMemory } };
}

const kernels = new WeakMap<WasmMemory, BmmKernel | null>();

/** The kernel on tfjs-wasm's memory; null for the threaded build's shared memory, which this module does not declare. */
function bmmFor(memory: WasmMemory): BmmKernel | null {
  let k = kernels.get(memory);
  if (k === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    k = shared ? null : (instantiate([bmmKernel()], memory)['bmm'] as BmmKernel);
    kernels.set(memory, k);
  }
  return k;
}

/**
 * Rounding to float32 the double result of an operation on float32 operands gives float32 arithmetic's result: the
 * double holds their product exactly and rounds their sum finely enough that rounding again is still correct.
 */
const f32 = Math.fround;

/** BatchMatMul with the products described above on SIMD lanes; everything else goes to `original`. */
export function fastBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const r = a.shape.length;
    const outer = a.shape.slice(0, -2);
    const batch = outer.reduce((x, y) => x * y, 1);
    const plain = a.dtype === 'float32' && b.dtype === 'float32' && r === b.shape.length && r >= 2
      && outer.every((d, q) => d === b.shape[q]) && (batch > 1 || transposeA || transposeB);
    const [M, K] = transposeA ? [a.shape[r - 1]!, a.shape[r - 2]!] : [a.shape[r - 2]!, a.shape[r - 1]!];
    const [Kb, N] = transposeB ? [b.shape[r - 1]!, b.shape[r - 2]!] : [b.shape[r - 2]!, b.shape[r - 1]!];
    if (!plain || K !== Kb || batch * M * N * K === 0) return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const memory = backend.wasm.asm.memory;
    const bmm = bmmFor(memory);
    if (bmm === null) return original(args);
    const out = backend.makeOutput([...outer, M, N], 'float32');
    // A transposed right operand is copied into its plain layout first (its sums are the same either way).
    const plainB = transposeB ? backend.makeOutput([...outer, K, N], 'float32') : b;
    const at = (info: tf.TensorInfo): number => backend.dataIdMap.get(info.dataId)!.memoryOffset;
    const [aAt, bAt, oAt] = [at(a), at(plainB), at(out)];
    if (transposeB) transposeInto(new Float32Array(memory.buffer), at(b) / 4, bAt / 4, batch, N, K);
    const N4 = N - (N % 4);
    const [ai, ak] = transposeA ? [4, 4 * M] : [4 * K, 4];
    for (let p = 0; p < batch; p++) {
      const [ap, bp, op] = [aAt + 4 * p * M * K, bAt + 4 * p * K * N, oAt + 4 * p * M * N];
      bmm(ap, bp, op, M, K, N, N4, ai, ak);
      // The last N mod 4 columns: the last four columns as one more lane block (the overlap is computed twice, the same).
      if (N4 < N && N >= 4) bmm(ap, bp + 4 * (N - 4), op + 4 * (N - 4), M, K, N, 4, ai, ak);
    }
    if (N < 4) {
      const heap = new Float32Array(memory.buffer);
      const [A, B, O] = [aAt / 4, bAt / 4, oAt / 4]; // B in the plain layout (copied above if transposed)
      for (let p = 0; p < batch; p++) {
        for (let i = 0; i < M; i++) {
          for (let j = N4; j < N; j++) {
            let entry = 0;
            for (let k0 = 0; k0 < K; k0 += BLOCK) {
              let sum = 0;
              for (let k = k0; k < Math.min(K, k0 + BLOCK); k++) {
                const av = heap[A + p * M * K + (transposeA ? k * M + i : i * K + k)]!;
                sum = f32(sum + f32(av * heap[B + p * K * N + k * N + j]!));
              }
              entry = f32(f32(entry + sum) + 0);
            }
            heap[O + p * M * N + i * N + j] = entry;
          }
        }
      }
    }
    if (transposeB) backend.disposeData(plainB.dataId);
    return out;
  };
}

/** For each of `batch` matrices, the [rows, cols] matrix at heap[from] written as its [cols, rows] transpose at heap[to]. */
function transposeInto(heap: Float32Array, from: number, to: number, batch: number, rows: number, cols: number): void {
  for (let p = 0; p < batch; p++) {
    const [src, dst] = [from + p * rows * cols, to + p * rows * cols];
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) heap[dst + j * rows + i] = heap[src + i * cols + j]!;
  }
}

let original: tf.KernelFunc | null = null;

/** Replaces the wasm backend's BatchMatMul by `fastBatchMatMul` around it (once). */
export function registerWasmBatchMatMul(): void {
  if (original !== null) return;
  const config = tf.getKernel('BatchMatMul', 'wasm');
  if (config == null) return;
  original = config.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...config, kernelFunc: fastBatchMatMul(config.kernelFunc) });
}

/** The backend's own BatchMatMul that the registered one wraps (null before registration): tests compare the two. */
export function wrappedBatchMatMul(): tf.KernelFunc | null {
  return original;
}
