/** Checks of plug-in settings (task, genome and strategy configs): errors name the field and the fix. */
import { UsageError } from './errors.js';

/** Reads an optional field of a task config with a type and range check. */
export function configNumber(
  raw: Record<string, unknown>,
  field: string,
  fallback: number,
  check: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const v = raw[field] ?? fallback;
  const range = `${check.integer ? 'an integer' : 'a number'}${check.min !== undefined ? ` >= ${check.min}` : ''}${
    check.max !== undefined ? ` and <= ${check.max}` : ''
  }`;
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    (check.integer && !Number.isInteger(v)) ||
    (check.min !== undefined && v < check.min) ||
    (check.max !== undefined && v > check.max)
  )
    throw new UsageError(`task config '${field}' must be ${range} (got ${JSON.stringify(v)})`);
  return v;
}

/** Rejects config keys a task does not know, naming them and the valid ones. */
export function rejectUnknownKeys(raw: Record<string, unknown>, valid: readonly string[], owner: string): void {
  const bad = Object.keys(raw).filter((k) => !valid.includes(k));
  if (bad.length > 0)
    throw new UsageError(`unknown ${owner} config key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${valid.join(', ')}`);
}

/** A plain JSON object (not null, not an array): what a file's settings and payloads must be. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
