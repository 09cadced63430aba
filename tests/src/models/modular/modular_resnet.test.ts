/**
 * The modular ResNet: one-hot mixtures equal hard orderings bit for bit, mixture-logit gradients match
 * finite differences, nothing leaks, and a few Adam steps on MNIST lower the loss (on wasm).
 */
import test from 'ava';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { choicesPerPosition, resolveModularConfig, type ModularResNetConfig } from '../../../../src/models/modular/modular_config.js';
import { initHead, initMixtureLogits, initModuleBank, initNetworkStats, type NetworkStats } from '../../../../src/models/modular/modular_params.js';
import { hardLogits, mixtureWeights } from '../../../../src/models/modular/mixture.js';
import { modularForward, softmaxCrossEntropy, updateNetworkStats } from '../../../../src/models/modular/modular_resnet.js';
import { batchTensors, evaluateNetwork, trainStep, type ModularNetwork } from '../../../../src/models/modular/modular_training.js';
import { disposeTree, flattenTree, mapTree, toVariables, treeVariables } from '../../../../src/models/nn/tensor_tree.js';
import { loadImageDataset } from '../../../../src/data/registry.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

/** Small enough for exact checks and finite differences on the cpu backend. */
const tiny = (extra: Partial<ModularResNetConfig> = {}): ModularResNetConfig =>
  resolveModularConfig({ inputHeight: 8, inputWidth: 8, tensorSize: 4, channels: 4, expansion: 2, blocks: 3, templates: 3, features: 8, ...extra });

function randomImages(c: ModularResNetConfig, n: number, seed: number): tfjs.Tensor4D {
  const rng = new Rng(seed);
  const v = Float32Array.from({ length: n * c.inputHeight * c.inputWidth * c.inputChannels }, () => rng.uniform());
  return tf.tensor4d(v, [n, c.inputHeight, c.inputWidth, c.inputChannels]);
}

/** Running statistics away from the (0, 1) start, so inference mode really reads them. */
function perturbedStats(c: ModularResNetConfig, seed: number): NetworkStats {
  const rng = new Rng(seed);
  const base = initNetworkStats(tf, c);
  const out = mapTree(tf, base, (t, path) => {
    const v = Float32Array.from({ length: t.size }, () => (path.endsWith('variance') ? 0.5 + rng.uniform() : 0.3 * rng.normal()));
    return tf.tensor(v, t.shape);
  });
  disposeTree(tf, base);
  return out;
}

test.serial('config: defaults, derived sizes and errors that name the field', async (t) => {
  const c = resolveModularConfig();
  t.like(c, { inputHeight: 28, tensorSize: 7, channels: 16, blocks: 8, templates: 4, activation: 'swish', allowSkip: false });
  t.is(choicesPerPosition({ templates: 4, allowSkip: true }), 5);
  t.throws(() => resolveModularConfig({ tensorSize: 5 }), { message: /inputHeight 28 must be a multiple of tensorSize 5/ });
  t.throws(() => resolveModularConfig({ activation: 'gelu' }), { message: /activation must be 'swish' or 'relu'/ });
  t.throws(() => resolveModularConfig({ blocks: 0 }), { message: /blocks must be an integer from 1/ });
  t.throws(() => resolveModularConfig({ depth: 3 } as never), { message: /unknown modular network setting depth/ });
});

test.serial('seeded init: same seed, same bank; shapes as documented', async (t) => {
  const c = tiny();
  const a = initModuleBank(tf, c, new Rng(3));
  const b = initModuleBank(tf, c, new Rng(3));
  const shapes = Object.fromEntries(flattenTree(tf, a).map(([k, v]) => [k, v.shape]));
  t.deepEqual(shapes['inputKernel'], [2, 2, 1, 4]);
  t.deepEqual(shapes['templates.expandKernel'], [3, 4, 8]);
  t.deepEqual(shapes['templates.depthwiseKernel'], [3, 3, 3, 8]);
  t.deepEqual(shapes['templates.projectKernel'], [3, 8, 4]);
  t.deepEqual(shapes['outputKernel'], [4, 8]);
  for (const [[k, x], [, y]] of flattenTree(tf, a).map((e, i) => [e, flattenTree(tf, b)[i]!] as const)) t.deepEqual(x.dataSync(), y.dataSync(), k);
  disposeTree(tf, [a, b]);
});

