import test from 'ava';
import { BENCHMARK_FUNCTIONS, cigar, elli, randomRotation, rastrigin, rosen, rotated, sphere, tablet } from '../../tasks/benchmark_functions.js';

const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

test('values at hand-computed points (pycma cma.ff definitions)', (t) => {
  t.is(sphere([1, 2, 3]), 14);
  // elli, n=3: weights 1e6^(0/2), 1e6^(1/2), 1e6^(2/2) = 1, 1e3, 1e6
  t.true(close(elli([1, 1, 1]), 1 + 1e3 + 1e6));
  t.true(close(elli([2, 0, 0.5]), 4 + 0.25e6));
  t.is(elli([3]), 9);
  // rosen([0, 0]) = 100·0 + 1; rosen([1, 2]) = 100(1 − 2)² + 0 = 100
  t.is(rosen([0, 0]), 1);
  t.is(rosen([1, 2]), 100);
  t.is(rosen([3, 3, 3]), 2 * (100 * 36 + 4));
  // rastrigin at integers: cos(2πk) = 1, so f = Σ k²
  t.true(close(rastrigin([1, 2]), 5, 1e-12));
  t.true(close(rastrigin([0.5]), 10 + 0.25 + 10, 1e-12));
  t.is(cigar([2, 1, 1]), 4 + 2e6);
  t.is(tablet([2, 1, 1]), 4e6 + 2);
});

test('minima: 0 at the optimum, positive nearby', (t) => {
  const n = 10;
  const zero = new Array<number>(n).fill(0);
  const one = new Array<number>(n).fill(1);
  for (const [name, f] of Object.entries(BENCHMARK_FUNCTIONS)) {
    const opt = name === 'rosenbrock' ? one : zero;
    t.true(Math.abs(f(opt)) < 1e-12, `${name}(x*) = ${f(opt)}`);
    t.true(f(opt.map((v, i) => v + (i === 3 ? 1e-3 : 0))) > 0, `${name} grows away from x*`);
  }
  t.deepEqual(Object.keys(BENCHMARK_FUNCTIONS).sort(), ['cigar', 'ellipsoid', 'rastrigin', 'rosenbrock', 'sphere', 'tablet']);
});

test('randomRotation is orthogonal, seeded, and rotated(f, R) evaluates f(R x)', (t) => {
  const n = 12;
  const R = randomRotation(n, 7);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += R[i]![k]! * R[j]![k]!;
      t.true(Math.abs(dot - (i === j ? 1 : 0)) < 1e-14);
    }
  }
  t.deepEqual(randomRotation(n, 7), R);
  t.notDeepEqual(randomRotation(n, 8), R);
  const x = Array.from({ length: n }, (_, i) => i - 5);
  // the sphere is rotation invariant; the ellipsoid is not
  t.true(close(rotated(sphere, R)(x), sphere(x), 1e-13));
  t.false(close(rotated(elli, R)(x), elli(x), 1e-3));
  const Rx = R.map((row) => row.reduce((s, r, k) => s + r * x[k]!, 0));
  t.true(close(rotated(elli, R)(x), elli(Rx), 1e-13));
  t.throws(() => rotated(sphere, R)([1, 2]), { message: /length 12/ });
});
