/**
 * blur-boolean with the protocol's test functions: 2-input functions outside the training pair's symmetry class and
 * 3-input functions, which get a 3-input network. The shipped metagrad rule is the reference point.
 */
import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../src/runtime/backend.js';
import { UsageError } from '../../../src/core/errors.js';
import { blurBooleanTask } from '../../../tasks/blur/blur_tasks.js';
import { booleanSampler } from '../../../tasks/blur/blur_samplers.js';
import { blurGenome, loadBlurGenome } from '../../../genomes/blur_genome.js';
import type { TaskContext } from '../../../src/core/task.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

test.before(async () => {
  await initBackend('cpu');
});

const ctx = (seed: number, genomeConfig: unknown, wants: TaskContext['wants'] = 'fitness'): TaskContext => ({ seed, wants, genomeKind: 'blur', genomeConfig });

test('3-input functions get a 3-input network; the training setting records it', (t) => {
  t.is(booleanSampler('parity3').numInputs, 3);
  t.is(booleanSampler('x0').numInputs, 2);
  const c = blurBooleanTask.resolveConfig({ train: ['majority3'], heldOut: ['parity3'] });
  t.deepEqual(blurBooleanTask.trainingSetting!(c).layers, [3, 20, 1]);
  t.deepEqual(blurBooleanTask.trainingSetting!(blurBooleanTask.resolveConfig({})).layers, [2, 20, 1]);
  const e = t.throws(() => blurBooleanTask.resolveConfig({ heldOut: ['majority4'] }), { instanceOf: UsageError });
  t.regex(e!.message, /majority3/);
});

test('the shipped metagrad rule on held-out test functions: projections learned, majority3 well above chance', async (t) => {
  const g = loadBlurGenome(join(repoRoot, 'genomes', 'boolean-metagrad.blur.json'));
  const c = blurBooleanTask.resolveConfig({ heldOut: ['x0', 'not_x1', 'majority3', 'random3'], replicas: 4, episodes: 2 });
  const [r] = await blurBooleanTask.evaluateBatch!([g], c, ctx(12, blurGenome.resolveConfig({ extras: ['rescaleTo'], perLayer: true, numLayers: 2 })));
  const m = r!.metrics!;
  t.log(JSON.stringify(m));
  t.true(m['accuracy_x0']! > 0.93, `x0 ${m['accuracy_x0']}`);
  t.true(m['accuracy_not_x1']! > 0.93, `not_x1 ${m['accuracy_not_x1']}`);
  t.true(m['accuracy_majority3']! > 0.75, `majority3 ${m['accuracy_majority3']}`);
  t.true(m['accuracy_random3']! > 0.8, `random3 ${m['accuracy_random3']}`);
});

test('a 3-input training function has a meta-gradient of the genome\'s length', async (t) => {
  const gc = blurGenome.resolveConfig({});
  const g = blurGenome.decode(blurGenome.encode(loadBlurGenome(join(repoRoot, 'genomes', 'random.blur.json')), gc), gc);
  const c = blurBooleanTask.resolveConfig({ train: ['parity3'], heldOut: [], batchSize: 64, queryBatchSize: 64 });
  const r = await blurBooleanTask.evaluate(g, c, ctx(3, gc, 'fitness+grad'));
  t.is(r.grad!.length, blurGenome.encode(g, gc).length);
  t.true(Number.isFinite(r.fitness) && r.grad!.every(Number.isFinite));
});
