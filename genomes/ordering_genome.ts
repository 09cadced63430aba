/**
 * The `ordering` genome (issue 4 §3): which of the N pretrained modules runs at each of the L block
 * positions, repeats allowed, with an optional identity "skip" as index N. Real-valued strategies
 * (CMA-ES) search L×K logits that decode by argmax per position; the discrete strategy `ga-ordering`
 * proposes the same one-hot logits, so one kind serves both. A genome file (src/core/genome_file.ts) holds an
 * ordering as its payload `{modules, allowSkip, order}`.
 */
import { UsageError } from '../src/core/errors.js';
import { readGenomeFile, version1Fields, writeGenomeFile, type GenomeFileMeta } from '../src/core/genome_file.js';
import type { Rng } from '../src/core/rng.js';
import { MODULAR_DEFAULTS } from '../src/models/modular/modular_config.js';
import type { GenomeFileBody, GenomeKind } from '../src/core/genome_kind.js';
import { decodeCategories, encodeCategories, type CategoricalSpace } from '../src/core/categorical.js';
import { isObject } from '../src/core/config_checks.js';

/** The `format` of a version-1 ordering genome file, which held the genome's fields beside format and version. */
export const ORDERING_VERSION1_FORMAT = 'evometa-ordering-genome';

/** The genome, and a genome file's `genome` payload as is. */
export interface OrderingGenome {
  /** Modules in the bank (N). */
  modules: number;
  /** Whether index N (identity) may appear. */
  allowSkip: boolean;
  /** One module index per block position, in [0, N), or N for skip. */
  order: number[];
}

export interface OrderingGenomeConfig {
  /** Block positions L. Default 8 (the network's default). */
  length: number;
  /** Modules N. Default 4. */
  modules: number;
  /** Adds the identity as choice N. Default false. */
  allowSkip: boolean;
}

const MAX_LENGTH = 1024;
const MAX_MODULES = 1024;

/** Choices per position (the width of each logit row). */
export function orderingChoices(c: Pick<OrderingGenomeConfig, 'modules' | 'allowSkip'>): number {
  return c.modules + (c.allowSkip ? 1 : 0);
}

