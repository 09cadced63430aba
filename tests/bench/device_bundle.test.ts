/** The GPU machine's bundle builds here, stays under the device machine's limit, and runs its wasm half from anywhere. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxRelativeDifference, type DeviceFigures } from '../../bench/device.js';
import { buildDeviceBundle, DEVICE_BUNDLE_LIMIT_BYTES } from '../../bench/device_bundle.js';

test('the bundle builds, fits the limit, and runs its wasm half with no node_modules around it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'evometa-device-'));
  const out = join(dir, 'bundle');
  const bytes = await buildDeviceBundle(out);
  t.true(bytes > 20 * 2 ** 20, `Dawn's addon and tfjs are in it (${bytes} bytes)`);
  t.true(bytes < DEVICE_BUNDLE_LIMIT_BYTES);
  const result = join(dir, 'result.json');
  const r = spawnSync(join(out, 'run.sh'), ['--backends', 'webgpu,wasm', '--pops', '1,2', '--ht-steps', '1', '--out', result], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
  t.is(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(result, 'utf8')) as { figures: DeviceFigures[]; skipped: Record<string, string> };
  t.is(json.figures.length, 1);
  const wasm = json.figures[0]!;
  t.is(wasm.backend, 'wasm');
  t.deepEqual(Object.keys(wasm.blurEvalsPerSecond), ['1', '2']);
  t.true(Object.values(wasm.blurEvalsPerSecond).every((v) => v > 0));
  t.is(wasm.blurLosses['2']!.length, 2);
  t.true(wasm.blurLosses['2']!.every(Number.isFinite));
  t.true(wasm.htStepsPerSecond > 0);
  // This machine has no GPU: the webgpu half says why in one line.
  t.regex(json.skipped['webgpu']!, /^TensorFlow\.js backend 'webgpu' is unavailable: no WebGPU adapter: /);
  t.regex(r.stdout, /wasm {3}BLUR P = {3}2: +[\d.]+ genome-evals\/s/);
});

test('backends are compared by the largest relative difference of their BLUR losses', (t) => {
  const f = (losses: number[]): DeviceFigures => ({ backend: 'x', blurEvalsPerSecond: {}, blurLosses: { '2': losses }, htStepsPerSecond: 0 });
  t.is(maxRelativeDifference(f([1, 2]), f([1, 2])), 0);
  t.is(maxRelativeDifference(f([1.0001, 2]), f([1, 2])), (1.0001 - 1) / 1);
  t.is(maxRelativeDifference(f([0, 4.2]), f([0, 4])), (4.2 - 4) / 4);
  t.is(maxRelativeDifference(f([1e-9, 2]), f([0, 2])), 1e-9 / 1e-6, 'a zero reference counts against 1e-6');
});