for (const allowSkip of [false, true]) {
  test.serial(`one-hot mixture logits give exactly the hard-ordered network (allowSkip ${allowSkip}, training and inference)`, async (t) => {
    const c = tiny({ allowSkip });
    const rng = new Rng(11);
    const bank = initModuleBank(tf, c, rng);
    const head = initHead(tf, c, 5, rng);
    const stats = perturbedStats(c, 12);
    const x = randomImages(c, 6, 13);
    const orders = allowSkip ? [[2, 3, 0], [3, 3, 3], [1, 1, 2]] : [[2, 0, 1], [1, 1, 1], [0, 2, 2]];
    const outputs: number[][] = [];
    for (const modules of orders) {
      for (const training of [true, false]) {
        tf.tidy(() => {
          const o = { training, stats };
          const hard = modularForward(tf, c, bank, { modules }, head, x, o);
          const soft = modularForward(tf, c, bank, { logits: hardLogits(tf, c, modules) }, head, x, o);
          t.deepEqual(soft.logits.dataSync(), hard.logits.dataSync(), `${modules} training ${training}`);
          t.deepEqual(soft.features.dataSync(), hard.features.dataSync());
          if (training) outputs.push(Array.from(hard.logits.dataSync()));
        });
      }
    }
    // the ordering matters: different orderings, different outputs
    t.notDeepEqual(outputs[0], outputs[1]);
    t.notDeepEqual(outputs[0], outputs[2]);
    if (allowSkip) {
      // all positions skipped: the blocks are the identity, so the result is input adapter → output adapter
      tf.tidy(() => {
        const all = modularForward(tf, c, bank, { modules: [3, 3, 3] }, head, x, { training: true });
        t.deepEqual(all.moments!.blocks, [undefined, undefined, undefined]);
      });
    }
    disposeTree(tf, [bank, head, stats, x]);
  });
}

test.serial('soft mixtures: weights are row softmaxes, skip gates the branch', async (t) => {
  const c = tiny({ allowSkip: true });
  tf.tidy(() => {
    const logits = tf.tensor2d([[0, 0, 0, 0], [1, 2, 3, 4], [5, -1, -1, Math.log(3)]]);
    const { weights, gates } = mixtureWeights(tf, c, logits);
    const w = weights.arraySync();
    t.true(Math.abs(w[0]![0]! - 1 / 3) < 1e-6);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    t.true(Math.abs(w[1]![2]! - e[2]! / (e[0]! + e[1]! + e[2]!)) < 1e-6);
    const g = gates!.arraySync();
    t.true(Math.abs(g[0]! - 0.75) < 1e-6);
    t.true(Math.abs(g[2]! - (1 - 3 / (Math.exp(5) + 2 * Math.exp(-1) + 3))) < 1e-6);
    t.throws(() => mixtureWeights(tf, c, tf.zeros([3, 3]) as tfjs.Tensor2D), { message: /mixture logits must be \[3, 4\]/ });
  });
  t.throws(() => modularForward(tf, c, {} as never, { modules: [0, 4, 1] }, {} as never, tf.zeros([1, 8, 8, 1]), { training: true }), {
    message: /module index at position 1 must be an integer in \[0, 3\] \(3 = skip\), got 4/,
  });
});

