import test from 'ava';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../src/runtime/backend.js';
import { Rng } from '../../../src/core/rng.js';
import { learnedRule, loadGenome, readBlurGenomeFile } from '../../../src/workflows/learned_rule.js';
import { backpropGenome, randomBlurGenome, saveBlurGenome } from '../../../genomes/blur_genome.js';
import { fileLoadHandler, fileSaveHandler } from '../../../src/models/nn/layers_model_io.js';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../../helpers/run_files.js';

test.before(async () => {
  await initBackend('cpu');
});

function data(rng: Rng, b: number, n: number, m: number): { x: number[][]; y: number[][] } {
  const x = Array.from({ length: b }, () => Array.from({ length: n }, () => rng.normal()));
  const y = Array.from({ length: b }, (_, r) => Array.from({ length: m }, (_, j) => (j === r % m ? 1 : -1)));
  return { x, y };
}

async function exportedMatches(t: import('ava').ExecutionContext, genome: ReturnType<typeof backpropGenome>, sizes: number[]): Promise<void> {
  const tf = getTf();
  const net = learnedRule(genome).network(sizes, { seed: 3 });
  const rng = new Rng(1);
  for (let s = 0; s < 3; s++) {
    const { x, y } = data(rng, 8, sizes[0]!, sizes.at(-1)!);
    net.step(x, y);
  }
  const { x } = data(rng, 6, sizes[0]!, sizes.at(-1)!);
  const want = net.predict(x);
  const dir = join(tempDir(), 'export');
  const model = net.toLayersModel();
  await model.save(fileSaveHandler(tf, dir));
  const loaded = await tf.loadLayersModel(fileLoadHandler(dir));
  const got = loaded.predict(tf.tensor2d(x)) as tfjs.Tensor;
  t.deepEqual(got.shape, want.shape);
  const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!;
  t.true(diff < 1e-5, `max |exported − BLUR| = ${diff}`);
  tf.dispose([got, want]);
  model.dispose();
  loaded.dispose();
  net.dispose();
}

test('a random rule (k = 3, default options): the exported LayersModel predicts what the BLUR network predicts', async (t) => {
  await exportedMatches(t, randomBlurGenome(3, new Rng(7)), [5, 7, 4, 3]);
});

test('the backprop rule (state 0 only, derivative in state 1): exported model equals the network', async (t) => {
  await exportedMatches(t, backpropGenome(2, 0.05), [4, 6, 3]);
});

test('loadGenome reads a genome file or a run best.json and trains a network', async (t) => {
  const tf = getTf();
  const dir = tempDir();
  saveBlurGenome(join(dir, 'rule.json'), backpropGenome(2));
  writeFileSync(join(dir, 'best.json'), JSON.stringify({ fitness: 0.1, x: [], genome: backpropGenome(2), generation: 0, index: 0, evaluation: 1 }));
  t.deepEqual(readBlurGenomeFile(join(dir, 'best.json')), readBlurGenomeFile(join(dir, 'rule.json')));
  const rule = await loadGenome(join(dir, 'rule.json'), 'cpu');
  const net = rule.network([2, 8, 2], { seed: 1 });
  const before = tf.memory().numTensors;
  const rng = new Rng(2);
  const batch = () => {
    const x = Array.from({ length: 64 }, () => [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1]);
    const y = x.map(([a]) => (a! > 0 ? [1, -1] : [-1, 1]));
    return { x, y };
  };
  for (let s = 0; s < 200; s++) {
    const { x, y } = batch();
    net.step(x, y);
  }
  const { x, y } = batch();
  const pred = tf.tidy(() => net.predict(x).argMax(1).dataSync());
  const acc = y.filter((row, i) => row[pred[i]!] === 1).length / y.length;
  t.true(acc > 0.9, `accuracy ${acc}`);
  t.is(tf.memory().numTensors, before);
  net.dispose();
  t.throws(() => readBlurGenomeFile(join(dir, 'missing.json')), { message: /genome file not found/ });
});
