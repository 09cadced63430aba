/**
 * The BLUR network: the backprop genome reproduces an MLP's gradients (papers.md §1.8), the population
 * axis is exact, replicas differ, options behave, and repeated steps leak no tensors.
 * Serial: one file switches to the wasm backend at the end, and the backend is process-global.
 */
import test, { type ExecutionContext } from 'ava';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { relErr } from '../../../helpers/rel_err.js';
import { backpropGenome, randomBlurGenome, type BlurGenome } from '../../../../genomes/blur_genome.js';
import {
  BlurNetwork, applySynapseUpdate, backwardMessage, rowShape, disposePopulation, forwardMessage, hebbianUpdate, initSynapses,
  inputBlockFromStacked, inputBlockStacked, mixStates, networkStep, normalizeBlock, ojaActivity, ojaTerm, populationFromGenomes,
  resolveBlurNetworkOptions, syncStates, synapseTensors, activationBlock, type BlurNetworkOptions, type BlurPopulation,
  type BlurSynapses,
} from '../../../../src/models/blur/blur_network.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

function data(rng: Rng, B: number, n: number, m: number): { x: number[][]; y: number[][] } {
  const x = Array.from({ length: B }, () => Array.from({ length: n }, () => rng.normal()));
  const y = Array.from({ length: B }, () => Array.from({ length: m }, () => (rng.uniform() < 0.5 ? -1 : 1)));
  return { x, y };
}

/** State-0 weights [n+1, m] of genome 0, replica 0. */
function weights0(net: BlurNetwork): number[][][] {
  const ws = net.weights();
  const out = ws.map((w) => (w.arraySync() as number[][][][])[0]![0]!);
  tf.dispose(ws);
  return out;
}

/** Reference MLP with tanh layers: L = ½ Σ_b Σ_j (ŷ − y)², weights [n+1, m] with the bias in the last row. */
function mlpLoss(x: tfjs.Tensor2D, y: tfjs.Tensor2D, ws: tfjs.Tensor2D[]): tfjs.Scalar {
  let a: tfjs.Tensor2D = x;
  for (const w of ws) a = tf.tanh(tf.matMul(tf.concat([a, tf.ones([a.shape[0], 1])], 1), w)) as tfjs.Tensor2D;
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(a, y))));
}

function mlpGrads(x: number[][], y: number[][], ws: number[][][]): number[][] {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x);
    const yt = tf.tensor2d(y);
    const g = tf.grads((...w: tfjs.Tensor[]) => mlpLoss(xt, yt, w as tfjs.Tensor2D[]))(ws.map((w) => tf.tensor2d(w)));
    return g.map((t) => Array.from(t.dataSync()));
  });
}

const SIZES = [3, 4, 2];
const B = 5;

/** h^0 = [x, 0, …] stacked [P, R, k, B, n0]. */
function inputLayer(x: tfjs.Tensor2D, P: number, R: number, k: number): tfjs.Tensor {
  const [b, n] = x.shape;
  return tf.concat([tf.mul(tf.reshape(x, [1, 1, 1, b, n]), tf.ones([P, R, 1, 1, 1])), tf.zeros([P, R, k - 1, b, n])], 2);
}

/** Forward block ℓ stacked [P, R, k, n+1, m]. */
function block(syn: BlurSynapses, pop: BlurPopulation, l: number): tfjs.Tensor {
  return l === 0 ? inputBlockStacked(tf, syn.input, rowShape(pop, syn.input)) : syn.upper[l - 1]!.forward;
}

