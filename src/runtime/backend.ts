/**
 * Picks the TensorFlow.js backend for this thread. Native TensorFlow (GPU, then CPU) is fastest but its
 * packages are optional and need a libtensorflow download at install time, so 'auto' tries WebGPU (a GPU through
 * Dawn and Vulkan; see webgpu_adapter.ts), then degrades to wasm
 * (XNNPACK, SIMD, one thread in Node) and finally to the pure-JS cpu backend, recording why each
 * faster one was skipped. Everything imports TensorFlow.js through `getTf()` so there is one engine.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { registerWasmGradients } from './wasm_conv_grad.js';
import { registerWasmBatchMatMul } from './wasm_batch_matmul.js';
import { registerTf } from './tf_handle.js';
import { explainSyncReads, NoWebgpuAdapter, webgpuAdapter } from './webgpu_adapter.js';

import { BACKEND_NAMES, type BackendName, type BackendRequest } from './backend_names.js';
export { BACKEND_NAMES, type BackendName, type BackendRequest };

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  error?: string;
}

export interface BackendInfo {
  requested: BackendRequest;
  /** The backend that runs. */
  backend: BackendName;
  /** In the order tried; for an explicit request, just that one. */
  attempts: BackendAttempt[];
  tfjsVersion: string;
  /** The GPU behind the webgpu backend, e.g. "nvidia-h200 (nvidia, NVIDIA: 580.159.04 580.159.4.0)". */
  adapter?: string;
}

export interface InitBackendOptions {
  /** Replace how a backend's package is loaded (tests: simulate a missing native addon). */
  loaders?: Partial<Record<BackendName, () => Promise<unknown>>>;
}

/** The single @tensorflow/tfjs instance every backend registers with. */
export function getTf(): typeof tf {
  return tf;
}
registerTf(tf); // the TF.js-free `getTf` of 'evometa' (tf_handle.ts) returns this instance from now on

/** Both native packages register under the tfjs name 'tensorflow'. */
const TFJS_NAME: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', webgpu: 'webgpu', wasm: 'wasm', cpu: 'cpu',
};

const PACKAGE: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

const FIX: Record<BackendName, string> = {
  'tensorflow-gpu': 'install @tensorflow/tfjs-node-gpu on a Linux machine with an NVIDIA GPU, CUDA/cuDNN and internet '
    + '(its install downloads libtensorflow; rerun `npm rebuild @tensorflow/tfjs-node-gpu` after a failed one), '
    + 'or use --backend tensorflow / --backend wasm',
  tensorflow: 'install @tensorflow/tfjs-node on a machine with internet (its install downloads libtensorflow; '
    + 'rerun `npm rebuild @tensorflow/tfjs-node` after a failed one), or use --backend wasm',
  webgpu: 'run on a machine with a GPU and its Vulkan driver (libvulkan1 and the vendor\'s ICD), with the optional packages '
    + 'webgpu and @tensorflow/tfjs-backend-webgpu installed, or use --backend wasm',
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm (its dist/ must hold the .wasm binaries), or use --backend cpu',
  cpu: 'reinstall @tensorflow/tfjs',
};

/** Which package supplied tfjs's 'tensorflow' backend: a process can hold only one libtensorflow. */
let nativeFrom: BackendName | null = null;
let wasmPathsPinned = false;

async function importOptional(name: BackendName): Promise<unknown> {
  const specifier: string = PACKAGE[name]; // a variable, so tsc does not need the (absent) types
  return import(specifier);
}

/**
 * In Node the wasm bundle finds its binaries next to itself (__dirname), so this is belt and braces:
 * pin the folder resolved from node_modules so a bundler relocating the JS cannot break it, and fail
 * with a readable message rather than an emscripten abort when the binaries are gone.
 */
