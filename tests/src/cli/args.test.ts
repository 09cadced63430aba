import test from 'ava';
import { parseArgs } from '../../../src/cli/args.js';

test('flags, = values, switches, negative numbers and positionals', (t) => {
  const a = parseArgs(['search', '--dim', '10', '--x0=-3', '--target', '-1e-8', '--json', 'extra']);
  t.is(a.command, 'search');
  t.deepEqual(a.flags, { dim: '10', x0: '-3', target: '-1e-8' });
  t.true(a.switches.has('json'));
  t.deepEqual(a.positional, ['extra']);
});

test('a flag without its value and a repeated flag are errors', (t) => {
  t.throws(() => parseArgs(['search', '--dim']), { message: '--dim needs a value' });
  t.throws(() => parseArgs(['search', '--dim', '--json']), { message: '--dim needs a value' });
  t.throws(() => parseArgs(['search', '--dim', '1', '--dim', '2']), { message: '--dim is given twice' });
});

test('a repeatable flag collects its values in order; others may not repeat', (t) => {
  const a = parseArgs(['search', '--plugin', './a.mjs', '--task', 'x', '--plugin=pkg-b']);
  t.deepEqual(a.lists, { plugin: ['./a.mjs', 'pkg-b'] });
  t.deepEqual(a.flags, { task: 'x' });
  t.deepEqual(parseArgs(['search']).lists, {});
  t.throws(() => parseArgs(['search', '--plugin']), { message: '--plugin needs a value' });
  t.throws(() => parseArgs(['search', '--task', 'a', '--task', 'b']), { message: '--task is given twice' });
});
