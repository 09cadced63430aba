/** Registry of genome kinds: the names the CLI and config files use. */
import type { GenomeKind } from './genome_kind.js';
import { vectorGenome } from './vector.js';

export const GENOME_KINDS: Readonly<Record<string, GenomeKind<any, any>>> = {
  [vectorGenome.name]: vectorGenome,
};
