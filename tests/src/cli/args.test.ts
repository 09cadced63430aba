import test from 'ava';
import { parseCommandArgs } from '../../../src/cli/args.js';
import { searchCommand } from '../../../src/cli/search.js';
import { listCommand } from '../../../src/cli/list.js';
import { resumeCommand } from '../../../src/cli/resume.js';

test('flags, = values, switches and negative numbers as values', (t) => {
  const a = parseCommandArgs(searchCommand, ['--dim', '10', '--x0=-3', '--target', '-1e-8', '--sigma0', '-.5', '--json']);
  t.deepEqual(a.flags, { dim: '10', x0: '-3', target: '-1e-8', sigma0: '-.5' });
  t.true(a.switches.has('json'));
  t.deepEqual(a.positional, []);
  t.false(a.help);
  t.deepEqual(parseCommandArgs(searchCommand, ['--x0', '-1,2,-3']).flags, { x0: '-1,2,-3' });
});

test('a flag without its value and a repeated flag are errors', (t) => {
  t.throws(() => parseCommandArgs(searchCommand, ['--dim']), { message: '--dim needs a value' });
  t.throws(() => parseCommandArgs(searchCommand, ['--dim', '--json']), { message: /^--dim needs a value \(--json is the next flag; write --dim=--json if it is the value\)$/ });
  t.throws(() => parseCommandArgs(searchCommand, ['--dim', '1', '--dim', '2']), { message: '--dim is given twice' });
  t.throws(() => parseCommandArgs(searchCommand, ['--json=yes']), { message: '--json takes no value (got --json=yes)' });
});

test('a repeatable flag collects its values in order; others may not repeat', (t) => {
  const a = parseCommandArgs(searchCommand, ['--plugin', './a.mjs', '--task', 'x', '--plugin=pkg-b']);
  t.deepEqual(a.lists, { plugin: ['./a.mjs', 'pkg-b'] });
  t.deepEqual(a.flags, { task: 'x' });
  t.deepEqual(parseCommandArgs(listCommand, []).lists, {});
  t.throws(() => parseCommandArgs(listCommand, ['--plugin']), { message: '--plugin needs a value' });
  t.throws(() => parseCommandArgs(searchCommand, ['--task', 'a', '--task', 'b']), { message: '--task is given twice' });
});

test('unknown flags suggest the nearest option of the command; extra and missing positionals are errors', (t) => {
  t.throws(() => parseCommandArgs(searchCommand, ['--max-eval', '5']), { message: 'unknown option --max-eval for search; did you mean --max-evals?' });
  t.throws(() => parseCommandArgs(searchCommand, ['--frobnicate']), { message: 'unknown option --frobnicate for search; evometa search --help lists its options' });
  t.throws(() => parseCommandArgs(resumeCommand, ['d', '--max-evls', '5']), { message: 'unknown option --max-evls for resume; did you mean --max-evals?' });
  t.throws(() => parseCommandArgs(resumeCommand, ['d', '--task', 'x']), { message: 'unknown option --task for resume; evometa resume --help lists its options' });
  t.throws(() => parseCommandArgs(searchCommand, ['extra']), { message: /^unexpected argument 'extra' for search \(options are given as --name value\); usage: evometa search --task NAME/ });
  t.throws(() => parseCommandArgs(resumeCommand, ['a', 'b']), { message: "unexpected argument 'b' for resume; usage: evometa resume DIR [options]" });
  t.throws(() => parseCommandArgs(resumeCommand, []), { message: 'resume needs DIR; usage: evometa resume DIR [options]' });
  t.deepEqual(parseCommandArgs(resumeCommand, ['--', '-odd-dir']).positional, ['-odd-dir']);
});

test('-h and --help anywhere ask for help, before anything else is checked', (t) => {
  t.true(parseCommandArgs(searchCommand, ['--bogus', '-h']).help);
  t.true(parseCommandArgs(resumeCommand, ['--help']).help);
});
