/**
 * A WebGPU device for TensorFlow.js in Node.js: Dawn (the `webgpu` npm package, Chrome's WebGPU implementation) runs
 * on Vulkan here. It is looked for before wasm in `auto`, so a machine with a GPU uses it without a flag; a machine
 * without one falls back in one line. Dawn is loaded only where the Vulkan loader exists, since Dawn itself prints
 * warnings on stderr when it looks for Vulkan and finds none.
 */
import { existsSync, readdirSync } from 'node:fs';

/** What was found: shown in `evometa list`, recorded in a run's manifest. */
export interface WebgpuAdapterInfo {
  /** e.g. "nvidia-h200 (nvidia, NVIDIA: 580.159.04 580.159.4.0)" (describeAdapter). */
  description: string;
  /** A software adapter (Dawn's SwiftShader, Mesa's lavapipe): correct but slower than wasm. */
  software: boolean;
}

/** Where Linux distributions keep the Vulkan loader (libvulkan.so.1); LD_LIBRARY_PATH folders are looked in too. */
const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu', '/lib64'];

/** The Vulkan loader's path, or null: without it Dawn finds no adapter on Linux. */
export function vulkanLoader(env: NodeJS.ProcessEnv = process.env): string | null {
  if (process.platform !== 'linux') return 'system';
  const dirs = [...(env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean), ...LIBRARY_DIRS];
  for (const dir of dirs) {
    try {
      if (existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('libvulkan.so.1'))) return `${dir}/libvulkan.so.1`;
    } catch {
      // an unreadable folder: look in the next
    }
  }
  return null;
}

/** Where Vulkan drivers (ICDs) announce themselves; VK_ICD_FILENAMES / VK_DRIVER_FILES name them directly. */
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** The Vulkan drivers installed (their manifest files): none means no GPU for Dawn, and Dawn would say so on stderr. */
export function vulkanDrivers(env: NodeJS.ProcessEnv = process.env): string[] {
  const named = (env['VK_DRIVER_FILES'] ?? env['VK_ICD_FILENAMES'] ?? '').split(':').filter(Boolean);
  if (named.length) return named.filter((f) => existsSync(f));
  if (process.platform !== 'linux') return ['system'];
  const out: string[] = [];
  for (const dir of ICD_DIRS) {
    try {
      out.push(...readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`));
    } catch {
      // no such folder
    }
  }
  return out;
}

interface DawnModule {
  create(flags: string[]): { requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null> };
  globals: Record<string, unknown>;
}

export interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; backendType?: string; adapterType?: string };
  isFallbackAdapter?: boolean;
}

/**
 * One line naming the adapter. Dawn on NVIDIA gives device "nvidia-h200", vendor "nvidia" and the driver as its
 * description; lavapipe gives only a description ("llvmpipe: Mesa 25.0.7 …").
 */
export function describeAdapter(i: NonNullable<DawnAdapter['info']>): string {
  const name = i.device || i.description || 'unknown device';
  const about = [i.vendor, i.architecture, i.description !== name ? i.description : '', i.backendType].filter(Boolean);
  return about.length ? `${name} (${about.join(', ')})` : name;
}

/**
 * A GPU emulated on the CPU. Dawn flags only its own SwiftShader as a fallback adapter; Mesa's lavapipe says so in
 * its architecture ("software") and its name ("llvmpipe").
 */
export function isSoftwareAdapter(i: NonNullable<DawnAdapter['info']>, fallback = false): boolean {
  return fallback || i.adapterType === 'cpu' || /software|llvmpipe|lavapipe|swiftshader/i.test([i.architecture, i.device, i.description].join(' '));
}

/** Why no adapter is used: the reason is the whole message (no package failed to load). */
export class NoWebgpuAdapter extends Error {
  override readonly name = 'NoWebgpuAdapter';
}

let found: Promise<WebgpuAdapterInfo> | null = null;

async function findAdapter(allowSoftware: boolean): Promise<WebgpuAdapterInfo> {
  if (vulkanLoader() === null) throw new NoWebgpuAdapter('no WebGPU adapter: the Vulkan loader libvulkan.so.1 is not installed (a GPU machine needs libvulkan1 and its GPU vendor\'s Vulkan driver)');
  if (vulkanDrivers().length === 0) throw new NoWebgpuAdapter('no WebGPU adapter: no Vulkan driver is installed (no ICD file in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d; a GPU machine needs its vendor\'s Vulkan driver)');
  const specifier = 'webgpu'; // a variable: the package is optional
  let dawn: DawnModule;
  try {
    dawn = (await import(specifier)) as DawnModule;
  } catch (e) {
    throw new Error(`the optional package webgpu (Dawn) failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new NoWebgpuAdapter('no WebGPU adapter: Dawn found no GPU through Vulkan');
  const i = adapter.info ?? {};
  const software = isSoftwareAdapter(i, adapter.isFallbackAdapter === true);
  const description = describeAdapter(i);
  if (software && !allowSoftware) throw new NoWebgpuAdapter(`only a software WebGPU adapter was found (${description}); auto skips it, --backend webgpu uses it`);
  // TensorFlow.js's WebGPU backend finds the device through navigator.gpu and the WebGPU constants as globals.
  Object.assign(globalThis, dawn.globals);
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  return { description, software };
}

/**
 * Finds the adapter once per thread and makes it TensorFlow.js's (navigator.gpu). `allowSoftware`: an explicit
 * `--backend webgpu` runs on a software adapter; `auto` does not, because wasm is faster than a GPU emulated on the CPU.
 */
export function webgpuAdapter(allowSoftware: boolean): Promise<WebgpuAdapterInfo> {
  if (!found) {
    found = findAdapter(allowSoftware);
    found.catch(() => (found = null));
  }
  return found;
}

/** What a synchronous read on WebGPU says instead of TensorFlow.js's "OffscreenCanvas is not defined". */
export const WEBGPU_SYNC_READ = 'a synchronous read (dataSync or arraySync) on --backend webgpu: TensorFlow.js\'s WebGPU backend reads '
  + 'synchronously only in a browser, and this workflow still reads that way; run it with --backend wasm (the BLUR '
  + 'evaluation and meta-gradient, HyperTransformer training and the modular ResNet fit run on webgpu)';

/**
 * tfjs-webgpu's synchronous read copies through an OffscreenCanvas, which Node.js lacks; reads of values still on
 * the CPU keep working. This turns the ReferenceError of the other reads into one line that says what to do.
 */
export function explainSyncReads(backend: { readSync(dataId: object): unknown }): void {
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object): unknown => {
    try {
      return readSync(dataId);
    } catch (e) {
      if (e instanceof ReferenceError && e.message.includes('OffscreenCanvas')) throw new Error(WEBGPU_SYNC_READ);
      throw e;
    }
  };
}
