/** `evometa --help`, `evometa COMMAND --help`/`-h`, `help COMMAND`, `--version`, and suggestions for mistyped names. */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../../src/cli/commands.js';
import { commandHelp, mainHelp, optionSyntax } from '../../../src/cli/help.js';
import { commandOptions } from '../../../src/cli/command.js';
import { packageVersion } from '../../../src/cli/version.js';
import { cli, linesWiderThan, oneLineFailure } from './cli_run.js';

const VERSION = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')).version as string;

test('evometa --help, -h, help and no command list every command, the exit codes and fit 100 columns', (t) => {
  const outputs = [cli(['--help']), cli(['-h']), cli(['help']), cli([])];
  for (const r of outputs) {
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, outputs[0]!.stdout);
    t.is(r.stderr, '');
  }
  const text = outputs[0]!.stdout;
  t.is(text, mainHelp(COMMANDS, VERSION));
  t.true(text.startsWith(`evometa ${VERSION}: `));
  for (const c of COMMANDS) t.regex(text, new RegExp(`^  ${c.name} +\\S`, 'm'), c.name);
  t.deepEqual(COMMANDS.map((c) => c.name), ['search', 'resume', 'report', 'export', 'replay', 'pretrain-bank', 'train-ht', 'train-cht', 'worker', 'status', 'serve', 'list', 'start']);
  t.regex(text, /exit codes: 0 done; 1 the run failed \(every evaluation failed, or no best exists\) or an internal\nerror; 2 bad input/);
  t.deepEqual(linesWiderThan(text), []);
});

test("every command's --help and -h show its usage and every option it takes, within 100 columns", (t) => {
  for (const c of COMMANDS) {
    const long = cli([c.name, '--help']);
    t.is(long.code, 0, `${c.name}: ${long.stderr}`);
    t.is(long.stdout, commandHelp(c));
    t.is(cli([c.name, '-h']).stdout, long.stdout, c.name);
    t.is(cli(['help', c.name]).stdout, long.stdout, c.name);
    t.true(long.stdout.startsWith(`usage: evometa ${c.name} ${c.usage}\n`), c.name);
    for (const o of commandOptions(c)) t.true(long.stdout.includes(`  ${optionSyntax(o)}`), `${c.name} --${o.flag}`);
    t.regex(long.stdout, /^ {2}-h, --help +show this help$/m);
    t.regex(long.stdout, /exit codes: 0 done; 1 the run failed/);
    t.deepEqual(linesWiderThan(long.stdout), [], c.name);
  }
  // the help wins over anything wrong beside it
  t.is(cli(['search', '--max-eval', '3', '--help']).stdout, commandHelp(COMMANDS[0]!));
  // search's options are RUN_OPTIONS: --config keys and flags share their names
  t.regex(cli(['search', '-h']).stdout, /^ {2}--max-evals N +stop after this many evaluations$/m);
});

test('--version and -V print the version from package.json', (t) => {
  t.is(packageVersion(), VERSION);
  for (const flag of ['--version', '-V']) {
    const r = cli([flag]);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, `${VERSION}\n`);
  }
});

test('an unknown command or option names the nearest one; otherwise where to look; exit 2, one line', (t) => {
  oneLineFailure(t, cli(['serch']), 2, /^evometa: error: unknown command 'serch'; did you mean search\?\n$/);
  oneLineFailure(t, cli(['trainht']), 2, /unknown command 'trainht'; did you mean train-ht\?/);
  oneLineFailure(t, cli(['frobnicate']), 2, /unknown command 'frobnicate'; the commands are search, resume, report, export, replay, pretrain-bank, train-ht, train-cht, worker, status, serve, list, start/);
  oneLineFailure(t, cli(['help', 'reprot']), 2, /unknown command 'reprot'; did you mean report\?/);
  oneLineFailure(t, cli(['--verison']), 2, /^evometa: error: unknown option --verison; did you mean --version\?\n$/);
  oneLineFailure(t, cli(['search', '--max-eval', '5']), 2, /^evometa: error: unknown option --max-eval for search; did you mean --max-evals\?\n$/);
  oneLineFailure(t, cli(['export', 'x', '--wich', 'best']), 2, /unknown option --wich for export; did you mean --which\?/);
  oneLineFailure(t, cli(['replay', 'x.json', '--episode', '5']), 2, /unknown option --episode for replay; did you mean --episodes\?/);
  oneLineFailure(t, cli(['train-ht', '--eval-episode', '5']), 2, /unknown option --eval-episode for train-ht; did you mean --eval-episodes\?/);
  oneLineFailure(t, cli(['list', '--jsn']), 2, /unknown option --jsn for list; did you mean --json\?/);
  oneLineFailure(t, cli(['report', 'x', '--zzz']), 2, /unknown option --zzz for report; evometa report --help lists its options/);
  // resume takes no unknown flags either (it ignored them before)
  oneLineFailure(t, cli(['resume', 'x', '--task', 'sphere']), 2, /unknown option --task for resume/);
  oneLineFailure(t, cli(['list', 'extra']), 2, /unexpected argument 'extra' for list/);
  oneLineFailure(t, cli(['resume', 'x', 'extra']), 2, /unexpected argument 'extra' for resume/);
  oneLineFailure(t, cli(['report']), 2, /report needs DIR; usage: evometa report DIR/);
});

test("a --config file's keys are checked like flags: __proto__ and misspellings are refused in one line, nothing written", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'evometa-config-'));
  const config = join(dir, 'c.json');
  // JSON.parse keeps "__proto__" as an own key, which once placed run files anywhere through a prototype.
  writeFileSync(config, '{"task": "sphere", "dim": 3, "max-evals": 30, "workers": 0, "__proto__": {"out": "elsewhere"}}');
  oneLineFailure(t, cli(['search', '--config', config, '--out', join(dir, 'run')]), 2, /--config .*c\.json: unknown option '__proto__'/);
  writeFileSync(config, '{"task": "sphere", "dim": 3, "max-evls": 30}');
  oneLineFailure(t, cli(['search', '--config', config, '--out', join(dir, 'run')]), 2, /unknown option 'max-evls'; did you mean 'max-evals'\?/);
  t.false(existsSync(join(dir, 'run')));
  t.false(existsSync(join(dir, 'elsewhere')));
});
