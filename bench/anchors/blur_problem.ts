/**
 * The BLUR problem that evometa hands its JAX anchor (bench/anchors/blur_jax.py), built from evometa's own code:
 * the genomes as the `blur` genome kind's flat vectors, the synapses its initialisation draws, the batches its
 * meta-objective draws from a sampler. Plain JSON, so another implementation can run exactly the same
 * computation; and evometa's own figures on it (meta-losses and query outputs) to compare that run with.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../src/core/errors.js';
import { blurGenome, type BlurGenome } from '../../genomes/blur_genome.js';
import { BlurNetwork, resolveBlurNetworkOptions, type BlurNetworkOptions } from '../../src/models/blur/blur_network.js';
import { episodeBatches, evaluateBlurPopulation, type BlurBatch, type BlurMetaOptions, type BlurSampler } from '../../src/models/blur/meta_objective.js';

type Tf = typeof tfjs;

export const BLUR_ANCHOR_FORMAT = 'evometa-blur-anchor-problem';

/** What the problem is made from: the meta-objective's settings, the genomes and where the data comes from. */
export interface BlurAnchorSetup {
  sizes: readonly number[];
  unrollSteps: number;
  batchSize: number;
  /** Default batchSize. */
  queryBatchSize?: number;
  /** Seeds the data stream and the synapse initialisation, as in `BlurMetaOptions`. */
  seed: number;
  /** P genomes sharing k and one layer rule each. */
  genomes: readonly BlurGenome[];
  sampler: BlurSampler;
  /** Overrides the genomes' own network options (the anchor ports only the defaults). */
  network?: Partial<BlurNetworkOptions>;
}

/** The JSON the anchor reads; every array row-major, numbers as evometa's float32 values. */
export interface BlurAnchorProblem {
  format: typeof BLUR_ANCHOR_FORMAT;
  version: 1;
  sizes: number[];
  k: number;
  unrollSteps: number;
  batchSize: number;
  queryBatchSize: number;
  replicas: 1;
  /** The seed evometa drew the synapses and batches from (the anchor reads the arrays, not the seed). */
  seed: number;
  /** Resolved network options (defaults ⊕ the genomes' ⊕ the setup's). */
  network: BlurNetworkOptions;
  /** Per genome, `blurGenome.encode` with the default config: ν, μ, α, β, κ_n, η_n, κ_w, η_w / 2⁻¹⁰. */
  genomes: number[][];
  /**
   * The initial synapses, shared by every genome (common random numbers, src/models/blur/blur_init.ts):
   * forward[ℓ] is F^ℓ [k, n_ℓ + 1, n_ℓ₊₁] (last row: bias), backward[ℓ − 1] is Bk^ℓ [k, n_ℓ₊₁, n_ℓ] for ℓ ≥ 1.
   */
  synapses: { forward: number[][]; backward: number[][] };
  /** U − 1 support batches (x [B, n0], y [B, m]) and the query batch. */
  support: { x: number[]; y: number[] }[];
  query: { x: number[]; y: number[] };
}

/** evometa's own figures on a problem: per genome, the meta-loss and the query outputs [Bq·m] (state 0). */
export interface BlurReference {
  losses: number[];
  outputs: number[][];
}

const copy = (b: BlurBatch): { x: number[]; y: number[] } => ({ x: Array.from(b.x), y: Array.from(b.y) });

/** The batches `evaluateBlurPopulation` draws for this seed: support for steps 0 … U − 2, then the query. */
function drawBatches(setup: BlurAnchorSetup): Pick<BlurAnchorProblem, 'support' | 'query'> {
  const b = episodeBatches(setup.sampler, setup);
  return { support: b.support.map(copy), query: copy(b.query) };
}

/** The meta-objective's options for the problem (its batches come from `replaySampler`). */
export const blurAnchorMetaOptions = (p: BlurAnchorProblem): BlurMetaOptions =>
  ({ sizes: p.sizes, unrollSteps: p.unrollSteps, batchSize: p.batchSize, queryBatchSize: p.queryBatchSize, seed: p.seed, network: p.network });

/** A sampler that hands out exactly the problem's batches, whatever the Rng. */
export function replaySampler(p: BlurAnchorProblem): BlurSampler {
  const batch = (b: { x: number[]; y: number[] }): BlurBatch => ({ x: Float32Array.from(b.x), y: Float32Array.from(b.y) });
  return {
    numInputs: p.sizes[0]!,
    numOutputs: p.sizes[p.sizes.length - 1]!,
    support: (step) => batch(p.support[step]!),
    query: () => batch(p.query),
  };
}

/** The problem for `setup`, its synapses read from a BlurNetwork initialised as the meta-objective initialises. */
export function blurAnchorProblem(setup: BlurAnchorSetup): BlurAnchorProblem {
  if (setup.genomes.length === 0) throw new UsageError('a BLUR anchor problem needs at least one genome');
  const network = resolveBlurNetworkOptions(setup.genomes[0]!.network, setup.network);
  const config = blurGenome.resolveConfig({ k: setup.genomes[0]!.k });
  const net = new BlurNetwork(setup.genomes[0]!, setup.sizes, network, { seed: setup.seed });
  try {
    const forwardBlocks = net.forwardBlocks();
    const forward = forwardBlocks.map((f) => Array.from(f.dataSync()));
    forwardBlocks.forEach((f) => f.dispose());
    const backward = net.synapses.upper.map((u) => Array.from(u.backward.dataSync()));
    return {
      format: BLUR_ANCHOR_FORMAT,
      version: 1,
      sizes: setup.sizes.slice(),
      k: net.k,
      unrollSteps: setup.unrollSteps,
      batchSize: setup.batchSize,
      queryBatchSize: setup.queryBatchSize ?? setup.batchSize,
      replicas: 1,
      seed: setup.seed,
      network,
      genomes: setup.genomes.map((g) => blurGenome.encode(g, { ...config, k: g.k, perLayer: g.layers.length > 1, numLayers: g.layers.length })),
      synapses: { forward, backward },
      ...drawBatches(setup),
    };
  } finally {
    net.dispose();
  }
}

/**
 * evometa on the problem: meta-losses from `evaluateBlurPopulation` (the path the engine takes) and query outputs
 * from a BlurNetwork stepped through the same support batches.
 */
export async function evometaReference(tf: Tf, p: BlurAnchorProblem, genomes: readonly BlurGenome[]): Promise<BlurReference> {
  const losses = (await evaluateBlurPopulation(tf, genomes, replaySampler(p), blurAnchorMetaOptions(p))).loss;
  const net = new BlurNetwork(genomes, p.sizes, p.network, { seed: p.seed });
  try {
    for (const b of p.support) net.step(Float32Array.from(b.x), Float32Array.from(b.y));
    const pred = net.predict(Float32Array.from(p.query.x));
    const flat = Array.from(pred.dataSync());
    pred.dispose();
    const per = flat.length / genomes.length;
    return { losses, outputs: genomes.map((_, g) => flat.slice(g * per, (g + 1) * per)) };
  } finally {
    net.dispose();
  }
}
