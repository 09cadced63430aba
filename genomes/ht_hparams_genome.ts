/**
 * The `ht-hparams` genome: HyperTransformer hyperparameters (src/models/ht/ht_config.ts), a mixed integer /
 * categorical / continuous search space. The genome is a partial HtConfig holding the searched fields
 * only (plain JSON, valid HtConfig values); the task fills the rest from its own settings.
 *
 * Encoding, one coordinate per searched field, in the field's natural units so that `--x0` reads
 * like the hyperparameters:
 * - integer range {min, max, step}: x = value / step, decoded as min + step·round(x − min/step), so
 *   one grid step is 1.0 in x (x = the value itself when step = 1). Box [min/step − ½ + ε,
 *   max/step + ½ − ε]: every grid value owns an interval of width 1 (the end ones less ε), so rounding
 *   a uniform point of the box gives a uniform grid value.
 * - category {values}: x = index into values (numbers or strings, e.g. heads ∈ {1, 2, 4}), decoded
 *   as values[round(x)]; box [−½ + ε, K − ½ − ε].
 * - continuous {min, max, scale}: x = value ('linear') or log10(value) ('log', learningRate by
 *   default); box [t(min), t(max)]; decoded values are rounded to 12 significant digits, so that
 *   decode ∘ encode is exact and encode(decode(x)) is a fixed point.
 * Integer and category coordinates are declared by `integers()`, so the CMA-ES family keeps their
 * step size above a floor instead of freezing on a rounding plateau. `decode` rounds and clamps, so
 * any finite x (inside the box or not) decodes to a valid genome.
 *
 * The search's natural start point is `defaultHtGenome(config)` (HT_DEFAULTS restricted to the
 * searched fields): save it with `saveHtGenome` and start from it with `--init FILE`. A genome file
 * (src/core/genome_file.ts) holds the hyperparameters as its payload.
 */
import { UsageError } from '../src/core/errors.js';
import { readGenomeFile, version1Fields, writeGenomeFile, type GenomeFileMeta } from '../src/core/genome_file.js';
import type { Rng } from '../src/core/rng.js';
import type { Bounds } from '../src/core/types.js';
import { HT_DEFAULTS, HT_FIELDS, resolveHtConfig, type HtConfig } from '../src/models/ht/ht_config.js';
import type { GenomeFileBody, GenomeKind } from '../src/core/genome_kind.js';
import { isObject } from '../src/core/config_checks.js';

export type HtField = keyof HtConfig;
/** The searched fields of an HtConfig. */
export type HtHparamsGenome = Partial<HtConfig>;

/** A searched field's range, resolved (plain JSON; also accepted as input, so resolving is idempotent). */
export type HtRange =
  /** Integer fields: min, min + step, …, max. */
  | { min: number; max: number; step: number }
  /** Number fields: [min, max], uniform in value ('linear') or in log10(value) ('log'). */
  | { min: number; max: number; scale: 'linear' | 'log' }
  /** Any field: one of a list (strings for choice fields, numbers for the others). */
  | { values: (number | string)[] };

export interface HtHparamsConfig {
  /** Searched fields, in the order of their coordinates. */
  fields: HtField[];
  /** One range per searched field. */
  ranges: { [field: string]: HtRange };
}

/** The `format` of a version-1 ht-hparams genome file: `{format, version: 1, hparams}`. */
export const HT_VERSION1_FORMAT = 'evometa-ht-hparams-genome';

/** The default search space (papers.md §2 sizes, scaled to 2 CPU cores). */
export const HT_DEFAULT_FIELDS: readonly HtField[] = [
  'transformerLayers',
  'heads',
  'embeddingDim',
  'localFeatures',
  'sharedFeatures',
  'channels',
  'generatedConvLayers',
  'learningRate',
  'decayRate',
  'transformerActivation',
];

/**
 * Default ranges: those of the default fields, and of a few more that a config may name in `fields`
 * without giving a range. embeddingDim moves in steps of 8 (8 values from 8 to 64): finer steps hardly
 * change a transformer of this size, and a log2 grid (8, 16, 32, 64) would be too coarse to tune.
 * The episode shape (ways, shots, queries, imageSize) and decaySteps need an explicit range.
 */
