import test from 'ava';
import fc from 'fast-check';
import { fromExactJson, toExactJson } from '../../../../src/evaluator/queue/exact_json.js';

test('NaN, ±Infinity and −0 survive, where plain JSON loses them', (t) => {
  const value = { fitness: Number.NaN, grad: [Infinity, -Infinity, -0, 0, 1.5], nested: { a: [Number.NaN] } };
  const back = fromExactJson(toExactJson(value)) as typeof value;
  t.true(Number.isNaN(back.fitness));
  t.deepEqual(back.grad.slice(0, 2), [Infinity, -Infinity]);
  t.true(Object.is(back.grad[2], -0));
  t.true(Object.is(back.grad[3], 0));
  t.true(Number.isNaN(back.nested.a[0]));
  t.is(JSON.stringify(JSON.parse(JSON.stringify(value))), '{"fitness":null,"grad":[null,null,0,0,1.5],"nested":{"a":[null]}}');
});

test('every double round-trips bit for bit', (t) => {
  fc.assert(
    fc.property(fc.array(fc.double()), (xs) => {
      const back = fromExactJson(toExactJson(xs)) as number[];
      return back.length === xs.length && back.every((v, i) => Object.is(v, xs[i]));
    }),
  );
  t.pass();
});

test('plain JSON reads the same, and an object that only looks tagged stays as it is', (t) => {
  t.deepEqual(fromExactJson('{"a":[1,2,{"b":null}]}'), { a: [1, 2, { b: null }] });
  t.deepEqual(fromExactJson('{"$num":"seven"}'), { $num: 'seven' });
  t.deepEqual(fromExactJson('{"$num":"NaN","other":1}'), { $num: 'NaN', other: 1 });
});
