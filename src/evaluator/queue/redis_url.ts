/**
 * The Redis address of a queue run, as users give it (`--redis URL`, config key `redis`): `redis://` or `rediss://`
 * (TLS), with an optional user and password (Redis AUTH) and database number. A password never reaches a file or a
 * log: what is recorded is the redacted form.
 */
import { UsageError } from '../../core/errors.js';

export interface RedisTarget {
  /** The URL as given (password included): only ever handed to the Redis client. */
  url: string;
  /** The URL with its password replaced by REDACTED: what manifests, logs and messages show. */
  shown: string;
  tls: boolean;
}

/** What a redacted password reads as. */
export const REDACTED = '***';

/** Checks `text` as a Redis URL; a bad one is one line naming the option and the fix. */
export function parseRedisUrl(text: string, option = '--redis'): RedisTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${option} '${text}' is not a URL; give redis://[user:password@]host:port[/db] or rediss://... for TLS`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UsageError(`${option} '${redactUrl(u)}' has the scheme '${u.protocol}'; give redis://host:port, or rediss://host:port for TLS`);
  if (u.hostname === '') throw new UsageError(`${option} '${redactUrl(u)}' names no host; give redis://host:port`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new UsageError(`${option} '${redactUrl(u)}': the database '${db}' is not a number from 0 to 15; give redis://host:port/DB`);
  if (u.password !== '' && decodeURIComponent(u.password) === REDACTED)
    throw new UsageError(`${option} '${redactUrl(u)}' carries the redacted password '${REDACTED}' of a manifest; give the real URL with --redis`);
  return { url: text, shown: redactUrl(u), tls: u.protocol === 'rediss:' };
}

/** The URL with its password, if any, replaced by REDACTED. */
export function redactUrl(u: URL | string): string {
  const copy = new URL(typeof u === 'string' ? u : u.href);
  if (copy.password !== '') copy.password = REDACTED;
  return copy.href.replace(/\/$/, '');
}

/** True where the URL's password was redacted: such a URL cannot connect, the real one must be given again. */
export function isRedacted(text: string): boolean {
  try {
    return decodeURIComponent(new URL(text).password) === REDACTED;
  } catch {
    return false;
  }
}

/** `text` (a command line) with the password of every Redis URL in it replaced by REDACTED. */
export function redactUrlsIn(text: string): string {
  return text.replace(/(rediss?:\/\/[^\s:@/]*:)([^\s@/]+)@/gi, `$1${REDACTED}@`);
}
