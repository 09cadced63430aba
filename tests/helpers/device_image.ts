/**
 * The bundle's run.sh, run as root in a stand-in for the GPU machine it was built for (tests/helpers/device_image.sh:
 * this machine's root as a throw-away overlay without a Vulkan loader, GLVND or Node.js, with lavapipe where NVIDIA's
 * driver sits). It needs a mount namespace with overlayfs and lavapipe; where either is missing the test is skipped
 * with a line saying which (lavapipe is a failure under CI=true, as everywhere).
 */
import type { ExecutionContext } from 'ava';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needLavapipe } from './lavapipe.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCRIPT = join(ROOT, 'tests', 'helpers', 'device_image.sh');
/** device_image.sh's exit status where this machine cannot make the image. */
const CANNOT = 77;

/** Runs CHECK_DIR/bundle/run.sh with `args` in the image (CHECK_DIR is /check there), or returns null after logging the skip. */
export function runInDeviceImage(t: ExecutionContext, checkDir: string, args: string[]): SpawnSyncReturns<string> | null {
  const lavapipe = needLavapipe(t);
  if (!lavapipe) return null;
  const r = spawnSync('sh', [SCRIPT, checkDir, lavapipe['VK_DRIVER_FILES']!, ...args], { encoding: 'utf8' });
  if (r.status !== CANNOT) return r;
  t.log(`the stand-in GPU machine is skipped: ${r.stderr.trim().split('\n').pop()}`);
  t.pass();
  return null;
}
