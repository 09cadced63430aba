import test from 'ava';
import { rankOrder, rankableFitness } from '../../strategies/ranking.js';
import type { Evaluation } from '../../src/core/types.js';

const ok = (fitness: number): Evaluation => ({ status: 'ok', fitness });

test('failed, NaN and infinite evaluations rank worst; ties keep candidate order', (t) => {
  const evals: Evaluation[] = [ok(3), { status: 'error', fitness: 0 }, ok(Number.NaN), ok(-1), ok(3), { status: 'timeout', fitness: Number.NaN }, ok(Infinity)];
  t.deepEqual(rankOrder(evals), [3, 0, 4, 1, 2, 5, 6]);
  t.is(rankableFitness({ status: 'error', fitness: -5 }), Infinity);
  t.is(rankableFitness(ok(-Infinity)), Infinity);
});