export const HT_DEFAULT_RANGES: { readonly [field: string]: HtRange } = {
  transformerLayers: { min: 1, max: 4, step: 1 },
  heads: { values: [1, 2, 4] },
  embeddingDim: { min: 8, max: 64, step: 8 },
  localFeatures: { min: 2, max: 32, step: 1 },
  sharedFeatures: { min: 0, max: 32, step: 1 },
  channels: { min: 4, max: 16, step: 1 },
  generatedConvLayers: { min: 0, max: 4, step: 1 },
  learningRate: { min: 1e-4, max: 1e-2, scale: 'log' },
  decayRate: { min: 0.5, max: 1, scale: 'linear' },
  transformerActivation: { values: ['relu', 'lrelu', 'gelu'] },
  sharedLayers: { min: 2, max: 4, step: 1 },
  cnnActivation: { values: ['relu', 'lrelu'] },
  allocation: { values: ['output', 'spatial'] },
  optimizer: { values: ['sgd', 'adam'] },
  qkFraction: { min: 0.25, max: 1, scale: 'linear' },
  vFraction: { min: 0.25, max: 1, scale: 'linear' },
  innerFraction: { min: 0.25, max: 1, scale: 'linear' },
  episodesPerStep: { min: 1, max: 16, step: 1 },
};

/** Half-width margin that keeps the box's edge points inside the end grid values' intervals. */
const EDGE = 1e-6;
const KIND = "genome 'ht-hparams'";

// ---------------------------------------------------------------------------------------------------
// Config

const isField = (k: string): k is HtField => Object.prototype.hasOwnProperty.call(HT_FIELDS, k);

function describeRule(field: HtField): string {
  const rule = HT_FIELDS[field];
  return rule.kind === 'choice' ? `one of ${rule.values.join(', ')}` : `${rule.kind === 'int' ? 'an integer' : 'a number'} in [${rule.min}, ${rule.max}]`;
}

/** Whether v is a valid value of the field (HT_FIELDS). */
function validValue(field: HtField, v: unknown): boolean {
  const rule = HT_FIELDS[field];
  if (rule.kind === 'choice') return typeof v === 'string' && rule.values.includes(v);
  return typeof v === 'number' && Number.isFinite(v) && v >= rule.min && v <= rule.max && (rule.kind === 'number' || Number.isInteger(v));
}