test.serial('backprop genome: forward message is [x,1]·W, backward message is δ·Wᵀ, Hebbian state 0 is the MLP weight gradient', (t) => {
  const g = backpropGenome(2);
  const o = resolveBlurNetworkOptions(g.network);
  const { x, y } = data(new Rng(1), B, 3, 2);
  const pop = populationFromGenomes(tf, [g], 1, 2);
  const syn = initSynapses(tf, SIZES, 2, 1, 1, 7, o);
  const w = [0, 1].map((l) => tf.tidy(() => (block(syn, pop, l).arraySync() as number[][][][][])[0]![0]![0]!)); // state 0, [n+1, m]
  const ref = mlpGrads(x, y, w);
  tf.tidy(() => {
    const xt = tf.tensor2d(x);
    const yt = tf.tensor2d(y);
    const lay = pop.layers[0]!;
    // forward message into layer 1, both states: [x, 1]·W0 (before the activation)
    const u = forwardMessage(tf, inputLayer(xt, 1, 1, 2), block(syn, pop, 0), lay.nu);
    const xw = tf.matMul(tf.concat([xt, tf.ones([B, 1])], 1), tf.tensor2d(w[0]!));
    for (const c of [0, 1]) t.true(relErr(tf.slice(u, [0, 0, c, 0, 0], [1, 1, 1, B, 4]).dataSync(), xw.dataSync()) < 1e-6);

    const step = networkStep(tf, syn, pop, xt, yt, o);
    t.true(relErr(step.forward.pre[0]!.dataSync(), u.dataSync()) < 1e-6); // the row-layout input layer agrees
    // the output's state 1 holds δ = (ŷ − y)·f'(z) = ∂L/∂z ('error' feedback)
    const out = step.layers[2]!;
    const yhat = tf.slice(out, [0, 0, 0, 0, 0], [1, 1, 1, B, 2]).reshape([B, 2]);
    const delta = tf.mul(tf.sub(yhat, yt), tf.sub(1, tf.square(yhat)));
    t.true(relErr(tf.slice(out, [0, 0, 1, 0, 0], [1, 1, 1, B, 2]).dataSync(), delta.dataSync()) < 1e-6);
    // backward message into the hidden layer: state 1 = δ·W1ᵀ (bias row dropped), the input gradient
    const v = backwardMessage(tf, out, syn.upper[0]!.backward, lay.mu);
    const w1 = tf.slice(tf.tensor2d(w[1]!), [0, 0], [4, 2]);
    const dA = tf.matMul(delta, w1, false, true);
    t.true(relErr(tf.slice(v, [0, 0, 1, 0, 0], [1, 1, 1, B, 4]).dataSync(), dA.dataSync()) < 1e-6);
    // Hebbian update, state 0 of the forward block, equals dL/dW for both layers
    const pres = [inputLayer(xt, 1, 1, 2), step.layers[1]!];
    for (const l of [0, 1]) {
      const { dF } = hebbianUpdate(tf, pres[l]!, step.layers[l + 1]!, lay.alpha, lay.beta, false);
      const [, , , n1, m] = dF.shape;
      const err = relErr(tf.slice(dF, [0, 0, 0, 0, 0], [1, 1, 1, n1!, m!]).dataSync(), ref[l]!);
      t.true(err < 1e-5, `layer ${l}: ${err}`);
      t.true(Math.max(...ref[l]!.map(Math.abs)) > 1e-2, 'a non-trivial gradient');
    }
  });
  disposePopulation(pop);
  tf.dispose(synapseTensors(syn));
});

/** Steps the network and checks each applied update against −lr·∇L of the reference loss, scale-aware (float32 weights ~1 carry ~1e-7 of rounding). */
function trackSgd(t: ExecutionContext, net: BlurNetwork, lr: number, steps: number, batch: () => { x: number[][]; y: number[][] }, grads: (x: number[][], y: number[][], w: number[][][]) => number[][]): void {
  let w = weights0(net);
  for (let s = 0; s < steps; s++) {
    const { x, y } = batch();
    const g = grads(x, y, w);
    net.step(x, y);
    const next = weights0(net);
    next.forEach((wl, l) => {
      const applied = wl.flat().map((v, i) => v - w[l]!.flat()[i]!);
      const err = relErr(applied, g[l]!.map((d) => -lr * d));
      t.true(err < 1e-5, `step ${s} layer ${l}: ${err}`);
      t.true(Math.max(...g[l]!.map(Math.abs)) > 1e-3, 'a non-trivial gradient');
    });
    w = next;
  }
}

test.serial('backprop genome: BLUR steps are SGD steps of the same MLP, weights track for several steps', (t) => {
  const lr = 0.05;
  const net = new BlurNetwork(backpropGenome(2, lr), SIZES, undefined, { seed: 3 });
  const rng = new Rng(2);
  trackSgd(t, net, lr, 4, () => data(rng, B, 3, 2), mlpGrads);
  // the symmetric options keep Bk = Fᵀ and every synapse state equal
  const syn = net.synapses;
  const f1 = syn.upper[0]!.forward.arraySync() as number[][][][][];
  const b1 = syn.upper[0]!.backward.arraySync() as number[][][][][];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) {
    t.is(b1[0]![0]![0]![j]![i], f1[0]![0]![0]![i]![j]);
    t.is(f1[0]![0]![1]![i]![j], f1[0]![0]![0]![i]![j]);
  }
  net.dispose();
});

