/** Registry of genome kinds: the names the CLI and config files use. */
import type { GenomeKind } from '../src/core/genome_kind.js';
import { vectorGenome } from './vector.js';
import { blurGenome } from './blur_genome.js';
import { orderingGenome } from './ordering_genome.js';
import { htHparamsGenome } from './ht_hparams_genome.js';
import { lsaWeightsGenome } from './lsa_weights.js';

export const GENOME_KINDS: Readonly<Record<string, GenomeKind<any, any>>> = {
  [vectorGenome.name]: vectorGenome,
  [blurGenome.name]: blurGenome,
  [orderingGenome.name]: orderingGenome,
  [htHparamsGenome.name]: htHparamsGenome,
  [lsaWeightsGenome.name]: lsaWeightsGenome,
};
