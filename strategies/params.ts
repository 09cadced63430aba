/** Validation of `options.params` shared by the strategies: unknown keys and bad values are named. */

export function rejectUnknownParams(params: Record<string, unknown>, valid: readonly string[], who: string): void {
  for (const key of Object.keys(params)) {
    if (!valid.includes(key)) throw new Error(`${who}: unknown parameter '${key}'; valid parameters are: ${valid.join(', ')}`);
  }
}

export function numberParam(params: Record<string, unknown>, key: string, fallback: number, check: (v: number) => boolean, what: string, who: string): number {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new Error(`${who}: parameter '${key}' must be ${what} (got ${JSON.stringify(v)})`);
  return v;
}

export function booleanParam(params: Record<string, unknown>, key: string, fallback: boolean, who: string): boolean {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${who}: parameter '${key}' must be true or false (got ${JSON.stringify(v)})`);
  return v;
}

export const positive = (v: number): boolean => v > 0;
export const nonNegative = (v: number): boolean => v >= 0;
export const unitInterval = (v: number): boolean => v > 0 && v <= 1;
export const positiveInteger = (v: number): boolean => Number.isInteger(v) && v >= 1;
