import test from 'ava';
import { Rng } from '../../../src/core/rng.js';
import { UsageError } from '../../../src/core/errors.js';
import {
  BOOLEAN_FUNCTIONS,
  FUNC2D_NAMES,
  booleanLabel,
  getBooleanFunction,
  getFunc2d,
  makeCircle,
  makeRandomXor,
  sampleBoolean,
  sampleFunc2d,
  signToClass,
} from '../../../src/data/boolean_functions.js';

test('labels at known points (xor = sign(x0·x1), +1 when the signs agree, as func2d.py)', (t) => {
  const pts: [number, number][] = [
    [0.5, 0.5],
    [0.5, -0.5],
    [-0.5, 0.5],
    [-0.5, -0.5],
  ];
  const expect: Record<string, number[]> = {
    xor: [1, -1, -1, 1],
    nxor: [-1, 1, 1, -1],
    or: [1, 1, 1, -1],
    and: [1, -1, -1, -1],
    qand: [-1, -1, 1, -1], // x0 < 0 and x1 > 0
  };
  for (const name of BOOLEAN_FUNCTIONS) {
    t.deepEqual(
      pts.map(([a, b]) => booleanLabel(name, a, b)),
      expect[name],
      name,
    );
  }
  t.is(booleanLabel('circle', 0, 0), 1);
  t.is(booleanLabel('circle', 0.9, 0.9), -1);
  t.is(booleanLabel('cross', 0.1, 0.9), 1);
  t.is(booleanLabel('cross', 0.5, 0.5), -1);
  t.is(booleanLabel('triangle', 0, 0), 1);
  t.is(booleanLabel('triangle', 0, -0.9), -1);
  t.is(booleanLabel('angular_slice', 0.9, 0.1), 1);
  t.is(booleanLabel('angular_slice', -0.9, 0.1), -1);
});

test('label balance over 10k samples', (t) => {
  const pPlus: Record<string, number> = { xor: 0.5, nxor: 0.5, or: 0.75, and: 0.25, qand: 0.25, circle: 0.5, cross: 1 - 0.7 * 0.7 };
  const rng = new Rng(11);
  for (const [name, p] of Object.entries(pPlus)) {
    const { x, y } = sampleFunc2d(name, 10000, rng);
    t.is(x.length, 20000);
    let plus = 0;
    for (const v of y) {
      t.true(v === 1 || v === -1);
      if (v === 1) plus++;
    }
    // binomial sd ≤ 0.005; allow 0.02
    t.true(Math.abs(plus / 10000 - p) < 0.02, `${name}: P(+1) = ${plus / 10000}, expected ${p}`);
  }
});

test('x ~ U[-1,1)^2 and labels agree with the returned (float32) x', (t) => {
  const rng = new Rng('u');
  const { x, y } = sampleBoolean('qand', 5000, rng);
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < 5000; i++) {
    const a = x[2 * i]!;
    const b = x[2 * i + 1]!;
    t.true(a >= -1 && a < 1 && b >= -1 && b < 1);
    s0 += a;
    s1 += b;
    if (y[i] !== getBooleanFunction('qand')(a, b)) t.fail(`label mismatch at ${i}`);
  }
  t.true(Math.abs(s0 / 5000) < 0.05 && Math.abs(s1 / 5000) < 0.05);
});

test('seeded reproducibility; two rng draws per point', (t) => {
  const a = sampleBoolean('xor', 100, new Rng(5));
  const b = sampleBoolean('xor', 100, new Rng(5));
  const c = sampleBoolean('xor', 100, new Rng(6));
  t.deepEqual(a, b);
  t.notDeepEqual(a.x, c.x);
  const r1 = new Rng(9);
  sampleFunc2d('or', 37, r1);
  const r2 = new Rng(9);
  for (let i = 0; i < 74; i++) r2.uniform();
  t.deepEqual(r1.state(), r2.state());
});

test('unknown names throw a UsageError listing the valid ones', (t) => {
  const e = t.throws(() => sampleBoolean('nand', 3, new Rng(1)), { instanceOf: UsageError });
  t.regex(e!.message, /'nand'.*xor, or, and, nxor, qand/);
  const e2 = t.throws(() => getFunc2d('moons'), { instanceOf: UsageError });
  for (const n of FUNC2D_NAMES) t.true(e2!.message.includes(n));
  t.throws(() => sampleFunc2d('xor', -1, new Rng(1)), { instanceOf: UsageError });
  t.throws(() => makeCircle(0, 0, 0), { instanceOf: UsageError });
});

test('custom functions, random xor and signToClass', (t) => {
  const f = makeRandomXor(new Rng(3));
  const g = makeRandomXor(new Rng(3));
  const { x, y } = sampleFunc2d(f, 200, new Rng(4));
  for (let i = 0; i < 200; i++) t.is(y[i], g(x[2 * i]!, x[2 * i + 1]!));
  t.deepEqual([...signToClass(Float32Array.from([1, -1, -1, 1]))], [1, 0, 0, 1]);
});
