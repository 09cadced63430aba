/** Reading a genome file: a genome's own JSON, or a run's best.json whose `genome` field holds one. */
import { readJsonFile } from './json_file.js';

/** The genome JSON in `path` and the prefix its validation errors should carry. */
export function readGenomeJson(path: string): { json: unknown; where: string } {
  const json = readJsonFile(path, 'genome file');
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    if (o['format'] === undefined && typeof o['genome'] === 'object' && o['genome'] !== null) return { json: o['genome'], where: `${path}: genome` };
  }
  return { json, where: path };
}