for (const allowSkip of [false, true]) {
  test.serial(`mixture-logit gradients match central finite differences (allowSkip ${allowSkip})`, async (t) => {
    const c = tiny({ allowSkip });
    const rng = new Rng(21);
    const bank = initModuleBank(tf, c, rng);
    const head = initHead(tf, c, 3, rng);
    const logits0 = tf.tensor2d(Array.from({ length: c.blocks * choicesPerPosition(c) }, () => rng.normal()), [c.blocks, choicesPerPosition(c)]);
    const x = randomImages(c, 8, 22);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32');
    const loss = (logits: tfjs.Tensor2D): tfjs.Scalar =>
      softmaxCrossEntropy(tf, modularForward(tf, c, bank, { logits }, head, x, { training: true }).logits, y);
    const grad = tf.tidy(() => tf.grad((l: tfjs.Tensor) => loss(l as tfjs.Tensor2D))(logits0));
    const g = Array.from(grad.dataSync());
    const base = Array.from(logits0.dataSync());
    // small steps: the adapters' ReLUs make the loss piecewise smooth, and wider steps cross their kinks
    const h = 1e-3;
    const fd = base.map((_, i) => {
      const at = (d: number): number => tf.tidy(() => {
        const v = base.slice();
        v[i]! += d;
        return loss(tf.tensor2d(v, logits0.shape)).dataSync()[0]!;
      });
      return (at(h) - at(-h)) / (2 * h);
    });
    const scale = Math.max(...g.map(Math.abs));
    t.true(scale > 1e-3, `gradient too small to test: ${scale}`);
    g.forEach((gi, i) => t.true(Math.abs(gi - fd[i]!) <= 0.01 * scale + 5e-4, `logit ${i}: analytic ${gi}, finite difference ${fd[i]}`));
    const err = Math.hypot(...g.map((gi, i) => gi - fd[i]!)) / Math.hypot(...g);
    t.log(`relative error ${err.toExponential(2)} over ${g.length} logits (largest |gradient| ${scale.toFixed(4)})`);
    t.true(err < 0.01, `relative error ${err}`);
    disposeTree(tf, [bank, head, logits0, x, y, grad]);
  });
}

test.serial('a hard ordering trains only the templates it uses; a mixture reaches all of them', async (t) => {
  const c = tiny();
  const rng = new Rng(61);
  const bank = initModuleBank(tf, c, rng);
  const head = initHead(tf, c, 3, rng);
  const x = randomImages(c, 6, 62);
  const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
  const perTemplate = (ordering: (k: tfjs.Tensor) => Parameters<typeof modularForward>[3]): number[] => tf.tidy(() => {
    const g = tf.grad((k: tfjs.Tensor) => {
      const b = { ...bank, templates: { ...bank.templates, expandKernel: k as tfjs.Tensor3D } };
      return softmaxCrossEntropy(tf, modularForward(tf, c, b, ordering(k), head, x, { training: true }).logits, y);
    })(bank.templates.expandKernel);
    return Array.from(tf.sum(tf.abs(g), [1, 2]).dataSync());
  });
  const hard = perTemplate(() => ({ modules: [0, 0, 2] }));
  t.is(hard[1], 0);
  t.true(hard[0]! > 0 && hard[2]! > 0);
  const logits = initMixtureLogits(tf, c, rng);
  t.true(perTemplate(() => ({ logits })).every((v) => v > 0));
  disposeTree(tf, [bank, head, x, y, logits]);
});

test.serial('no tensor leaks across forward, backward and training steps', async (t) => {
  const c = tiny({ allowSkip: true });
  const rng = new Rng(31);
  const x = randomImages(c, 6, 32);
  const y = tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32');
  const net: ModularNetwork = {
    bank: toVariables(tf, initModuleBank(tf, c, rng)),
    ordering: { logits: tf.variable(initMixtureLogits(tf, c, rng)) },
    head: toVariables(tf, initHead(tf, c, 5, rng)),
    stats: initNetworkStats(tf, c),
  };
  const opt = tf.train.sgd(0.01); // holds its learning rate as a tensor
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const f = (): tfjs.Scalar => softmaxCrossEntropy(tf, modularForward(tf, c, net.bank, net.ordering, net.head, x, { training: true }).logits, y);
    tf.variableGrads(f);
    modularForward(tf, c, net.bank, { modules: [0, 3, 2] }, net.head, x, { training: false, stats: net.stats });
  });
  const moments = tf.tidy(() => modularForward(tf, c, net.bank, { modules: [0, 3, 2] }, net.head, x, { training: true }).moments!);
  disposeTree(tf, updateNetworkStats(tf, c, net.stats, moments));
  disposeTree(tf, moments);
  t.is(tf.memory().numTensors, before);
  const vars = [...treeVariables(tf, net.bank), ...treeVariables(tf, net.ordering), ...treeVariables(tf, net.head)];
  await trainStep(tf, c, net, opt, x, y, vars);
  const afterOne = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await trainStep(tf, c, net, opt, x, y, vars);
  await evaluateNetwork(tf, c, net, x, y);
  t.is(tf.memory().numTensors, afterOne);
  t.is(afterOne, before); // plain SGD keeps no slots
  opt.dispose();
  disposeTree(tf, [net, x, y]);
});