function resolveRange(field: HtField, raw: unknown): HtRange {
  const where = `${KIND} ranges.${field}`;
  const rule = HT_FIELDS[field];
  const forms =
    rule.kind === 'choice'
      ? `a list of values drawn from ${rule.values.join(', ')}`
      : rule.kind === 'int'
        ? '[lo, hi], [lo, hi, step], {min, max, step} or {values: [...]}'
        : "[lo, hi], {min, max, scale: 'linear' | 'log'} or {values: [...]}";
  let values: unknown[] | undefined;
  let lo: unknown;
  let hi: unknown;
  let step: unknown;
  let scale: unknown;
  if (Array.isArray(raw) && (rule.kind === 'choice' || raw.some((v) => typeof v === 'string'))) values = raw;
  else if (Array.isArray(raw)) {
    if (raw.length !== 2 && !(rule.kind === 'int' && raw.length === 3))
      throw new UsageError(`${where} must be ${forms} (got ${JSON.stringify(raw)}); a list of numeric choices is written {values: [...]}`);
    [lo, hi, step] = raw;
  } else if (isObject(raw) && 'values' in raw) {
    const bad = Object.keys(raw).filter((k) => k !== 'values');
    if (bad.length > 0) throw new UsageError(`${where}: unknown key${bad.length > 1 ? 's' : ''} ${bad.join(', ')} next to values`);
    if (!Array.isArray(raw['values'])) throw new UsageError(`${where}: values must be a list (got ${JSON.stringify(raw['values'])})`);
    values = raw['values'];
  } else if (isObject(raw) && rule.kind !== 'choice') {
    const valid = rule.kind === 'int' ? ['min', 'max', 'step'] : ['min', 'max', 'scale'];
    const bad = Object.keys(raw).filter((k) => !valid.includes(k));
    if (bad.length > 0) throw new UsageError(`${where}: unknown key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${valid.join(', ')}`);
    ({ min: lo, max: hi, step, scale } = raw);
  } else throw new UsageError(`${where} must be ${forms} (got ${JSON.stringify(raw)})`);

  if (values !== undefined) {
    values.forEach((v, i) => {
      if (!validValue(field, v)) throw new UsageError(`${where}: values[${i}] = ${JSON.stringify(v)} is not a valid ${field}; it must be ${describeRule(field)}`);
    });
    if (new Set(values).size !== values.length) throw new UsageError(`${where}: values ${JSON.stringify(values)} repeat a value`);
    if (values.length < 2) throw new UsageError(`${where}: a searched field needs at least 2 values (got ${JSON.stringify(values)}); to fix ${field}, leave it out of fields`);
    return { values: values as (number | string)[] };
  }
  for (const [name, v] of [['lo', lo], ['hi', hi]] as const) {
    if (!validValue(field, v)) throw new UsageError(`${where}: ${name} = ${JSON.stringify(v)} must be ${describeRule(field)}`);
  }
  const min = lo as number;
  const max = hi as number;
  if (!(min < max)) throw new UsageError(`${where}: lo = ${min} must be below hi = ${max}${min === max ? `; to fix ${field} at ${min}, leave it out of fields` : ''}`);
  const fallback = HT_DEFAULT_RANGES[field];
  if (rule.kind === 'int') {
    const s = step ?? 1;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1) throw new UsageError(`${where}: step must be an integer ≥ 1 (got ${JSON.stringify(s)})`);
    if ((max - min) % s !== 0)
      throw new UsageError(
        `${where}: hi − lo = ${max - min} is not a multiple of step ${s}; the grid runs min, min + step, …, max` +
          (Array.isArray(raw) ? ` ([lo, hi, step]; a list of numeric choices is written {values: ${JSON.stringify(raw)}})` : ''),
      );
    return { min, max, step: s };
  }
  const sc = scale ?? (fallback && 'scale' in fallback ? fallback.scale : 'linear');
  if (sc !== 'linear' && sc !== 'log') throw new UsageError(`${where}: scale must be 'linear' or 'log' (got ${JSON.stringify(sc)})`);
  if (sc === 'log' && !(min > 0)) throw new UsageError(`${where}: a log scale needs lo > 0 (got ${min})`);
  return { min, max, scale: sc };
}

/**
 * Validates `{fields?, ranges?}`: fields default to HT_DEFAULT_FIELDS; a field's range comes from
 * `ranges` or HT_DEFAULT_RANGES. Arrays in `ranges`: strings are a list of values; [lo, hi] is a range
 * (integer fields step 1; number fields keep the field's default scale, log for learningRate);
 * [lo, hi, step] an integer grid. Objects give the full form ({min, max, step|scale} or {values}).
 */
export function resolveHtHparamsConfig(raw: Record<string, unknown>): HtHparamsConfig {
  // 'dim' is passed by the engine to every kind; this kind derives its own (one per field).
  const valid = ['fields', 'ranges'];
  const bad = Object.keys(raw).filter((k) => ![...valid, 'dim'].includes(k) && raw[k] !== undefined);
  if (bad.length > 0) throw new UsageError(`unknown ${KIND} config key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${valid.join(', ')}`);
  const known = Object.keys(HT_FIELDS).join(', ');
  const fieldsRaw = raw['fields'] ?? HT_DEFAULT_FIELDS;
  if (!Array.isArray(fieldsRaw) || fieldsRaw.length === 0) throw new UsageError(`${KIND} fields must be a non-empty list of HtConfig field names (got ${JSON.stringify(fieldsRaw)})`);
  const fields: HtField[] = [];
  for (const f of fieldsRaw) {
    if (typeof f !== 'string' || !isField(f)) throw new UsageError(`${KIND} fields: unknown field ${JSON.stringify(f)} (known: ${known})`);
    if (fields.includes(f)) throw new UsageError(`${KIND} fields: '${f}' is listed twice`);
    fields.push(f);
  }
  const rangesRaw = raw['ranges'] ?? {};
  if (!isObject(rangesRaw)) throw new UsageError(`${KIND} ranges must be an object {field: range} (got ${JSON.stringify(rangesRaw)})`);
  for (const k of Object.keys(rangesRaw)) {
    if (!isField(k)) throw new UsageError(`${KIND} ranges: unknown field '${k}' (known: ${known})`);
    if (!fields.includes(k)) throw new UsageError(`${KIND} ranges.${k}: '${k}' is not searched; add it to fields (searched: ${fields.join(', ')})`);
  }
  const ranges: { [field: string]: HtRange } = {};
  for (const f of fields) {
    const r = rangesRaw[f] ?? HT_DEFAULT_RANGES[f];
    if (r === undefined) throw new UsageError(`${KIND} fields: '${f}' has no default range; give one as ranges.${f}, e.g. [lo, hi]`);
    ranges[f] = resolveRange(f, r);
  }
  return { fields, ranges };
}

