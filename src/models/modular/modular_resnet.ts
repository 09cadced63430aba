/**
 * The isometric modular ResNet (papers.md §3.2) as pure tensor functions over explicit parameters:
 * strided input adapter → L inverted-residual blocks of one shape, each built from the module bank by a
 * mixture or a hard ordering → 1×1 output adapter and global average pool → a domain's dense head.
 * Nothing is hidden in layers or variables, so `tf.grads` reaches any subset (templates, logits, head,
 * batch-norm γ/β), and the caller owns every returned tensor.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { batchNorm, updateRunning, type BnStats } from '../nn/batch_norm.js';
import { expandedChannels, inputStride, type ModularResNetConfig } from './modular_config.js';
import type { BlockStats, DomainHead, ModuleBank, NetworkStats } from './modular_params.js';
import { hardPlans, mixedPlans, type BlockParams, type Ordering, type PositionPlan } from './mixture.js';

type Tf = typeof tfjs;

export interface ForwardOptions {
  /** Batch statistics (and their moments returned) rather than the running ones. */
  training: boolean;
  /** Running statistics; required when not training. */
  stats?: NetworkStats;
}

/** Batch moments of a training pass; a skipped position (hard ordering) has none. */
export type NetworkMoments = {
  input: BnStats;
  blocks: (BlockStats | undefined)[];
};

export type ForwardResult = {
  /** [B, classes] unnormalised class scores. */
  logits: tfjs.Tensor2D;
  /** [B, F] pooled features the head reads (for feature-level losses such as moment matching). */
  features: tfjs.Tensor2D;
  /** Training mode only. */
  moments?: NetworkMoments;
};

function activate(tf: Tf, x: tfjs.Tensor, c: ModularResNetConfig): tfjs.Tensor {
  return c.activation === 'relu' ? tf.relu(x) : tf.mul(x, tf.sigmoid(x));
}

/** x + BN3(1×1(act(BN2(dw3×3(act(BN1(1×1(x)))))))), with no activation after the add (as in the paper). */
function invertedResidual(
  tf: Tf, c: ModularResNetConfig, x: tfjs.Tensor4D, p: BlockParams, gate: tfjs.Scalar | null, training: boolean, running: BlockStats | undefined,
): { y: tfjs.Tensor4D; moments?: BlockStats } {
  const [B, H, W, C] = x.shape;
  const E = expandedChannels(c);
  const rows = B * H * W;
  const bn1 = batchNorm(tf, tf.matMul(tf.reshape(x, [rows, C]), p.expandKernel), p.gamma1, p.beta1, c.bnEpsilon, training, running?.bn1);
  const h1 = tf.reshape(activate(tf, bn1.y, c), [B, H, W, E]) as tfjs.Tensor4D;
  const bn2 = batchNorm(tf, tf.depthwiseConv2d(h1, p.depthwiseKernel, 1, 'same'), p.gamma2, p.beta2, c.bnEpsilon, training, running?.bn2);
  const h2 = tf.reshape(activate(tf, bn2.y, c), [rows, E]);
  const bn3 = batchNorm(tf, tf.matMul(h2, p.projectKernel), p.gamma3, p.beta3, c.bnEpsilon, training, running?.bn3);
  const branch = tf.reshape(bn3.y, [B, H, W, C]);
  const y = tf.add(x, gate ? tf.mul(gate, branch) : branch) as tfjs.Tensor4D;
  return training ? { y, moments: { bn1: bn1.moments!, bn2: bn2.moments!, bn3: bn3.moments! } } : { y };
}

function checkInput(c: ModularResNetConfig, x: tfjs.Tensor4D): void {
  const [, h, w, ch] = x.shape;
  if (x.rank !== 4 || h !== c.inputHeight || w !== c.inputWidth || ch !== c.inputChannels)
    throw new RangeError(`input must be [batch, ${c.inputHeight}, ${c.inputWidth}, ${c.inputChannels}] (NHWC), got [${x.shape.join(', ')}]`);
}

/** Per-position plans for an ordering: the soft mixture, or the hard pick. */
export function positionPlans(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering): PositionPlan[] {
  return 'logits' in ordering ? mixedPlans(tf, c, bank.templates, ordering.logits) : hardPlans(tf, c, bank.templates, ordering.modules);
}

/** The network on a batch of NHWC images. Not tidied: call it inside `tf.tidy` or a gradient function. */
export function modularForward(
  tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, head: DomainHead, x: tfjs.Tensor4D, o: ForwardOptions,
): ForwardResult {
  checkInput(c, x);
  if (!o.training && !o.stats) throw new Error('modularForward in inference mode needs running statistics (options.stats)');
  if (o.stats && o.stats.blocks.length !== c.blocks) throw new RangeError(`running statistics hold ${o.stats.blocks.length} block positions, the network has ${c.blocks}`);
  const plans = positionPlans(tf, c, bank, ordering); // checks the ordering before any work
  const s = inputStride(c);
  const stem = batchNorm(tf, tf.conv2d(x, bank.inputKernel, s, 'valid'), bank.inputGamma, bank.inputBeta, c.bnEpsilon, o.training, o.stats?.input);
  let h = tf.relu(stem.y) as tfjs.Tensor4D;
  const blockMoments: (BlockStats | undefined)[] = [];
  plans.forEach((plan, l) => {
    if (plan.block === null) {
      blockMoments.push(undefined);
      return;
    }
    const r = invertedResidual(tf, c, h, plan.block, plan.gate, o.training, o.stats?.blocks[l]);
    h = r.y;
    blockMoments.push(r.moments);
  });
  const [B, H, W, C] = h.shape;
  const mapped = tf.relu(tf.add(tf.matMul(tf.reshape(h, [B * H * W, C]), bank.outputKernel), bank.outputBias));
  const features = tf.mean(tf.reshape(mapped, [B, H * W, c.features]), 1) as tfjs.Tensor2D;
  const logits = tf.add(tf.matMul(features, head.kernel), head.bias) as tfjs.Tensor2D;
  return o.training ? { logits, features, moments: { input: stem.moments!, blocks: blockMoments } } : { logits, features };
}

/**
 * Running statistics moved toward a training pass's moments (`config.bnMomentum`), as new tensors; a
 * position without moments (skipped) keeps a copy of its statistics. The caller disposes the old ones.
 */
export function updateNetworkStats(tf: Tf, c: ModularResNetConfig, stats: NetworkStats, moments: NetworkMoments): NetworkStats {
  const m = c.bnMomentum;
  const copy = (b: BnStats): BnStats => ({ mean: tf.clone(b.mean), variance: tf.clone(b.variance) });
  return {
    input: updateRunning(tf, stats.input, moments.input, m),
    blocks: stats.blocks.map((b, l) => {
      const bm = moments.blocks[l];
      if (!bm) return { bn1: copy(b.bn1), bn2: copy(b.bn2), bn3: copy(b.bn3) };
      return { bn1: updateRunning(tf, b.bn1, bm.bn1, m), bn2: updateRunning(tf, b.bn2, bm.bn2, m), bn3: updateRunning(tf, b.bn3, bm.bn3, m) };
    }),
  };
}

/** Mean softmax cross-entropy of logits [B, K] against integer labels [B]. */
export function softmaxCrossEntropy(tf: Tf, logits: tfjs.Tensor2D, labels: tfjs.Tensor1D): tfjs.Scalar {
  const oneHot = tf.oneHot(tf.cast(labels, 'int32') as tfjs.Tensor1D, logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tfjs.Scalar;
}
