import test from 'ava';
import { ICL_BENCH_STAGES, iclBenchOptions, iclTables } from '../../bench/icl.js';
import { checkDisjointSeeds, ICL_SHIFTS, trainEvaluationSeeds, type IclCompareResult } from '../../src/workflows/icl_compare.js';
import { deriveSeed } from '../../src/core/rng.js';

test('the bench: N_x = 10, N = 10 for every K; its meta-training, GD, validation and test seeds are disjoint', (t) => {
  for (const k of [1, 2, 3]) {
    const o = iclBenchOptions(k, false, 'out');
    t.like(o.model, { nx: 10, n: 10, layers: k, looped: false });
    t.deepEqual(o.train.stages, ICL_BENCH_STAGES[k]);
    const seeds = trainEvaluationSeeds(o.model, o.train);
    t.is(seeds.size, o.train.stages.reduce((a, s) => a + s.generations, 0));
    t.notThrows(() => checkDisjointSeeds(seeds, {
      gd: o.gd.dataSeed, validation: o.validation.seed, ...Object.fromEntries(ICL_SHIFTS.map((s) => [s.label, deriveSeed(o.test.seed, 'test', s.label)])),
    }));
  }
  t.deepEqual(iclBenchOptions(2, true, 'out', 20).train.stages.map((s) => s.generations), [20, 20]);
});

test('the tables: one in-distribution row per K, one row per K and test set', (t) => {
  const shift = { inputRange: 1, weightScale: 1, lsaLoss: 0.5, gdLoss: 0.6, zeroLoss: 1.6, predictionDiff: 0.1, sensitivityCosine: 0.99, sensitivityDiff: 0.2, constructionMaxDiff: 1e-6 };
  const r = {
    model: { nx: 10, n: 10, layers: 2, looped: true, form: 'pq' }, eta: 1.5, layers: [{ layer: 0, etaEffective: 1.49, aOther: 0.05, mOther: 0.02 }], chosen: { stage: 2, generation: 750, valLoss: 0.51 },
    test: [{ label: 'in distribution', ...shift }, { label: 'inputs ×4', ...shift, gdLoss: 1.5e6 }],
  } as unknown as IclCompareResult;
  const lines = iclTables([r]).split('\n');
  t.is(lines[2], '| 2 looped | 1.500 | 0.6000 | 0.5000 | 2, 750, 0.5100 | 0.1000 | 0.9900 | 0.2000 | 1.0e-6 |');
  t.true(lines.includes('| 2 looped | inputs ×4 | 1.6000 | 1.50e+6 | 0.5000 | 0.1000 | 0.9900 |'));
  t.is(lines[lines.length - 1], '| 2 looped | 1 | 1.490 | 0.050 | 0.020 |');
});
