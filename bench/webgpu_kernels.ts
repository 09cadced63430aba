/**
 * `npm run bench -- webgpu_kernels`: which TensorFlow.js kernels evometa's GPU workloads run (recorded with
 * tf.profile on the cpu backend, small sizes), and which of them TensorFlow.js's WebGPU backend does not register.
 * Those would fail on `--backend webgpu`; the README lists them, and a test keeps that list true.
 */
import { getTf, initBackend } from '../src/runtime/backend.js';
import { GPU_WORKLOADS } from './gpu_workloads.js';

const tf = getTf();

export interface KernelCoverage {
  /** Workload → the kernels it ran. */
  used: Record<string, string[]>;
  /** Workload → the kernels it ran that the webgpu backend lacks. */
  missing: Record<string, string[]>;
}

export async function webgpuKernelCoverage(): Promise<KernelCoverage> {
  await initBackend('cpu');
  await import('@tensorflow/tfjs-backend-webgpu'); // registers its kernels; needs no GPU
  const have = new Set(tf.getKernelsForBackend('webgpu').map((k) => k.kernelName));
  const used: Record<string, string[]> = {};
  const missing: Record<string, string[]> = {};
  for (const [name, run] of Object.entries(GPU_WORKLOADS)) {
    const p = await tf.profile(async () => void (await run()));
    // Names ending in __op are composite ops (custom gradients such as logSoftmax), built from the kernels listed.
    used[name] = [...new Set(p.kernelNames)].filter((k) => !k.endsWith('__op')).sort();
    missing[name] = used[name]!.filter((k) => !have.has(k));
  }
  return { used, missing };
}

export default async function webgpuKernels(): Promise<void> {
  const c = await webgpuKernelCoverage();
  for (const [name, kernels] of Object.entries(c.used)) {
    const miss = c.missing[name]!;
    console.log(`${name}: ${kernels.length} kernels; without a webgpu kernel: ${miss.length ? miss.join(', ') : 'none'}`);
  }
}
