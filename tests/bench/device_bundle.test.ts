/**
 * The GPU machine's bundle (with Node.js, as carried there) builds here, stays under the device machine's limit, and
 * runs from anywhere: its wasm half always, its WebGPU half on lavapipe (a software Vulkan driver) where .ci/lavapipe
 * has unpacked it, and its run.sh sets up a stand-in for the GPU machine it was built for.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EQUAL_WITHIN, maxRelativeDifference, workloadDifferences, type DeviceFigures } from '../../bench/device.js';
import { buildDeviceBundle, DEVICE_BUNDLE_LIMIT_BYTES } from '../../bench/device_bundle.js';
import { GPU_WORKLOADS } from '../../bench/gpu_workloads.js';
import { runInDeviceImage } from '../helpers/device_image.js';
import { needLavapipe } from '../helpers/lavapipe.js';

interface DeviceResult {
  figures: DeviceFigures[];
  skipped: Record<string, string>;
  comparisons: { backend: string; against: string; maxRelativeDifference: number; workloads: Record<string, number> }[];
}

const dir = mkdtempSync(join(tmpdir(), 'evometa-device-'));
const bundle = join(dir, 'bundle');
let bytes = 0;

test.before(async () => {
  bytes = await buildDeviceBundle(bundle, { withNode: true });
});

/** Runs the bundle from a folder with no node_modules around it; returns its result file and stdout. */
function runBundle(name: string, env: Record<string, string>): { json: DeviceResult; stdout: string; status: number | null; stderr: string } {
  const out = join(dir, `${name}.json`);
  const r = spawnSync(join(bundle, 'run.sh'), ['--backends', 'webgpu,wasm', '--pops', '1,2', '--ht-steps', '1', '--out', out], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '', ...env } });
  return { json: existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as DeviceResult) : ({} as DeviceResult), stdout: r.stdout, status: r.status, stderr: r.stderr };
}

test('the bundle fits the limit and runs its wasm half; without a Vulkan driver the webgpu half says why in one line', (t) => {
  t.true(bytes > 40 * 2 ** 20, `Dawn's addon, tfjs and Node.js are in it (${bytes} bytes)`);
  t.true(bytes < DEVICE_BUNDLE_LIMIT_BYTES);
  const r = runBundle('no-gpu', { VK_DRIVER_FILES: join(dir, 'no-such-icd.json') });
  t.is(r.status, 0, r.stderr);
  t.is(r.json.figures.length, 1);
  const wasm = r.json.figures[0]!;
  t.is(wasm.backend, 'wasm');
  t.deepEqual(Object.keys(wasm.blurEvalsPerSecond), ['1', '2']);
  t.true(Object.values(wasm.blurEvalsPerSecond).every((v) => v > 0));
  t.is(wasm.blurLosses['2']!.length, 2);
  t.true(wasm.blurLosses['2']!.every(Number.isFinite));
  t.true(wasm.htStepsPerSecond > 0 && wasm.metaGradsPerSecond! > 0);
  t.deepEqual(Object.keys(wasm.workloads!), Object.keys(GPU_WORKLOADS));
  t.true(Object.values(wasm.workloads!).every((w) => w.ok && w.values!.every(Number.isFinite)));
  t.regex(r.json.skipped['webgpu']!, /^TensorFlow\.js backend 'webgpu' is unavailable: no WebGPU adapter: /);
  t.regex(r.stdout, /wasm {3}BLUR P = {3}2: +[\d.]+ genome-evals\/s/);
});

test('on lavapipe the webgpu half runs all four GPU workloads, and its results equal wasm\'s within 1e-4', (t) => {
  const env = needLavapipe(t);
  if (!env) return;
  const r = runBundle('lavapipe', env);
  t.is(r.status, 0, r.stderr);
  t.deepEqual(r.json.skipped, {});
  const [gpu, wasm] = r.json.figures;
  t.is(gpu!.backend, 'webgpu');
  t.regex(gpu!.adapter!, /llvmpipe/);
  t.true(Object.values(gpu!.workloads!).every((w) => w.ok), JSON.stringify(gpu!.workloads));
  t.true(gpu!.htStepsPerSecond > 0 && gpu!.metaGradsPerSecond! > 0);
  t.true(maxRelativeDifference(wasm!, gpu!) <= EQUAL_WITHIN);
  const d = workloadDifferences(wasm!, gpu!);
  t.deepEqual(Object.keys(d), Object.keys(GPU_WORKLOADS));
  for (const [name, diff] of Object.entries(d)) t.true(diff <= EQUAL_WITHIN, `${name}: ${diff}`);
  t.is(r.json.comparisons[0]!.maxRelativeDifference, maxRelativeDifference(wasm!, gpu!));
});

test('on a machine like the GPU one (no Vulkan loader, no Node.js, the driver in /usr/local/nvidia) run.sh sets it up and the webgpu half runs', (t) => {
  const out = 'image.json';
  const r = runInDeviceImage(t, dir, ['--backends', 'webgpu,wasm', '--pops', '1,2', '--ht-steps', '1', '--out', `/check/${out}`]);
  if (!r) return;
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^device check: no Vulkan loader here; unpacking .*libvulkan1_.*\.deb .*into \/$/m);
  t.regex(r.stdout, /^device check: no Node\.js 20 here; using the bundle's \(node\.xz\)$/m);
  const json = JSON.parse(readFileSync(join(dir, out), 'utf8')) as DeviceResult;
  t.deepEqual(json.skipped, {});
  const [gpu, wasm] = json.figures;
  t.is(gpu!.backend, 'webgpu');
  t.regex(gpu!.adapter!, /llvmpipe/, 'the driver was found through the ICD file and library path run.sh named');
  t.true(Object.values(gpu!.workloads!).every((w) => w.ok), JSON.stringify(gpu!.workloads));
  t.true(maxRelativeDifference(wasm!, gpu!) <= EQUAL_WITHIN);
});

test('backends are compared by the largest relative difference of their BLUR losses', (t) => {
  const f = (losses: number[]): DeviceFigures => ({ backend: 'x', blurEvalsPerSecond: {}, blurLosses: { '2': losses }, htStepsPerSecond: 0 });
  t.is(maxRelativeDifference(f([1, 2]), f([1, 2])), 0);
  t.is(maxRelativeDifference(f([1.0001, 2]), f([1, 2])), (1.0001 - 1) / 1);
  t.is(maxRelativeDifference(f([0, 4.2]), f([0, 4])), (4.2 - 4) / 4);
  t.is(maxRelativeDifference(f([1e-9, 2]), f([0, 2])), 1e-9 / 1e-6, 'a zero reference counts against 1e-6');
});

test('workloads are compared only where both backends ran them, by the same relative measure', (t) => {
  const f = (values: number[] | undefined): DeviceFigures => ({ backend: 'x', blurEvalsPerSecond: {}, blurLosses: {}, htStepsPerSecond: 0, workloads: { a: values ? { ok: true, values } : { ok: false, error: 'no' } } });
  t.deepEqual(workloadDifferences(f([1, 2.5]), f([1, 2])), { a: 0.25 });
  t.deepEqual(workloadDifferences(f(undefined), f([1, 2])), {});
  t.deepEqual(workloadDifferences(f([1]), f([1, 2])), {}, 'different lengths are not compared');
});
