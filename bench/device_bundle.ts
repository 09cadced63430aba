/**
 * `npm run bench -- device_bundle [--out DIR]`: a self-contained folder for a GPU machine that reaches no package
 * registry: the device check (bench/device.ts) bundled by esbuild with TensorFlow.js and its WebGPU and wasm backends
 * into one file, the wasm backend's binaries, and Dawn (the `webgpu` package's linux-x64 native addon). Run it there
 * with `DIR/run.sh [--backends webgpu,wasm] [--out FILE]`; it needs only Node.js 20 and the GPU's Vulkan driver.
 */
import { chmodSync, cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './bench_args.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What the device machine accepts beside the working tree. */
export const DEVICE_BUNDLE_LIMIT_BYTES = 64 * 2 ** 20;

function folderBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const s = statSync(join(dir, f));
    if (s.isFile()) n += s.size;
  }
  return n;
}

/** Builds the bundle into `out` (replaced); returns its size in bytes. */
export async function buildDeviceBundle(out: string): Promise<number> {
  const { build } = await import('esbuild');
  const require = createRequire(join(ROOT, 'package.json'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'wasm'), { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'dist', 'bench', 'device_entry.js')],
    outfile: join(out, 'device.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dawn is a native addon found by path at run time: it is copied beside the bundle, not bundled.
    external: ['webgpu'],
    // Bundled CommonJS code (tfjs's dependencies, the emscripten loader) calls require and reads __dirname.
    banner: {
      js: "import { createRequire as __evometaRequire } from 'node:module'; import { fileURLToPath as __evometaPath } from 'node:url'; "
        + "const require = __evometaRequire(import.meta.url); const __filename = __evometaPath(import.meta.url); const __dirname = __evometaPath(new URL('.', import.meta.url));",
    },
    logLevel: 'error',
  });
  const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) cpSync(join(wasmDist, f), join(out, 'wasm', f));
  const dawn = dirname(require.resolve('webgpu/package.json'));
  const dawnOut = join(out, 'node_modules', 'webgpu');
  mkdirSync(join(dawnOut, 'dist'), { recursive: true });
  for (const f of ['index.js', 'package.json', 'LICENSE.md']) cpSync(join(dawn, f), join(dawnOut, f));
  cpSync(join(dawn, 'dist', 'linux-x64'), join(dawnOut, 'dist', 'linux-x64'), { recursive: true });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'evometa-device-check', private: true, type: 'module' }, null, 1));
  writeFileSync(join(out, 'run.sh'), '#!/bin/sh\n# The device check: node device.mjs with the wasm binaries beside it.\nhere=$(cd "$(dirname "$0")" && pwd)\nEVOMETA_WASM_DIR="$here/wasm/" exec node "$here/device.mjs" "$@"\n');
  chmodSync(join(out, 'run.sh'), 0o755);
  return folderBytes(out);
}

export default async function deviceBundle(args: string[]): Promise<void> {
  const out = option(args, 'out', join(ROOT, 'device-bundle'));
  const bytes = await buildDeviceBundle(out);
  const mib = (bytes / 2 ** 20).toFixed(1);
  console.log(`device bundle: ${relative(process.cwd(), out) || out}, ${mib} MiB (limit ${DEVICE_BUNDLE_LIMIT_BYTES / 2 ** 20} MiB); run it there with ${join(relative(process.cwd(), out) || out, 'run.sh')}`);
  if (bytes > DEVICE_BUNDLE_LIMIT_BYTES) throw new Error(`the device bundle is ${mib} MiB, over the device machine's limit`);
}
