/**
 * Box bounds as strategies keep them: as JSON (±Infinity → null) inside their state, and the two ways a
 * candidate is kept in the box: mirror reflection (CMA-ES, a genotype → phenotype map that keeps the
 * landscape smooth) and projection (the gradient strategies, projected gradient descent).
 */
import type { Bounds } from '../src/core/types.js';
import { jsonNumber } from './json_safe.js';

/** Box bounds as JSON: null where a coordinate is unbounded. */
export interface JsonBounds {
  lower: (number | null)[];
  upper: (number | null)[];
}

/** Bounds as JSON (±Infinity → null), validated against dimension n. */
export function boundsToJson(bounds: Bounds, n: number): JsonBounds {
  if (bounds.lower.length !== n || bounds.upper.length !== n) {
    throw new Error(`cmaes: bounds must have ${n} lower and upper entries (got ${bounds.lower.length} and ${bounds.upper.length})`);
  }
  const lower: (number | null)[] = [];
  const upper: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const l = bounds.lower[i]!;
    const u = bounds.upper[i]!;
    if (Number.isNaN(l) || Number.isNaN(u) || l === Infinity || u === -Infinity || l > u) {
      throw new Error(`cmaes: invalid bounds [${l}, ${u}] for coordinate ${i}`);
    }
    lower.push(Number.isFinite(l) ? jsonNumber(l) : null);
    upper.push(Number.isFinite(u) ? jsonNumber(u) : null);
  }
  return { lower, upper };
}

/** The inverse of `boundsToJson`. */
export function boundsFromJson(b: JsonBounds): Bounds {
  return { lower: b.lower.map((v) => v ?? -Infinity), upper: b.upper.map((v) => v ?? Infinity) };
}

/** The feasible point a genotype stands for (e.g. `state.mean`): each coordinate mirrored into its bounds. */
export function reflectIntoBounds(x: readonly number[], bounds: JsonBounds | null): number[] {
  return bounds ? x.map((v, i) => reflect(v, bounds.lower[i] ?? null, bounds.upper[i] ?? null)) : x.slice();
}

/** Mirror reflection of v into [l, u] (either side may be open); 2(u − l)-periodic when both are finite. */
export function reflect(v: number, l: number | null, u: number | null): number {
  if (l !== null && u !== null) {
    const width = u - l;
    if (width === 0) return l;
    let t = (v - l) % (2 * width);
    if (t < 0) t += 2 * width;
    const r = l + (t <= width ? t : 2 * width - t);
    return Math.min(u, Math.max(l, r));
  }
  if (l !== null && v < l) return 2 * l - v;
  if (u !== null && v > u) return 2 * u - v;
  return v;
}


/** Projection onto the box, for the gradient strategies (candidates must lie inside the bounds). */
export function projectIntoBox(x: readonly number[], b: JsonBounds | null | undefined): number[] {
  if (!b) return x.slice();
  return x.map((v, i) => Math.min(b.upper[i] ?? Infinity, Math.max(b.lower[i] ?? -Infinity, v)));
}
