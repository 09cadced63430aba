/**
 * `evometa export DIR [--which mean|best] [--out FILE] [--json]`: a run's final point (the CMA-ES mean,
 * metagrad's x) or its best evaluation as a genome file, plus a warm-start search config for CMA-ES runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedArgs } from './args.js';
import { UsageError } from '../core/errors.js';
import { exportRunPoint } from '../store/run_export.js';
import { registryForRun } from '../plugins.js';

export async function cmdExport(args: ParsedArgs): Promise<void> {
  const dir = args.positional[0];
  if (!dir || args.positional.length > 1) throw new UsageError('usage: evometa export DIR [--which mean|best] [--out FILE] [--force]');
  const unknown = Object.keys(args.flags).filter((f) => f !== 'which' && f !== 'out');
  if (unknown.length) throw new UsageError(`unknown option --${unknown[0]} for export; valid options: --which, --out, --json, --force`);
  if (!existsSync(join(dir, 'manifest.json'))) throw new UsageError(`${dir} is not a run folder (no manifest.json); start one with evometa search`);
  if (!existsSync(join(dir, 'checkpoint.json'))) throw new UsageError(`${dir} has no checkpoint.json yet (no generation finished); wait for one, or resume the run`);
  const which = args.flags['which'] ?? 'mean';
  if (which !== 'mean' && which !== 'best') throw new UsageError(`--which must be mean or best (got ${which})`);
  const out = args.flags['out'] ?? join(dir, which === 'mean' ? 'final.json' : 'best-genome.json');
  if (!out.toLowerCase().endsWith('.json')) throw new UsageError(`--out must name a .json file (got ${out})`);
  const r = exportRunPoint(dir, which, out, await registryForRun(dir), { force: args.switches.has('force') });
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  process.stdout.write(`genome: ${r.genome}\n`);
  if (r.warm) process.stdout.write(`warm start: ${r.warm}  (evometa search --config ${r.warm} … goes on from the mean with its σ and scales)\n`);
}
