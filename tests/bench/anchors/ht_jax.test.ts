/**
 * The HyperTransformer anchor (bench/anchors/ht_jax.py) computes what evometa computes: its numpy run of a small
 * problem built from evometa's own parameters and episodes agrees with evometa's loss, and it refuses what it does not
 * port. Needs a python3 that imports numpy (EVOMETA_ANCHOR_PYTHON names another interpreter); where there is none
 * the anchor tests are skipped with a note, under CI too. The JAX test runs only where that interpreter imports jax.
 */
import test from 'ava';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { HT_DEFAULTS, type HtConfig } from '../../../src/models/ht/ht_config.js';
import { initFewShotModel } from '../../../src/models/ht/few_shot_model.js';
import { disposeTree, flattenTree } from '../../../src/models/nn/tensor_tree.js';
import { htAnchorProblem, htEvometaReference, problemEpisodes } from '../../../bench/anchors/ht_problem.js';
import { checkHtAnchor, timeHtAnchor, xlaThreadsEnv } from '../../../bench/anchors/ht_jax.js';
import { relativeDifference } from '../../../bench/anchors/blur_jax.js';
import { evometaHtRate } from '../../../bench/anchors/ht_versus.js';
import { anchorPython } from '../../helpers/anchor_python.js';

const tf = getTf();
const { python, withNumpy, withJax } = anchorPython('HT');

test.before(async () => {
  await initBackend('cpu');
});

/**
 * A small HT: 2-way 1-shot, 16×16 (the smallest side that survives the 4 max-pool blocks: 16 → 8, 4, 2, 1),
 * 4 channels, one episode a step, d 8, every part of the default model present (shared extractor, 2 transformer layers).
 */
const SMALL: HtConfig = { ...HT_DEFAULTS, ways: 2, queries: 3, imageSize: 16, channels: 4, episodesPerStep: 1, embeddingDim: 8, localFeatures: 4, sharedFeatures: 4 };

const small = (config: Partial<HtConfig> = {}, steps = 2) => htAnchorProblem(tf, { config: { ...SMALL, ...config }, seed: 7, steps });

test('the problem carries evometa\'s own model and episodes; the reference\'s first trained loss is the untrained one', async (t) => {
  const p = small({}, 3);
  const model = initFewShotModel(tf, 'hypertransformer', p.config, 7);
  const tree = flattenTree(tf, model.params);
  t.deepEqual(p.params.map((q) => q.name), tree.map(([n]) => n));
  t.deepEqual(p.params.find((q) => q.name === 'generators.logits.placeholders')!.shape, [2, 8]);
  t.deepEqual(p.params.find((q) => q.name === 'trained.conv0')!.values, Array.from(tree.find(([n]) => n === 'trained.conv0')![1].dataSync()));
  disposeTree(tf, model.params);
  t.is(p.episodes.length, 3);
  t.is(p.episodes[0]!.support.x.length, 2 * 16 * 16);
  t.deepEqual(p.episodes[0]!.query.labels, [0, 1, 0, 1, 0, 1]);
  t.is(p.adam.epsilon, 1e-7);
  const ours = await htEvometaReference(tf, p);
  t.is(ours.losses.length, 3);
  t.is(ours.trained[0], ours.losses[0]);
  // Adam moved the parameters: the second step's trained loss is not the untrained one on the same episodes
  t.true(Math.abs(ours.trained[1]! - ours.losses[1]!) > 1e-4, `${ours.trained[1]} vs ${ours.losses[1]}`);
  // another seed, other parameters: the loss moves
  const other = await htEvometaReference(tf, htAnchorProblem(tf, { config: SMALL, seed: 8, steps: 1 }));
  t.true(Math.abs(other.losses[0]! - ours.losses[0]!) > 1e-4);
});

test('xlaThreadsEnv pins XLA to one thread without its Eigen pool, on top of the caller\'s flags', (t) => {
  const env = xlaThreadsEnv(1);
  t.regex(env['XLA_FLAGS']!, /--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1$/);
  t.is(env['OPENBLAS_NUM_THREADS'], '1');
  t.regex(xlaThreadsEnv(4)['XLA_FLAGS']!, /intra_op_parallelism_threads=4$/);
});

test('evometaHtRate trains the problem\'s model and reports steps/s and the cores busy', async (t) => {
  const p = small();
  const rate = await evometaHtRate(tf, p, problemEpisodes(p), 2, 0);
  t.true(rate.perS > 0 && Number.isFinite(rate.perS), `${rate.perS}`);
  t.true(rate.cores > 0, `${rate.cores}`);
});

withNumpy('numpy anchor agrees with evometa\'s loss within 1e-4 relative on a 2-way 16×16 problem', async (t) => {
  const p = small({}, 2);
  const ours = await htEvometaReference(tf, p);
  const check = checkHtAnchor(python!, p, ours);
  t.log(`max relative difference ${check.float32.toExponential(2)} (float64 run: ${check.float64.toExponential(2)}), losses ${ours.losses.join(', ')}`);
  t.is(check.losses.length, 2);
  t.true(check.float32 < 1e-4, `float32 ${check.float32}`);
  t.true(check.float64 < 1e-4, `float64 ${check.float64}`);
});

withNumpy('the check catches a different model: one placeholder entry changed in the anchor\'s copy only', async (t) => {
  const p = small({}, 1);
  const ours = await htEvometaReference(tf, p);
  const changed = structuredClone(p);
  changed.params.find((q) => q.name === 'generators.logits.placeholders')!.values[0]! += 1;
  const check = checkHtAnchor(python!, changed, ours);
  t.true(check.float32 > 1e-3, `a changed placeholder moved the loss by only ${check.float32}`);
});

withNumpy('a problem with an option the anchor does not port is refused with one line naming it', (t) => {
  const generated = small({ generatedConvLayers: 1 }, 1);
  const e = t.throws(() => checkHtAnchor(python!, generated, { losses: [0] }));
  t.regex(e.message, /ht_jax\.py: config generatedConvLayers = 1 is not supported: this anchor ports only the logits layer generated, every conv layer trained \(generatedConvLayers = 0, as HT_DEFAULTS\)$/);
  const lrelu = small({ cnnActivation: 'lrelu' }, 1);
  const e2 = t.throws(() => checkHtAnchor(python!, lrelu, { losses: [0] }));
  t.regex(e2.message, /ht_jax\.py: config cnnActivation = "lrelu" is not supported: this anchor ports only ReLU in the target CNN \(cnnActivation = "relu", as HT_DEFAULTS\)$/);
});

withJax('JAX anchor: its trained losses equal trainFewShot\'s within 1e-4 and it reports steps/s', async (t) => {
  const p = small({}, 3);
  const ours = await htEvometaReference(tf, p);
  const timing = timeHtAnchor(python!, p, { reps: 2, threads: 1, warmupS: 0 });
  t.log(`jax ${timing.jax}: ${timing.steps_per_s.toFixed(1)} steps/s; losses ${timing.losses.join(', ')} vs ${ours.trained.join(', ')}`);
  t.true(timing.steps_per_s > 0);
  t.is(timing.timed_steps, 2);
  t.true(relativeDifference(timing.losses.slice(0, 1), ours.trained.slice(0, 1)) < 1e-4, `first step ${timing.losses[0]} vs ${ours.trained[0]}`);
  t.true(relativeDifference(timing.losses, ours.trained) < 1e-4, `${timing.losses} vs ${ours.trained}`);
});
