/**
 * The BLUR anchor (bench/anchors/blur_jax.py) computes what evometa computes: its numpy run of a small problem
 * built from evometa's own genomes, synapses and batches agrees with evometa's evaluation, and it refuses what it
 * does not port. Needs a python3 that imports numpy (EVOMETA_ANCHOR_PYTHON names another interpreter); where there
 * is none the tests are skipped with a note, under CI too (numpy is not part of the CI machine's set-up). The JAX
 * timing test runs only where that interpreter also imports jax.
 */
import test from 'ava';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { Rng } from '../../../src/core/rng.js';
import { blurGenome, randomBlurGenome, type BlurGenome } from '../../../genomes/blur_genome.js';
import { evaluateBlurPopulation, metaLossAndGrad } from '../../../src/models/blur/meta_objective.js';
import { flatBlurRule } from '../../../tasks/blur/flat_blur_rule.js';
import { blurAnchorMetaOptions, blurAnchorProblem, evometaReference, replaySampler, type BlurAnchorProblem } from '../../../bench/anchors/blur_problem.js';
import { checkBlurAnchor, relativeDifference, timeBlurAnchor } from '../../../bench/anchors/blur_jax.js';
import { anchorPython } from '../../helpers/anchor_python.js';
import { poolSampler } from '../../../bench/blur.js';

const tf = getTf();
const { python, withNumpy, withJax } = anchorPython('BLUR');

test.before(async () => {
  await initBackend('cpu');
});

/** P random k = 2 genomes with a learning rate large enough that the three inner steps move the outputs. */
function genomes(P: number, seed: number): BlurGenome[] {
  const rng = new Rng(seed);
  return Array.from({ length: P }, () => randomBlurGenome(2, rng, { synapseUpdate: -0.05 }));
}

function problem(sizes: number[], gs: readonly BlurGenome[], network = {}): BlurAnchorProblem {
  return blurAnchorProblem({ sizes, unrollSteps: 3, batchSize: 4, seed: 5, genomes: gs, sampler: poolSampler(sizes[0]!, sizes[sizes.length - 1]!), network });
}

test('relativeDifference: max |a − b| over max |b|; NaN never passes a bound', async (t) => {
  t.is(relativeDifference([1, 2.5], [1, 2]), 0.25);
  t.is(relativeDifference([0, 0], [0, 0]), 0);
  t.true(Number.isNaN(relativeDifference([NaN], [1])));
  t.true(Number.isNaN(relativeDifference([1], [1, 2])));
});

test('the problem carries evometa\'s own episode: replaying it gives the loss of the seeded evaluation', async (t) => {
  const gs = genomes(3, 1);
  const p = problem([6, 5, 3], gs);
  t.is(p.support.length, 2);
  t.is(p.synapses.forward[0]!.length, 2 * 7 * 5);
  t.is(p.synapses.backward[0]!.length, 2 * 3 * 5);
  t.is(p.genomes[0]!.length, 20);
  const ours = await evometaReference(tf, p, gs);
  t.is(ours.outputs[0]!.length, 4 * 3);
  const direct = await evaluateBlurPopulation(tf, gs, poolSampler(6, 3), { sizes: [6, 5, 3], unrollSteps: 3, batchSize: 4, seed: 5 });
  t.deepEqual(ours.losses, direct.loss);
  // another seed draws other batches and synapses: the loss moves
  const other = await evometaReference(tf, blurAnchorProblem({ sizes: [6, 5, 3], unrollSteps: 3, batchSize: 4, seed: 6, genomes: gs, sampler: poolSampler(6, 3) }), gs);
  t.true(Math.abs(other.losses[0]! - ours.losses[0]!) > 1e-4);
});

for (const sizes of [[6, 5, 3], [6, 5, 4, 3]]) {
  withNumpy(`numpy anchor agrees with evometa within 1e-4 relative, sizes ${sizes.join('-')}, P = 3, U = 3, batch 4`, async (t) => {
    const gs = genomes(3, 2);
    const p = problem(sizes, gs);
    const ours = await evometaReference(tf, p, gs);
    const { float32: check, float64 } = checkBlurAnchor(python!, p, ours);
    t.log(`max relative difference ${check.max.toExponential(2)} over ${check.P} genomes (float64 run: ${float64.max.toExponential(2)})`);
    t.is(check.P, 3);
    t.true(check.max < 1e-4, `max relative difference ${check.max}`);
    t.true(float64.max < 1e-4, `max relative difference to the float64 run ${float64.max}`);
    // the inner loop matters: with no learning steps (U = 1) the outputs are not these
    const untrained = await evometaReference(tf, { ...p, unrollSteps: 1, support: [] }, gs);
    t.true(relativeDifference(untrained.outputs[0]!, ours.outputs[0]!) > 1e-3);
  });
}

withNumpy('the check catches a different rule: α changed in genome 1 of the anchor\'s copy only', async (t) => {
  const gs = genomes(3, 2);
  const p = problem([6, 5, 3], gs);
  const ours = await evometaReference(tf, p, gs);
  const changed = structuredClone(p);
  changed.genomes[1]![9]! += 0.2; // α[0][1]: only the Hebbian update reads it
  const check = checkBlurAnchor(python!, changed, ours).float32;
  t.true(check.loss[0]! < 1e-4 && check.loss[2]! < 1e-4);
  t.true(check.outputs[1]! > 1e-3, `genome 1 differs by ${check.outputs[1]}`);
  t.true(check.max > 1e-3);
});

withNumpy('a problem with an option the anchor does not port is refused with one line naming it', async (t) => {
  const gs = genomes(1, 3);
  const tanh = problem([6, 5, 3], gs, { hiddenActivation: 'tanh' });
  const e = t.throws(() => checkBlurAnchor(python!, tanh, { losses: [0], outputs: [[]] }));
  t.regex(e.message, /blur_jax\.py: network option hiddenActivation = "tanh" is not supported: this anchor ports only the default network options \(src\/models\/blur\/blur_options\.ts\), hiddenActivation = "relu_tanh"$/);
  const perLayer = problem([6, 5, 3], [randomBlurGenome(2, new Rng(1), { layers: 2 })]);
  const e2 = t.throws(() => checkBlurAnchor(python!, perLayer, { losses: [0], outputs: [[]] }));
  t.regex(e2.message, /blur_jax\.py: genome 0 holds 40 numbers; this anchor ports genome vectors of 20 \(k = 2, one layer rule shared by every synapse layer, no searched extras\)$/);
});

withJax('JAX anchor: jit(vmap) losses and jit(value_and_grad) agree with evometa, and it reports genome-steps/s', async (t) => {
  const gs = genomes(3, 2);
  const p = problem([6, 5, 3], gs);
  const ours = await evometaReference(tf, p, gs);
  const timing = timeBlurAnchor(python!, p, { reps: 2, pops: [1, 3], threads: 1, warmupS: 0 });
  t.deepEqual(timing.rows.map((r) => r.P), [1, 3]);
  t.true(timing.rows.every((r) => r.genome_steps_per_s > 0));
  t.true(relativeDifference(timing.losses, ours.losses) < 1e-4, `${timing.losses} vs ${ours.losses}`);
  const config = blurGenome.resolveConfig({});
  const g = await metaLossAndGrad(tf, blurGenome.encode(gs[0]!, config), flatBlurRule(config), replaySampler(p), blurAnchorMetaOptions(p));
  t.true(Math.abs(timing.grad0.loss - g.loss) / g.loss < 1e-4);
  t.true(relativeDifference(timing.grad0.grad, g.grad) < 1e-3, `${timing.grad0.grad} vs ${g.grad}`);
});