/** Reference MLP with tanh hidden layers and identity outputs: L = Σ_b softmax cross-entropy against (y + 1)/2. */
function mlpCrossEntropyGrads(x: number[][], y: number[][], ws: number[][][]): number[][] {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x);
    const t01 = tf.div(tf.add(tf.tensor2d(y), 1), 2);
    const loss = (...w: tfjs.Tensor[]): tfjs.Scalar => {
      let a: tfjs.Tensor2D = xt;
      w.forEach((wl, l) => {
        const z = tf.matMul(tf.concat([a, tf.ones([a.shape[0], 1])], 1), wl as tfjs.Tensor2D);
        a = (l === w.length - 1 ? z : tf.tanh(z)) as tfjs.Tensor2D;
      });
      return tf.neg(tf.sum(tf.mul(t01, tf.logSoftmax(a)))) as tfjs.Scalar;
    };
    return tf.grads(loss)(ws.map((w) => tf.tensor2d(w))).map((g) => Array.from(g.dataSync()));
  });
}

test.serial("backprop genome with 'softmax-error' feedback and identity outputs: BLUR steps are SGD steps on the softmax cross-entropy", (t) => {
  const lr = 0.05;
  const g = backpropGenome(2, lr);
  const net = new BlurNetwork(g, SIZES, { ...g.network, outputActivation: 'identity', feedback: 'softmax-error' }, { seed: 4 });
  const rng = new Rng(6);
  // one-hot ±1 targets of 2 classes
  const batch = () => {
    const { x } = data(rng, B, 3, 2);
    return { x, y: x.map((_, b) => (b % 2 === 0 ? [1, -1] : [-1, 1])) };
  };
  trackSgd(t, net, lr, 3, batch, mlpCrossEntropyGrads);
  net.dispose();
});

