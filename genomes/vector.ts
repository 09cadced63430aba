/** The plain real-vector genome: what the built-in test functions search over. */
import { UsageError } from '../src/core/errors.js';
import type { GenomeKind } from '../src/core/genome_kind.js';
import { readJsonFile } from '../src/core/json_file.js';

export interface VectorConfig {
  dim: number;
  /** Optional box, one number for all coordinates or one per coordinate. */
  lower?: number | number[];
  upper?: number | number[];
}

function expand(v: number | number[] | undefined, dim: number, fill: number, field: string): number[] {
  if (v === undefined) return new Array<number>(dim).fill(fill);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new UsageError(`genome ${field} must be a number, got NaN`);
    return new Array<number>(dim).fill(v);
  }
  if (!Array.isArray(v) || v.length !== dim || v.some((e) => typeof e !== 'number' || Number.isNaN(e)))
    throw new UsageError(`genome ${field} must be one number or ${dim} numbers (one per coordinate)`);
  return v.slice();
}

export const vectorGenome: GenomeKind<number[], VectorConfig> = {
  name: 'vector',
  description: 'a real vector of length --dim (optionally boxed by lower/upper)',
  resolveConfig(raw) {
    const dim = raw['dim'];
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > 100000)
      throw new UsageError(`--dim must be an integer from 1 to 100000 for genome 'vector' (got ${String(dim)})`);
    const cfg: VectorConfig = { dim };
    if (raw['lower'] !== undefined) cfg.lower = raw['lower'] as number | number[];
    if (raw['upper'] !== undefined) cfg.upper = raw['upper'] as number | number[];
    const lo = expand(cfg.lower, dim, -Infinity, 'lower');
    const hi = expand(cfg.upper, dim, Infinity, 'upper');
    lo.forEach((l, i) => {
      if (!(l < hi[i]!)) throw new UsageError(`genome lower[${i}] = ${l} must be below upper[${i}] = ${hi[i]}`);
    });
    return cfg;
  },
  dim: (c) => c.dim,
  bounds(c) {
    if (c.lower === undefined && c.upper === undefined) return undefined;
    return { lower: expand(c.lower, c.dim, -Infinity, 'lower'), upper: expand(c.upper, c.dim, Infinity, 'upper') };
  },
  decode: (x) => Array.from(x),
  encode: (g) => g.slice(),
  /** N(0, 1) per coordinate, folded into the box if there is one. */
  random(c, rng) {
    const b = this.bounds(c);
    return Array.from({ length: c.dim }, (_, i) => {
      const v = rng.normal();
      if (!b) return v;
      const lo = b.lower[i]!;
      const hi = b.upper[i]!;
      return Number.isFinite(lo) && Number.isFinite(hi) ? lo + rng.uniform() * (hi - lo) : Math.min(hi, Math.max(lo, v));
    });
  },
  /** A JSON array of numbers, or a best.json whose `x` is one. */
  load(path) {
    const v = readJsonFile(path, 'vector genome file') as unknown;
    const x = Array.isArray(v) ? v : (v as { x?: unknown } | null)?.x;
    if (!Array.isArray(x) || x.some((e) => typeof e !== 'number' || !Number.isFinite(e)))
      throw new UsageError(`${path}: a vector genome file must hold a JSON array of finite numbers (or an object with one as "x")`);
    return x as number[];
  },
};
