/**
 * The `blur` genome's search vector as a rule the meta-gradient can differentiate through: the network slices
 * the vector with the genome kind's layout without knowing that layout (src/models/blur/blur_rule.ts).
 */
import { blurGenome, blurGenomeFromFlat, blurLayerCount, type BlurGenomeConfig } from '../../genomes/blur_genome.js';
import type { FlatBlurRule } from '../../src/models/blur/blur_rule.js';

export function flatBlurRule(config: BlurGenomeConfig): FlatBlurRule {
  return {
    dim: blurGenome.dim(config),
    k: config.k,
    layers: blurLayerCount(config),
    fromFlat: (tf, x) => blurGenomeFromFlat(tf, x, config),
  };
}
