/**
 * The protocol's held-out Boolean test functions: the six 2-input functions outside the sign-flip class of the
 * training pair {xor, or}, checked against that class computed here from scratch, and the 3-input functions.
 */
import test from 'ava';
import { Rng } from '../../../src/core/rng.js';
import { UsageError } from '../../../src/core/errors.js';
import {
  BOOLEAN_FUNCTIONS,
  BOOLEAN_TASK_FUNCTIONS,
  OUTSIDE_CLASS_FUNCTIONS,
  THREE_INPUT_FUNCTIONS,
  getBooleanTaskFunction,
  random3Table,
  sampleBoolean,
  sampleBooleanTask,
} from '../../../src/data/boolean_functions.js';

/** random3's table (seed RANDOM3_SEED): balanced, and neither majority nor parity nor their negations. */
const RANDOM3 = [-1, -1, -1, 1, 1, 1, -1, 1];

/** The ±1 truth table of a 2-input function, index bit i = (x_i > 0). */
function table2(name: string): number[] {
  const f = getBooleanTaskFunction(name);
  if (f.inputs !== 2) throw new Error(`${name} has ${f.inputs} inputs`);
  return [0, 1, 2, 3].map((k) => f.label(Float32Array.from([k & 1 ? 0.5 : -0.5, k & 2 ? 0.5 : -0.5]), 0));
}

/** Every table reachable from `t` by input sign flips, the input swap and output negation. */
function orbit(t: number[]): Set<string> {
  const out = new Set<string>();
  for (const flip of [0, 1, 2, 3])
    for (const swap of [false, true])
      for (const neg of [1, -1]) {
        const u = [0, 1, 2, 3].map((k) => {
          let j = k ^ flip;
          if (swap) j = ((j & 1) << 1) | ((j >> 1) & 1);
          return neg * t[j]!;
        });
        out.add(u.join(','));
      }
  return out;
}

test('the six outside-class functions are exactly the 2-input functions outside the orbit of {xor, or}', (t) => {
  const cls = new Set([...orbit(table2('xor')), ...orbit(table2('or'))]);
  t.is(cls.size, 10);
  for (const held of ['and', 'nxor']) t.true(cls.has(table2(held).join(',')), `${held} is a symmetry of the training pair`);
  const outside = OUTSIDE_CLASS_FUNCTIONS.map((n) => table2(n).join(','));
  t.is(new Set(outside).size, 6);
  for (const [i, tab] of outside.entries()) t.false(cls.has(tab), `${OUTSIDE_CLASS_FUNCTIONS[i]} lies outside`);
  // 10 + 6 = all 16 tables
  t.is(new Set([...cls, ...outside]).size, 16);
});

test('3-input functions: majority, parity (odd number of coordinates > 0) and the fixed random table', (t) => {
  const label = (name: string, k: number): number =>
    getBooleanTaskFunction(name).label(Float32Array.from([0, 1, 2].map((i) => ((k >> i) & 1 ? 0.3 : -0.3))), 0);
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => label('majority3', k)), [-1, -1, -1, 1, -1, 1, 1, 1]);
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => label('parity3', k)), [-1, 1, 1, -1, 1, -1, -1, 1]);
  const r = random3Table();
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => label('random3', k)), r);
  // the benchmark's test function: a change of seed or drawing order must be deliberate
  t.deepEqual(r, RANDOM3);
  t.true(new Set(r).size === 2, 'not constant');
  for (const n of THREE_INPUT_FUNCTIONS) t.is(getBooleanTaskFunction(n).inputs, 3);
});

test('sampleBooleanTask: 3 coordinates per point with their labels; the notebook functions draw as sampleBoolean', (t) => {
  const b = sampleBooleanTask('majority3', 500, new Rng(4));
  t.is(b.inputs, 3);
  t.is(b.x.length, 1500);
  let plus = 0;
  for (let i = 0; i < 500; i++) {
    const pos = [0, 1, 2].filter((j) => b.x[3 * i + j]! > 0).length;
    t.is(b.y[i], pos >= 2 ? 1 : -1);
    if (b.y[i] === 1) plus++;
  }
  t.true(plus > 200 && plus < 300, `majority is balanced: ${plus}/500`);
  for (const name of BOOLEAN_FUNCTIONS) {
    const a = sampleBoolean(name, 64, new Rng(9));
    const c = sampleBooleanTask(name, 64, new Rng(9));
    t.deepEqual([...c.x], [...a.x], name);
    t.deepEqual([...c.y], [...a.y], name);
  }
  t.is(BOOLEAN_TASK_FUNCTIONS.length, 5 + 6 + 3);
});

test('an unknown task function names the valid ones; a bad batch size is refused', (t) => {
  const e = t.throws(() => getBooleanTaskFunction('parity4'), { instanceOf: UsageError });
  for (const n of ['majority3', 'not_x1', 'nxor']) t.true(e!.message.includes(n), n);
  t.throws(() => sampleBooleanTask('parity3', 1.5, new Rng(1)), { instanceOf: UsageError, message: /batch size/ });
});

