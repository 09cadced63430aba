import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed } from '../../../src/core/rng.js';
import { readGenomeFile } from '../../../src/core/genome_file.js';
import { GENOME_KINDS } from '../../../genomes/index.js';
import { alignmentMetrics, checkDisjointSeeds, compareLsaWithGd, readLayersAgainstConstruction, trainEvaluationSeeds } from '../../../src/workflows/icl_compare.js';
import { gdConstructionWeights } from '../../../src/models/lsa/gd_construction.js';
import { lsaWeightsGenome } from '../../../genomes/lsa_weights.js';
import { tempDir } from '../../helpers/run_files.js';

test('alignment metrics by hand: |Δŷ|, cosine and ‖Δ sensitivity‖ averaged over tasks', (t) => {
  // task 1: same direction, twice as long; task 2: orthogonal
  const m = alignmentMetrics([1, -1], [2, 0, 0, 1], [0.5, 1], [1, 0, 1, 0], 2);
  t.is(m.predictionDiff, (0.5 + 2) / 2);
  t.is(m.sensitivityCosine, (1 + 0) / 2);
  t.is(m.sensitivityDiff, (1 + Math.SQRT2) / 2);
  t.throws(() => alignmentMetrics([1], [1], [1, 2], [1, 2], 1), { message: 'alignment: predictions and sensitivities disagree in size' });
});

test('reading layers against the construction: the construction itself, rescaled, in both forms, and a perturbed entry', (t) => {
  for (const form of ['pq', 'kqvp'] as const) {
    const c = lsaWeightsGenome.resolveConfig({ nx: 3, layers: 2, form });
    const g = lsaWeightsGenome.decode(gdConstructionWeights(c, 1.25, 10), c);
    const [first] = readLayersAgainstConstruction(g, 10);
    t.true(Math.abs(first!.etaEffective - 1.25) < 1e-12);
    t.is(first!.aOther, 0);
    t.is(first!.mOther, 0);
  }
  const c = lsaWeightsGenome.resolveConfig({ nx: 2 });
  const g = lsaWeightsGenome.decode(gdConstructionWeights(c, 2, 10), c);
  // P·4 and Q/4 is the same model; then an x-row entry of P of 10 % of P_yy
  g.layers[0]!['P'] = g.layers[0]!['P']!.map((row) => row.map((v) => v * 4));
  g.layers[0]!['Q'] = g.layers[0]!['Q']!.map((row) => row.map((v) => v / 4));
  g.layers[0]!['P']![0]![1] = 0.08;
  const [r] = readLayersAgainstConstruction(g, 10);
  t.like(r, { layer: 0, mOther: 0 });
  t.true(Math.abs(r!.etaEffective - 2) < 1e-12 && Math.abs(r!.aOther - 0.1) < 1e-12, JSON.stringify(r));
});

test('meta-training, GD, validation and test seeds must be disjoint; the training seeds are the engine\'s evaluation seeds', (t) => {
  const model = { nx: 3, n: 10, layers: 1, looped: false, form: 'pq' as const };
  const train = { stages: [{ generations: 3, learningRate: 1e-3 }, { generations: 2, learningRate: 1e-4 }], metaBatch: 2, batchSize: 8, validateEvery: 1, seed: 4, initScale: 0.01 };
  const seeds = trainEvaluationSeeds(model, train);
  t.is(seeds.size, 3 * 2 + 2 * 2);
  t.true(seeds.has(deriveSeed(deriveSeed(4, 'lsa', 1, 1), 'eval', 1, 1)));
  t.notThrows(() => checkDisjointSeeds(seeds, { validation: 1, test: 2 }));
  const clash = [...seeds][3]!;
  t.throws(() => checkDisjointSeeds(seeds, { validation: clash }), { message: `icl: the validation seed ${clash} is also a meta-training task seed; choose another root seed` });
  t.throws(() => checkDisjointSeeds(seeds, { validation: 5, test: 5 }), { message: 'icl: the test and validation sets share the seed 5; choose other root seeds' });
});

/**
 * The paper's finding at a size that trains in seconds: a one-layer LSA over N_x = 3 meta-trained with metagrad
 * (Adam, 600 meta-steps of 128 fresh tasks, through the engine) reaches the test loss of one GD step at the
 * learning rate CMA-ES finds, within 10 %, and its sensitivities ∂ŷ/∂x_q point where GD's do (cosine > 0.99).
 */
test('a small meta-trained LSA reaches the loss of GD with its best learning rate within 10 %', async (t) => {
  const out = join(tempDir(), 'icl');
  const r = await compareLsaWithGd({
    model: { nx: 3, n: 10, layers: 1, looped: false, form: 'pq' },
    train: { stages: [{ generations: 400, learningRate: 3e-3 }, { generations: 200, learningRate: 5e-4 }], metaBatch: 1, batchSize: 128, validateEvery: 100, seed: 1, initScale: 0.01 },
    gd: { dataSeed: 21, batchSize: 4096, generations: 25, seed: 22 },
    validation: { seed: 23, tasks: 1024 },
    test: { seed: 24, tasks: 2048, shifts: [{ label: 'in distribution', inputRange: 1, weightScale: 1 }, { label: 'weights ×2', inputRange: 1, weightScale: 2 }] },
    outDir: out,
    backend: 'cpu',
  });
  t.true(r.eta > 1.8 && r.eta < 3, `η = ${r.eta}`);
  const [id, w2] = r.test;
  t.log(`η ${r.eta.toFixed(3)}; LSA ${id!.lsaLoss.toFixed(4)} vs GD ${id!.gdLoss.toFixed(4)}; cosine ${id!.sensitivityCosine.toFixed(4)}, weights ×2 ${w2!.sensitivityCosine.toFixed(4)}`);
  t.true(id!.lsaLoss <= id!.gdLoss * 1.1, `LSA ${id!.lsaLoss} vs GD ${id!.gdLoss}`);
  t.true(id!.lsaLoss < 0.5 * id!.zeroLoss);
  t.true(id!.sensitivityCosine > 0.99, `cosine ${id!.sensitivityCosine}`);
  t.true(id!.constructionMaxDiff < 1e-4);
  t.true(w2!.sensitivityCosine > 0.9, `cosine ${w2!.sensitivityCosine}`);
  t.is(r.curve.length, 6);
  // the trained weights are the construction's up to scale: η_eff near GD's η, other entries small
  t.true(Math.abs(r.layers[0]!.etaEffective / r.eta - 1) < 0.1, `η_eff ${r.layers[0]!.etaEffective} vs η ${r.eta}`);
  t.true(r.layers[0]!.aOther < 0.2 && r.layers[0]!.mOther < 0.2, JSON.stringify(r.layers[0]));
  t.deepEqual(r.chosen, r.curve.reduce((a, p) => (p.valLoss < a.valLoss ? p : a)));
  t.is(r.runs.length, 3);
  for (const run of r.runs) t.true(existsSync(join(run.dir, 'summary.json')), run.dir);
  const file = readGenomeFile(r.genomeFile, { kinds: GENOME_KINDS, want: 'lsa-weights' });
  t.like(file.meta, { task: 'icl-linear-regression', strategy: 'metagrad', fitness: r.chosen.valLoss });
});
