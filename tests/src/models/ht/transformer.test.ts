/**
 * HT transformer: matches an independent plain-JS reference written from the math (1 and 2 heads, every
 * activation, masks, skip-last-nonlinearity), masked tokens influence no one, token permutation permutes
 * the output, every parameter gets a finite gradient (non-zero except the key bias, see below), no leaks.
 */
import test from 'ava';
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { HT_DEFAULTS } from '../../../../src/models/ht/ht_config.js';
import {
  initTransformer, transformerConfig, transformerForward, type TransformerConfig, type TransformerParams,
} from '../../../../src/models/ht/transformer.js';
import { disposeTree, flattenTree, mapTree } from '../../../../src/models/nn/tensor_tree.js';

const tf = getTf();

test.before(async () => {
  await initBackend('cpu');
});

// ---- plain-JS reference -------------------------------------------------------------------------
type M = number[][];
const matmul = (a: M, b: M): M => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const addRow = (a: M, b: number[]): M => a.map((r) => r.map((v, j) => v + b[j]!));
const add = (a: M, b: M): M => a.map((r, i) => r.map((v, j) => v + b[i]![j]!));
const cols = (a: M, from: number, to: number): M => a.map((r) => r.slice(from, to));
/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), independent of tfjs's erf. */
const erf = (x: number): number => {
  const s = Math.sign(x); const a = Math.abs(x); const u = 1 / (1 + 0.3275911 * a);
  const poly = u * (0.254829592 + u * (-0.284496736 + u * (1.421413741 + u * (-1.453152027 + u * 1.061405429))));
  return s * (1 - poly * Math.exp(-a * a));
};
const act = (v: number, a: string): number => (a === 'relu' ? Math.max(0, v) : a === 'lrelu' ? (v > 0 ? v : 0.1 * v) : 0.5 * v * (1 + erf(v / Math.SQRT2)));
function ln(a: M, g: number[], b: number[]): M {
  return a.map((r) => {
    const mu = r.reduce((s, v) => s + v, 0) / r.length;
    const va = r.reduce((s, v) => s + (v - mu) ** 2, 0) / r.length;
    return r.map((v, j) => ((v - mu) / Math.sqrt(va + 1e-6)) * g[j]! + b[j]!);
  });
}
interface JsBlock { [k: string]: M | number[] | { gamma: number[]; beta: number[] } }
function refForward(blocks: JsBlock[], cfg: TransformerConfig, x: M, mask?: number[]): M {
  let h = x;
  blocks.forEach((p, li) => {
    const P = p as unknown as Record<string, M> & Record<string, number[]>;
    const q = addRow(matmul(h, P.wq as M), P.bq as number[]);
    const k = addRow(matmul(h, P.wk as M), P.bk as number[]);
    const v = addRow(matmul(h, P.wv as M), P.bv as number[]);
    const dq = cfg.qkDim / cfg.heads; const dv = cfg.vDim / cfg.heads;
    const headsOut: M[] = [];
    for (let hd = 0; hd < cfg.heads; hd++) {
      const qh = cols(q, hd * dq, (hd + 1) * dq); const kh = cols(k, hd * dq, (hd + 1) * dq); const vh = cols(v, hd * dv, (hd + 1) * dv);
      const w = qh.map((qi) => {
        const logits = kh.map((kj, j) => qi.reduce((s, val, d) => s + val * kj[d]!, 0) / Math.sqrt(dq) - (mask ? mask[j]! * 1e8 : 0));
        const mx = Math.max(...logits); const e = logits.map((l) => Math.exp(l - mx)); const z = e.reduce((s, u) => s + u, 0);
        return e.map((u) => u / z);
      });
      headsOut.push(matmul(w, vh));
    }
    const concat = h.map((_, i) => headsOut.flatMap((o) => o[i]!));
    const attn = addRow(matmul(concat, P.wo as M), P.bo as number[]);
    const l1 = p.ln1 as { gamma: number[]; beta: number[] }; const l2 = p.ln2 as { gamma: number[]; beta: number[] };
    h = ln(add(h, attn), l1.gamma, l1.beta);
    const skip = li === blocks.length - 1 && cfg.skipLastNonlinearity;
    const hid = addRow(matmul(h, P.w1 as M), P.b1 as number[]).map((r) => r.map((u) => (skip ? u : act(u, cfg.activation))));
    h = ln(add(h, addRow(matmul(hid, P.w2 as M), P.b2 as number[])), l2.gamma, l2.beta);
  });
  return h;
}

/** Deterministic "simple" values in [-1, 1] (no zeros, distinct), so biases and LN γ/β all matter. */
function pattern(shape: number[], seed: number): number[] | M {
  let s = seed;
  const next = (): number => { s = (s * 37 + 11) % 101; return Math.round(((s / 50) - 1) * 100) / 100 || 0.13; };
  return shape.length === 1 ? Array.from({ length: shape[0]! }, next) : Array.from({ length: shape[0]! }, () => Array.from({ length: shape[1]! }, next));
}

