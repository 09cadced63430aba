/** Text layout for help and tables, and the nearest-name suggestion. */
import test from 'ava';
import { columns, wrapText } from '../../../src/cli/layout.js';
import { editDistance, nearest } from '../../../src/cli/suggest.js';

test('wrapText breaks between words within the width; a longer word stands alone', (t) => {
  t.deepEqual(wrapText('the quick brown fox jumps', 10), ['the quick', 'brown fox', 'jumps']);
  t.deepEqual(wrapText('a extraordinarily b', 8), ['a', 'extraordinarily', 'b']);
  t.deepEqual(wrapText('', 10), ['']);
});

test('columns aligns cells and wraps the last column under itself; an over-wide cell puts its text on the next line', (t) => {
  t.deepEqual(columns([['a', 'x', 'one two three four'], ['bbb', 'yy', 'five']], { width: 40 }), [
    '  a    x   one two three four',
    '  bbb  yy  five',
  ]);
  const long = 'word '.repeat(12).trim();
  t.deepEqual(columns([['--n N', long]], { width: 42 }), ['  --n N  word word word word word word', '         word word word word word word']);
  t.deepEqual(columns([['--a-very-long-flag VALUE', 'help'], ['--b', 'more help']], { widths: [6] }), ['  --a-very-long-flag VALUE', '          help', '  --b     more help']);
});

test('nearest: the closest name within a third of its letters, else none', (t) => {
  t.is(editDistance('kitten', 'sitting'), 3);
  t.is(nearest('max-eval', ['max-evals', 'max-generations']), 'max-evals');
  t.is(nearest('serch', ['search', 'resume']), 'search');
  t.is(nearest('trainht', ['train-ht', 'start']), 'train-ht');
  t.is(nearest('frobnicate', ['search', 'report']), undefined);
  t.is(nearest('x', []), undefined);
});