test.serial('one Hebbian update with an arbitrary output state 1 is [x,1]ᵀ·out (the public test)', (t) => {
  const g = backpropGenome(2);
  const pop = populationFromGenomes(tf, [g], 1, 1);
  const rng = new Rng(5);
  const x = Array.from({ length: 4 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const out = Array.from({ length: 4 }, () => [rng.normal(), rng.normal()]);
  tf.tidy(() => {
    const pre = tf.concat([tf.tensor(x.flat(), [1, 1, 1, 4, 3]), tf.zeros([1, 1, 1, 4, 3])], 2);
    const post = tf.concat([tf.zeros([1, 1, 1, 4, 2]), tf.tensor(out.flat(), [1, 1, 1, 4, 2])], 2);
    const { dF, dB } = hebbianUpdate(tf, pre, post, pop.layers[0]!.alpha, pop.layers[0]!.beta, true);
    const expected = tf.matMul(tf.concat([tf.tensor2d(x), tf.ones([4, 1])], 1), tf.tensor2d(out), true, false);
    t.true(relErr(tf.slice(dF, [0, 0, 0, 0, 0], [1, 1, 1, 4, 2]).dataSync(), expected.dataSync()) < 1e-6);
    // the backward block's state 1 is the transpose of the forward block's state 0 (before syncing)
    const fwd0 = tf.slice(dF, [0, 0, 0, 0, 0], [1, 1, 1, 3, 2]).reshape([3, 2]);
    t.true(relErr(tf.slice(dB!, [0, 0, 1, 0, 0], [1, 1, 1, 2, 3]).dataSync(), fwd0.transpose().dataSync()) < 1e-6);
  });
  disposePopulation(pop);
});

function randomGenomes(n: number, seed: number, layers = 1): BlurGenome[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => randomBlurGenome(2, rng, { layers, synapseUpdate: -0.05 }));
}

function runSteps(genomes: BlurGenome[], sizes: number[], options: Partial<BlurNetworkOptions>, replicas: number, steps: number): number[][][][] {
  const net = new BlurNetwork(genomes, sizes, options, { replicas, seed: 11 });
  const rng = new Rng(4);
  for (let s = 0; s < steps; s++) {
    const { x, y } = data(rng, 6, sizes[0]!, sizes[sizes.length - 1]!);
    net.step(x, y);
  }
  const { x } = data(rng, 6, sizes[0]!, 1);
  const p = net.predict(x);
  const out = p.arraySync() as number[][][][];
  p.dispose();
  net.dispose();
  return out;
}

const RICH: Partial<BlurNetworkOptions> = { normalizeSynapses: true, rescale: true, oja: true, saturation: 'exp' };

test.serial('population axis: P genomes batched equal each genome alone; replicas differ by init', (t) => {
  const sizes = [4, 5, 3, 2];
  for (const [options, layers] of [[{}, 1], [RICH, 3]] as const) {
    const genomes = randomGenomes(3, 8, layers);
    genomes[1] = { ...genomes[1]!, layers: [genomes[1]!.layers[0]!] }; // shared genome among per-layer ones
    const batched = runSteps(genomes, sizes, options, 2, 3);
    genomes.forEach((g, p) => {
      const alone = runSteps([g], sizes, options, 2, 3);
      t.true(relErr(batched[p]!.flat(2), alone[0]!.flat(2)) < 1e-6, `genome ${p}`);
    });
    const r0 = batched[0]![0]!.flat();
    const r1 = batched[0]![1]!.flat();
    t.true(relErr(r0, r1) > 1e-3, 'replicas differ');
  }
});

test.serial('replica inits are seeded, shared across genomes, and follow U(−1,1)·scale / sqrt(n+m+1)', (t) => {
  const o = resolveBlurNetworkOptions({ initScale: 2, initScaleByChannels: true });
  const shape = { P: 2, R: 2, k: 2, m: 20 };
  const a = initSynapses(tf, [30, 20, 2], 2, 2, 2, 5, o);
  const b = initSynapses(tf, [30, 20, 2], 2, 1, 2, 5, o);
  const fa = tf.tidy(() => inputBlockStacked(tf, a.input, shape).arraySync() as number[][][][][]);
  const fb = tf.tidy(() => inputBlockStacked(tf, b.input, { ...shape, P: 1 }).arraySync() as number[][][][][]);
  t.deepEqual(fa[1], fb[0]); // genome 1 gets the same init as a lone genome
  t.deepEqual(a.upper[0]!.forward.arraySync(), tf.tidy(() => tf.tile(b.upper[0]!.forward, [2, 1, 1, 1, 1]).arraySync()));
  const vals = fa[0]![0]!.flat(2);
  const bound = 2 / Math.sqrt(30 + 20 + 1);
  t.true(vals.every((v) => Math.abs(v) <= bound));
  t.true(Math.max(...vals) > 0.9 * bound && Math.min(...vals) < -0.9 * bound);
  t.notDeepEqual(fa[0]![0], fa[0]![1]); // replicas differ
  t.deepEqual(a.input.w.shape, [2 * 2 * 2 * 20, 30]);
  t.deepEqual(a.input.b.shape, [2 * 2 * 2 * 20, 1]);
  t.deepEqual(a.upper[0]!.backward.shape, [2, 2, 2, 2, 20]);
  tf.tidy(() => {
    const back = inputBlockFromStacked(tf, inputBlockStacked(tf, a.input, shape));
    t.deepEqual(back.w.arraySync(), a.input.w.arraySync());
    t.deepEqual(back.b.arraySync(), a.input.b.arraySync());
  });
  tf.dispose([...synapseTensors(a), ...synapseTensors(b)]);
});

/**
 * Layer 0 by the plain stacked equations (eq. F, eq. S with sync, Oja, saturation, normalisation), as a
 * reference for the row-layout implementation.
 */
function referenceInputUpdate(syn: BlurSynapses, pop: BlurPopulation, x: tfjs.Tensor2D, post: tfjs.Tensor, o: BlurNetworkOptions): tfjs.Tensor {
  const g = pop.layers[0]!;
  let f = block(syn, pop, 0);
  if (o.normalizeSynapses) f = normalizeBlock(tf, f, o.rescale ? g.rescaleTo : null);
  const h0 = inputLayer(x, pop.P, pop.R, pop.k);
  let { dF } = hebbianUpdate(tf, h0, post, g.alpha, g.beta, false);
  if (o.symmetricStates) dF = syncStates(tf, dF);
  if (o.oja) dF = tf.add(dF, ojaTerm(tf, f, ojaActivity(tf, mixStates(tf, g.beta, post, false)), g, o));
  return applySynapseUpdate(tf, f, dF, g.synapseKeep, g.synapseUpdate, g.saturation, o);
}

test.serial('the row-layout input layer equals the plain stacked equations under every option', (t) => {
  const variants: Partial<BlurNetworkOptions>[] = [
    {},
    { normalizeSynapses: true, rescale: true, oja: true, saturation: 'exp', saturationEps: 0.1 },
    { symmetricStates: true, oja: true, normalizeInActivations: true, rescale: true },
    { derivativeInState1: true, backwardUpdate: 'multiplicative_second_state', symmetricInOut: true, symmetricStates: true },
  ];
  for (const v of variants) {
    const o = resolveBlurNetworkOptions(v);
    for (const [P, k] of [[1, 2], [3, 3]] as const) {
      const rng = new Rng(P * 10 + k);
      const genomes = Array.from({ length: P }, () => randomBlurGenome(k, rng, { synapseUpdate: -0.3 }));
      genomes.forEach((g) => { g.layers[0]!.synapse.keep = 0.9; g.layers[0]!.synapse.saturation = 0.5; g.layers[0]!.synapse.rescaleTo = 1.7; });
      const pop = populationFromGenomes(tf, genomes, 2, 2);
      const syn = initSynapses(tf, [3, 4, 2], k, P, 2, 1, o);
      tf.tidy(() => {
        const { x, y } = data(rng, 5, 3, 2);
        const xt = tf.tensor2d(x);
        const step = networkStep(tf, syn, pop, xt, tf.tensor2d(y), o);
        let f = block(syn, pop, 0);
        if (o.normalizeSynapses) f = normalizeBlock(tf, f, o.rescale ? pop.layers[0]!.rescaleTo : null);
        const u = forwardMessage(tf, inputLayer(xt, P, 2, k), activationBlock(tf, f, pop.layers[0]!, o), pop.layers[0]!.nu);
        t.true(relErr(step.forward.pre[0]!.dataSync(), tf.mul(pop.layers[0]!.neuronUpdate, u).dataSync()) < 1e-5, `forward ${JSON.stringify(v)} P ${P}`);
        const expected = referenceInputUpdate(syn, pop, xt, step.layers[1]!, o);
        const got = inputBlockStacked(tf, step.synapses.input, rowShape(pop, step.synapses.input));
        const err = relErr(got.dataSync(), expected.dataSync());
        t.true(err < 1e-5, `update ${JSON.stringify(v)} P ${P} k ${k}: ${err}`);
      });
      disposePopulation(pop);
      tf.dispose(synapseTensors(syn));
    }
  }
});

test.serial('normalisation: columns have norm rescaleTo; every option combination runs finite', (t) => {
  tf.tidy(() => {
    const s = tf.randomNormal([1, 1, 2, 6, 3], 0, 1, 'float32', 1);
    const n = normalizeBlock(tf, s, tf.fill([1, 1, 1, 1, 1], 0.5));
    const norms = tf.sqrt(tf.sum(tf.square(n), 3)).dataSync();
    for (const v of norms) t.true(Math.abs(v - 0.5) < 1e-6);
  });
  const variants: Partial<BlurNetworkOptions>[] = [
    {},
    RICH,
    { backwardUpdate: 'multiplicative', hiddenActivation: 'sigmoid', outputActivation: 'identity' },
    { backwardUpdate: 'none', feedback: 'error', normalizeInActivations: true, rescale: true, forwardActivationsForSynapseUpdate: true },
    { backwardUpdate: 'multiplicative_second_state', derivativeInState1: true, symmetricInOut: true, symmetricStates: true, oja: true },
    { backwardActivation: 'relu', hiddenActivation: 'relu', initScaleByChannels: true },
  ];
  for (const v of variants) {
    for (const k of [2, 3]) {
      const g = randomBlurGenome(k, new Rng(k), { layers: 2 });
      const net = new BlurNetwork(g, [3, 4, 2], v, { replicas: 2 });
      const rng = new Rng(0);
      for (let s = 0; s < 3; s++) {
        const { x, y } = data(rng, 4, 3, 2);
        net.step(x, y);
      }
      const p = net.predict(data(rng, 4, 3, 2).x);
      t.deepEqual(p.shape, [1, 2, 4, 2]);
      t.true(Array.from(p.dataSync()).every(Number.isFinite), JSON.stringify(v));
      p.dispose();
      net.dispose();
    }
  }
});

test.serial('symmetric options hold the synapses symmetric without Oja', (t) => {
  const o = { symmetricInOut: true, symmetricStates: true };
  const net = new BlurNetwork(randomBlurGenome(3, new Rng(1)), [3, 4, 4, 2], o, { seed: 2 });
  const rng = new Rng(9);
  for (let s = 0; s < 3; s++) net.step(data(rng, 4, 3, 2).x, data(rng, 4, 3, 2).y);
  for (const l of [1, 2]) {
    const f = net.synapses.upper[l - 1]!.forward.arraySync() as number[][][][][];
    const b = net.synapses.upper[l - 1]!.backward.arraySync() as number[][][][][];
    const n = f[0]![0]![0]!.length - 1;
    for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) for (let j = 0; j < f[0]![0]![0]![0]!.length; j++) {
      t.is(b[0]![0]![c]![j]![i], f[0]![0]![0]![i]![j]);
      t.is(f[0]![0]![c]![i]![j], f[0]![0]![0]![i]![j]);
    }
  }
  // the input block keeps every state equal too
  const blocks = net.forwardBlocks();
  const f0 = blocks[0]!.arraySync() as number[][][][][];
  t.deepEqual(f0[0]![0]![2], f0[0]![0]![0]);
  tf.dispose(blocks);
  net.dispose();
});

