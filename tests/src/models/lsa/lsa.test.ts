import test from 'ava';
import { initBackend, getTf } from '../../../../src/runtime/backend.js';
import { iclTokens, sampleIclBatch } from '../../../../src/data/linear_regression_icl.js';
import { lsaForward, lsaLossAndGrad, lsaParamsFromFlat, lsaPredict, lsaQuerySensitivity } from '../../../../src/models/lsa/lsa.js';
import { lsaParamCount, type LsaSpec } from '../../../../src/models/lsa/lsa_spec.js';
import { Rng } from '../../../../src/core/rng.js';

test.before(async () => {
  await initBackend('cpu');
});

const spec = (more: Partial<LsaSpec> = {}): LsaSpec => ({ nx: 3, layers: 1, looped: false, form: 'pq', attendToQuery: false, ...more });
const randomFlat = (s: LsaSpec, seed: number, scale = 0.3) => {
  const rng = new Rng(seed);
  return Array.from({ length: lsaParamCount(s) }, () => scale * rng.normal());
};
function tokensOf(batch: number, nx: number, n: number, seed: number) {
  const tf = getTf();
  const data = sampleIclBatch(batch, { nx, n, inputRange: 1, weightScale: 1 }, seed);
  return { data, tokens: tf.tensor3d(iclTokens(data), [batch, n + 1, nx + 1]) };
}

test('parameter counts: 2 or 4 D×D matrices per stored layer; a looped model stores one layer', (t) => {
  t.is(lsaParamCount(spec()), 2 * 16);
  t.is(lsaParamCount(spec({ form: 'kqvp' })), 4 * 16);
  t.is(lsaParamCount(spec({ layers: 3 })), 3 * 2 * 16);
  t.is(lsaParamCount(spec({ layers: 3, looped: true })), 2 * 16);
  t.is(lsaParamCount(spec({ nx: 10 })), 2 * 121);
});

test('forward keeps the token shape, predict gives one number per task, and nothing leaks', (t) => {
  const tf = getTf();
  const s = spec({ layers: 2 });
  const { tokens } = tokensOf(5, 3, 6, 1);
  const before = tf.memory().numTensors;
  const shapes = tf.tidy(() => {
    const p = lsaParamsFromFlat(tf, tf.tensor1d(randomFlat(s, 1)), s);
    return [lsaForward(tf, p, tokens, s).shape, lsaPredict(tf, p, tokens, s).shape, lsaQuerySensitivity(tf, p, tokens, s).shape];
  });
  t.deepEqual(shapes, [[5, 7, 4], [5], [5, 3]]);
  const targets = tf.tensor1d([1, 2, 3, 4, 5]);
  const r = lsaLossAndGrad(tf, randomFlat(s, 2), tokens, targets, s);
  t.is(r.grad.length, lsaParamCount(s));
  targets.dispose();
  t.is(tf.memory().numTensors, before);
  tokens.dispose();
});

test('one layer by hand: e_q ← e_q + A (Σ_i e_i e_iᵀ) M e_q over the context tokens, ŷ = −(y entry)', (t) => {
  const tf = getTf();
  const s = spec({ nx: 1 });
  // D = 2; tokens e_1 = (1, 2), e_2 = (3, −1), query (0.5, 0)
  const tokens = tf.tensor3d([1, 2, 3, -1, 0.5, 0], [1, 3, 2]);
  const a = [0.1, 0.2, -0.3, 0.4];
  const m = [0.5, -0.6, 0.7, 0.8];
  const y = lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d([...a, ...m]), s), tokens, s).dataSync()[0]!;
  // S = e1 e1ᵀ + e2 e2ᵀ = [[10, −1], [−1, 5]]; M e_q = (0.25, 0.35); S M e_q = (2.15, 1.5); A row 2 · that = −0.645 + 0.6
  t.true(Math.abs(y - 0.045) < 1e-6, `${y}`);
  const withQuery = lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d([...a, ...m]), { ...s, attendToQuery: true }), tokens, { ...s, attendToQuery: true }).dataSync()[0]!;
  // the query adds e_q e_qᵀ = [[0.25, 0], [0, 0]]: S M e_q gains (0.0625, 0); ŷ gains 0.3 · 0.0625
  t.true(Math.abs(withQuery - (0.045 + 0.3 * 0.0625)) < 1e-6, `${withQuery}`);
});

