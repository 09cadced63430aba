/**
 * `evometa report DIR... [--json] [--html [--out FILE]]`: a run's summary (text, or one JSON document) and its plot,
 * DIR/report.svg; with --html, the interactive dashboard of one or more runs as one HTML file.
 */
import { UsageError } from '../core/errors.js';
import type { Command, ParsedArgs, SwitchSpec } from './command.js';
import { JSON_SWITCH, OUT, withHelp } from './options.js';
import { requireRunFolder } from './run_folder.js';

const HTML_SWITCH: SwitchSpec = { flag: 'html', kind: 'switch', help: 'write the dashboard of the runs (interactive charts, runs overlaid) as one HTML file that opens without a network' };

export const reportCommand: Command = {
  name: 'report',
  summary: 'summary table and plot (DIR/report.svg) of a run, finished, running or killed; --html: a dashboard page',
  usage: 'DIR... [--json] [--html [--out FILE]]',
  description: "Reads the run folder DIR (only its manifest.json is required: a killed run's cut-short files are read as far as they go), prints a summary and writes the plot DIR/report.svg.\nWith --html it writes instead one self-contained HTML page for one or more run folders: the report's panels as interactive charts (hover values, zoom, x axis evaluations, generation or wall time), the runs overlaid, and the replay curves of replay.json files in the folders.",
  positionals: [{ name: 'DIR', required: true, repeatable: true }],
  groups: [{
    title: 'options',
    options: [
      withHelp(JSON_SWITCH, 'print the summary as one JSON document (run, config, best, progress, stop reason, plot path; with --html: the page and each run\'s summary)'),
      HTML_SWITCH,
      withHelp(OUT, 'with --html: the HTML file to write (default DIR/report.html for one run, ./dashboard.html for several)', { value: 'FILE' }),
    ],
  }],
  run: report,
};

async function report(args: ParsedArgs): Promise<void> {
  const dirs = args.positional;
  for (const dir of dirs) requireRunFolder(dir);
  const html = args.switches.has('html');
  const out = args.flags['out'];
  if (out !== undefined && !html) throw new UsageError('--out names the HTML file of --html; add --html (the text report writes DIR/report.svg)');
  if (html) {
    const { writeHtmlReport } = await import('../report/html/html_report.js');
    const { path, data } = writeHtmlReport(dirs, out);
    if (args.switches.has('json')) process.stdout.write(JSON.stringify({ html: path, runs: data.runs.map((r) => r.facts) }) + '\n');
    else process.stdout.write(`dashboard of ${dirs.length} run${dirs.length === 1 ? '' : 's'}: ${path}\n`);
    return;
  }
  if (dirs.length > 1) throw new UsageError(`the text report takes one DIR (got ${dirs.length}); add --html for a dashboard of several runs`);
  const dir = dirs[0]!;
  const { loadRun, reportRun } = await import('../report/report.js');
  const { runFacts } = await import('../report/report_summary.js');
  const { text, svgPath } = reportRun(dir);
  if (args.switches.has('json')) process.stdout.write(JSON.stringify({ ...runFacts(loadRun(dir)), plot: svgPath }) + '\n');
  else process.stdout.write(`${text}\nplot: ${svgPath}\n`);
}
