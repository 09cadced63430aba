import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { resolveHtConfig, blockSides } from '../../../../src/models/ht/ht_config.js';
import { layerPlans } from '../../../../src/models/ht/layer_plan.js';
import { generateCnn, initHyperTransformer, runCnn, slicesToKernel } from '../../../../src/models/ht/hypertransformer.js';
import { negSquaredDistances, prototypes } from '../../../../src/models/ht/protonet.js';
import { episodeLogits, episodeTensors, initFewShotModel, type FewShotEpisode } from '../../../../src/models/ht/few_shot_model.js';
import { saveFewShotModel, loadFewShotModel } from '../../../../src/models/ht/ht_io.js';
import { flattenTree } from '../../../../src/models/nn/tensor_tree.js';

test.before(async () => {
  await initBackend('cpu');
});

function randomEpisode(c: { ways: number; shots: number; queries: number; imageSize: number }, seed: number): FewShotEpisode {
  const rng = new Rng(seed);
  const px = c.imageSize * c.imageSize;
  const make = (per: number) => ({
    x: Float32Array.from({ length: c.ways * per * px }, () => rng.uniform() * 2 - 1),
    labels: Array.from({ length: c.ways * per }, (_, i) => Math.floor(i / per)),
  });
  return { support: make(c.shots), query: make(c.queries) };
}

test('layer plans: token widths and weight slices follow papers.md §2.3 (worked Omniglot example)', (t) => {
  // The paper's Omniglot 1-shot script: 20-way, 8 channels, 8 local features, shared 32, d 32, all layers generated.
  const c = resolveHtConfig({ ways: 20, channels: 8, localFeatures: 8, sharedFeatures: 32, embeddingDim: 32, generatedConvLayers: 4 });
  const p = layerPlans(c);
  t.deepEqual(blockSides(28), [14, 7, 3, 1]);
  t.deepEqual(p.map((l) => [l.name, l.numBlocks, l.blockSize, l.tokenWidth]), [
    ['conv0', 8, 9, 80],
    ['conv1', 8, 72, 104],
    ['conv2', 8, 72, 104],
    ['conv3', 8, 72, 104],
    ['logits', 20, 9, 72],
  ]);
  t.is(p[3]!.localDim, 8); // conv3 reads a 3×3 input: one local conv layer only
  t.true(p.every((l) => l.generated));
  const spatial = layerPlans(resolveHtConfig({ allocation: 'spatial', generatedConvLayers: 2, channels: 4 }));
  t.deepEqual(spatial.map((l) => [l.generated, l.numBlocks, l.blockSize]), [[false, 9, 4], [false, 9, 16], [true, 9, 16], [true, 9, 16], [true, 5, 5]]);
});

for (const allocation of ['output', 'spatial'] as const) {
  for (const generatedConvLayers of [0, 2, 4]) {
    test(`generated weights have the target CNN's shapes (${allocation}, ${generatedConvLayers} conv layers generated)`, (t) => {
      const c = resolveHtConfig({ ways: 3, shots: 2, queries: 2, channels: 4, localFeatures: 4, sharedFeatures: 8, embeddingDim: 8, heads: 2, transformerLayers: 1, allocation, generatedConvLayers });
      const params = initHyperTransformer(tf, c, new Rng(1));
      t.deepEqual(Object.keys(params.generators), [...['conv0', 'conv1', 'conv2', 'conv3'].slice(4 - generatedConvLayers), 'logits']);
      t.deepEqual(Object.keys(params.trained), ['conv0', 'conv1', 'conv2', 'conv3'].slice(0, 4 - generatedConvLayers));
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const e = episodeTensors(tf, randomEpisode(c, 2), c.imageSize);
        const w = generateCnn(tf, c, params, e.supportX, e.supportLabels);
        t.deepEqual(w.kernels.map((k) => k.shape), [[3, 3, 1, 4], [3, 3, 4, 4], [3, 3, 4, 4], [3, 3, 4, 4]]);
        t.deepEqual(w.logitsW.shape, [4, 3]); // 4 channels × 1 × 1 → 3 ways
        t.deepEqual(w.logitsB.shape, [3]);
        t.deepEqual(runCnn(tf, c, w, e.queryX).shape, [6, 3]);
      });
      t.is(tf.memory().numTensors, before);
    });
  }
}

test("'output' allocation: slice k is output channel k's kernel; 'spatial': slice k is tap k", (t) => {
  const c = resolveHtConfig({ channels: 3, generatedConvLayers: 4 });
  const plan = layerPlans(c)[1]!; // 3 → 3 channels
  const slices = tf.tensor2d(Array.from({ length: plan.numBlocks * plan.blockSize }, (_, i) => i), [plan.numBlocks, plan.blockSize]);
  const k = slicesToKernel(tf, c, plan, slices).arraySync() as number[][][][];
  // kernel[h][w][i][o] = slice o, entry (h·3 + w)·Cin + i
  t.is(k[1]![2]![0]![2], 2 * 27 + (1 * 3 + 2) * 3 + 0);
  const cs = resolveHtConfig({ channels: 3, generatedConvLayers: 4, allocation: 'spatial' });
  const ps = layerPlans(cs)[1]!;
  const s2 = tf.tensor2d(Array.from({ length: ps.numBlocks * ps.blockSize }, (_, i) => i), [ps.numBlocks, ps.blockSize]);
  const k2 = slicesToKernel(tf, cs, ps, s2).arraySync() as number[][][][];
  t.is(k2[1]![2]![0]![2], (1 * 3 + 2) * 9 + 0 * 3 + 2);
});

