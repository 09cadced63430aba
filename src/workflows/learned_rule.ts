/**
 * A learned BLUR rule as a user-facing optimiser: load a genome, build a network of any layer sizes, and
 * train it by calling `step(x, y)`; no gradients are involved, the rule's own dynamics do the learning.
 *
 *   const rule = await loadGenome('results/run/best.json');
 *   const net = rule.network([196, 64, 10], { seed: 1 });
 *   net.step(x, y);                    // x: [B, 196], y: [B, 10] one-hot with −1 for the other classes
 *   const scores = net.predict(x);     // [B, 10]
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../core/errors.js';
import { initBackend, getTf } from '../runtime/backend.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { BlurNetwork, type BlurInput } from '../models/blur/blur_network.js';
import type { BlurNetworkOptions } from '../models/blur/blur_options.js';
import type { BlurGenome } from '../../genomes/blur_genome.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import { readGenomeFile } from '../core/genome_file.js';
import { denseModel, type DenseLayerWeights } from '../models/blur/dense_model.js';

export interface LearnedRuleNetwork {
  readonly sizes: readonly number[];
  /** One learning step on a batch: x [B, sizes[0]], y [B, classes] of ±1 targets. */
  step(x: BlurInput, y: BlurInput): void;
  /** Output scores (state 0 of the output layer), [B, classes]; the caller disposes the tensor. */
  predict(x: BlurInput): tfjs.Tensor2D;
  /**
   * The network's forward pass as Dense layers over (neuron, state) units: exact, so a model built from
   * them predicts what `predict` does (see exportDenseLayers).
   */
  denseWeights(): DenseLayerWeights[];
  /** The same forward pass as a standard tfjs LayersModel. */
  toLayersModel(): tfjs.Sequential;
  dispose(): void;
}

export interface LearnedRule {
  readonly genome: BlurGenome;
  network(sizes: readonly number[], init?: { seed?: number; options?: Partial<BlurNetworkOptions> }): LearnedRuleNetwork;
}

/**
 * Eq. F with neurons zeroed is z_{j,c} = η_n Σ_{i,d} ĥ_{i,d} ν_{d,c} F_{i,j,c}: a linear map from the
 * (neuron, state) units of one layer to those of the next. Each layer becomes one Dense layer on
 * neuron-major units (index i·k + d); the input layer has x in state 0 only, the bias neuron is 1 in
 * every state, and the output keeps state 0. With `derivativeInState1` state 1 holds f'(z), which no
 * Keras activation computes, so only state 0 is exported, which is exact when ν_{d,0} = 0 for d ≥ 1
 * (as for the backprop genome).
 */
export function exportDenseLayers(genome: BlurGenome, sizes: readonly number[], k: number, blocks: readonly Float32Array[], o: BlurNetworkOptions): DenseLayerWeights[] {
  if (o.normalizeInActivations) throw new UsageError('a network with normalizeInActivations cannot be exported as Dense layers (its effective weights change with every input normalisation)');
  const L = sizes.length - 1;
  const states = o.derivativeInState1 ? 1 : k;
  return Array.from({ length: L }, (_, l) => {
    const g = genome.layers[genome.layers.length === 1 ? 0 : l]!;
    const { nu, update: eta } = g.neuron;
    if (o.derivativeInState1 && l > 0 && nu.some((row, d) => d > 0 && row[0] !== 0))
      throw new UsageError(`layer ${l}: with derivativeInState1 the output depends on f'(z) through ν[d][0] ≠ 0, which a Dense model cannot compute; export is exact only when ν[d][0] = 0 for d ≥ 1`);
    const n = sizes[l]!;
    const m = sizes[l + 1]!;
    const inStates = l === 0 ? 1 : states;
    const outStates = l === L - 1 ? 1 : states;
    const F = blocks[l]!; // [k, n+1, m]
    const f = (c: number, i: number, j: number): number => F[(c * (n + 1) + i) * m + j]!;
    const inputs = n * inStates;
    const outputs = m * outStates;
    const kernel = new Float32Array(inputs * outputs);
    const bias = new Float32Array(outputs);
    for (let j = 0; j < m; j++)
      for (let c = 0; c < outStates; c++) {
        const col = j * outStates + c;
        let b = 0;
        for (let d = 0; d < k; d++) b += nu[d]![c]! * f(c, n, j);
        bias[col] = eta * b;
        for (let i = 0; i < n; i++) for (let d = 0; d < inStates; d++) kernel[(i * inStates + d) * outputs + col] = eta * nu[d]![c]! * f(c, i, j);
      }
    return { kernel, bias, inputs, outputs };
  });
}

/** A blur genome file (any version), or a run's best.json or final.json holding one; another kind is refused by name. */
export function readBlurGenomeFile(path: string): BlurGenome {
  return readGenomeFile(path, { kinds: GENOME_KINDS, want: 'blur' }).genome as BlurGenome;
}

export function learnedRule(genome: BlurGenome): LearnedRule {
  return {
    genome,
    network(sizes, init = {}) {
      const net = new BlurNetwork(genome, sizes, init.options, { replicas: 1, seed: init.seed ?? 0 });
      const tf = getTf();
      const classes = sizes.at(-1)!;
      return {
        sizes: net.sizes,
        step: (x, y) => net.step(x, y),
        predict(x) {
          const p = net.predict(x);
          const out = tf.tidy(() => tf.reshape(p, [p.shape[2], classes]) as tfjs.Tensor2D);
          p.dispose();
          return out;
        },
        denseWeights() {
          const blocks = net.forwardBlocks().map((b) => {
            const data = b.dataSync() as Float32Array;
            b.dispose();
            return data;
          });
          return exportDenseLayers(genome, net.sizes, net.k, blocks, net.options);
        },
        toLayersModel() {
          return denseModel(tf, this.denseWeights(), net.options.hiddenActivation, net.options.outputActivation);
        },
        dispose: () => net.dispose(),
      };
    },
  };
}

/** Loads a learned rule, starting a TensorFlow.js backend (auto: the fastest that loads) if none runs yet. */
export async function loadGenome(path: string, backend: BackendRequest = 'auto'): Promise<LearnedRule> {
  const genome = readBlurGenomeFile(path);
  await initBackend(backend);
  if (genome.layers.length < 1) throw new UsageError(`${path}: the genome has no layers`);
  return learnedRule(genome);
}
