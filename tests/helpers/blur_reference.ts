/**
 * The backprop genome against tfjs's own optimizers: a small MLP (tanh hidden, logits out, Σ_b softmax cross-entropy)
 * stepped by a BLUR network and by a tf.train optimizer from the same weights, so a test can require the two to take
 * the same steps; and a small 3-way task for meta-gradient checks. Shared by the tests of the moment buffers and of
 * the η_w schedule.
 */
import type { ExecutionContext } from 'ava';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf } from '../../src/runtime/backend.js';
import { Rng } from '../../src/core/rng.js';
import { relErr } from './rel_err.js';
import { blurGenome, type BlurGenome, type BlurGenomeConfig } from '../../genomes/blur_genome.js';
import { BlurNetwork, type BlurNetworkOptions } from '../../src/models/blur/blur_network.js';
import { evaluateBlurPopulation, metaLossAndGrad, type BlurBatch, type BlurMetaOptions, type BlurSampler } from '../../src/models/blur/meta_objective.js';
import { flatBlurRule } from '../../tasks/blur/flat_blur_rule.js';

const tf = getTf();

export const SIZES = [3, 4, 2];
const B = 5;
/** Softmax cross-entropy feedback on logits: the loss the reference optimizers minimise. */
export const CE: Partial<BlurNetworkOptions> = { outputActivation: 'identity', feedback: 'softmax-error' };

/** 2-class batches with ±1 one-hot targets; input 2 is always 0, so its weights' gradients are exactly 0. */
export function batches(seed: number, count: number): { x: number[][]; y: number[][] }[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const x = Array.from({ length: B }, () => [rng.normal(), rng.normal(), 0]);
    return { x, y: x.map((r) => (r[0]! + 0.5 * r[1]! > 0 ? [1, -1] : [-1, 1])) };
  });
}

/** State-0 weights [n+1, m] of genome `p`, replica 0, per layer. */
export function weights(net: BlurNetwork, p = 0): number[][] {
  const ws = net.weights();
  const out = ws.map((w) => (w.arraySync() as number[][][][])[p]![0]!.flat());
  tf.dispose(ws);
  return out;
}

/** Sets an optimizer's learning rate before a step (tf.train's optimizers read it at every step). */
export type LearningRateSetter = (optimizer: tfjs.Optimizer, step: number) => void;

/** The same MLP trained by a tfjs optimizer from `start`; the weights after every step. */
function referenceRun(start: number[][], data: { x: number[][]; y: number[][] }[], optimizer: tfjs.Optimizer, setRate?: LearningRateSetter): number[][][] {
  const shapes = SIZES.slice(0, -1).map((n, l) => [n + 1, SIZES[l + 1]!] as [number, number]);
  const vars = start.map((w, l) => tf.variable(tf.tensor2d(w, shapes[l])));
  const out: number[][][] = [];
  data.forEach(({ x, y }, step) => {
    setRate?.(optimizer, step);
    optimizer.minimize(() => tf.tidy(() => {
      let a: tfjs.Tensor2D = tf.tensor2d(x);
      vars.forEach((w, l) => {
        const z = tf.matMul(tf.concat([a, tf.ones([a.shape[0], 1])], 1), w);
        a = (l === vars.length - 1 ? z : tf.tanh(z)) as tfjs.Tensor2D;
      });
      return tf.neg(tf.sum(tf.mul(tf.div(tf.add(tf.tensor2d(y), 1), 2), tf.logSoftmax(a)))) as tfjs.Scalar;
    }));
    out.push(vars.map((v) => Array.from(v.dataSync())));
  });
  tf.dispose(vars);
  optimizer.dispose();
  return out;
}

/** Steps a BLUR network on `data` and checks its weights against the reference optimizer's after every step. */
export function track(t: ExecutionContext, genome: BlurGenome, options: Partial<BlurNetworkOptions>, optimizer: tfjs.Optimizer, tolerance: number, setRate?: LearningRateSetter): void {
  const net = new BlurNetwork(genome, SIZES, { ...genome.network, ...CE, ...options }, { seed: 5 });
  const data = batches(8, 6);
  const start = weights(net);
  const expected = referenceRun(start, data, optimizer, setRate);
  data.forEach(({ x, y }, s) => {
    net.step(x, y);
    const got = weights(net);
    got.forEach((w, l) => {
      const moved = w.map((v, i) => v - start[l]![i]!);
      const want = expected[s]![l]!.map((v, i) => v - start[l]![i]!);
      const err = relErr(moved, want);
      t.true(err < tolerance, `step ${s} layer ${l}: ${err}`);
    });
  });
  // input 2 is always 0: its weights never move (Adam's V stays 0 there)
  const w0 = weights(net)[0]!;
  for (let j = 0; j < SIZES[1]!; j++) t.is(w0[2 * SIZES[1]! + j], start[0]![2 * SIZES[1]! + j]);
  net.dispose();
}

/** 3-way angular classes with a dead third input (always 0), each batch from its own seed. */
export function angularSampler(): BlurSampler {
  const draw = (rng: Rng, batch: number): BlurBatch => {
    const x = new Float32Array(batch * 3);
    const y = new Float32Array(batch * 3);
    for (let b = 0; b < batch; b++) {
      const [x0, x1] = [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1];
      x.set([x0, x1, 0], 3 * b);
      const cls = Math.floor(((Math.atan2(x1, x0) + Math.PI) / (2 * Math.PI)) * 3) % 3;
      for (let c = 0; c < 3; c++) y[b * 3 + c] = c === cls ? 1 : -1;
    }
    return { x, y };
  };
  return { numInputs: 3, numOutputs: 3, support: (step, _rng, batch) => draw(new Rng(50 + step), batch), query: (_rng, batch) => draw(new Rng(77), batch) };
}

/**
 * The meta-gradient of genome `g` (searched as `config`) on the angular task: checks that it is finite, that its loss
 * is the population evaluation's and that it matches central differences at `coords`; returns it with its largest
 * entry, for the caller's own checks.
 */
export async function checkMetaGradient(t: ExecutionContext, g: BlurGenome, config: BlurGenomeConfig, opts: BlurMetaOptions, coords: number[]): Promise<{ grad: number[]; scale: number }> {
  const flat = blurGenome.encode(g, config);
  const r = await metaLossAndGrad(tf, flat, flatBlurRule(config), angularSampler(), opts);
  t.true(r.grad.every(Number.isFinite), 'a finite meta-gradient');
  const pop = await evaluateBlurPopulation(tf, [g], angularSampler(), opts);
  t.true(Math.abs(pop.loss[0]! - r.loss) < 1e-5, `${pop.loss[0]} vs ${r.loss}`);
  const loss = async (x: number[]) => (await metaLossAndGrad(tf, x, flatBlurRule(config), angularSampler(), opts)).loss;
  const scale = Math.max(...r.grad.map(Math.abs));
  for (const i of coords) {
    const [up, down] = [flat.slice(), flat.slice()];
    up[i] += 1e-3;
    down[i] -= 1e-3;
    const fd = ((await loss(up)) - (await loss(down))) / 2e-3;
    t.true(Math.abs(fd - r.grad[i]!) < 5e-2 * Math.abs(r.grad[i]!) + 5e-3 * scale, `coordinate ${i}: fd ${fd} vs grad ${r.grad[i]}`);
  }
  return { grad: r.grad, scale };
}
