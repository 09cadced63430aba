/** Projection onto a genome kind's box, for the gradient strategies (candidates must lie inside the bounds). */
import type { JsonBounds } from './cma_es.js';

export function projectIntoBox(x: readonly number[], b: JsonBounds | null | undefined): number[] {
  if (!b) return x.slice();
  return x.map((v, i) => Math.min(b.upper[i] ?? Infinity, Math.max(b.lower[i] ?? -Infinity, v)));
}
