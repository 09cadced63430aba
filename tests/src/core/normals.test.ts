import test from 'ava';
import { fillNormals } from '../../../src/core/normals.js';
import { Rng } from '../../../src/core/rng.js';

/** Φ(x) from erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, far under the tests' tolerances). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const zig = (seed: number, count: number): Float64Array => {
  const out = new Float64Array(count);
  fillNormals(new Rng(seed).state(), out, 'ziggurat');
  return out;
};

test('box-muller: Rng.normal’s stream bit for bit, and the state after it', (t) => {
  const start = new Rng(42).state();
  const out = new Float64Array(1001);
  const after = fillNormals(start, out, 'box-muller');
  const reference = new Rng(start);
  t.deepEqual(Array.from(out), Array.from({ length: 1001 }, () => reference.normal()));
  t.deepEqual(after, reference.state());
  t.throws(() => fillNormals({ c: 1, s0: NaN, s1: 0, s2: 0 }, out), { message: /rng state must be/ });
  t.throws(() => fillNormals({ c: 1, s0: 0, s1: Infinity, s2: 0 }, out, 'ziggurat'), { message: /rng state must be/ });
});

test('ziggurat: the state defines the stream; two fills continue it exactly as one, through JSON', (t) => {
  const start = new Rng(5).state();
  const whole = new Float64Array(5000);
  const end = fillNormals(start, whole, 'ziggurat');
  const first = new Float64Array(1234);
  const middle = JSON.parse(JSON.stringify(fillNormals(start, first, 'ziggurat')));
  const rest = new Float64Array(5000 - 1234);
  const end2 = fillNormals(middle, rest, 'ziggurat');
  t.deepEqual([...first, ...rest], Array.from(whole));
  t.deepEqual(end2, end);
  t.notDeepEqual(end, start);
  t.not(whole[0], new Rng(start).normal(), 'a different stream from Box–Muller');
});

test('ziggurat: N(0, 1) in mean, variance, skewness and kurtosis over 10⁶ draws (within 5 standard errors)', (t) => {
  const z = zig(11, 1_000_000);
  const n = z.length;
  let m1 = 0;
  for (const v of z) m1 += v;
  m1 /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const v of z) {
    const d = v - m1;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const skew = m3 / m2 ** 1.5;
  const kurtosis = m4 / (m2 * m2);
  t.true(Math.abs(m1) < 5 / Math.sqrt(n), `mean ${m1}`);
  t.true(Math.abs(m2 - 1) < 5 * Math.sqrt(2 / n), `variance ${m2}`);
  t.true(Math.abs(skew) < 5 * Math.sqrt(6 / n), `skewness ${skew}`);
  t.true(Math.abs(kurtosis - 3) < 5 * Math.sqrt(24 / n), `kurtosis ${kurtosis}`);
  let lag = 0;
  for (let i = 1; i < n; i++) lag += (z[i]! - m1) * (z[i - 1]! - m1);
  t.true(Math.abs(lag / (n - 1) / m2) < 5 / Math.sqrt(n), `lag-1 correlation ${lag / (n - 1) / m2}`);
});

test('ziggurat: Kolmogorov–Smirnov against Φ, and the tail beyond the base layer at its probability', (t) => {
  const z = zig(3, 400_000);
  const sorted = Float64Array.from(z).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const p = normalCdf(sorted[i]!);
    d = Math.max(d, Math.abs((i + 1) / n - p), Math.abs(i / n - p));
  }
  t.true(d < 1.95 / Math.sqrt(n), `KS distance ${d} (critical value at α = 0.001: ${1.95 / Math.sqrt(n)})`);
  // Beyond R = 3.6541528853610088 every draw comes from the tail sampler: 2(1 − Φ(R)) = 2.58e-4 of them.
  const expected = 2 * (1 - normalCdf(3.6541528853610088)) * n;
  const beyond = z.filter((v) => Math.abs(v) > 3.6541528853610088).length;
  t.true(Math.abs(beyond - expected) < 5 * Math.sqrt(expected), `${beyond} beyond R, expected ${expected.toFixed(1)}`);
  const positive = z.filter((v) => v > 3.6541528853610088).length;
  t.true(positive > 0 && beyond - positive > 0, 'both tails are drawn');
});

test('ziggurat: 100 equiprobable bins of Φ pass a χ² test (99 degrees of freedom, α = 0.001)', (t) => {
  const z = zig(8, 500_000);
  const bins = 100;
  const counts = new Array<number>(bins).fill(0);
  for (const v of z) counts[Math.min(bins - 1, Math.floor(normalCdf(v) * bins))]! += 1;
  const e = z.length / bins;
  const chi2 = counts.reduce((a, c) => a + ((c - e) * (c - e)) / e, 0);
  t.true(chi2 < 148.2, `χ² ${chi2.toFixed(1)} (critical value 148.2)`);
});
