/** The plain real-vector genome: what the built-in test functions search over. */
import { UsageError } from '../src/core/errors.js';
import { rejectUnknownKeys } from '../src/core/config_checks.js';
import type { GenomeKind } from '../src/core/genome_kind.js';

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
    // A misspelt bound ({"lowr": -1}) would otherwise give an unbounded search without a word.
    rejectUnknownKeys(raw, ['dim', 'lower', 'upper'], "genome 'vector'");
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
  toFile: (g) => ({ x: g.slice() }),
  fromFile(payload, c, where) {
    const keys = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? Object.keys(payload) : null;
    if (keys === null || keys.some((k) => k !== 'x'))
      throw new UsageError(`${where} must be an object {x: [numbers]}${keys ? ` (unknown key ${keys.find((k) => k !== 'x')})` : ''}`);
    const x = finiteNumbers((payload as { x?: unknown }).x, `${where}: x`);
    if (x.length !== c.dim) throw new UsageError(`${where}: x has ${x.length} numbers but the file's config has dim = ${c.dim}; make them agree`);
    return x;
  },
  /** Version 1: a plain JSON array of numbers (also what a run's best.json holds under `genome`). */
  fromVersion1(json, where) {
    if (!Array.isArray(json)) return undefined;
    const x = finiteNumbers(json, where);
    return { config: { dim: x.length }, genome: { x } };
  },
};

function finiteNumbers(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'number' || !Number.isFinite(e)))
    throw new UsageError(`${where} must be a JSON array of finite numbers (a vector genome)`);
  return v.slice() as number[];
}
