/**
 * A BLUR network (papers.md §1.1–1.6) in TensorFlow.js with a population axis: P genomes × R replicas
 * (different synapse initialisations) step together in one set of tensor ops. The math lives in pure
 * functions (blur_math.ts: the equations on population-stacked tensors, batched over P·R·k;
 * blur_input_layer.ts: the input block, whose input is shared by the whole population, as one 2-D
 * product; blur_step.ts: one step); this class holds the synapses between steps for replay use.
 *
 * Targets: classification targets are one-hot encoded as ±1 (+1 at the class, −1 elsewhere; the output
 * layer has one neuron per class), or a single ±1 output for binary tasks. The loss is the MSE of output
 * state 0 against them (§1.9).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { getTf } from '../../runtime/backend.js';
import { UsageError } from '../../core/errors.js';
import type { BlurRule } from './blur_rule.js';
import { initSynapses } from './blur_init.js';
import { inputBlockStacked, rowShape } from './blur_input_layer.js';
import { networkPredict, networkStep, synapseTensors, type BlurSynapses } from './blur_step.js';
import { resolveBlurNetworkOptions, type BlurNetworkOptions } from './blur_options.js';
import { disposePopulation, populationFromGenomes, type BlurPopulation } from './blur_population.js';

export * from './blur_options.js';
export * from './blur_rule.js';
export * from './blur_math.js';
export * from './blur_step.js';
export * from './blur_input_layer.js';
export * from './synapse_moments.js';
export { initSynapses } from './blur_init.js';
export {
  disposePopulation, layerGenome, populationFromGenomes, populationFromTensors, type BlurPopulation, type BlurPopulationLayer,
} from './blur_population.js';

type Tf = typeof tfjs;

/** A batch given as a [B, n] tensor (not disposed), rows of numbers, or a row-major Float32Array. */
export type BlurInput = tfjs.Tensor2D | number[][] | Float32Array;

/** Checks layer sizes: at least input and output, positive integers. */
export function checkSizes(sizes: readonly number[]): void {
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(`BLUR layer sizes must be at least [inputs, outputs] of positive integers (got ${JSON.stringify(sizes)})`);
}

/** Network options of a population: defaults ⊕ the genomes' common `network` ⊕ `options`. */
export function populationOptions(genomes: readonly BlurRule[], options?: Partial<BlurNetworkOptions>): BlurNetworkOptions {
  const first = JSON.stringify(genomes[0]?.network ?? {});
  const differ = genomes.findIndex((g) => JSON.stringify(g.network ?? {}) !== first);
  if (differ >= 0 && options === undefined)
    throw new UsageError(`genome ${differ}'s network options differ from genome 0's; a population runs with one set, so pass network options explicitly`);
  return resolveBlurNetworkOptions(differ >= 0 ? undefined : genomes[0]?.network, options);
}

export function toTensor2d(tf: Tf, v: BlurInput, cols: number, what: string): tfjs.Tensor2D {
  if (v instanceof Float32Array) {
    if (v.length % cols !== 0 || v.length === 0) throw new UsageError(`${what} has ${v.length} numbers, not a positive multiple of ${cols}`);
    return tf.tensor2d(v, [v.length / cols, cols]);
  }
  const t = Array.isArray(v) ? tf.tensor2d(v) : v;
  if (t.rank !== 2 || t.shape[1] !== cols) throw new UsageError(`${what} must be [batch, ${cols}] (got [${t.shape.join(', ')}])`);
  return t;
}

export interface BlurNetworkInit {
  /** Synapse initialisations per genome. Default 1. */
  replicas?: number;
  /** Seed of the synapse initialisation. Default 0. */
  seed?: number;
}

/** Stateful wrapper: owns the genome tensors and the current synapses; every step frees the old ones. */
export class BlurNetwork {
  readonly P: number;
  readonly R: number;
  readonly k: number;
  readonly sizes: readonly number[];
  readonly options: BlurNetworkOptions;
  private readonly tf: Tf = getTf();
  private readonly pop: BlurPopulation;
  private syn: BlurSynapses;
  private disposed = false;

  /** `options` overrides the genomes' own `network` options. */
  constructor(genomes: BlurRule | readonly BlurRule[], sizes: readonly number[], options?: Partial<BlurNetworkOptions>, init: BlurNetworkInit = {}) {
    const list = Array.isArray(genomes) ? (genomes as readonly BlurRule[]) : [genomes as BlurRule];
    checkSizes(sizes);
    const R = init.replicas ?? 1;
    if (!Number.isInteger(R) || R < 1) throw new UsageError(`replicas must be a positive integer (got ${R})`);
    this.options = populationOptions(list, options);
    this.sizes = sizes.slice();
    this.pop = populationFromGenomes(this.tf, list, R, sizes.length - 1);
    this.P = this.pop.P;
    this.R = R;
    this.k = this.pop.k;
    this.syn = initSynapses(this.tf, sizes, this.k, this.P, R, init.seed ?? 0, this.options);
  }

  /** One inner-loop step on a support batch (x: [B, n0], y: [B, m] of ±1 targets). */
  step(x: BlurInput, y: BlurInput): void {
    this.alive();
    const tf = this.tf;
    const next = tf.tidy(() => {
      const xt = toTensor2d(tf, x, this.sizes[0]!, 'x');
      const yt = toTensor2d(tf, y, this.sizes[this.sizes.length - 1]!, 'y');
      if (xt.shape[0] !== yt.shape[0]) throw new UsageError(`x has ${xt.shape[0]} rows but y has ${yt.shape[0]}`);
      return networkStep(tf, this.syn, this.pop, xt, yt, this.options).synapses as unknown as tfjs.TensorContainer;
    }) as unknown as BlurSynapses;
    tf.dispose(synapseTensors(this.syn));
    this.syn = next;
  }

  /** Output state 0 after a forward pass, [P, R, B, m]; the caller disposes it. */
  predict(x: BlurInput): tfjs.Tensor4D {
    this.alive();
    const tf = this.tf;
    return tf.tidy(() => networkPredict(tf, this.syn, this.pop, toTensor2d(tf, x, this.sizes[0]!, 'x'), this.options));
  }

  /** State-0 forward weights per synapse layer, [P, R, n+1, m] (last row: bias); the caller disposes them. */
  weights(): tfjs.Tensor4D[] {
    return this.forwardBlocks().map((f) => {
      const w = this.tf.tidy(() => {
        const [P, R, , n1, m] = f.shape as [number, number, number, number, number];
        return this.tf.reshape(this.tf.slice(f, [0, 0, 0, 0, 0], [P, R, 1, n1, m]), [P, R, n1, m]) as tfjs.Tensor4D;
      });
      f.dispose();
      return w;
    });
  }

  /** Every forward block in the stacked layout [P, R, k, n+1, m]; the caller disposes them. */
  forwardBlocks(): tfjs.Tensor[] {
    this.alive();
    const tf = this.tf;
    return [
      tf.tidy(() => inputBlockStacked(tf, this.syn.input, rowShape(this.pop, this.syn.input))),
      ...this.syn.upper.map((u) => tf.clone(u.forward)),
    ];
  }

  /** The current synapses (owned by the network; valid until the next step or dispose). */
  get synapses(): BlurSynapses {
    this.alive();
    return this.syn;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tf.dispose(synapseTensors(this.syn));
    disposePopulation(this.pop);
  }

  private alive(): void {
    if (this.disposed) throw new Error('BlurNetwork used after dispose()');
  }
}
