/**
 * `evometa replay GENOME` with no setting flags trains the network each shipped genome was meta-trained in (its
 * meta.trainedOn) and reaches the accuracy its meta.score records. The score was measured by the meta-objective
 * (bench/blur_boolean.ts evaluateGenome: 20 seeds × 4 synapse initialisations, fresh 512-point query batches); the
 * replay measures on its own data (a fixed 2000-point test set) with 20 networks, so the two differ by seed noise
 * (≈ 0.3–0.7 points for the mean of 20) and the test set's sampling error (≈ 0.5 points): the test allows 1.5 points.
 * `--seeds 20 --compare none` only set how much is measured; the setting (task, sizes, outputs, steps, batch) is the
 * file's.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, readJson, tempDir } from '../../../helpers/run_files.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
const TOLERANCE = 0.015;

function replay(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, 'replay', ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const name of ['boolean-cmaes', 'boolean-metagrad', 'backprop']) {
  const file = join('genomes', `${name}.blur.json`);
  const meta = readJson(join(repoRoot, file)).meta;
  for (const task of Object.keys(meta.score.accuracy))
    test(`replay ${file}${task === meta.trainedOn.replayTask ? '' : ` --task ${task}`} builds its meta-training network and reaches its recorded ${task} accuracy (±1.5 points)`, async (t) => {
      const r = await replay([file, ...(task === meta.trainedOn.replayTask ? [] : ['--task', task]), '--seeds', '20', '--compare', 'none', '--out', tempDir(), '--json']);
      t.is(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      t.is(out.task, task);
      t.deepEqual(out.sizes, meta.trainedOn.layers);
      t.is(out.evalAt.at(-1), meta.trainedOn.steps);
      t.is(meta.score.steps, meta.trainedOn.steps);
      const saved = readJson(join(out.runDir, 'replay.json'));
      t.is(saved.config.batchSize, meta.trainedOn.batchSize);
      t.is(saved.config.outputs, 'signed');
      t.regex(r.stderr, new RegExp(`replay setting: ${task}, sizes ${meta.trainedOn.layers.join('-')} \\(signed outputs\\), ${meta.trainedOn.steps} steps, batch ${meta.trainedOn.batchSize}; from the meta-training setting of ${file}`));
      const reached = out.methods.blur.mean.at(-1);
      const recorded = meta.score.accuracy[task];
      t.log(`${name} ${task}: replay ${(100 * reached).toFixed(2)} %, recorded ${(100 * recorded).toFixed(2)} %`);
      t.true(Math.abs(reached - recorded) <= TOLERANCE, `replay ${reached} vs recorded ${recorded}`);
    });
}
