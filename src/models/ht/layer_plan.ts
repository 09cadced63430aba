/**
 * What the HyperTransformer generates, layer by layer (papers.md §2.3): for each of the 4 conv layers and
 * the logits layer, whether it is generated, its input shape, and how its weights are cut into weight
 * tokens. Pure arithmetic on the config, so tests and saved models can check shapes without tensors.
 */
import { blockSides, type HtConfig } from './ht_config.js';
import { blockInChannels, CNN_BLOCKS, KERNEL } from './target_cnn.js';
import { localFeatureDim } from './feature_extractors.js';

export interface LayerPlan {
  /** 0–3 for the conv blocks, 4 for the logits layer. */
  index: number;
  name: string;
  generated: boolean;
  /** Spatial side and channels of the layer's input activations. */
  inSide: number;
  inChannels: number;
  outChannels: number;
  /** Weight tokens, and the entries of the weight tensor each one yields. */
  numBlocks: number;
  blockSize: number;
  /** Per-sample features: local (from this layer's input activations) + shared (from the raw images). */
  localDim: number;
  featureDim: number;
  /** Token width E = max(d + blockSize, d + featureDim). */
  tokenWidth: number;
}

/**
 * Conv layers 0 … 3 then the logits layer; the last `generatedConvLayers` conv layers are generated. The last layer has
 * `outputs` rows: the episode's classes by default, an embedding's width where the CNN embeds (the Continual HT).
 */
export function layerPlans(c: HtConfig, outputs = c.ways): LayerPlan[] {
  const sides = blockSides(c.imageSize);
  const plans: LayerPlan[] = [];
  for (let i = 0; i <= CNN_BLOCKS; i++) {
    const logits = i === CNN_BLOCKS;
    const inSide = i === 0 ? c.imageSize : sides[i - 1]!;
    const inChannels = logits ? c.channels : blockInChannels(i, c.channels);
    const outChannels = logits ? outputs : c.channels;
    const generated = logits || i >= CNN_BLOCKS - c.generatedConvLayers;
    let numBlocks: number;
    let blockSize: number;
    if (logits) [numBlocks, blockSize] = [outputs, inChannels * inSide * inSide + 1];
    else if (c.allocation === 'output') [numBlocks, blockSize] = [outChannels, KERNEL * KERNEL * inChannels];
    else [numBlocks, blockSize] = [KERNEL * KERNEL, inChannels * outChannels];
    const localDim = localFeatureDim(inSide, inChannels, c.localFeatures, logits ? 1 : 2);
    const featureDim = localDim + c.sharedFeatures;
    const tokenWidth = Math.max(c.embeddingDim + blockSize, c.embeddingDim + featureDim);
    plans.push({ index: i, name: logits ? 'logits' : `conv${i}`, generated, inSide, inChannels, outChannels, numBlocks, blockSize, localDim, featureDim, tokenWidth });
  }
  return plans;
}