async function loadWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmPathsPinned) return;
  // EVOMETA_WASM_DIR: where a bundle (bench/device_bundle) keeps the binaries, since it has no node_modules.
  const dir = process.env['EVOMETA_WASM_DIR'] ?? join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const missing = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} not found in ${dir}`);
  wasm.setWasmPaths(dir + sep);
  wasmPathsPinned = true;
}

/** The adapter the webgpu loader found in this thread (BackendInfo.adapter). */
let webgpuFound: string | undefined;

/**
 * Dawn's adapter first (a software one only when asked for by name), then TensorFlow.js's WebGPU backend, imported
 * by `importBackend` (a bundle passes a static import, so that the backend is bundled with the same tfjs-core).
 */
export async function loadWebgpu(explicit: boolean, importBackend: () => Promise<unknown> = () => importOptional('webgpu')): Promise<void> {
  const adapter = await webgpuAdapter(explicit);
  await importBackend();
  webgpuFound = adapter.description + (adapter.software ? ', software' : '');
}

const DEFAULT_LOADERS: Record<BackendName, (explicit: boolean) => Promise<unknown>> = {
  'tensorflow-gpu': () => importOptional('tensorflow-gpu'),
  tensorflow: () => importOptional('tensorflow'),
  webgpu: (explicit) => loadWebgpu(explicit),
  wasm: loadWasm,
  cpu: async () => undefined, // registered by @tensorflow/tfjs itself
};

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.trim();
}

/** One line saying why a backend's package did not load: absent, or present with a broken native addon. */
function loadFailure(name: BackendName, e: unknown): string {
  if (e instanceof NoWebgpuAdapter) return firstLine(e);
  const pkg = PACKAGE[name];
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' && firstLine(e).includes(`'${pkg}'`)) return `${pkg} is not installed`;
  return `${pkg} failed to load: ${firstLine(e)}`;
}

/** Loads and activates one backend; throws a one-line reason. */
async function activate(name: BackendName, loader: () => Promise<unknown>): Promise<void> {
  const tfjsName = TFJS_NAME[name];
  if (tfjsName === 'tensorflow' && nativeFrom !== null && nativeFrom !== name) {
    throw new Error(`${PACKAGE[nativeFrom]} already provides the native backend in this process`);
  }
  try {
    await loader();
  } catch (e) {
    throw new Error(loadFailure(name, e));
  }
  if (tf.findBackendFactory(tfjsName) == null) {
    throw new Error(`${PACKAGE[name]} loaded but registered no '${tfjsName}' backend with this @tensorflow/tfjs `
      + `(${tf.version.tfjs}); a different tfjs-core copy? align versions and dedupe`);
  }
  if (name === 'wasm') {
    registerWasmGradients();
    registerWasmBatchMatMul();
  }
  const previous = tf.getBackend() as string | null;
  // setBackend reports a failed initialisation by resolving false, and leaves tfjs pointing at the failed
  // name with no instance: put the previous backend back so a failed explicit request changes nothing
  const ok = await tf.setBackend(tfjsName);
  if (!ok) {
    if (previous != null && previous !== tfjsName) await tf.setBackend(previous);
    throw new Error(`tf.setBackend('${tfjsName}') returned false: the backend failed to initialise`);
  }
  await tf.ready();
  if (name === 'webgpu') explainSyncReads(tf.backend() as unknown as { readSync(dataId: object): unknown });
  if (tfjsName === 'tensorflow') nativeFrom = name;
  if (tf.getBackend() !== tfjsName) throw new Error(`tfjs runs '${tf.getBackend()}' after selecting '${tfjsName}'`);
  // the cpu backend prints an "install tfjs-node" banner on its first tensor; we already chose it knowingly
  if (name === 'cpu') (tf.backend() as { firstUse?: boolean }).firstUse = false;
}

async function select(request: BackendRequest, options: InitBackendOptions): Promise<BackendInfo> {
  const candidates: readonly BackendName[] = request === 'auto' ? BACKEND_NAMES : [request];
  const attempts: BackendAttempt[] = [];
  for (const name of candidates) {
    try {
      await activate(name, options.loaders?.[name] ?? (() => DEFAULT_LOADERS[name](request !== 'auto')));
      attempts.push({ backend: name, ok: true });
      return { requested: request, backend: name, attempts, tfjsVersion: tf.version.tfjs, ...(name === 'webgpu' && webgpuFound ? { adapter: webgpuFound } : {}) };
    } catch (e) {
      attempts.push({ backend: name, ok: false, error: firstLine(e) });
      if (request !== 'auto') {
        throw new Error(`TensorFlow.js backend '${name}' is unavailable: ${firstLine(e)}. Fix: ${FIX[name]}.`);
      }
    }
  }
  throw new Error(`no TensorFlow.js backend loads: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`);
}

/** Module state is per worker thread, so this caches per thread. */
let cached: { request: BackendRequest; info: BackendInfo } | null = null;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects `request` ('auto': the fastest that loads) and makes it tfjs's active backend. A repeat call
 * with the same request returns the same info while that backend is still active; another request
 * switches. Calls are serialised because the active backend is global to the thread.
 * Calls with `loaders` always run and are not cached.
 */
export function initBackend(request: BackendRequest, options: InitBackendOptions = {}): Promise<BackendInfo> {
  const run = queue.then(async () => {
    if (!(BACKEND_NAMES as readonly string[]).includes(request) && request !== 'auto') {
      throw new Error(`unknown backend '${String(request)}'; expected auto, ${BACKEND_NAMES.join(', ')}`);
    }
    const useCache = options.loaders === undefined;
    if (useCache && cached?.request === request && tf.getBackend() === TFJS_NAME[cached.info.backend]) {
      return cached.info;
    }
    const info = await select(request, options);
    cached = useCache ? { request, info } : null;
    return info;
  });
  queue = run.catch(() => undefined);
  return run;
}