test.serial('running statistics move by the momentum; a skipped position keeps its own', async (t) => {
  const c = tiny({ allowSkip: true, bnMomentum: 0.75 });
  const rng = new Rng(41);
  const bank = initModuleBank(tf, c, rng);
  const head = initHead(tf, c, 2, rng);
  const stats = initNetworkStats(tf, c);
  const x = randomImages(c, 5, 42);
  tf.tidy(() => {
    const r = modularForward(tf, c, bank, { modules: [1, 3, 0] }, head, x, { training: true });
    const next = updateNetworkStats(tf, c, stats, r.moments!);
    const m = r.moments!.blocks[0]!.bn2.mean.dataSync();
    next.blocks[0]!.bn2.mean.dataSync().forEach((v, i) => t.true(Math.abs(v - 0.25 * m[i]!) < 1e-6));
    const vIn = r.moments!.input.variance.dataSync();
    next.input.variance.dataSync().forEach((v, i) => t.true(Math.abs(v - (0.75 + 0.25 * vIn[i]!)) < 1e-6));
    t.deepEqual(Array.from(next.blocks[1]!.bn1.variance.dataSync()), new Array<number>(8).fill(1));
  });
  disposeTree(tf, [bank, head, stats, x]);
});

test.serial('wasm: one-hot equals hard, and a few dozen Adam steps on an MNIST subset lower the training loss', async (t) => {
  await initBackend('wasm');
  t.is(tf.getBackend(), 'wasm');
  const c = resolveModularConfig({ channels: 8, expansion: 2, blocks: 4, templates: 3, features: 32 });
  const rng = new Rng(51);
  const ds = loadImageDataset('mnist', { train: 256, test: 16 });
  const net: ModularNetwork = {
    bank: toVariables(tf, initModuleBank(tf, c, rng)),
    ordering: { logits: tf.variable(initMixtureLogits(tf, c, rng)) },
    head: toVariables(tf, initHead(tf, c, 10, rng)),
    stats: initNetworkStats(tf, c),
  };
  const all = batchTensors(tf, c, ds.train.images, ds.train.labels);
  tf.tidy(() => {
    const modules = [2, 0, 0, 1];
    const hard = modularForward(tf, c, net.bank, { modules }, net.head, all.x, { training: true });
    const soft = modularForward(tf, c, net.bank, { logits: hardLogits(tf, c, modules) }, net.head, all.x, { training: true });
    t.deepEqual(soft.logits.dataSync(), hard.logits.dataSync());
  });
  const trainLoss = (): number => tf.tidy(() => softmaxCrossEntropy(tf, modularForward(tf, c, net.bank, net.ordering, net.head, all.x, { training: true }).logits, all.y).dataSync()[0]!);
  const start = trainLoss();
  const opt = tf.train.adam(1e-2);
  const vars = [...treeVariables(tf, net.bank), ...treeVariables(tf, net.ordering), ...treeVariables(tf, net.head)];
  const B = 32;
  const t0 = Date.now();
  for (let step = 0; step < 40; step++) {
    const i = (step * B) % 256;
    const b = batchTensors(tf, c, ds.train.images.subarray(i * 784, (i + B) * 784), ds.train.labels.subarray(i, i + B));
    await trainStep(tf, c, net, opt, b.x, b.y, vars);
    disposeTree(tf, b);
  }
  const end = trainLoss();
  const evalAfter = await evaluateNetwork(tf, c, net, all.x, all.y);
  t.log(`loss ${start.toFixed(3)} → ${end.toFixed(3)} (running-stats loss ${evalAfter.loss.toFixed(3)}, accuracy ${evalAfter.accuracy.toFixed(3)}), 40 steps in ${Date.now() - t0} ms`);
  t.true(end < 0.6 * start, `loss ${start} → ${end}`);
  t.true(evalAfter.accuracy > 0.25, `accuracy ${evalAfter.accuracy} (chance 0.1)`);
  opt.dispose();
  disposeTree(tf, [net, all]);
});
