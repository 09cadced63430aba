import test from 'ava';
import { isRedacted, parseRedisUrl, redactUrl, redactUrlsIn } from '../../../../src/evaluator/queue/redis_url.js';

test('a URL with a password is kept for the client and shown redacted', (t) => {
  const r = parseRedisUrl('redis://:s3cret@db.example:6380/2');
  t.is(r.url, 'redis://:s3cret@db.example:6380/2');
  t.is(r.shown, 'redis://:***@db.example:6380/2');
  t.false(r.tls);
  t.true(parseRedisUrl('rediss://user:pw@127.0.0.1:6379').tls);
  t.is(redactUrl('rediss://user:pw@h:1'), 'rediss://user:***@h:1');
  t.is(redactUrl('redis://h:1'), 'redis://h:1');
  t.true(isRedacted('redis://:***@h:1'));
  t.false(isRedacted('redis://:pw@h:1'));
});

test('passwords in a command line are redacted, the rest kept', (t) => {
  t.is(redactUrlsIn('evometa search --redis redis://:pw@h:1 --task sphere'), 'evometa search --redis redis://:***@h:1 --task sphere');
  t.is(redactUrlsIn('--redis rediss://u:p%40ss@h:1/0'), '--redis rediss://u:***@h:1/0');
  t.is(redactUrlsIn('--redis redis://h:1'), '--redis redis://h:1');
});

test('bad URLs are refused in one line naming the option and the fix', (t) => {
  t.throws(() => parseRedisUrl('localhost:6379'), { message: /--redis 'localhost:6379' has the scheme 'localhost:'; give redis:\/\/host:port/ });
  t.throws(() => parseRedisUrl('not a url'), { message: /--redis 'not a url' is not a URL; give redis:\/\// });
  t.throws(() => parseRedisUrl('http://h:1'), { message: /scheme 'http:'/ });
  t.throws(() => parseRedisUrl('redis://h:1/x'), { message: /the database 'x' is not a number/ });
  t.throws(() => parseRedisUrl('redis://:***@h:1'), { message: /redacted password '\*\*\*' of a manifest; give the real URL/ });
  // The refusal never prints the password itself.
  const e = t.throws(() => parseRedisUrl('redis://:topsecret@h:1/x'));
  t.false(e!.message.includes('topsecret'));
});
