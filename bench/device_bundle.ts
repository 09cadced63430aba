/**
 * `npm run bench -- device_bundle [--out DIR] [--with-node]`: a self-contained folder for a GPU machine that reaches no package
 * registry: the device check (bench/device.ts) bundled by esbuild with TensorFlow.js and its WebGPU and wasm backends
 * into one file, the wasm backend's binaries, Dawn (the `webgpu` package's linux-x64 native addon) and Debian's
 * packages of the Vulkan loader. Run it there with `DIR/run.sh [--backends webgpu,wasm] [--out FILE]`; it needs the GPU's Vulkan
 * driver and Node.js 20, which `--with-node` ships too (this machine's node, xz-compressed) for a machine without it.
 */
import { spawnSync } from 'node:child_process';
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

/**
 * The bundle's launcher, for a GPU machine set up like the one the check ran on (an NVIDIA H200 image with the
 * driver's Vulkan ICD in /usr/local/nvidia but no Vulkan loader and no Node.js). Where libvulkan.so.1 is missing it
 * unpacks the Debian packages of the Vulkan loader and GLVND shipped in debs/ into / (as root), as that run did;
 * it puts NVIDIA's driver folder on the library path and names its ICD; it unpacks the shipped node when there is
 * no Node.js 20.
 */
const RUN_SH = `#!/bin/sh
# The device check: node device.mjs with the wasm binaries beside it.
here=$(cd "$(dirname "$0")" && pwd)
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  if [ "$(id -u)" = 0 ] && ls "$here"/debs/*.deb >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
    echo "device check: no Vulkan loader here; unpacking $(ls "$here"/debs | tr '\\n' ' ')into /"
    for f in "$here"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  else
    echo "device check: no Vulkan loader (libvulkan.so.1) here; install libvulkan1 and libglvnd0, or run this as root" >&2
  fi
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d "$d" ]; then LD_LIBRARY_PATH="$d\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH; fi
done
if [ -z "\${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; export VK_DRIVER_FILES
fi
node=node
if ! command -v node >/dev/null 2>&1 || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  if [ ! -f "$here/node.xz" ]; then echo "device check: needs Node.js 20 or later (or a bundle built with --with-node)" >&2; exit 1; fi
  echo "device check: no Node.js 20 here; using the bundle's (node.xz)"
  if [ ! -x "$here/node" ]; then
    if command -v xz >/dev/null 2>&1; then xz -dc "$here/node.xz" > "$here/node"
    else python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], 'wb'))" "$here/node.xz" "$here/node"; fi
    chmod +x "$here/node"
  fi
  node="$here/node"
fi
EVOMETA_WASM_DIR="$here/wasm/" XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-/tmp}" exec "$node" "$here/device.mjs" "$@"
`;

/** Debian's Vulkan loader and the GLVND libraries NVIDIA's Vulkan driver (libGLX_nvidia) loads through. */
const VULKAN_DEBS = ['libvulkan1', 'libglvnd0', 'libgl1', 'libglx0', 'libegl1', 'libopengl0', 'libgles2'];

export interface DeviceBundleOptions {
  /** Ship this machine's node binary (xz-compressed, about 23 MiB) for a machine without Node.js 20. */
  withNode?: boolean;
}

/** Builds the bundle into `out` (replaced); returns its size in bytes. */
export async function buildDeviceBundle(out: string, options: DeviceBundleOptions = {}): Promise<number> {
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
  mkdirSync(join(out, 'debs'));
  const debs = spawnSync('apt-get', ['download', '-qq', ...VULKAN_DEBS], { cwd: join(out, 'debs'), encoding: 'utf8' });
  if (debs.status !== 0) {
    rmSync(join(out, 'debs'), { recursive: true, force: true });
    console.log(`device bundle: the Vulkan loader's packages were not shipped (apt-get download ${VULKAN_DEBS.join(' ')} failed); the GPU machine needs its own libvulkan1`);
  }
  if (options.withNode) {
    const xz = spawnSync('sh', ['-c', `xz -T0 -6 -c "${process.execPath}" > "${join(out, 'node.xz')}"`], { stdio: 'inherit' });
    if (xz.status !== 0) throw new Error('--with-node needs xz (apt-get install xz-utils)');
  }
  writeFileSync(join(out, 'run.sh'), RUN_SH);
  chmodSync(join(out, 'run.sh'), 0o755);
  return folderBytes(out);
}

export default async function deviceBundle(args: string[]): Promise<void> {
  const out = option(args, 'out', join(ROOT, 'device-bundle'));
  const bytes = await buildDeviceBundle(out, { withNode: args.includes('--with-node') });
  const mib = (bytes / 2 ** 20).toFixed(1);
  console.log(`device bundle: ${relative(process.cwd(), out) || out}, ${mib} MiB (limit ${DEVICE_BUNDLE_LIMIT_BYTES / 2 ** 20} MiB); run it there with ${join(relative(process.cwd(), out) || out, 'run.sh')}`);
  if (bytes > DEVICE_BUNDLE_LIMIT_BYTES) throw new Error(`the device bundle is ${mib} MiB, over the device machine's limit`);
}
