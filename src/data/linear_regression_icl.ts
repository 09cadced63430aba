/**
 * The task family of "Transformers learn in-context by gradient descent" (von Oswald et al., ICML 2023, §4.2 of
 * the reading notes): each task is a random linear map y = wᵀx with w ~ N(0, s²I), shown as N context pairs
 * (x_i, y_i) and a query x_q whose y the model must predict. Inputs are x ~ U(−α, α)^{N_x}; α = 1 and s = 1 are
 * the training distribution, larger α or s the out-of-distribution tests of the paper.
 *
 * Numbers are kept in float64 so that a plain-JS gradient-descent reference can be computed exactly; the
 * tokens a model reads are float32.
 */
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export interface IclTaskOptions {
  /** N_x: input dimension (the paper's code: 10). */
  nx: number;
  /** N: context pairs per task (the paper's code: 10). */
  n: number;
  /** α: inputs are drawn from U(−α, α); 1 in distribution. */
  inputRange: number;
  /** s: weights are drawn from N(0, s²I); 1 in distribution. */
  weightScale: number;
}

export const ICL_TASK_DEFAULTS: Readonly<IclTaskOptions> = { nx: 10, n: 10, inputRange: 1, weightScale: 1 };

/** A batch of B tasks, row-major. */
export interface IclBatch {
  batch: number;
  nx: number;
  n: number;
  /** Context inputs [B, N, N_x]. */
  x: Float64Array;
  /** Context targets [B, N]. */
  y: Float64Array;
  /** Query inputs [B, N_x]. */
  xq: Float64Array;
  /** Query targets [B]. */
  yq: Float64Array;
  /** The tasks' weights [B, N_x]. */
  w: Float64Array;
}

/** Checks the options; the message names the field and the allowed range. */
export function checkIclTaskOptions(o: IclTaskOptions, where = 'icl task'): IclTaskOptions {
  const int = (k: 'nx' | 'n', max: number) => {
    if (!Number.isInteger(o[k]) || o[k] < 1 || o[k] > max) throw new UsageError(`${where}: '${k}' must be an integer from 1 to ${max} (got ${String(o[k])})`);
  };
  int('nx', 256);
  int('n', 4096);
  for (const k of ['inputRange', 'weightScale'] as const)
    if (typeof o[k] !== 'number' || !(o[k] > 0) || !Number.isFinite(o[k])) throw new UsageError(`${where}: '${k}' must be a positive finite number (got ${String(o[k])})`);
  return o;
}

/**
 * B tasks from `seed`: per task, w first (N_x normals), then the N context inputs and the query input, so a
 * task's draws do not depend on the batch size (the first B tasks of a larger batch are the same tasks).
 */
export function sampleIclBatch(batch: number, options: IclTaskOptions, seed: number): IclBatch {
  const { nx, n, inputRange, weightScale } = checkIclTaskOptions(options);
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`icl task: batch size must be a positive integer (got ${String(batch)})`);
  const rng = new Rng(seed);
  const out: IclBatch = {
    batch, nx, n,
    x: new Float64Array(batch * n * nx), y: new Float64Array(batch * n),
    xq: new Float64Array(batch * nx), yq: new Float64Array(batch), w: new Float64Array(batch * nx),
  };
  const input = () => inputRange * (2 * rng.uniform() - 1);
  for (let b = 0; b < batch; b++) {
    const w = out.w.subarray(b * nx, (b + 1) * nx);
    for (let k = 0; k < nx; k++) w[k] = weightScale * rng.normal();
    const target = (x: Float64Array): number => x.reduce((s, v, k) => s + v * w[k]!, 0);
    for (let i = 0; i < n; i++) {
      const xi = out.x.subarray((b * n + i) * nx, (b * n + i + 1) * nx);
      for (let k = 0; k < nx; k++) xi[k] = input();
      out.y[b * n + i] = target(xi);
    }
    const xq = out.xq.subarray(b * nx, (b + 1) * nx);
    for (let k = 0; k < nx; k++) xq[k] = input();
    out.yq[b] = target(xq);
  }
  return out;
}

/**
 * The tokens [B, N+1, N_x+1] (float32): e_i = (x_i, y_i) for the context, then the query token (x_q, 0) last,
 * as the paper's construction reads them.
 */
export function iclTokens(b: IclBatch): Float32Array {
  const d = b.nx + 1;
  const t = b.n + 1;
  const out = new Float32Array(b.batch * t * d);
  for (let s = 0; s < b.batch; s++) {
    for (let i = 0; i < b.n; i++) {
      const at = (s * t + i) * d;
      out.set(b.x.subarray((s * b.n + i) * b.nx, (s * b.n + i + 1) * b.nx), at);
      out[at + b.nx] = b.y[s * b.n + i]!;
    }
    out.set(b.xq.subarray(s * b.nx, (s + 1) * b.nx), (s * t + b.n) * d);
  }
  return out;
}
