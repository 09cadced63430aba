/** tf.profile of one call: where the kernel time goes, by kernel name and by kernel name with input shapes. */
import { getTf } from '../src/runtime/backend.js';

export interface KernelProfileRow {
  key: string;
  ms: number;
  calls: number;
}

/**
 * Profiles `fn` on the active backend and prints the kernels with at least `minShare` of the kernel time (on a GPU
 * backend, the GPU's own timestamps where the adapter has them). Returns every row, largest first.
 */
export async function kernelProfile(fn: () => Promise<void>, minShare = 0.01): Promise<{ totalMs: number; wallMs: number; kernels: number; rows: KernelProfileRow[] }> {
  const tf = getTf();
  const t0 = performance.now();
  const info = await tf.profile(fn);
  const wallMs = performance.now() - t0;
  const by = new Map<string, { ms: number; calls: number }>();
  const add = (key: string, ms: number): void => {
    const e = by.get(key) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    by.set(key, e);
  };
  let totalMs = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    totalMs += ms;
    add(k.name, ms);
    add(`  ${k.name} ${JSON.stringify(k.inputShapes)}`, ms);
  }
  const rows = [...by].map(([key, e]) => ({ key, ...e })).sort((a, b) => b.ms - a.ms);
  console.log(`kernels of one call: ${info.kernels.length} kernels, ${totalMs.toFixed(1)} ms in kernels, ${wallMs.toFixed(0)} ms wall (profiled)`);
  for (const r of rows.filter((r) => r.ms >= minShare * totalMs).slice(0, 40)) {
    console.log(`  ${r.key.padEnd(70)} ${r.ms.toFixed(2).padStart(9)} ms ${((100 * r.ms) / totalMs).toFixed(1).padStart(5)} % ${String(r.calls).padStart(5)} calls`);
  }
  return { totalMs, wallMs, kernels: info.kernels.length, rows };
}
