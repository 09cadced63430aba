/**
 * Mesa's software Vulkan driver (lavapipe), unpacked by .ci/lavapipe into .cache/lavapipe/: with it a machine
 * without a GPU runs the WebGPU backend for real (Dawn on a CPU-emulated GPU). It is named only in a child
 * process's environment, so `--backend auto` in every other test still finds no GPU. Where it is missing the
 * WebGPU half of a test is skipped; under CI=true that fails instead, because CI unpacks it.
 */
import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DIR = join(ROOT, '.cache', 'lavapipe');

/** The environment that makes lavapipe Dawn's only Vulkan driver, or null where .ci/lavapipe has not run. */
export function lavapipeEnv(): Record<string, string> | null {
  const icd = join(DIR, 'icd.json');
  if (!existsSync(icd)) return null;
  const lib = join(DIR, 'root', 'usr', 'lib', 'x86_64-linux-gnu');
  return { VK_DRIVER_FILES: icd, LD_LIBRARY_PATH: [lib, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':'), XDG_RUNTIME_DIR: tmpdir() };
}

/** lavapipe's environment, or null after logging the skip (a failure under CI=true). */
export function needLavapipe(t: ExecutionContext): Record<string, string> | null {
  const env = lavapipeEnv();
  if (env) return env;
  if (process.env['CI'] === 'true') t.fail('lavapipe is not unpacked, and CI must run the WebGPU backend (.ci/run runs .ci/lavapipe)');
  else {
    t.log('WebGPU half skipped: no software Vulkan driver here (run .ci/lavapipe)');
    t.pass();
  }
  return null;
}