// ---------------------------------------------------------------------------------------------------
// Coordinates

type Coord =
  | { field: HtField; kind: 'grid'; min: number; step: number; count: number }
  | { field: HtField; kind: 'choice'; values: (number | string)[] }
  | { field: HtField; kind: 'real'; min: number; max: number; log: boolean };

function coords(c: HtHparamsConfig): Coord[] {
  return c.fields.map((field): Coord => {
    const r = c.ranges[field];
    if (r === undefined) throw new UsageError(`${KIND} config has no range for searched field '${field}'`);
    if ('values' in r) return { field, kind: 'choice', values: r.values };
    if ('step' in r) return { field, kind: 'grid', min: r.min, step: r.step, count: Math.round((r.max - r.min) / r.step) + 1 };
    return { field, kind: 'real', min: r.min, max: r.max, log: r.scale === 'log' };
  });
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const toX = (c: Extract<Coord, { kind: 'real' }>, v: number): number => (c.log ? Math.log10(v) : v);

/** A continuous coordinate's value: clamped, rounded to 12 significant digits, snapped onto min or max when within rounding. */
function realValue(c: Extract<Coord, { kind: 'real' }>, x: number): number {
  const u = clamp(x, toX(c, c.min), toX(c, c.max));
  const v = clamp(Number((c.log ? 10 ** u : u).toPrecision(12)), c.min, c.max);
  for (const end of [c.min, c.max]) if (Math.abs(v - end) <= 1e-11 * Math.abs(end)) return end;
  return v;
}

/** The box: integer and category coordinates span ±½ around their end values (less EDGE), continuous ones [t(min), t(max)]. */
function htBounds(c: HtHparamsConfig): Bounds {
  const lower: number[] = [];
  const upper: number[] = [];
  for (const k of coords(c)) {
    if (k.kind === 'real') {
      lower.push(toX(k, k.min));
      upper.push(toX(k, k.max));
    } else {
      const first = k.kind === 'grid' ? k.min / k.step : 0;
      const count = k.kind === 'grid' ? k.count : k.values.length;
      lower.push(first - 0.5 + EDGE);
      upper.push(first + count - 1 + 0.5 - EDGE);
    }
  }
  return { lower, upper };
}

function htIntegers(c: HtHparamsConfig): number[] {
  return coords(c).flatMap((k, i) => (k.kind === 'real' ? [] : [i]));
}

function decodeHt(x: readonly number[], c: HtHparamsConfig): HtHparamsGenome {
  const cs = coords(c);
  if (x.length !== cs.length) throw new UsageError(`${KIND} vector must have ${cs.length} numbers (one per searched field: ${c.fields.join(', ')}), got ${x.length}`);
  const g: Record<string, number | string> = {};
  cs.forEach((k, i) => {
    const v = x[i]!;
    if (!Number.isFinite(v)) throw new UsageError(`${KIND} coordinate ${i} (${k.field}) is ${v}; it must be a finite number`);
    if (k.kind === 'grid') g[k.field] = k.min + k.step * clamp(Math.round(v - k.min / k.step), 0, k.count - 1);
    else if (k.kind === 'choice') g[k.field] = k.values[clamp(Math.round(v), 0, k.values.length - 1)]!;
    else g[k.field] = realValue(k, v);
  });
  return g as HtHparamsGenome;
}

/** Where a range says the value lies, for errors. */
function describeRange(k: Coord): string {
  if (k.kind === 'choice') return `one of ${k.values.join(', ')}`;
  if (k.kind === 'grid') return `${k.step === 1 ? 'an integer' : `a multiple of ${k.step} steps from ${k.min}`} in [${k.min}, ${k.min + k.step * (k.count - 1)}]`;
  return `a number in [${k.min}, ${k.max}]`;
}

/** A searched field missing from the genome takes its default (`defaultHtGenome`); a field that is not searched is an error. */
function encodeHt(g: HtHparamsGenome, c: HtHparamsConfig): number[] {
  if (!isObject(g)) throw new UsageError(`${KIND}: a genome must be an object of HtConfig fields (got ${JSON.stringify(g)})`);
  for (const f of Object.keys(g)) {
    if (!c.fields.includes(f as HtField))
      throw new UsageError(`${KIND}: the genome sets '${f}', which the genome config does not search; add it to fields or remove it from the genome (searched: ${c.fields.join(', ')})`);
  }
  const fallback = defaultHtGenome(c);
  return coords(c).map((k) => {
    const v = (g as Record<string, unknown>)[k.field] ?? (fallback as Record<string, unknown>)[k.field];
    const bad = (): UsageError => new UsageError(`${KIND}: '${k.field}' = ${JSON.stringify(v)} is outside the searched range; it must be ${describeRange(k)} (widen ranges.${k.field})`);
    if (k.kind === 'choice') {
      const at = k.values.indexOf(v as number | string);
      if (at < 0) throw bad();
      return at;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad();
    if (k.kind === 'grid') {
      const at = (v - k.min) / k.step;
      if (!Number.isInteger(at) || at < 0 || at >= k.count) throw bad();
      return v / k.step;
    }
    if (v < k.min || v > k.max) throw bad();
    return toX(k, v);
  });
}

/**
 * HT_DEFAULTS restricted to the searched fields, each moved onto its range where it lies outside
 * (nearest grid value or number, clamped; the first of a list of strings): the search's natural start.
 */
export function defaultHtGenome(c: HtHparamsConfig): HtHparamsGenome {
  const g: Record<string, number | string> = {};
  for (const k of coords(c)) {
    const d = HT_DEFAULTS[k.field];
    if (k.kind === 'grid') g[k.field] = k.min + k.step * clamp(Math.round(((d as number) - k.min) / k.step), 0, k.count - 1);
    else if (k.kind === 'real') g[k.field] = realValue(k, toX(k, clamp(d as number, k.min, k.max)));
    else if (k.values.includes(d)) g[k.field] = d;
    else if (typeof d === 'number' && k.values.every((v) => typeof v === 'number'))
      g[k.field] = (k.values as number[]).reduce((best, v) => (Math.abs(v - d) < Math.abs(best - d) ? v : best));
    else g[k.field] = k.values[0]!;
  }
  return g as HtHparamsGenome;
}

/** Uniform over the space: each grid value or category equally likely, continuous fields uniform in x (log-uniform on a log scale). */
function randomHt(c: HtHparamsConfig, rng: Rng): HtHparamsGenome {
  const x = coords(c).map((k) => {
    if (k.kind === 'grid') return k.min / k.step + rng.int(k.count);
    if (k.kind === 'choice') return rng.int(k.values.length);
    const lo = toX(k, k.min);
    return lo + rng.uniform() * (toX(k, k.max) - lo);
  });
  return decodeHt(x, c);
}

export const htHparamsGenome: GenomeKind<HtHparamsGenome, HtHparamsConfig> = {
  name: 'ht-hparams',
  description:
    'HyperTransformer hyperparameters (a partial HtConfig): integers (one grid step = 1 in x), categories (index) and continuous fields (linear or log10); config {fields?, ranges?}',
  resolveConfig: resolveHtHparamsConfig,
  dim: (c) => c.fields.length,
  bounds: htBounds,
  integers: htIntegers,
  decode: decodeHt,
  encode: encodeHt,
  random: randomHt,
  defaultGenome: defaultHtGenome,
  toFile: (g) => ({ ...validateHtHparams(g) }),
  fromFile: htFromFile,
  fromVersion1: htFromVersion1,
};

// ---------------------------------------------------------------------------------------------------
// File format

/**
 * Checks HtConfig fields (any subset): each is a known field with a valid value, by resolveHtConfig's
 * rules and messages. Returns a clean copy holding only the given fields.
 */
export function validateHtHparams(json: unknown, where = 'ht-hparams genome'): HtHparamsGenome {
  if (!isObject(json)) throw new UsageError(`${where} must be an object of HtConfig fields (got ${JSON.stringify(json)})`);
  // resolveHtConfig would read a null as "use the default"; in a genome it is a mistake.
  for (const [k, v] of Object.entries(json))
    if (isField(k) && (v === null || v === undefined)) throw new UsageError(`${where}: '${k}' must be ${describeRule(k)} (got ${JSON.stringify(v ?? null)})`);
  resolveHtConfig(json, where);
  return { ...json } as HtHparamsGenome;
}

/** A payload is valid hyperparameters that the file's search space holds. */
function htFromFile(payload: unknown, c: HtHparamsConfig, where: string): HtHparamsGenome {
  const g = validateHtHparams(payload, where);
  try {
    encodeHt(g, c);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${where}: ${e.message.replace(`${KIND}: `, '')}`);
    throw e;
  }
  return g;
}

/** A version-1 file `{format: "evometa-ht-hparams-genome", version: 1, hparams}`, or with `claimed` the bare hyperparameters (a run's best.json). */
function htFromVersion1(json: unknown, where: string, claimed: boolean): GenomeFileBody | undefined {
  const fields = version1Fields(json, where, HT_VERSION1_FORMAT, false);
  let g: HtHparamsGenome;
  if (fields) {
    const bad = Object.keys(fields).filter((k) => k !== 'hparams');
    if (bad.length > 0) throw new UsageError(`${where} has unknown key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: format, version, hparams`);
    g = validateHtHparams(fields['hparams'], `${where}: hparams`);
  } else if (claimed && isObject(json) && json['format'] === undefined) g = validateHtHparams(json, where);
  else return undefined;
  return { config: { ...htConfigOf(g) }, genome: { ...g } };
}

/** Whether a range holds the value. */
function rangeHolds(r: HtRange, v: unknown): boolean {
  if ('values' in r) return r.values.includes(v as number | string);
  if (typeof v !== 'number') return false;
  return v >= r.min && v <= r.max && (!('step' in r) || Number.isInteger((v - r.min) / r.step));
}

/**
 * The search space of a genome of unknown origin (a version-1 file): the default fields and the genome's own,
 * each over its default range where that holds the genome's value, else over every valid value of the field.
 */
export function htConfigOf(g: HtHparamsGenome): HtHparamsConfig {
  const fields = [...HT_DEFAULT_FIELDS, ...(Object.keys(g) as HtField[]).filter((f) => !HT_DEFAULT_FIELDS.includes(f))];
  const ranges: { [field: string]: HtRange } = {};
  for (const f of fields) {
    const v = g[f];
    const fallback = HT_DEFAULT_RANGES[f];
    const rule = HT_FIELDS[f];
    if (fallback && (v === undefined || rangeHolds(fallback, v))) ranges[f] = fallback;
    else if (rule.kind === 'choice') ranges[f] = { values: [...rule.values] };
    else if (rule.kind === 'int') ranges[f] = { min: rule.min, max: rule.max, step: 1 };
    else ranges[f] = { min: rule.min, max: rule.max, scale: fallback && 'scale' in fallback ? fallback.scale : 'linear' };
  }
  return resolveHtHparamsConfig({ fields, ranges });
}

/** An ht-hparams genome file (any version), or a run's best.json or final.json holding one. */
export function loadHtGenome(path: string): HtHparamsGenome {
  return readGenomeFile(path, { kinds: { [htHparamsGenome.name]: htHparamsGenome }, want: htHparamsGenome.name }).genome as HtHparamsGenome;
}

/** Writes a genome file; its config is the search space `config`, or by default one that holds the genome (`htConfigOf`). */
export function saveHtGenome(path: string, g: HtHparamsGenome, config: HtHparamsConfig = htConfigOf(validateHtHparams(g)), meta?: GenomeFileMeta): void {
  writeGenomeFile(path, htHparamsGenome, g, config, meta);
}
