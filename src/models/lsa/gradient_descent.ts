/**
 * The baseline of "Transformers learn in-context by gradient descent" (von Oswald et al., ICML 2023): plain
 * gradient descent on each task's in-context least-squares loss L(W) = 1/(2N) Σ_i (W x_i − y_i)², from W₀ = 0,
 * in float64 plain JS, so that it is an independent reference for the LSA model (computed in float32 tf).
 */

/** The context and query inputs of B tasks, row-major (an IclBatch has this shape). */
export interface RegressionContext {
  batch: number;
  nx: number;
  n: number;
  /** [B, N, N_x] */
  x: Float64Array;
  /** [B, N] */
  y: Float64Array;
  /** [B, N_x] */
  xq: Float64Array;
}

/**
 * W after `steps` GD steps with learning rate η, per task [B, N_x] (it is also ∂ŷ/∂x_q, since ŷ = W x_q), and
 * with `derivative` its derivative dW/dη by forward differentiation of the steps:
 * W_{k+1} = W_k − η g_k  ⇒  dW_{k+1} = dW_k − g_k − η H dW_k, with g_k = (1/N) Σ_i (W_k x_i − y_i) x_i, H = (1/N) Σ_i x_i x_iᵀ.
 */
export function gdWeights(c: RegressionContext, eta: number, steps: number, derivative = false): { w: Float64Array; dw: Float64Array | null } {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`gradient descent: steps must be an integer >= 0 (got ${steps})`);
  const { batch, nx, n } = c;
  const w = new Float64Array(batch * nx);
  const dw = derivative ? new Float64Array(batch * nx) : null;
  const grad = new Float64Array(nx);
  const hdw = new Float64Array(nx);
  for (let b = 0; b < batch; b++) {
    const wb = w.subarray(b * nx, (b + 1) * nx);
    const db = dw?.subarray(b * nx, (b + 1) * nx);
    for (let s = 0; s < steps; s++) {
      grad.fill(0);
      hdw.fill(0);
      for (let i = 0; i < n; i++) {
        const xi = c.x.subarray((b * n + i) * nx, (b * n + i + 1) * nx);
        let r = -c.y[b * n + i]!;
        let dr = 0;
        for (let k = 0; k < nx; k++) {
          r += wb[k]! * xi[k]!;
          if (db) dr += db[k]! * xi[k]!;
        }
        for (let k = 0; k < nx; k++) {
          grad[k]! += (r * xi[k]!) / n;
          hdw[k]! += (dr * xi[k]!) / n;
        }
      }
      for (let k = 0; k < nx; k++) {
        if (db) db[k]! -= grad[k]! + eta * hdw[k]!;
        wb[k]! -= eta * grad[k]!;
      }
    }
  }
  return { w, dw };
}

/** Row-wise dot products of [B, N_x] rows with the query inputs: ŷ = W x_q (or dŷ/dη from dW/dη). */
function timesQuery(c: RegressionContext, w: Float64Array): Float64Array {
  const out = new Float64Array(c.batch);
  for (let b = 0; b < c.batch; b++) {
    let s = 0;
    for (let k = 0; k < c.nx; k++) s += w[b * c.nx + k]! * c.xq[b * c.nx + k]!;
    out[b] = s;
  }
  return out;
}

/** ŷ_q = W x_q after `steps` GD steps, per task [B]. */
export function gdPredict(c: RegressionContext, eta: number, steps: number): Float64Array {
  return timesQuery(c, gdWeights(c, eta, steps).w);
}

/** ŷ_q after `steps` GD steps and its derivative dŷ_q/dη, per task [B]. */
export function gdPredictWithDerivative(c: RegressionContext, eta: number, steps: number): { prediction: Float64Array; derivative: Float64Array } {
  const { w, dw } = gdWeights(c, eta, steps, true);
  return { prediction: timesQuery(c, w), derivative: timesQuery(c, dw!) };
}

/** ½ mean (target − prediction)², the loss both models are scored by. */
export function halfMeanSquaredError(prediction: ArrayLike<number>, target: ArrayLike<number>): number {
  if (prediction.length !== target.length) throw new Error(`loss: ${prediction.length} predictions for ${target.length} targets`);
  let s = 0;
  for (let i = 0; i < target.length; i++) s += (target[i]! - prediction[i]!) ** 2;
  return s / (2 * target.length);
}