test.serial('repeated steps, predictions and weights leak no tensors; dispose frees everything', (t) => {
  const before = tf.memory().numTensors;
  const net = new BlurNetwork(randomGenomes(2, 1), [3, 5, 2], RICH, { replicas: 2 });
  const rng = new Rng(0);
  const { x, y } = data(rng, 4, 3, 2);
  const xt = tf.tensor2d(x);
  const yt = tf.tensor2d(y);
  net.step(xt, yt);
  const afterOne = tf.memory().numTensors;
  for (let s = 0; s < 5; s++) {
    net.step(xt, yt);
    net.step(new Float32Array(x.flat()), new Float32Array(y.flat()));
    net.predict(x).dispose();
    tf.dispose(net.weights());
  }
  t.is(tf.memory().numTensors, afterOne);
  net.dispose();
  tf.dispose([xt, yt]);
  t.is(tf.memory().numTensors, before);
  t.throws(() => net.step(x, y), { message: /after dispose/ });
});

test.serial('bad inputs name the problem', (t) => {
  const g = backpropGenome(2);
  t.throws(() => new BlurNetwork(g, [3]), { message: /at least \[inputs, outputs\]/ });
  t.throws(() => new BlurNetwork(g, [3, 2], { feedback: 'nope' as never }), { message: /feedback must be one of target, error/ });
  const net = new BlurNetwork(g, [3, 2]);
  t.throws(() => net.step([[1, 2]], [[1, 1]]), { message: /x must be \[batch, 3\]/ });
  t.throws(() => new BlurNetwork([g, randomBlurGenome(2, new Rng(0))], [3, 2]), { message: /network options differ/ });
  net.dispose();
});

