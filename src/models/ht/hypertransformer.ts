/**
 * The HyperTransformer (papers.md §2.1–2.3): one generator per generated layer — label embeddings, weight
 * placeholder tokens, a local feature extractor and its own transformer — run in layer order. Layer ℓ's
 * generator sees the support images after the CNN layers 0 … ℓ−1 (already generated or trained), so the
 * generated weights adapt to what the earlier generated layers made of this episode's images.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { normalTensor } from '../../runtime/tensor_init.js';
import type { HtConfig } from './ht_config.js';
import { layerPlans, type LayerPlan } from './layer_plan.js';
import { cnnBlock, initBn, initConvKernel, logitsLayer, type BnParams, CNN_BLOCKS, KERNEL } from './target_cnn.js';
import { initTransformer, transformerConfig, transformerForward, type TransformerConfig, type TransformerParams } from './transformer.js';
import { initLocalExtractor, initSharedExtractor, localFeatures, sharedFeatures, type LocalExtractorParams, type SharedExtractorParams } from './feature_extractors.js';

type Tf = typeof tfjs;

export interface GeneratorParams {
  /** [ways + 1, d]: ξ(c); the last row is the "unlabelled" label of the semi-supervised mode. */
  labelEmbeddings: tfjs.Tensor2D;
  /** [numBlocks, d]: μ_k, one per weight slice. */
  placeholders: tfjs.Tensor2D;
  local: LocalExtractorParams;
  transformer: TransformerParams;
}

export interface HyperTransformerParams {
  /** Applied to the raw support images, its features joined to every layer's tokens; absent when sharedFeatures = 0. */
  shared?: SharedExtractorParams;
  /** Ordinary trained kernels of the conv layers that are not generated, by layer name ('conv0' …). */
  trained: Record<string, tfjs.Tensor4D>;
  /** Learned batch-norm γ, β of the 4 blocks (never generated). */
  bn: BnParams[];
  /** Generators by layer name ('conv2', …, 'logits'). */
  generators: Record<string, GeneratorParams>;
}

/** The weights a HyperTransformer produced for one episode: the whole target CNN. */
export interface CnnWeights {
  kernels: tfjs.Tensor4D[];
  bn: BnParams[];
  logitsW: tfjs.Tensor2D;
  logitsB: tfjs.Tensor1D;
  /**
   * The generated layers' weight slices [numBlocks, blockSize] by layer name, as the transformer emitted them: what a
   * Continual HyperTransformer feeds back into the weight tokens of the next task. Absent for a CNN nobody generated.
   */
  slices?: Record<string, tfjs.Tensor2D>;
}

export function generatorTransformerConfig(c: HtConfig, plan: LayerPlan): TransformerConfig {
  return transformerConfig(plan.tokenWidth, c);
}

/** `outputs`: rows of the last layer (the episode's classes, or an embedding's width; see `layerPlans`). */
export function initHyperTransformer(tf: Tf, c: HtConfig, rng: Rng, outputs = c.ways): HyperTransformerParams {
  const plans = layerPlans(c, outputs);
  const trained: Record<string, tfjs.Tensor4D> = {};
  const generators: Record<string, GeneratorParams> = {};
  for (const p of plans) {
    if (!p.generated) {
      trained[p.name] = initConvKernel(tf, p.index, c.channels, rng);
      continue;
    }
    generators[p.name] = {
      labelEmbeddings: normalTensor(tf, [c.ways + 1, c.embeddingDim], 1, rng) as tfjs.Tensor2D,
      placeholders: normalTensor(tf, [p.numBlocks, c.embeddingDim], 1, rng) as tfjs.Tensor2D,
      local: initLocalExtractor(tf, p.inChannels, p.inSide, c.localFeatures, p.index === CNN_BLOCKS ? 1 : 2, rng),
      transformer: initTransformer(tf, generatorTransformerConfig(c, p), rng),
    };
  }
  const bn = Array.from({ length: CNN_BLOCKS }, () => initBn(tf, c.channels));
  return { ...(c.sharedFeatures > 0 ? { shared: initSharedExtractor(tf, 1, c.sharedFeatures, c.sharedLayers, rng) } : {}), trained, bn, generators };
}

/**
 * One layer's weight slices [numBlocks, blockSize]: the transformer reads the weight tokens [μ_k ; 0]
 * followed by one token per support sample [ξ(label) ; local ⊕ shared features ; 0], and slice k is
 * output row k past the first d entries. With `memory` (slices [numBlocks, blockSize] this layer had for the
 * previous task) the weight tokens are [μ_k ; memory_k ; 0]: the Continual HyperTransformer's recursion
 * θ_t = HT(S_t, θ_{t−1}) (Vladymyrov et al., "Continual HyperTransformer", §3). Zero memory is the plain HT.
 */
