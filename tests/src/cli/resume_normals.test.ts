/**
 * A run folder written before CMA-ES drew its normals with the ziggurat (its checkpoint and manifest name no
 * `normals`) resumes with the Box–Muller stream it was recorded with: the resumed generations equal those of a run
 * that drew Box–Muller from the start, and differ from a new run's.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generationsWithoutTimings, readJson, tempDir } from '../../helpers/run_files.js';
import { cli } from './cli_run.js';

const search = (out: string, generations: number, params: string[]): void => {
  const r = cli(['search', '--task', 'ellipsoid', '--dim', '5', '--x0', '1', '--sigma0', '0.5', '--max-generations', String(generations), '--seed', '5', '--workers', '0', ...params, '--out', out, '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
};

test('a checkpoint without params.normals resumes with Box–Muller, as the run was recorded', (t) => {
  const dir = tempDir();
  const boxMuller = ['--strategy-params', '{"normals":"box-muller"}'];
  search(join(dir, 'reference'), 8, boxMuller);
  search(join(dir, 'new'), 8, []);
  const old = join(dir, 'old');
  search(old, 3, boxMuller);
  // Make it a folder from before the ziggurat: neither the checkpoint's state nor the manifest names the method.
  const checkpoint = readJson(join(old, 'checkpoint.json'));
  delete checkpoint.strategy.params.normals;
  writeFileSync(join(old, 'checkpoint.json'), JSON.stringify(checkpoint));
  const manifest = readJson(join(old, 'manifest.json'));
  manifest.config.strategyParams = {};
  writeFileSync(join(old, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const r = cli(['resume', old, '--max-generations', '8', '--json']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(generationsWithoutTimings(old), generationsWithoutTimings(join(dir, 'reference')));
  t.notDeepEqual(generationsWithoutTimings(join(dir, 'new')), generationsWithoutTimings(join(dir, 'reference')));
  t.is(readJson(join(dir, 'new', 'checkpoint.json')).strategy.params.normals, 'ziggurat');
  t.false('normals' in JSON.parse(readFileSync(join(old, 'checkpoint.json'), 'utf8')).strategy.params, 'the resumed run keeps its state as it was recorded');
});
