/**
 * `--backend webgpu` for real, on lavapipe (Mesa's software Vulkan driver, unpacked by .ci/lavapipe): Dawn finds
 * the adapter, TensorFlow.js computes on it, asynchronous reads work and a synchronous one says what to do.
 * It runs in a child process, whose environment alone names the driver.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEBGPU_SYNC_READ } from '../../../src/runtime/webgpu_adapter.js';
import { needLavapipe } from '../../helpers/lavapipe.js';

const backendModule = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'runtime', 'backend.js');

const SCRIPT = `
const { initBackend, getTf } = await import(${JSON.stringify(backendModule)});
const info = await initBackend('webgpu');
const tf = getTf();
const sum = tf.add(tf.tensor1d([1, 2, 3]), tf.scalar(0.5));
const values = Array.from(await sum.data());
let syncRead = '';
try { tf.mul(tf.fill([2000], 1), 2).dataSync(); } catch (e) { syncRead = e.message; } // on the GPU: filled there, too large to run on the CPU
console.log(JSON.stringify({ backend: tf.getBackend(), adapter: info.adapter, values, syncRead }));
`;

test('webgpu on a software adapter: named as software, computes, reads asynchronously, refuses a synchronous read in one line', (t) => {
  const env = needLavapipe(t);
  if (!env) return;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', env: { ...process.env, ...env } });
  t.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { backend: string; adapter: string; values: number[]; syncRead: string };
  t.is(out.backend, 'webgpu');
  t.regex(out.adapter, /^llvmpipe.*, software$/);
  t.deepEqual(out.values, [1.5, 2.5, 3.5]);
  t.is(out.syncRead, WEBGPU_SYNC_READ);
});