export function generateSlices(
  tf: Tf, c: HtConfig, plan: LayerPlan, gen: GeneratorParams, activations: tfjs.Tensor4D, shared: tfjs.Tensor2D | null, labels: tfjs.Tensor1D,
  memory?: tfjs.Tensor2D,
): tfjs.Tensor2D {
  const d = c.embeddingDim;
  const E = plan.tokenWidth;
  const n = activations.shape[0];
  const local = localFeatures(tf, gen.local, activations);
  const parts: tfjs.Tensor2D[] = [tf.gather(gen.labelEmbeddings, labels) as tfjs.Tensor2D, local];
  if (shared) parts.push(shared);
  if (E - d - plan.featureDim > 0) parts.push(tf.zeros([n, E - d - plan.featureDim]));
  const samples = tf.concat(parts, 1) as tfjs.Tensor2D;
  const weightParts: tfjs.Tensor2D[] = memory ? [gen.placeholders, memory] : [gen.placeholders];
  const used = d + (memory ? plan.blockSize : 0);
  if (E - used > 0) weightParts.push(tf.zeros([plan.numBlocks, E - used]));
  const weights = tf.concat(weightParts, 1) as tfjs.Tensor2D;
  const out = transformerForward(tf, gen.transformer, generatorTransformerConfig(c, plan), tf.concat([weights, samples], 0) as tfjs.Tensor2D);
  return tf.slice(out, [0, d], [plan.numBlocks, plan.blockSize]);
}

/** Slices → a conv kernel [3, 3, Cin, Cout]: 'output' stacks one slice per output channel on the last axis, 'spatial' one per tap on the first. */
export function slicesToKernel(tf: Tf, c: HtConfig, plan: LayerPlan, slices: tfjs.Tensor2D): tfjs.Tensor4D {
  const shape: [number, number, number, number] = [KERNEL, KERNEL, plan.inChannels, plan.outChannels];
  return (c.allocation === 'output' ? tf.reshape(tf.transpose(slices), shape) : tf.reshape(slices, shape)) as tfjs.Tensor4D;
}

/** Slices [ways, F + 1] → the logits layer's W [F, ways] and b [ways]. */
export function slicesToLogits(tf: Tf, plan: LayerPlan, slices: tfjs.Tensor2D): { w: tfjs.Tensor2D; b: tfjs.Tensor1D } {
  const f = plan.blockSize - 1;
  return {
    w: tf.transpose(tf.slice(slices, [0, 0], [plan.numBlocks, f])) as tfjs.Tensor2D,
    b: tf.reshape(tf.slice(slices, [0, f], [plan.numBlocks, 1]), [plan.numBlocks]) as tfjs.Tensor1D,
  };
}

/**
 * Generates the episode's CNN from its support set: images [S, s, s, 1], labels [S] in 0 … ways−1. `memory`
 * holds the previous task's slices by layer name (the Continual HT; see `generateSlices`). The last layer's
 * width is the generator's number of weight tokens.
 */
export function generateCnn(
  tf: Tf, c: HtConfig, params: HyperTransformerParams, supportX: tfjs.Tensor4D, supportLabels: tfjs.Tensor1D, memory?: Record<string, tfjs.Tensor2D>,
): CnnWeights {
  const plans = layerPlans(c, params.generators['logits']!.placeholders.shape[0]);
  const shared = params.shared ? sharedFeatures(tf, params.shared, supportX) : null;
  const kernels: tfjs.Tensor4D[] = [];
  const slices: Record<string, tfjs.Tensor2D> = {};
  const generate = (p: LayerPlan, z: tfjs.Tensor4D): tfjs.Tensor2D =>
    (slices[p.name] = generateSlices(tf, c, p, params.generators[p.name]!, z, shared, supportLabels, memory?.[p.name]));
  let z = supportX;
  for (const p of plans.slice(0, CNN_BLOCKS)) {
    const kernel = p.generated ? slicesToKernel(tf, c, p, generate(p, z)) : params.trained[p.name]!;
    kernels.push(kernel);
    z = cnnBlock(tf, z, kernel, params.bn[p.index]!, c.cnnActivation);
  }
  const lp = plans[CNN_BLOCKS]!;
  const { w, b } = slicesToLogits(tf, lp, generate(lp, z));
  return { kernels, bn: params.bn, logitsW: w, logitsB: b, slices };
}

/** The generated CNN applied to images [N, s, s, 1] → logits [N, ways]. */
export function runCnn(tf: Tf, c: HtConfig, w: CnnWeights, x: tfjs.Tensor4D): tfjs.Tensor2D {
  let z = x;
  for (let i = 0; i < CNN_BLOCKS; i++) z = cnnBlock(tf, z, w.kernels[i]!, w.bn[i]!, c.cnnActivation);
  return logitsLayer(tf, z, w.logitsW, w.logitsB);
}
