/**
 * The score that chooses between vision meta-training runs (`selectionScore`, `blur_vision validate`): the shipped
 * rule scores what BENCHMARKS.md's run table says on the wasm backend the bench runs on, each unroll equals the
 * meta-validation check of that unroll, the command prints one row per genome, and `blur_vision start` writes the start
 * genomes whose grid BENCHMARKS.md reports.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/runtime/backend.js';
import { loadBlurGenome } from '../../genomes/blur_genome.js';
import { blurMnistTask } from '../../tasks/blur/blur_tasks.js';
import { META_VALIDATION_DEFAULTS, selectionScore, validationScore } from '../../bench/blur_meta_validation.js';
import { startGenome, visionSettings } from '../../bench/blur_vision.js';
import { tempDir } from '../helpers/run_files.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SHIPPED = join(repoRoot, 'genomes', 'vision-cmaes.blur.json');

test.before(async () => {
  await initBackend('wasm');
});

test('the shipped vision rule scores 70.1 / 74.7 % at U = 100 / 200 (BENCHMARKS.md, run N-s3), each the check of that unroll', async (t) => {
  const genome = loadBlurGenome(SHIPPED);
  const s = await selectionScore(genome, [100, 200]);
  t.true(Math.abs(100 * s.accuracy[0]! - 70.1) < 0.05, `U = 100: ${100 * s.accuracy[0]!}`);
  t.true(Math.abs(100 * s.accuracy[1]! - 74.7) < 0.05, `U = 200: ${100 * s.accuracy[1]!}`);
  t.is(s.mean, (s.accuracy[0]! + s.accuracy[1]!) / 2);
  const c = blurMnistTask.resolveConfig({ ways: 10, hidden: [64], unrollSteps: 100, batchSize: 32, queryBatchSize: 256, network: genome.network ?? {}, objective: 'cross-entropy' });
  t.is((await validationScore(genome, c, META_VALIDATION_DEFAULTS)).accuracy, s.accuracy[0]);
});

test('blur_vision validate prints a row per genome, and names a bad --unrolls in one line', (t) => {
  const bench = join(repoRoot, 'dist', 'bench', 'run.js');
  const out = execFileSync(process.execPath, [bench, 'blur_vision', 'validate', SHIPPED, '--unrolls', '3'], { cwd: repoRoot, encoding: 'utf8' });
  const rows = out.trim().split('\n').filter((l) => l.startsWith('| ') && l.includes('vision-cmaes'));
  t.is(rows.length, 1);
  t.regex(rows[0]!, /\| [\d.]+ \| [\d.]+ \|$/);
  const e = t.throws(() => execFileSync(process.execPath, [bench, 'blur_vision', 'validate', SHIPPED, '--unrolls', '0'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' }));
  t.regex(String((e as { stderr?: string }).stderr), /--unrolls must be a list of unroll lengths ≥ 1 such as 100,200 \(got 0\)/);
});

test('blur_vision start writes the start a search under those flags begins from; the chosen Adam-buffer start scores 77.8 / 80.9 %', async (t) => {
  const file = join(tempDir(), 'start.json');
  const flags = ['--feedback', 'softmax-error', '--output-activation', 'identity', '--init-scale', '2', '--start-lr', '0.005', '--moments', 'adam'];
  execFileSync(process.execPath, [join(repoRoot, 'dist', 'bench', 'run.js'), 'blur_vision', 'start', file, ...flags], { cwd: repoRoot, encoding: 'utf8' });
  const start = loadBlurGenome(file);
  t.deepEqual(start, startGenome(visionSettings(flags)));
  t.like(start.network, { synapseMoments: 'adam', initScale: 2 });
  // the start grid's chosen row (BENCHMARKS.md, blur_vision, Adam's moment buffers)
  const s = await selectionScore(start, [100, 200]);
  t.true(Math.abs(100 * s.accuracy[0]! - 77.8) < 0.05, `U = 100: ${100 * s.accuracy[0]!}`);
  t.true(Math.abs(100 * s.accuracy[1]! - 80.9) < 0.05, `U = 200: ${100 * s.accuracy[1]!}`);
});
