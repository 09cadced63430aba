/**
 * The horizons of a BLUR meta-objective (`BlurMetaOptions.horizons`): the unroll lengths at which the query is
 * scored. Kept apart from the meta-objective so that task configs are checked without loading TensorFlow.js.
 */
import { UsageError } from '../../core/errors.js';

/** Horizons are ascending integers in [1, U] ending with U (past the last one the unroll would be wasted). */
export function checkHorizons(h: readonly unknown[], unrollSteps: number, where = 'BLUR horizons'): void {
  const ok = Array.isArray(h) && h.length > 0 && h.every((v, i) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= unrollSteps && (i === 0 || v > (h[i - 1] as number)));
  if (!ok || h[h.length - 1] !== unrollSteps) {
    const example = [...new Set([Math.max(1, Math.round(unrollSteps / 4)), Math.max(1, Math.round(unrollSteps / 2)), unrollSteps])];
    throw new UsageError(`${where} must be ascending unroll lengths from 1 to unrollSteps, the last equal to unrollSteps = ${unrollSteps}, e.g. ${JSON.stringify(example)} (got ${JSON.stringify(h)})`);
  }
}
