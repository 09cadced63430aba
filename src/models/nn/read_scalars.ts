/**
 * Reading results back from the backend. TensorFlow.js's WebGPU backend has no synchronous read in Node.js (its
 * `dataSync` needs a browser canvas), so the training and evaluation loops that should run on a GPU read their
 * scalars through this asynchronous path; on wasm and cpu it resolves at once with the same numbers.
 */
import type * as tfjs from '@tensorflow/tfjs';

/** The first value of each tensor, read asynchronously; the tensors are disposed, also when a read fails. */
export async function readScalars(tf: typeof tfjs, scalars: readonly tfjs.Tensor[]): Promise<number[]> {
  try {
    return await Promise.all(scalars.map(async (s) => (await s.data())[0]!));
  } finally {
    tf.dispose(scalars as tfjs.Tensor[]);
  }
}