function intField(raw: Record<string, unknown>, field: string, fallback: number, max: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    throw new UsageError(`genome 'ordering' ${field} must be an integer from 1 to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function resolveOrderingConfig(raw: Record<string, unknown>): OrderingGenomeConfig {
  // 'dim' is passed by the engine to every kind; this kind derives its own (length × choices).
  const valid = ['length', 'modules', 'allowSkip'];
  const bad = Object.keys(raw).filter((k) => ![...valid, 'dim'].includes(k) && raw[k] !== undefined);
  if (bad.length > 0)
    throw new UsageError(`unknown genome 'ordering' config key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${valid.join(', ')}`);
  const allowSkip = raw['allowSkip'] ?? MODULAR_DEFAULTS.allowSkip;
  if (typeof allowSkip !== 'boolean') throw new UsageError(`genome 'ordering' allowSkip must be true or false (got ${JSON.stringify(allowSkip)})`);
  return {
    length: intField(raw, 'length', MODULAR_DEFAULTS.blocks, MAX_LENGTH),
    modules: intField(raw, 'modules', MODULAR_DEFAULTS.templates, MAX_MODULES),
    allowSkip,
  };
}

/** L positions of `choices` categories each: the ordering's categorical space (src/core/categorical.ts). */
function orderSpace(positions: number, choices: number): CategoricalSpace {
  return { categories: new Array<number>(positions).fill(choices) };
}

/** One row of `choices` logits per position: +1 at the chosen index, 0 elsewhere (argmax gives it back). */
export function encodeOrder(order: readonly number[], choices: number): number[] {
  return encodeCategories(orderSpace(order.length, choices), order);
}

/** Argmax per row of `choices` logits; the first maximum wins ties and NaN never wins. */
export function decodeOrder(x: readonly number[], choices: number): number[] {
  if (x.length % choices !== 0) throw new UsageError(`ordering logits must hold a multiple of ${choices} numbers (one row per position), got ${x.length}`);
  return decodeCategories(orderSpace(x.length / choices, choices), x);
}

function checkOrder(order: unknown, modules: number, allowSkip: boolean, where: string): number[] {
  if (!Array.isArray(order) || order.length === 0) throw new UsageError(`${where}order must be a non-empty list of module indices (got ${JSON.stringify(order)})`);
  const top = modules - 1 + (allowSkip ? 1 : 0);
  return order.map((m, l) => {
    if (typeof m !== 'number' || !Number.isInteger(m))
      throw new UsageError(`${where}order[${l}] must be an integer module index (got ${JSON.stringify(m)})`);
    if (m < 0 || m > top)
      throw new UsageError(`${where}order[${l}] = ${m} is out of range: module indices run from 0 to ${modules - 1}${allowSkip ? `, and ${modules} is skip` : ' (set allowSkip to use index ' + modules + ' as skip)'}`);
    return m;
  });
}

export function makeOrderingGenome(order: readonly number[], modules: number, allowSkip = false): OrderingGenome {
  return { modules, allowSkip, order: checkOrder(order, modules, allowSkip, '') };
}

export const orderingGenome: GenomeKind<OrderingGenome, OrderingGenomeConfig> = {
  name: 'ordering',
  description: 'the order of pretrained modules: L module indices in [0, N) (repeats allowed, N = skip with allowSkip), searched as L×N argmax logits',
  resolveConfig: resolveOrderingConfig,
  dim: (c) => c.length * orderingChoices(c),
  bounds: () => undefined,
  // Each position is one variable over the N (or N + 1) choices, one logit row each: what ga-ordering searches.
  categorical: (c) => orderSpace(c.length, orderingChoices(c)),
  decode(x, c) {
    const n = c.length * orderingChoices(c);
    if (x.length !== n) throw new UsageError(`ordering genome vector must have ${n} numbers (${c.length} positions × ${orderingChoices(c)} choices), got ${x.length}`);
    return makeOrderingGenome(decodeOrder(x, orderingChoices(c)), c.modules, c.allowSkip);
  },
  encode(g, c) {
    if (g.modules !== c.modules)
      throw new UsageError(`the ordering is over ${g.modules} modules but the genome config has modules = ${c.modules}; set genome config modules to ${g.modules}`);
    if (g.order.length !== c.length)
      throw new UsageError(`the ordering has ${g.order.length} positions but the genome config has length = ${c.length}; set genome config length to ${g.order.length}`);
    return encodeOrder(checkOrder(g.order, c.modules, c.allowSkip, 'ordering: '), orderingChoices(c));
  },
  random: (c, rng) => makeOrderingGenome(randomOrder(c, rng), c.modules, c.allowSkip),
  toFile: (g) => ({ ...validateOrderingGenome(g) }),
  fromFile: orderingFromFile,
  fromVersion1: orderingFromVersion1,
};

/** Each position drawn uniformly from the choices (skip included when allowed). */
export function randomOrder(c: OrderingGenomeConfig, rng: Rng): number[] {
  return Array.from({ length: c.length }, () => rng.int(orderingChoices(c)));
}

// ---------------------------------------------------------------------------------------------------
// File format


/** Checks a genome's JSON (a genome file's payload) and returns a clean copy; `where` prefixes errors (e.g. a file name). */
export function validateOrderingGenome(json: unknown, where = 'ordering genome'): OrderingGenome {
  if (!isObject(json)) throw new UsageError(`${where} must be a JSON object {modules, allowSkip, order} (got ${Array.isArray(json) ? 'a list' : JSON.stringify(json)})`);
  const valid = ['modules', 'allowSkip', 'order'];
  const bad = Object.keys(json).filter((k) => !valid.includes(k));
  if (bad.length > 0) throw new UsageError(`${where} has unknown key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${valid.join(', ')}`);
  const modules = json['modules'];
  if (typeof modules !== 'number' || !Number.isInteger(modules) || modules < 1 || modules > MAX_MODULES)
    throw new UsageError(`${where}: modules must be an integer from 1 to ${MAX_MODULES} (got ${JSON.stringify(modules)})`);
  const allowSkip = json['allowSkip'] ?? false;
  if (typeof allowSkip !== 'boolean') throw new UsageError(`${where}: allowSkip must be true or false (got ${JSON.stringify(allowSkip)})`);
  if (Array.isArray(json['order']) && json['order'].length > MAX_LENGTH)
    throw new UsageError(`${where}: order has ${json['order'].length} positions; at most ${MAX_LENGTH}`);
  return makeOrderingGenome(checkOrder(json['order'], modules, allowSkip, `${where}: `), modules, allowSkip);
}

/** The settings an ordering fits as is: its length, modules and skip. */
export function orderingConfigOf(g: OrderingGenome): OrderingGenomeConfig {
  return { length: g.order.length, modules: g.modules, allowSkip: g.allowSkip };
}

function orderingFromFile(payload: unknown, c: OrderingGenomeConfig, where: string): OrderingGenome {
  const g = validateOrderingGenome(payload, where);
  const own = orderingConfigOf(g);
  for (const key of ['length', 'modules', 'allowSkip'] as const)
    if (own[key] !== c[key]) throw new UsageError(`${where}: the ordering has ${key} = ${own[key]} but the file's config has ${key} = ${c[key]}; make them agree`);
  return g;
}

/** A version-1 ordering file (`{format: "evometa-ordering-genome", version: 1, modules, allowSkip, order}`), or with `claimed` a bare ordering. */
function orderingFromVersion1(json: unknown, where: string, claimed: boolean): GenomeFileBody | undefined {
  const fields = version1Fields(json, where, ORDERING_VERSION1_FORMAT, claimed);
  if (!fields) return undefined;
  const g = validateOrderingGenome(fields, where);
  return { config: { ...orderingConfigOf(g) }, genome: { ...g } };
}

/** An ordering genome file (any version), or a run's best.json or final.json holding one. */
export function loadOrderingGenome(path: string): OrderingGenome {
  return readGenomeFile(path, { kinds: { [orderingGenome.name]: orderingGenome }, want: orderingGenome.name }).genome as OrderingGenome;
}

/** Writes a genome file with the settings the ordering fits as is (`orderingConfigOf`). */
export function saveOrderingGenome(path: string, g: OrderingGenome, meta?: GenomeFileMeta): void {
  writeGenomeFile(path, orderingGenome, g, orderingConfigOf(validateOrderingGenome(g)), meta);
}
