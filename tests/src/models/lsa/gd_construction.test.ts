/**
 * The construction of "Transformers learn in-context by gradient descent" (Proposition 1): the LSA with these
 * weights, in float32 TensorFlow.js, predicts what GD computes in float64 plain JS. Tolerance: |ŷ_LSA − ŷ_GD| ≤
 * 1e-5 · max(1, |ŷ_GD|), float32 rounding of sums of ~N·N_x terms of size ≤ 1.
 */
import test from 'ava';
import { initBackend, getTf } from '../../../../src/runtime/backend.js';
import { iclTokens, sampleIclBatch, type IclBatch } from '../../../../src/data/linear_regression_icl.js';
import { lsaForward, lsaParamsFromFlat, lsaPredict } from '../../../../src/models/lsa/lsa.js';
import { gdConstructionWeights, gdStepMatrices } from '../../../../src/models/lsa/gd_construction.js';
import { gdPredict } from '../../../../src/models/lsa/gradient_descent.js';
import type { LsaSpec } from '../../../../src/models/lsa/lsa_spec.js';

const TOLERANCE = 1e-5;

test.before(async () => {
  await initBackend('cpu');
});

function lsaOnBatch(spec: LsaSpec, eta: number, data: IclBatch): Float32Array {
  const tf = getTf();
  return tf.tidy(() => {
    const tokens = tf.tensor3d(iclTokens(data), [data.batch, data.n + 1, data.nx + 1]);
    return lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d(gdConstructionWeights(spec, eta, data.n)), spec), tokens, spec).dataSync() as Float32Array;
  });
}

function worstError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

test('the matrices of the construction: P W_V = (η/N)[[0,0],[0,−1]], W_Kᵀ W_Q = [[I,0],[0,0]]', (t) => {
  t.deepEqual(gdStepMatrices(2, 0.5, 10, 'pq'), { P: [0, 0, 0, 0, 0, 0, 0, 0, -0.05], Q: [1, 0, 0, 0, 1, 0, 0, 0, 0] });
  const full = gdStepMatrices(2, 0.5, 10, 'kqvp');
  t.deepEqual(full['WV'], [0, 0, 0, 0, 0, 0, 0, 0, -1]);
  t.deepEqual(full['P'], [0, 0, 0, 0, 0, 0, 0, 0, 0.05]);
  t.deepEqual(full['WK'], full['WQ']);
});

for (const form of ['pq', 'kqvp'] as const)
  test(`one constructed layer (${form}) predicts one GD step from W₀ = 0, N_x = 10, N = 10, to ${TOLERANCE} relative`, (t) => {
    const data = sampleIclBatch(256, { nx: 10, n: 10, inputRange: 1, weightScale: 1 }, 7);
    for (const eta of [0.1, 1, 1.5]) {
      const spec: LsaSpec = { nx: 10, layers: 1, looped: false, form, attendToQuery: false };
      const err = worstError(lsaOnBatch(spec, eta, data), gdPredict(data, eta, 1));
      t.true(err <= TOLERANCE, `η = ${eta}: worst relative error ${err}`);
      // the paper's code attends over all N + 1 tokens: the same for one layer, since the query's value is 0
      t.true(worstError(lsaOnBatch({ ...spec, attendToQuery: true }, eta, data), gdPredict(data, eta, 1)) <= TOLERANCE);
    }
  });

test('one constructed layer leaves the x entries alone and turns each context y_i into the residual y_i − ΔW x_i', (t) => {
  const tf = getTf();
  const data = sampleIclBatch(4, { nx: 3, n: 5, inputRange: 1, weightScale: 1 }, 2);
  const spec: LsaSpec = { nx: 3, layers: 1, looped: false, form: 'pq', attendToQuery: false };
  const eta = 0.8;
  const tokens = iclTokens(data);
  const out = tf.tidy(() => lsaForward(tf, lsaParamsFromFlat(tf, tf.tensor1d(gdConstructionWeights(spec, eta, 5)), spec), tf.tensor3d(tokens, [4, 6, 4]), spec).dataSync());
  for (let b = 0; b < 4; b++) {
    // ΔW = (η/N) Σ_i y_i x_iᵀ
    const dw = [0, 0, 0];
    for (let i = 0; i < 5; i++) for (let k = 0; k < 3; k++) dw[k]! += (eta / 5) * data.y[b * 5 + i]! * data.x[(b * 5 + i) * 3 + k]!;
    for (let i = 0; i < 6; i++) {
      for (let k = 0; k < 3; k++) t.is(out[(b * 6 + i) * 4 + k], tokens[(b * 6 + i) * 4 + k]);
      const x = i < 5 ? data.x.subarray((b * 5 + i) * 3, (b * 5 + i + 1) * 3) : data.xq.subarray(b * 3, b * 3 + 3);
      const y = i < 5 ? data.y[b * 5 + i]! : 0;
      const want = y - x.reduce((s, v, k) => s + v * dw[k]!, 0);
      t.true(Math.abs(out[(b * 6 + i) * 4 + 3]! - want) < 1e-5 * Math.max(1, Math.abs(want)), `task ${b} token ${i}`);
    }
  }
});

for (const looped of [true, false])
  test(`K = 2, 3, 5 constructed layers (${looped ? 'looped' : 'stacked'}) predict K GD steps, N_x = 10, to ${TOLERANCE} relative`, (t) => {
    const data = sampleIclBatch(256, { nx: 10, n: 10, inputRange: 1, weightScale: 1 }, 8);
    for (const k of [2, 3, 5]) {
      const spec: LsaSpec = { nx: 10, layers: k, looped, form: 'pq', attendToQuery: false };
      const err = worstError(lsaOnBatch(spec, 1.2, data), gdPredict(data, 1.2, k));
      t.true(err <= TOLERANCE, `K = ${k}: worst relative error ${err}`);
    }
  });

test('with the query among the keys (the paper code\'s attention), K = 2 layers are no longer 2 GD steps', (t) => {
  const data = sampleIclBatch(64, { nx: 4, n: 10, inputRange: 1, weightScale: 1 }, 9);
  const spec: LsaSpec = { nx: 4, layers: 2, looped: true, form: 'pq', attendToQuery: true };
  t.true(worstError(lsaOnBatch(spec, 1.5, data), gdPredict(data, 1.5, 2)) > 1e-2);
});
