/** Help texts generated from the commands' declarations (command.ts), laid out to fit WIDTH columns. */
import type { CliOption, Command } from './command.js';
import { HELP_SWITCH } from './options.js';
import { columns, WIDTH, wrapText } from './layout.js';

/** What the exit status means, the same on every command. */
export const EXIT_CODES = 'exit codes: 0 done; 1 the run failed (every evaluation failed, or no best exists) or an internal error; 2 bad input (a one-line message names the option and the fix)';
export const DEBUG_NOTE = 'EVOMETA_DEBUG=1 prints the stack trace of an error after its one-line message.';

const KIND_VALUE: Readonly<Record<string, string>> = { int: 'N', number: 'X', string: 'NAME', vector: 'LIST', json: 'JSON', list: 'MODULE' };

/** `--dim N`, `-h, --help`, `--backend NAME`. */
export function optionSyntax(o: CliOption): string {
  const names = `${'short' in o && o.short ? `-${o.short}, ` : ''}--${o.flag}`;
  if (o.kind === 'switch') return names;
  const choices = o.kind === 'enum' ? o.choices!.join('|') : undefined;
  return `${names} ${o.value ?? (choices && choices.length <= 16 ? choices : KIND_VALUE[o.kind] ?? 'VALUE')}`;
}

/** The option's help, with its choices where neither the help nor the syntax names them all. */
function optionText(o: CliOption): string {
  if (o.kind !== 'enum' || o.choices!.every((c) => o.help.includes(c) || optionSyntax(o).split(/[ |]/).includes(c))) return o.help;
  return `${o.help}; one of ${o.choices!.join(', ')}`;
}

/** Option syntax and help in two columns; the first column is as wide as `within`'s widest syntax (at most 28). */
export function optionRows(options: readonly CliOption[], within: readonly CliOption[] = options): string[] {
  const first = Math.min(28, Math.max(...within.map((o) => optionSyntax(o).length)));
  return columns(options.map((o) => [optionSyntax(o), optionText(o)]), { widths: [first] });
}

function paragraph(text: string): string[] {
  return text.split('\n').flatMap((l) => (l.trim() === '' ? [''] : wrapText(l, WIDTH)));
}

/** `evometa NAME --help`. */
export function commandHelp(c: Command): string {
  const lines = [`usage: evometa ${c.name} ${c.usage}`, ''];
  lines.push(...paragraph(c.description ?? c.summary), '');
  const all = [...c.groups.flatMap((g) => g.options), HELP_SWITCH];
  for (const g of c.groups) {
    if (!g.options.length) continue;
    lines.push(...wrapText(`${g.title}:`, WIDTH), ...optionRows(g.options, all), '');
  }
  lines.push('help:', ...optionRows([HELP_SWITCH], all), '', ...paragraph(EXIT_CODES), ...paragraph(DEBUG_NOTE));
  return lines.join('\n') + '\n';
}

/** `evometa --help`: the commands, one line each. */
export function mainHelp(commands: readonly Command[], version: string): string {
  return [
    `evometa ${version}: evolutionary and meta-optimization engine`,
    '',
    'usage: evometa COMMAND [options]',
    '       evometa COMMAND --help       (or -h, or evometa help COMMAND) shows the command\'s options',
    '',
    'commands:',
    ...columns(commands.map((c) => [c.name, c.summary])),
    '',
    'options:',
    ...columns([
      ['-h, --help', 'show this list'],
      ['-V, --version', 'print the version'],
    ]),
    '',
    ...paragraph(EXIT_CODES),
    ...paragraph(DEBUG_NOTE),
    '',
  ].join('\n');
}
