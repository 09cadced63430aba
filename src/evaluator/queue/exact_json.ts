/**
 * JSON that keeps every double: NaN, ±Infinity and −0 survive the round trip (plain JSON turns them into null and 0).
 * A job and its result cross Redis as such text, so that a queue worker's fitness is the very number a thread's
 * would be (structured clone, which piscina uses, keeps them too).
 */

/** The tag of a number that JSON cannot write: `{"$num":"NaN"}`. */
const TAG = '$num';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (Number.isFinite(value)) return Object.is(value, -0) ? { [TAG]: '-0' } : value;
  return { [TAG]: String(value) };
}

const SPECIAL: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY, '-0': -0 };

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== TAG) return value;
  const special = SPECIAL[(value as Record<string, unknown>)[TAG] as string];
  return special === undefined ? value : special;
}

export function toExactJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** Parses text written by toExactJson (plain JSON reads the same). A syntax error throws SyntaxError. */
export function fromExactJson(text: string): unknown {
  return JSON.parse(text, reviver);
}
