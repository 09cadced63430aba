/**
 * Checks of a strategy state read back from a checkpoint (`Strategy.validateState`). A hand-edited or damaged
 * checkpoint must not resume into nonsense (a mean of the wrong length sampling ±1.8e308, a σ of "abc" ending
 * the run silently on tolx): each field's type, length, range and finiteness is checked, and the first bad one is
 * reported in one line that names it, e.g. "checkpoint.json: strategy.mean has 7 numbers, the run has 10".
 */
import { UsageError } from '../src/core/errors.js';

type Json = Record<string, unknown>;

/** A readable rendering of a bad value for the message. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Numeric range a field must lie in; the text says it in the message. */
export interface Range {
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
  integer?: boolean;
}

function inRange(v: number, r: Range): boolean {
  return (
    Number.isFinite(v) &&
    (r.min === undefined || v >= r.min) &&
    (r.above === undefined || v > r.above) &&
    (r.max === undefined || v <= r.max) &&
    (r.below === undefined || v < r.below) &&
    (!r.integer || Number.isInteger(v))
  );
}

function rangeText(r: Range): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  if (r.below !== undefined) parts.push(`< ${r.below}`);
  return `${r.integer ? 'an integer' : 'a finite number'}${parts.length ? ` ${parts.join(' and ')}` : ''}`;
}

/** Field checks under one path ("strategy", "strategy.inner", ...); every failure is a UsageError of one line. */
export class StateCheck {
  constructor(
    readonly where: string,
    readonly path = 'strategy',
  ) {}

  /** The checks of a nested object's fields. */
  at(field: string): StateCheck {
    return new StateCheck(this.where, `${this.path}.${field}`);
  }

  fail(field: string, why: string): never {
    throw new UsageError(`${this.where}: ${this.path}${field ? `.${field}` : ''} ${why}`);
  }

  /** The state (or a nested value) as an object. */
  root(v: unknown): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${this.where}: ${this.path} must be an object (got ${shown(v)})`);
    return v as Json;
  }

  object(o: Json, field: string): Json {
    const v = o[field];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `must be an object (got ${shown(v)})`);
    return v as Json;
  }

  number(o: Json, field: string, range: Range = {}): number {
    const v = o[field];
    if (typeof v !== 'number' || !inRange(v, range)) this.fail(field, `must be ${rangeText(range)} (got ${shown(v)})`);
    return v;
  }

  nullableNumber(o: Json, field: string, range: Range = {}): number | null {
    const v = o[field];
    if (v === null) return null;
    if (typeof v !== 'number' || !inRange(v, range)) this.fail(field, `must be null or ${rangeText(range)} (got ${shown(v)})`);
    return v;
  }

  boolean(o: Json, field: string): boolean {
    const v = o[field];
    if (typeof v !== 'boolean') this.fail(field, `must be true or false (got ${shown(v)})`);
    return v;
  }

  oneOf<T extends string>(o: Json, field: string, values: readonly T[]): T {
    const v = o[field];
    if (typeof v !== 'string' || !values.includes(v as T)) this.fail(field, `must be one of ${values.map((x) => `'${x}'`).join(', ')} (got ${shown(v)})`);
    return v as T;
  }

  /**
   * A list of numbers; `length` (with `what`, e.g. "the run has 10") is the length it must have, null for any.
   * Entries must lie in `range`, or be null where `nullable`.
   */
  vector(o: Json, field: string, length: number | null, what = '', range: Range = {}, nullable = false): (number | null)[] {
    return this.vectorValue(o[field], field, length, what, range, nullable);
  }

  /** As `vector`, for a value that is not an object's field (a row of a list); `label` names it, e.g. "x[3]". */
  vectorValue(v: unknown, label: string, length: number | null, what = '', range: Range = {}, nullable = false): (number | null)[] {
    if (!Array.isArray(v)) this.fail(label, `must be a list of numbers (got ${shown(v)})`);
    if (length !== null && v.length !== length) this.fail(label, `has ${v.length} numbers, ${what}`);
    v.forEach((x, i) => {
      if (nullable && x === null) return;
      if (typeof x !== 'number' || !inRange(x, range)) this.fail(`${label}[${i}]`, `must be ${nullable ? 'null or ' : ''}${rangeText(range)} (got ${shown(x)})`);
    });
    return v as (number | null)[];
  }

  /** A list of finite numbers (no null entries). */
  numbers(o: Json, field: string, length: number | null, what = '', range: Range = {}): number[] {
    return this.vector(o, field, length, what, range) as number[];
  }

  list(o: Json, field: string, length: number | null = null, what = ''): unknown[] {
    const v = o[field];
    if (!Array.isArray(v)) this.fail(field, `must be a list (got ${shown(v)})`);
    if (length !== null && v.length !== length) this.fail(field, `has ${v.length} entries, ${what}`);
    return v;
  }

  /** An optional field: absent in checkpoints written before it existed. */
  has(o: Json, field: string): boolean {
    return o[field] !== undefined;
  }
}

/** Box bounds as strategies keep them (`JsonBounds`): n numbers or nulls on each side, lower ≤ upper. */
export function checkJsonBounds(c: StateCheck, o: Json, field: string, n: number): void {
  if (o[field] === null || o[field] === undefined) return;
  const b = c.object(o, field);
  const bc = c.at(field);
  const lower = bc.vector(b, 'lower', n, `the run has ${n}`, {}, true);
  const upper = bc.vector(b, 'upper', n, `the run has ${n}`, {}, true);
  lower.forEach((l, i) => {
    const u = upper[i]!;
    if (l !== null && u !== null && l > u) bc.fail(`lower[${i}]`, `is above upper[${i}] (${l} > ${u})`);
  });
}

/**
 * The fields every strategy state carries (StrategyState): its name, counters, σ (≥ 0 unless the strategy gives
 * its own range), the best candidate (n numbers and a finite fitness, or null) and the Alea generator state.
 */
export function checkCommonFields(c: StateCheck, s: Json, name: string, n: number, sigma: Range = { min: 0 }): void {
  if (s['strategy'] !== name) c.fail('strategy', `is ${shown(s['strategy'])}, this run's strategy is '${name}'`);
  c.number(s, 'generation', { min: 0, integer: true });
  c.number(s, 'evaluations', { min: 0, integer: true });
  c.number(s, 'sigma', sigma);
  if (s['best'] !== null) {
    const best = c.object(s, 'best');
    c.at('best').numbers(best, 'x', n, `the run has ${n}`);
    c.at('best').number(best, 'fitness');
  }
  const rng = c.object(s, 'rng');
  const rc = c.at('rng');
  // Alea's state: an integer carry and three fractions in [0, 1).
  rc.number(rng, 'c', { min: 0, integer: true });
  for (const k of ['s0', 's1', 's2']) rc.number(rng, k, { min: 0, below: 1 });
}

/** The dimension n a state is checked against: the caller's (the run's x0) if given, else the state's own. */
export function dimensionOf(c: StateCheck, fromState: unknown, given: number | undefined, field: string): number {
  if (given !== undefined) return given;
  if (typeof fromState !== 'number' || !Number.isInteger(fromState) || fromState < 1) c.fail(field, `must be a positive integer (got ${shown(fromState)})`);
  return fromState;
}