test('the generated logits layer depends on the support set; permuting the support leaves it unchanged', (t) => {
  const c = resolveHtConfig({ ways: 3, shots: 2, channels: 4, localFeatures: 4, sharedFeatures: 4, embeddingDim: 8, transformerLayers: 1 });
  const params = initHyperTransformer(tf, c, new Rng(3));
  const a = randomEpisode(c, 4);
  const b = randomEpisode(c, 5);
  const logitsW = (e: FewShotEpisode) => tf.tidy(() => {
    const x = episodeTensors(tf, e, c.imageSize);
    return generateCnn(tf, c, params, x.supportX, x.supportLabels).logitsW.arraySync() as number[][];
  });
  const wa = logitsW(a);
  t.notDeepEqual(wa, logitsW(b));
  // Reverse the support order (images and labels together): self-attention without positions is permutation invariant.
  const px = c.imageSize * c.imageSize;
  const n = a.support.labels.length;
  const rev: FewShotEpisode = {
    support: { x: new Float32Array(a.support.x.length), labels: Array.from(a.support.labels).reverse() },
    query: a.query,
  };
  for (let i = 0; i < n; i++) rev.support.x.set(a.support.x.subarray(i * px, (i + 1) * px), (n - 1 - i) * px);
  const wr = logitsW(rev);
  for (let i = 0; i < wa.length; i++) for (let j = 0; j < wa[0]!.length; j++) t.true(Math.abs(wa[i]![j]! - wr[i]![j]!) < 1e-4);
});

test('ProtoNet: prototypes are class means and logits are minus squared distances', (t) => {
  const support = tf.tensor2d([[0, 0], [2, 0], [10, 10], [12, 10]]);
  const labels = tf.tensor1d([0, 0, 1, 1], 'int32');
  const protos = prototypes(tf, support, labels, 2);
  t.deepEqual(protos.arraySync(), [[1, 0], [11, 10]]);
  const logits = negSquaredDistances(tf, tf.tensor2d([[1, 1]]), protos).arraySync() as number[][];
  t.deepEqual(logits[0]!.map((v) => Math.round(v * 1e4) / 1e4), [-1, -(100 + 81)]);
});

test('save → load gives the same tensors and the same predictions; damaged files are named', async (t) => {
  for (const kind of ['hypertransformer', 'protonet'] as const) {
    const c = resolveHtConfig({ ways: 2, shots: 1, queries: 3, channels: 4, localFeatures: 4, sharedFeatures: 4, embeddingDim: 8, transformerLayers: 1, generatedConvLayers: 1 });
    const m = initFewShotModel(tf, kind, c, 7);
    const dir = mkdtempSync(join(tmpdir(), 'ht-io-'));
    await saveFewShotModel(tf, dir, m, { steps: 0 });
    const { model, metadata } = loadFewShotModel(tf, dir);
    t.deepEqual(metadata, { steps: 0 });
    t.deepEqual(model.config, c);
    const a = flattenTree(tf, m.params);
    const b = flattenTree(tf, model.params);
    t.deepEqual(a.map(([n]) => n), b.map(([n]) => n));
    for (let i = 0; i < a.length; i++) t.deepEqual(Array.from(a[i]![1].dataSync()), Array.from(b[i]![1].dataSync()));
    const e = episodeTensors(tf, randomEpisode(c, 9), c.imageSize);
    t.deepEqual(episodeLogits(tf, m, e).arraySync(), episodeLogits(tf, model, e).arraySync());
    // A config that no longer matches the weights is caught with the weight's name.
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.config.channels = 5;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    t.throws(() => loadFewShotModel(tf, dir), { message: /weight '.*' has shape \[.*\], the config needs/ });
    json.config.channels = 0;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    t.throws(() => loadFewShotModel(tf, dir), { message: /'channels' must be an integer in \[1, 256\]/ });
  }
  t.throws(() => loadFewShotModel(tf, join(tmpdir(), 'no-such-ht-dir')), { message: /model\.json does not exist/ });
});

test('config: unknown fields and out-of-range values name the field', (t) => {
  t.throws(() => resolveHtConfig({ chanels: 8 }), { message: /unknown field 'chanels'/ });
  t.throws(() => resolveHtConfig({ generatedConvLayers: 5 }), { message: /'generatedConvLayers' must be an integer in \[0, 4\] \(got 5\)/ });
  t.throws(() => resolveHtConfig({ allocation: 'input' }), { message: /'allocation' must be one of output, spatial/ });
  t.is(resolveHtConfig({}).ways, 5);
});
