/**
 * Numbers as a strategy state may hold them. A checkpoint is JSON.stringify(state), and JSON has no −0 (it writes
 * 0), no NaN and no ±Infinity; a state holding any of them would not equal its own checkpoint, so a resumed run
 * could differ from an uninterrupted one. Inputs that may carry them (x0, bounds, fitness values) pass through
 * here on their way into a state.
 */

/** v with −0 read as +0 (every other number unchanged). */
export function jsonNumber(v: number): number {
  return v + 0;
}

/** A start point x0: a non-empty list of finite numbers (else an error naming `who`), copied, −0 as +0. */
export function startVector(x0: unknown, who: string): number[] {
  if (!Array.isArray(x0) || x0.length === 0 || !x0.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`${who}: x0 must be a non-empty array of finite numbers`);
  }
  return x0.map(jsonNumber);
}