test.serial('wasm backend: the backprop step and a rich-option population match cpu', async (t) => {
  const run = () => {
    const net = new BlurNetwork(backpropGenome(2, 0.1), SIZES, undefined, { seed: 3 });
    const rng = new Rng(2);
    for (let s = 0; s < 3; s++) {
      const { x, y } = data(rng, B, 3, 2);
      net.step(x, y);
    }
    const w = weights0(net).map((l) => l.flat());
    net.dispose();
    // P = 5: past the wasm split limit; per-layer genomes; every synapse option
    const pop = runSteps(randomGenomes(5, 2, 3).map((g) => ({ ...g, layers: g.layers.map((l) => ({ ...l, synapse: { ...l.synapse, keep: 0.95 } })) })), [4, 6, 3, 2], { ...RICH, derivativeInState1: true }, 2, 3);
    return { w, pop: pop.flat(3) };
  };
  const cpu = run();
  await initBackend('wasm');
  try {
    const wasm = run();
    wasm.w.forEach((l, i) => t.true(relErr(l, cpu.w[i]!) < 1e-5, `layer ${i}`));
    t.true(relErr(wasm.pop, cpu.pop) < 1e-4, `population ${relErr(wasm.pop, cpu.pop)}`);
  } finally {
    await initBackend('cpu');
  }
});
