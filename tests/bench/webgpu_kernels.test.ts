import test from 'ava';
import { webgpuKernelCoverage } from '../../bench/webgpu_kernels.js';

test('every kernel of the BLUR, meta-gradient, HT and modular ResNet workloads has a webgpu kernel (README, GPU)', async (t) => {
  const c = await webgpuKernelCoverage();
  t.deepEqual(Object.keys(c.used), ['BLUR population evaluation', 'BLUR meta-gradient', 'HyperTransformer training step', 'modular ResNet training step']);
  t.true(c.used['BLUR population evaluation']!.includes('BatchMatMul'));
  t.true(c.used['HyperTransformer training step']!.includes('Conv2D'));
  t.true(c.used['modular ResNet training step']!.includes('Conv2DBackpropFilter'));
  t.deepEqual(c.missing, { 'BLUR population evaluation': [], 'BLUR meta-gradient': [], 'HyperTransformer training step': [], 'modular ResNet training step': [] });
});
