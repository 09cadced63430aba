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
import { lavapipeDir, needLavapipe } from './lavapipe.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCRIPT = join(ROOT, 'tests', 'helpers', 'device_image.sh');

/** root makes a mount namespace directly; anyone else through a user namespace that maps them to root. */
const unshareArgs = (): string[] => (process.getuid?.() === 0 ? ['-m'] : ['-r', '-m']);

/** Why an overlay of / cannot be mounted in a fresh mount namespace here, or null when it can. */
function namespaceProblem(scratch: string): string | null {
  const probe = 'd="$0" && mkdir -p "$d" && mount -t tmpfs x "$d" && mkdir "$d/u" "$d/w" "$d/r" '
    + '&& mount -t overlay overlay -o "lowerdir=/,upperdir=$d/u,workdir=$d/w" "$d/r" && test -x "$d/r/bin/sh"';
  const r = spawnSync('unshare', [...unshareArgs(), 'sh', '-c', probe, scratch], { encoding: 'utf8' });
  if (r.error) return `no unshare here (${r.error.message})`;
  return r.status === 0 ? null : `no overlay of / in a mount namespace here (${(r.stderr || '').trim().split('\n')[0]})`;
}

/** Runs CHECK_DIR/bundle/run.sh with `args` in the image (CHECK_DIR is /check there), or returns null after logging the skip. */
export function runInDeviceImage(t: ExecutionContext, checkDir: string, args: string[]): SpawnSyncReturns<string> | null {
  if (!needLavapipe(t)) return null;
  const problem = namespaceProblem(join(checkDir, 'probe'));
  if (problem) {
    t.log(`the simulated GPU machine is skipped: ${problem}`);
    t.pass();
    return null;
  }
  return spawnSync('unshare', [...unshareArgs(), 'sh', SCRIPT, checkDir, lavapipeDir(), ...args], { encoding: 'utf8' });
}