/** JS blocks with chosen values, plus the same values as tensors. */
function chosenParams(cfg: TransformerConfig): { js: JsBlock[]; tfp: TransformerParams } {
  const shapes = initTransformer(tf, cfg, new Rng(0));
  let seed = 1;
  const js: JsBlock[] = shapes.blocks.map((b) => {
    const o: JsBlock = {};
    for (const [k, v] of Object.entries(b)) {
      if (v instanceof tf.Tensor) o[k] = pattern(v.shape, seed++);
      else o[k] = { gamma: (pattern([cfg.width], seed++) as number[]).map((g) => 1 + g / 2), beta: pattern([cfg.width], seed++) as number[] };
    }
    return o;
  });
  const tfp = mapTree(tf, shapes, (_t, path) => {
    const [, bi, ...rest] = path.split('.');
    let v: unknown = js[Number(bi)];
    for (const r of rest) v = (v as Record<string, unknown>)[r];
    return tf.tensor(v as number[]);
  });
  disposeTree(tf, shapes);
  return { js, tfp };
}

function maxDiff(a: M, b: M): number {
  return Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i]![j]!))));
}

function cfgOf(over: Partial<TransformerConfig>): TransformerConfig {
  return { width: 2, layers: 1, heads: 1, qkDim: 2, vDim: 2, innerDim: 3, activation: 'relu', ...over };
}

function compare(t: import('ava').ExecutionContext, cfg: TransformerConfig, x: M, mask?: number[]): void {
  const { js, tfp } = chosenParams(cfg);
  const xt = tf.tensor2d(x);
  const mt = mask ? tf.tensor1d(mask) : undefined;
  const y = transformerForward(tf, tfp, cfg, xt, mt);
  const d = maxDiff(y.arraySync(), refForward(js, cfg, x, mask));
  t.true(d < 1e-5, `${JSON.stringify(cfg)}: max |diff| ${d}`);
  tf.dispose([xt, y, ...(mt ? [mt] : [])]);
  disposeTree(tf, tfp);
}

test('config: widths from fractions of E, rounded to heads', (t) => {
  const c = transformerConfig(104, { ...HT_DEFAULTS, heads: 8, qkFraction: 0.5, vFraction: 1, innerFraction: 10 });
  t.deepEqual([c.qkDim, c.vDim, c.innerDim, c.layers, c.heads, c.width], [56, 104, 16, HT_DEFAULTS.transformerLayers, 8, 104]);
});

test('T=2, E=2, 1 head, 1 layer matches the hand reference', (t) => {
  const x = [[0.5, -1], [2, 0.25]];
  // E = 2 makes each LayerNorm output ±γ + β (the centred pair is ±d/√(d² + ε)); check that directly too.
  const { js, tfp } = chosenParams(cfgOf({}));
  const y = tf.tidy(() => transformerForward(tf, tfp, cfgOf({}), tf.tensor2d(x)).arraySync());
  const l2 = js[0]!.ln2 as { gamma: number[]; beta: number[] };
  for (const r of y) {
    const s = Math.sign(r[0]! - l2.beta[0]!) * Math.sign(l2.gamma[0]!);
    t.true(Math.abs(r[0]! - (s * l2.gamma[0]! + l2.beta[0]!)) < 1e-3 && Math.abs(r[1]! - (-s * l2.gamma[1]! + l2.beta[1]!)) < 1e-3);
  }
  disposeTree(tf, tfp);
  compare(t, cfgOf({}), x);
});

test('1 and 2 heads, 2 layers, every activation and skip-last match the reference', (t) => {
  const x = [[0.5, -1, 0.3, 0.9], [2, 0.25, -0.7, 0.1], [-0.4, 0.6, 1.2, -1.5]];
  for (const heads of [1, 2]) {
    for (const activation of ['relu', 'lrelu', 'gelu'] as const) {
      for (const skipLastNonlinearity of [false, true]) {
        compare(t, cfgOf({ width: 4, layers: 2, heads, qkDim: 4, vDim: 2 * heads, innerDim: 5, activation, skipLastNonlinearity }), x);
      }
    }
  }
  compare(t, cfgOf({ width: 4, layers: 1, heads: 2, qkDim: 4, vDim: 4, innerDim: 3 }), x, [0, 1, 0]);
  // E = 2 saturates LayerNorm (above), so also the smallest case where attention shows: T = 2, E = 3, 1 head.
  compare(t, cfgOf({ width: 3, qkDim: 3, vDim: 3 }), [[0.5, -1, 0.3], [2, 0.25, -0.7]]);
});

