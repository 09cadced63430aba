/**
 * `evometa export DIR [--which mean|best] [--out FILE] [--json]`: a run's final point (the CMA-ES mean,
 * metagrad's x) or its best evaluation as a genome file, plus a warm-start search config for CMA-ES runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import type { Command, ParsedArgs, SwitchSpec } from './command.js';
import { JSON_SWITCH, OUT, withHelp } from './options.js';
import { requireRunFolder } from './run_folder.js';

const FORCE: SwitchSpec = { flag: 'force', kind: 'switch', help: 'overwrite an existing --out file that is not a genome file (never the run\'s own files)' };

const WHICH: OptionSpec<string> = { flag: 'which', key: 'which', kind: 'enum', choices: ['mean', 'best'], help: "mean: the strategy's final point (the CMA-ES mean, metagrad's x; default); best: best.json's point" };

export const exportCommand: Command = {
  name: 'export',
  summary: "a run's final point (CMA-ES mean, metagrad x) as a genome file, and a CMA-ES warm start",
  usage: 'DIR [--which mean|best] [--out FILE] [--force] [--json]',
  description:
    "Writes the run's final point (or with --which best its best evaluation) as a genome file that --init, replay and " +
    "loadGenome read, and for CMA-ES a warm-start config beside it (FILE.warm.json): evometa search --config it goes on " +
    'from the mean with the run\'s σ and per-coordinate scales.',
  positionals: [{ name: 'DIR', required: true }],
  groups: [{ title: 'options', options: [WHICH, FORCE, withHelp(OUT, 'the genome file to write (default DIR/final.json, or DIR/best-genome.json for --which best)', { value: 'FILE' }), withHelp(JSON_SWITCH, 'print {genome, warm} (the paths written) as one JSON document')] }],
  run: exportRun,
};

async function exportRun(args: ParsedArgs): Promise<void> {
  const dir = args.positional[0]!;
  requireRunFolder(dir);
  if (!existsSync(join(dir, 'checkpoint.json'))) throw new UsageError(`${dir} has no checkpoint.json yet (no generation finished); wait for one, or resume the run`);
  const which = (args.flags['which'] === undefined ? 'mean' : parseOptionValue(WHICH, args.flags['which'])) as 'mean' | 'best';
  const out = args.flags['out'] ?? join(dir, which === 'mean' ? 'final.json' : 'best-genome.json');
  if (!out.toLowerCase().endsWith('.json')) throw new UsageError(`--out must name a .json file (got ${out})`);
  const { exportRunPoint } = await import('../store/run_export.js');
  const { registryForRun } = await import('../plugins.js');
  const r = exportRunPoint(dir, which, out, await registryForRun(dir), { force: args.switches.has('force') });
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  process.stdout.write(`genome: ${r.genome}\n`);
  if (r.warm) process.stdout.write(`warm start: ${r.warm}  (evometa search --config ${r.warm} … goes on from the mean with its σ and scales)\n`);
}
