/** `--init FILE`: the start point is the file's genome, read through the genome file codec and checked to be of --genome's kind. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startVector } from '../../../src/engine/engine.js';
import type { RunConfig } from '../../../src/engine/run_config.js';
import { backpropGenome, blurGenome, saveBlurGenome } from '../../../genomes/blur_genome.js';
import { makeOrderingGenome, saveOrderingGenome } from '../../../genomes/ordering_genome.js';
import { vectorGenome } from '../../../genomes/vector.js';
import { CLI, tempDir } from '../../helpers/run_files.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const blurConfig = blurGenome.resolveConfig({ k: 2, perLayer: true, numLayers: 2 });
const blurStart = (init: string): number[] => startVector({ genome: 'blur', init, seed: 1, x0: 0 } as unknown as RunConfig, { kind: blurGenome, kindConfig: blurConfig });

test('--init reads a version-2 file, a version-1 file and a run record alike', (t) => {
  const dir = tempDir();
  const want = blurGenome.encode(backpropGenome(2), blurConfig); // the shared genome, on both layers
  saveBlurGenome(join(dir, 'bp.json'), backpropGenome(2));
  t.deepEqual(blurStart(join(dir, 'bp.json')), want);
  t.deepEqual(blurStart(join(repoRoot, 'tests', 'fixtures', 'genome_files_v1', 'backprop.blur.json')), want);
  // best.json of this build stores the bare genome: its kind is --genome's
  writeFileSync(join(dir, 'best.json'), JSON.stringify({ fitness: 0.2, x: want, genome: backpropGenome(2), generation: 1, index: 0, evaluation: 3 }));
  t.deepEqual(blurStart(join(dir, 'best.json')), want);
  const vec = join(dir, 'v.json');
  writeFileSync(vec, '[1, 2.5]');
  t.deepEqual(startVector({ genome: 'vector', init: vec, seed: 1, x0: 0 } as unknown as RunConfig, { kind: vectorGenome, kindConfig: { dim: 2 } }), [1, 2.5]);
});

test('--init with a file of another kind than --genome: one line naming both', (t) => {
  const dir = tempDir();
  const file = join(dir, 'o.json');
  saveOrderingGenome(file, makeOrderingGenome([0, 1], 2));
  t.throws(() => blurStart(file), { message: `${file} holds a genome of kind 'ordering', but --genome is 'blur'; give a 'blur' genome file or --genome ordering` });
  const r = spawnSync(process.execPath, [CLI, 'search', '--genome', 'blur', '--task', 'blur-boolean', '--init', file, '--max-generations', '1', '--workers', '0', '--out', join(dir, 'run')], { encoding: 'utf8' });
  t.is(r.status, 2);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /o\.json holds a genome of kind 'ordering', but --genome is 'blur'; give a 'blur' genome file or --genome ordering/);
});

test('--init with a folder: one line saying it is not a file, exit 2, no run folder', (t) => {
  const dir = tempDir();
  const r = spawnSync(process.execPath, [CLI, 'search', '--task', 'sphere', '--dim', '3', '--init', dir, '--workers', '0', '--out', join(dir, 'run')], { encoding: 'utf8' });
  t.is(r.status, 2);
  t.is(r.stderr, `evometa: error: genome file ${dir} is not a file (a folder?); give the path of the JSON file\n`);
  t.false(existsSync(join(dir, 'run')));
});
