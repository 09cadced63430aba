/**
 * Genomes laid out on the population axis: P genomes, each shared by its R replicas. Matrices are tiled
 * to [P·R, k, k] so that state mixing is one batched matMul over P·R (tfjs's broadcasting batch matMul
 * is unreliable and has no gradient for broadcast operands); scalars are [P,1,1,1,1] (rank 0 for P = 1)
 * so they broadcast onto neuron [P,R,k,B,n] and synapse [P,R,k,n,m] tensors.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../core/errors.js';
import { blurRuleTensors, type BlurRule, type BlurRuleTensors, type BlurLayerTensors } from './blur_rule.js';

type Tf = typeof tfjs;

export interface BlurPopulationLayer {
  /** ν tiled, [P·R, k, k]. */
  nu: tfjs.Tensor3D;
  mu: tfjs.Tensor3D;
  /** α (synapse.pre) tiled. */
  alpha: tfjs.Tensor3D;
  /** β (synapse.post) tiled. */
  beta: tfjs.Tensor3D;
  /** Scalars, [P,1,1,1,1]; rank 0 when P = 1 (tfjs-cpu broadcasts ~15× slower than it applies a scalar). */
  neuronKeep: tfjs.Tensor;
  neuronUpdate: tfjs.Tensor;
  synapseKeep: tfjs.Tensor;
  synapseUpdate: tfjs.Tensor;
  saturation: tfjs.Tensor;
  rescaleTo: tfjs.Tensor;
  ojaMultiplier: tfjs.Tensor;
  momentum: tfjs.Tensor;
  rmsDecay: tfjs.Tensor;
  updateDecay: tfjs.Tensor;
}

export interface BlurPopulation {
  P: number;
  R: number;
  k: number;
  /** One entry (shared by every synapse layer) or one per synapse layer. */
  layers: BlurPopulationLayer[];
}

/** The genome of synapse layer ℓ (the code's `get_genome(g, ℓ, per_layer_genome)`). */
export function layerGenome(pop: BlurPopulation, l: number): BlurPopulationLayer {
  return pop.layers[pop.layers.length === 1 ? 0 : l]!;
}

const SCALARS = ['neuronKeep', 'neuronUpdate', 'synapseKeep', 'synapseUpdate', 'saturation', 'rescaleTo', 'ojaMultiplier', 'momentum', 'rmsDecay', 'updateDecay'] as const;

/**
 * Stacks per-genome tensors onto the population axis (differentiable: used by the meta-gradient).
 * Each genome has 1 layer genome or `numLayers`; if any has `numLayers`, shared ones are repeated.
 */
export function populationFromTensors(tf: Tf, genomes: readonly BlurRuleTensors[], replicas: number, numLayers: number): BlurPopulation {
  if (genomes.length === 0) throw new UsageError('a BLUR population needs at least one genome');
  const k = genomes[0]!.k;
  genomes.forEach((g, p) => {
    if (g.k !== k) throw new UsageError(`genome ${p} has k = ${g.k} but genome 0 has k = ${k}; a population must share k`);
    if (g.layers.length !== 1 && g.layers.length !== numLayers)
      throw new UsageError(`genome ${p} has ${g.layers.length} layer genomes; the network has ${numLayers} synapse layers, so use 1 (shared) or ${numLayers}`);
  });
  const P = genomes.length;
  const R = replicas;
  const count = genomes.some((g) => g.layers.length > 1) ? numLayers : 1;
  const layers: BlurPopulationLayer[] = [];
  for (let l = 0; l < count; l++) {
    const at = (g: BlurRuleTensors): BlurLayerTensors => g.layers[g.layers.length === 1 ? 0 : l]!;
    const matrix = (key: 'nu' | 'mu' | 'pre' | 'post'): tfjs.Tensor3D => {
      const stacked = tf.stack(genomes.map((g) => at(g)[key])) as tfjs.Tensor3D; // [P,k,k]
      if (R === 1) return stacked;
      return tf.reshape(tf.tile(tf.reshape(stacked, [P, 1, k, k]), [1, R, 1, 1]), [P * R, k, k]) as tfjs.Tensor3D;
    };
    const scalars = {} as Record<(typeof SCALARS)[number], tfjs.Tensor>;
    for (const s of SCALARS) scalars[s] = P === 1 ? tf.reshape(at(genomes[0]!)[s], []) : tf.reshape(tf.stack(genomes.map((g) => at(g)[s])), [P, 1, 1, 1, 1]);
    layers.push({ nu: matrix('nu'), mu: matrix('mu'), alpha: matrix('pre'), beta: matrix('post'), ...scalars });
  }
  return { P, R, k, layers };
}

/** Rules (e.g. JSON genomes) on the population axis; the caller disposes with `disposePopulation`. */
export function populationFromGenomes(tf: Tf, genomes: readonly BlurRule[], replicas: number, numLayers: number): BlurPopulation {
  // tidy keeps every tensor reachable from the returned object and frees the per-genome constants
  return tf.tidy(
    () => populationFromTensors(tf, genomes.map((g) => blurRuleTensors(tf, g)), replicas, numLayers) as unknown as tfjs.TensorContainer,
  ) as unknown as BlurPopulation;
}

export function populationTensors(pop: BlurPopulation): tfjs.Tensor[] {
  return pop.layers.flatMap((l) => [l.nu, l.mu, l.alpha, l.beta, ...SCALARS.map((s) => l[s])]);
}

export function disposePopulation(pop: BlurPopulation): void {
  for (const t of populationTensors(pop)) t.dispose();
}
