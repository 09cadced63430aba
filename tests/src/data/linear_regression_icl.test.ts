import test from 'ava';
import { ICL_TASK_DEFAULTS, iclTokens, sampleIclBatch } from '../../../src/data/linear_regression_icl.js';

const opts = { ...ICL_TASK_DEFAULTS };

test('a batch has the paper defaults N_x = 10, N = 10, its shapes, and y = wᵀx for context and query', (t) => {
  const b = sampleIclBatch(7, opts, 3);
  t.like(b, { batch: 7, nx: 10, n: 10 });
  t.is(b.x.length, 7 * 10 * 10);
  t.is(b.y.length, 70);
  t.is(b.xq.length, 70);
  t.is(b.yq.length, 7);
  t.is(b.w.length, 70);
  const dot = (a: Float64Array, w: Float64Array) => a.reduce((s, v, k) => s + v * w[k]!, 0);
  for (let s = 0; s < 7; s++) {
    const w = b.w.subarray(s * 10, s * 10 + 10);
    for (let i = 0; i < 10; i++) t.true(Math.abs(b.y[s * 10 + i]! - dot(b.x.subarray((s * 10 + i) * 10, (s * 10 + i + 1) * 10), w)) < 1e-12);
    t.true(Math.abs(b.yq[s]! - dot(b.xq.subarray(s * 10, s * 10 + 10), w)) < 1e-12);
  }
});

test('the same seed gives the same tasks, another seed others; a larger batch starts with the same tasks', (t) => {
  const a = sampleIclBatch(5, opts, 42);
  t.deepEqual(sampleIclBatch(5, opts, 42), a);
  t.notDeepEqual(Array.from(sampleIclBatch(5, opts, 43).x), Array.from(a.x));
  const big = sampleIclBatch(9, opts, 42);
  t.deepEqual(Array.from(big.x.subarray(0, a.x.length)), Array.from(a.x));
  t.deepEqual(Array.from(big.yq.subarray(0, 5)), Array.from(a.yq));
});

test('x ~ U(−α, α) and w ~ N(0, s²): ranges, means and variances over 2000 tasks, in and out of distribution', (t) => {
  for (const [alpha, s] of [[1, 1], [4, 1], [1, 2]] as const) {
    const b = sampleIclBatch(2000, { nx: 4, n: 8, inputRange: alpha, weightScale: s }, 9);
    const all = [...b.x, ...b.xq];
    t.true(all.every((v) => v >= -alpha && v < alpha));
    const mean = all.reduce((a, v) => a + v, 0) / all.length;
    const variance = all.reduce((a, v) => a + v * v, 0) / all.length;
    t.true(Math.abs(mean) < 0.02 * alpha, `x mean ${mean}`);
    t.true(Math.abs(variance / (alpha * alpha / 3) - 1) < 0.03, `x variance ${variance} vs α²/3 = ${(alpha * alpha) / 3}`);
    const wMean = b.w.reduce((a, v) => a + v, 0) / b.w.length;
    const wVar = b.w.reduce((a, v) => a + v * v, 0) / b.w.length;
    t.true(Math.abs(wMean) < 0.05 * s, `w mean ${wMean}`);
    t.true(Math.abs(wVar / (s * s) - 1) < 0.06, `w variance ${wVar} vs ${s * s}`);
  }
});

test('tokens are (x_i, y_i) for the context and (x_q, 0) for the query, last', (t) => {
  const b = sampleIclBatch(2, { nx: 3, n: 4, inputRange: 1, weightScale: 1 }, 1);
  const tok = iclTokens(b);
  t.is(tok.length, 2 * 5 * 4);
  const f = Math.fround;
  t.deepEqual(Array.from(tok.subarray(5 * 4 + 2 * 4, 5 * 4 + 3 * 4)), [...Array.from(b.x.subarray((4 + 2) * 3, (4 + 3) * 3), f), f(b.y[4 + 2]!)]);
  t.deepEqual(Array.from(tok.subarray(5 * 4 + 4 * 4, 5 * 4 + 5 * 4)), [...Array.from(b.xq.subarray(3, 6), f), 0]);
});

test('bad options name the field and the range', (t) => {
  t.throws(() => sampleIclBatch(2, { ...opts, nx: 0 }, 1), { message: "icl task: 'nx' must be an integer from 1 to 256 (got 0)" });
  t.throws(() => sampleIclBatch(2, { ...opts, inputRange: -1 }, 1), { message: "icl task: 'inputRange' must be a positive finite number (got -1)" });
  t.throws(() => sampleIclBatch(0, opts, 1), { message: 'icl task: batch size must be a positive integer (got 0)' });
});
