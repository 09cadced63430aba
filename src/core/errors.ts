/**
 * Errors a user can fix. The CLI prints their message (which names the field and the fix) and exits 2;
 * anything else is a bug and exits 1 with a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /** The message is kept on one line: text quoted from a damaged file may hold newlines or control bytes. */
  constructor(message: string) {
    super(message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' '));
  }
}

/** "unknown task 'foo'; valid: a, b, c" — used by every registry lookup. */
export function unknownName(what: string, name: string, valid: readonly string[]): UsageError {
  const plural = what.endsWith('y') ? `${what.slice(0, -1)}ies` : `${what}s`;
  return new UsageError(`unknown ${what} '${name}'; valid ${plural}: ${valid.join(', ')}`);
}

/** Registry lookup with the standard error. */
export function lookup<T>(registry: Readonly<Record<string, T>>, what: string, name: string): T {
  const v = Object.prototype.hasOwnProperty.call(registry, name) ? registry[name] : undefined;
  if (v === undefined) throw unknownName(what, name, Object.keys(registry));
  return v;
}
