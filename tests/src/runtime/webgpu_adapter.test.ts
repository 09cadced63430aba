import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeAdapter, explainSyncReads, isSoftwareAdapter, vulkanDrivers, vulkanLoader, WEBGPU_SYNC_READ } from '../../../src/runtime/webgpu_adapter.js';

test('the Vulkan loader is found in LD_LIBRARY_PATH folders, else not', (t) => {
  if (process.platform !== 'linux') return t.pass();
  const dir = mkdtempSync(join(tmpdir(), 'evometa-vk-'));
  writeFileSync(join(dir, 'libvulkan.so.1'), '');
  t.is(vulkanLoader({ LD_LIBRARY_PATH: `/nonexistent:${dir}` }), `${dir}/libvulkan.so.1`);
  const empty = mkdtempSync(join(tmpdir(), 'evometa-vk-'));
  const found = vulkanLoader({ LD_LIBRARY_PATH: empty });
  // Without the folder, only the system's own folders count.
  t.true(found === null || !found.startsWith(empty));
});

test('Vulkan drivers named by VK_DRIVER_FILES / VK_ICD_FILENAMES count only where the file exists', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'evometa-icd-'));
  mkdirSync(join(dir, 'icd.d'));
  const icd = join(dir, 'icd.d', 'nvidia_icd.json');
  writeFileSync(icd, '{"ICD": {"library_path": "libGLX_nvidia.so.0"}}');
  t.deepEqual(vulkanDrivers({ VK_DRIVER_FILES: `${icd}:${join(dir, 'missing.json')}` }), [icd]);
  t.deepEqual(vulkanDrivers({ VK_ICD_FILENAMES: icd }), [icd]);
  t.deepEqual(vulkanDrivers({ VK_DRIVER_FILES: join(dir, 'missing.json') }), []);
});

test('adapters are named by device, vendor and driver as Dawn reports them on NVIDIA and on lavapipe', (t) => {
  t.is(describeAdapter({ vendor: 'nvidia', architecture: '', device: 'nvidia-h200', description: 'NVIDIA: 580.159.04 580.159.4.0' }), 'nvidia-h200 (nvidia, NVIDIA: 580.159.04 580.159.4.0)');
  t.is(describeAdapter({ vendor: 'mesa', device: '', description: 'llvmpipe: Mesa 25.0.7' }), 'llvmpipe: Mesa 25.0.7 (mesa)');
  t.is(describeAdapter({}), 'unknown device');
});

test('a synchronous GPU read says to use wasm; reads of CPU values and other errors pass through', (t) => {
  const cpuValues = new Float32Array([1, 2]);
  const backend = {
    readSync(dataId: object): unknown {
      if ((dataId as { onCpu?: boolean }).onCpu) return cpuValues;
      if ((dataId as { broken?: boolean }).broken) throw new RangeError('something else');
      throw new ReferenceError('OffscreenCanvas is not defined');
    },
  };
  explainSyncReads(backend);
  t.is(backend.readSync({ onCpu: true }), cpuValues);
  t.throws(() => backend.readSync({}), { message: WEBGPU_SYNC_READ });
  t.throws(() => backend.readSync({ broken: true }), { instanceOf: RangeError, message: 'something else' });
  t.false(WEBGPU_SYNC_READ.includes('\n'));
});

test('software adapters are told apart: lavapipe by its architecture and name, SwiftShader as the fallback adapter', (t) => {
  t.true(isSoftwareAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7' }));
  t.true(isSoftwareAdapter({ vendor: 'google', device: 'swiftshader' }));
  t.true(isSoftwareAdapter({}, true));
  t.false(isSoftwareAdapter({ vendor: 'nvidia', architecture: '', device: 'nvidia-h200', description: 'NVIDIA: 580.159.04 580.159.4.0' }));
});
