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