function randomSetup(seed: number, cfg: TransformerConfig, tokens: number): { p: TransformerParams; x: number[][] } {
  const rng = new Rng(seed);
  const p = initTransformer(tf, cfg, rng);
  const x = Array.from({ length: tokens }, () => Array.from({ length: cfg.width }, () => rng.normal()));
  return { p, x };
}

const RAND_CFG: TransformerConfig = { width: 6, layers: 2, heads: 2, qkDim: 6, vDim: 4, innerDim: 8, activation: 'gelu' };

test('a masked token influences no other token', (t) => {
  const { p, x } = randomSetup(3, RAND_CFG, 5);
  const mask = tf.tensor1d([0, 0, 1, 0, 0]);
  const x2 = x.map((r, i) => (i === 2 ? r.map((v) => v * -3 + 1) : r));
  const [a, b] = [x, x2].map((xx) => tf.tidy(() => transformerForward(tf, p, RAND_CFG, tf.tensor2d(xx), mask).arraySync()));
  for (const i of [0, 1, 3, 4]) t.true(maxDiff([a![i]!], [b![i]!]) < 1e-5);
  t.true(maxDiff([a![2]!], [b![2]!]) > 1e-2); // the masked token's own output still follows its input
  // without the mask the change does propagate
  const [c, d] = [x, x2].map((xx) => tf.tidy(() => transformerForward(tf, p, RAND_CFG, tf.tensor2d(xx)).arraySync()));
  t.true(maxDiff([c![0]!], [d![0]!]) > 1e-4);
  mask.dispose();
  disposeTree(tf, p);
});

test('permuting the tokens permutes the output', (t) => {
  const { p, x } = randomSetup(4, RAND_CFG, 5);
  const perm = [3, 0, 4, 1, 2];
  const y = tf.tidy(() => transformerForward(tf, p, RAND_CFG, tf.tensor2d(x)).arraySync());
  const yp = tf.tidy(() => transformerForward(tf, p, RAND_CFG, tf.tensor2d(perm.map((i) => x[i]!))).arraySync());
  t.true(maxDiff(yp, perm.map((i) => y[i]!)) < 1e-5);
  disposeTree(tf, p);
});

test('gradients: finite for every parameter and the input, non-zero except the key bias; no leaks', (t) => {
  const { p, x } = randomSetup(5, RAND_CFG, 5);
  const before = tf.memory().numTensors;
  const named = flattenTree(tf, p);
  const xt = tf.tensor2d(x);
  const weights = tf.tensor2d(x.map((r) => r.map((_, j) => Math.cos(j + r[0]!)))); // fixed projection of the output
  const mask = tf.tensor1d([0, 0, 0, 1, 0]);
  const f = (...ts: tfjs.Tensor[]): tfjs.Scalar => {
    const tree = mapTree(tf, p, (_t, path) => ts[named.findIndex(([n]) => n === path)]!);
    return tf.sum(tf.mul(transformerForward(tf, tree, RAND_CFG, ts[ts.length - 1] as tfjs.Tensor2D, mask), weights));
  };
  const grads = tf.grads(f)([...named.map(([, v]) => v), xt]);
  const names = [...named.map(([n]) => n), 'x'];
  grads.forEach((g, i) => {
    const v = g.dataSync();
    const maxAbs = Math.max(...Array.from(v, Math.abs));
    t.true(v.every(Number.isFinite), `${names[i]} finite`);
    // Adding a constant to every key shifts each query's logits uniformly, which softmax ignores: ∂/∂bk ≡ 0.
    if (names[i]!.endsWith('.bk')) t.true(maxAbs < 1e-5, `${names[i]} ~ 0 (${maxAbs})`);
    else t.true(maxAbs > 1e-6, `${names[i]} non-zero (${maxAbs})`);
  });
  tf.dispose([...grads, xt, weights, mask]);
  t.is(tf.memory().numTensors, before);
  // a plain forward leaks nothing either
  const xt2 = tf.tensor2d(x);
  const n0 = tf.memory().numTensors;
  transformerForward(tf, p, RAND_CFG, xt2).dispose();
  t.is(tf.memory().numTensors, n0);
  xt2.dispose();
  disposeTree(tf, p);
});

test('bad shapes fail clearly', (t) => {
  const { p, x } = randomSetup(6, RAND_CFG, 3);
  const bad = tf.tensor2d([[1, 2]]);
  t.throws(() => transformerForward(tf, p, RAND_CFG, bad), { message: /input must be \[T, 6\]/ });
  const xt = tf.tensor2d(x); const m = tf.tensor1d([0, 1]);
  t.throws(() => transformerForward(tf, p, RAND_CFG, xt, m), { message: /mask must be \[3\]/ });
  t.throws(() => initTransformer(tf, { ...RAND_CFG, qkDim: 5 }, new Rng(0)), { message: /multiples of heads/ });
  tf.dispose([bad, xt, m]);
  disposeTree(tf, p);
});
