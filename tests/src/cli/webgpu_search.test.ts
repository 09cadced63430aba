/**
 * A search through the CLI with `--backend webgpu`, on lavapipe (Mesa's software Vulkan driver, unpacked by
 * .ci/lavapipe): the same generation as on wasm within 1e-4, and the adapter in the manifest. The BLUR and the
 * modular ResNet ordering tasks; HyperTransformer training is covered by the device bundle's test.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, readJson, tempDir } from '../../helpers/run_files.js';
import { needLavapipe } from '../../helpers/lavapipe.js';

interface Generation {
  bestFitness: number;
  medianFitness: number;
  mean: number[];
}

function search(backend: string, args: string[], env: Record<string, string>, workers = 0): { dir: string; first: Generation; status: number | null; stderr: string } {
  const dir = join(tempDir(), 'run');
  const r = spawnSync(process.execPath, [CLI, 'search', ...args, '--backend', backend, '--workers', String(workers), '--max-generations', '1', '--popsize', '4', '--seed', '1', '--out', dir], { encoding: 'utf8', env: { ...process.env, ...env } });
  const lines = r.status === 0 ? spawnSync('head', ['-1', join(dir, 'generations.jsonl')], { encoding: 'utf8' }).stdout : '{}';
  return { dir, first: JSON.parse(lines) as Generation, status: r.status, stderr: r.stderr };
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);

for (const [name, args] of [
  ['blur-boolean', ['--task', 'blur-boolean', '--genome', 'blur']],
  // Batch norm fitted too, so the modular ResNet's training step runs on the GPU; small splits keep lavapipe quick.
  ['ordering-transfer', ['--task', 'ordering-transfer', '--genome', 'ordering', '--task-config', JSON.stringify({ bank: 'results/bank-400', trainSamples: 200, validation: 100, testSamples: 100, statsSamples: 32, headSteps: 10, batchSize: 16, fitBatchNorm: true })]],
] as const) {
  test(`${name} on webgpu (lavapipe): the first generation equals wasm's within 1e-4; the manifest names the adapter`, (t) => {
    const env = needLavapipe(t);
    if (!env) return;
    const gpu = search('webgpu', [...args], env);
    t.is(gpu.status, 0, gpu.stderr);
    const cpu = search('wasm', [...args], env);
    t.is(cpu.status, 0, cpu.stderr);
    t.true(relative(gpu.first.bestFitness, cpu.first.bestFitness) <= 1e-4, `${gpu.first.bestFitness} vs ${cpu.first.bestFitness}`);
    t.true(relative(gpu.first.medianFitness, cpu.first.medianFitness) <= 1e-4, `${gpu.first.medianFitness} vs ${cpu.first.medianFitness}`);
    const manifest = readJson(join(gpu.dir, 'manifest.json')) as { backend: { used: string; adapter: string } };
    t.is(manifest.backend.used, 'webgpu');
    t.regex(manifest.backend.adapter, /llvmpipe.*software/);
  });
}

test('webgpu in two worker threads (each its own Dawn device) gives the inline webgpu run\'s generation exactly', (t) => {
  const env = needLavapipe(t);
  if (!env) return;
  const args = ['--task', 'blur-boolean', '--genome', 'blur'];
  const inline = search('webgpu', args, env);
  const threads = search('webgpu', args, env, 2);
  t.is(threads.status, 0, threads.stderr);
  const scored = (g: Generation) => ({ best: g.bestFitness, median: g.medianFitness, mean: g.mean });
  t.deepEqual(scored(threads.first), scored(inline.first));
});
