/**
 * Synapse initialisation (§1.1, `fixed_random_initializer`): U(−1, 1)·scale, optionally / sqrt(n + m + 1),
 * each replica from its own seeded stream and identical across the P genomes (common random numbers, so a
 * genome's result does not depend on which population it is evaluated in). Arrays are assembled in plain
 * JS: tiling on the wasm backend is slow.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { deriveSeed, Rng } from '../../core/rng.js';
import { filled } from './blur_math.js';
import type { BlurNetworkOptions } from './blur_options.js';
import type { BlurSynapses } from './blur_step.js';
import { zeroMoments } from './synapse_moments.js';

type Tf = typeof tfjs;
type InitOptions = Pick<BlurNetworkOptions, 'initScale' | 'initScaleByChannels' | 'symmetricInOut' | 'symmetricStates'> &
  Partial<Pick<BlurNetworkOptions, 'synapseMoments'>>;

interface ReplicaArrays {
  /** Layer 0 in row layout per replica: weights [R, k, m, n0] and bias [R, k, m] (blur_input_layer.ts). */
  inputW: Float32Array;
  inputB: Float32Array;
  /** Per layer: [R, k, n+1, m] row-major (layer 0 as drawn, before the row layout). */
  forward: Float32Array[];
  /** Per layer ℓ ≥ 1 (index ℓ − 1): [R, k, m, n]. */
  backward: Float32Array[];
}

const cache = new Map<string, ReplicaArrays>();
const CACHE_SIZE = 4;

function draw(sizes: readonly number[], k: number, R: number, seed: number, o: InitOptions): ReplicaArrays {
  const L = sizes.length - 1;
  const forward = sizes.slice(0, L).map((n, l) => new Float32Array(R * k * (n + 1) * sizes[l + 1]!));
  const backward = sizes.slice(1, L).map((m, i) => new Float32Array(R * k * sizes[i + 2]! * m));
  for (let r = 0; r < R; r++) {
    const rng = new Rng(deriveSeed(seed, 'blur-synapse-init', r));
    for (let l = 0; l < L; l++) {
      const n = sizes[l]!;
      const m = sizes[l + 1]!;
      const s = o.initScaleByChannels ? o.initScale / Math.sqrt(n + m + 1) : o.initScale;
      const f = forward[l]!;
      const fLen = k * (n + 1) * m;
      for (let i = 0; i < fLen; i++) f[r * fLen + i] = (rng.uniform() * 2 - 1) * s;
      if (l === 0) continue;
      const b = backward[l - 1]!;
      const bLen = k * m * n;
      for (let i = 0; i < bLen; i++) b[r * bLen + i] = (rng.uniform() * 2 - 1) * s;
    }
  }
  // init_first_state: in/out sync first, then every state takes state 0
  for (let l = 1; l < L && o.symmetricInOut; l++) {
    const n = sizes[l]!;
    const m = sizes[l + 1]!;
    const f = forward[l]!;
    const b = backward[l - 1]!;
    for (let rc = 0; rc < R * k; rc++) for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) b[(rc * m + j) * n + i] = f[(rc * (n + 1) + i) * m + j]!;
  }
  if (o.symmetricStates) {
    for (const a of [...forward, ...backward]) {
      const block = a.length / (R * k);
      for (let r = 0; r < R; r++) for (let c = 1; c < k; c++) a.copyWithin((r * k + c) * block, r * k * block, (r * k + 1) * block);
    }
  }
  const n0 = sizes[0]!;
  const m = sizes[1]!;
  const inputW = new Float32Array(R * k * m * n0);
  const inputB = new Float32Array(R * k * m);
  const f0 = forward[0]!;
  for (let rc = 0; rc < R * k; rc++) {
    for (let i = 0; i <= n0; i++) {
      for (let j = 0; j < m; j++) {
        const v = f0[(rc * (n0 + 1) + i) * m + j]!;
        if (i < n0) inputW[(rc * m + j) * n0 + i] = v;
        else inputB[rc * m + j] = v;
      }
    }
  }
  return { inputW, inputB, forward, backward };
}

function replicaArrays(sizes: readonly number[], k: number, R: number, seed: number, o: InitOptions): ReplicaArrays {
  const key = JSON.stringify([sizes, k, R, seed, o.initScale, o.initScaleByChannels, o.symmetricInOut, o.symmetricStates]);
  let a = cache.get(key);
  if (!a) {
    a = draw(sizes, k, R, seed, o);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, a);
  }
  return a;
}

/**
 * `a` (one genome's synapses, of `shape`) repeated P times along the first axis. On WebGPU it is uploaded once and
 * broadcast there (times ones filled on the GPU, exact), so the P copies never cross the bus: 320 MB at P = 512 for
 * a 784-100-10 network, and tfjs-webgpu would tile a small or rank-5 tensor on the CPU. tfjs-wasm's Tile copies
 * element by element (4.5 s at that size), so the other backends take the copies made here.
 */
function repeated(tf: Tf, a: Float32Array, shape: number[], P: number): tfjs.Tensor {
  const shapeOfAll = shape.map((d, i) => (i === 0 ? d * P : d));
  if (P > 1 && tf.getBackend() === 'webgpu') {
    return tf.tidy(() => tf.reshape(tf.mul(tf.tensor2d(a, [1, a.length]), filled(tf, [P, 1], 1)), shapeOfAll));
  }
  const copies = new Float32Array(a.length * P);
  for (let p = 0; p < P; p++) copies.set(a, p * a.length);
  return tf.tensor(copies, shapeOfAll);
}

/**
 * Fresh synapses for P genomes × R replicas; symmetricInOut makes Bk = Fᵀ and symmetricStates copies state
 * 0 into every state, as `init_first_state` does; moment buffers (synapseMoments) start at 0. The caller owns the tensors.
 */
export function initSynapses(tf: Tf, sizes: readonly number[], k: number, P: number, R: number, seed: number, o: InitOptions): BlurSynapses {
  const a = replicaArrays(sizes, k, R, seed, o);
  const rows = P * R * k * sizes[1]!;
  const upper = [];
  for (let l = 1; l < sizes.length - 1; l++) {
    const n = sizes[l]!;
    const mm = sizes[l + 1]!;
    upper.push({
      forward: repeated(tf, a.forward[l]!, [1, R, k, n + 1, mm], P) as tfjs.Tensor5D,
      backward: repeated(tf, a.backward[l - 1]!, [1, R, k, mm, n], P) as tfjs.Tensor5D,
    });
  }
  const syn: BlurSynapses = { input: { w: repeated(tf, a.inputW, [rows / P, sizes[0]!], P) as tfjs.Tensor2D, b: repeated(tf, a.inputB, [rows / P, 1], P) as tfjs.Tensor2D }, upper, updates: 0 };
  const moments = zeroMoments(tf, syn, { synapseMoments: o.synapseMoments ?? 'none' });
  if (moments) syn.moments = moments;
  return syn;
}
