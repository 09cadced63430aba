/**
 * The `evometa replay` command a finished blur search prints: it replays the run's final point in the setting the
 * rule was meta-trained in. The genome file's meta.trainedOn (or the run's manifest) decides the network, the inner
 * steps and the batch, so the command only names the task, and `replay` says on stderr which setting it used.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJsonFile } from '../../core/json_file.js';
import type { GenomeFileMeta } from '../../core/genome_file.js';
import { shellQuote } from '../../report/report.js';
import { findTrainedOn, manifestGenomeKind } from './replay_setting.js';

/**
 * The replay command for a blur run folder (its final.json where the run wrote one, else the folder, which replays
 * its final point) or a blur genome file; null for anything that is not a blur genome.
 */
export async function replayCommandFor(path: string): Promise<string | null> {
  let target = path;
  let meta: GenomeFileMeta | null = null;
  if (statSync(path).isDirectory()) {
    if (manifestGenomeKind(path) !== 'blur') return null;
    if (existsSync(join(path, 'final.json'))) target = join(path, 'final.json');
  }
  if (target !== path || !statSync(path).isDirectory()) {
    const json = readJsonFile(target, 'genome file') as { kind?: unknown; meta?: GenomeFileMeta; genome?: unknown };
    const kind = typeof json.kind === 'string' ? json.kind : manifestGenomeKind(dirname(target));
    if (kind !== 'blur') return null;
    meta = json.meta ?? null;
  }
  const found = await findTrainedOn(target, meta);
  const task = found ? ` --task ${found.trainedOn.replayTask}` : '';
  return `npx evometa replay ${shellQuote(target)}${task} --compare sgd,adam --seeds 5`;
}