test("the paper's four matrices give the same model as their products A = P W_V, M = W_Kᵀ W_Q", (t) => {
  const tf = getTf();
  const full = spec({ form: 'kqvp', layers: 2 });
  const flat = randomFlat(full, 5);
  const d = 4;
  const mat = (l: number, k: number) => tf.tensor2d(flat.slice((l * 4 + k) * d * d, (l * 4 + k + 1) * d * d), [d, d]);
  const merged: number[] = [];
  for (let l = 0; l < 2; l++) {
    merged.push(...tf.matMul(mat(l, 3), mat(l, 2)).dataSync()); // A = P W_V
    merged.push(...tf.matMul(mat(l, 0), mat(l, 1), true, false).dataSync()); // M = W_Kᵀ W_Q
  }
  const { tokens } = tokensOf(6, 3, 5, 2);
  const pq = spec({ layers: 2 });
  const a = lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d(flat), full), tokens, full).dataSync();
  const b = lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d(merged), pq), tokens, pq).dataSync();
  a.forEach((v, i) => t.true(Math.abs(v - b[i]!) < 1e-5 * Math.max(1, Math.abs(v)), `${v} vs ${b[i]}`));
});

test('a looped model applies its one layer K times: the same as K stored copies', (t) => {
  const tf = getTf();
  const one = randomFlat(spec(), 8);
  const { tokens } = tokensOf(4, 3, 5, 3);
  const looped = spec({ layers: 3, looped: true });
  const stacked = spec({ layers: 3 });
  const a = lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d(one), looped), tokens, looped).dataSync();
  const b = lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d([...one, ...one, ...one]), stacked), tokens, stacked).dataSync();
  t.deepEqual(Array.from(a), Array.from(b));
});

test('the query sensitivity ∂ŷ/∂x_q matches central differences of the prediction', (t) => {
  const tf = getTf();
  const s = spec({ layers: 2 });
  const flat = randomFlat(s, 4);
  const { data } = tokensOf(3, 3, 5, 4);
  const tok = iclTokens(data);
  const predictAt = (v: Float32Array) => tf.tidy(() => lsaPredict(tf, lsaParamsFromFlat(tf, tf.tensor1d(flat), s), tf.tensor3d(v, [3, 6, 4]), s).dataSync());
  const sens = tf.tidy(() => lsaQuerySensitivity(tf, lsaParamsFromFlat(tf, tf.tensor1d(flat), s), tf.tensor3d(tok, [3, 6, 4]), s).dataSync());
  const h = 1e-2;
  for (let b = 0; b < 3; b++)
    for (let k = 0; k < 3; k++) {
      const at = (b * 6 + 5) * 4 + k;
      const up = tok.slice();
      const down = tok.slice();
      up[at]! += h;
      down[at]! -= h;
      const fd = (predictAt(up)[b]! - predictAt(down)[b]!) / (2 * h);
      t.true(Math.abs(fd - sens[b * 3 + k]!) < 2e-3 * Math.max(1, Math.abs(fd)), `task ${b} coordinate ${k}: ${sens[b * 3 + k]} vs ${fd}`);
    }
});

test('a flat vector of the wrong length and tokens of the wrong width are refused with the sizes', (t) => {
  const tf = getTf();
  t.throws(() => lsaParamsFromFlat(tf, tf.tensor1d([1, 2, 3]), spec()), { message: 'lsa: the flat vector has 3 numbers, the spec needs 32' });
  const p = lsaParamsFromFlat(tf, tf.tensor1d(randomFlat(spec(), 1)), spec());
  t.throws(() => lsaForward(tf, p, tf.zeros([1, 4, 5]) as never, spec()), { message: "lsa: tokens are 5 wide, the spec's are N_x + 1 = 4" });
});
