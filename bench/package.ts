/**
 * `npm run bench -- package [--root DIR] [--runs N]`: what a user pays for the package. The wall time of
 * `node -e "await import('evometa')"` in a fresh process (median of N, beside a bare `node -e ""` for Node's own
 * start), whether that import loaded TensorFlow.js, and the size of what `npm pack` puts in the tarball.
 * `--root` measures another checkout of evometa (built), e.g. an older commit, from a project that has it installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './bench_args.js';
import { median } from './stats.js';

const HERE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');


/** Wall times (ms) of `node --input-type=module -e code` run from `cwd`, and the last run's stdout. */
function timeNode(cwd: string, code: string, runs: number): { ms: number[]; stdout: string } {
  const ms: number[] = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' });
    ms.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`node -e failed in ${cwd}: ${r.stderr}`);
    stdout = r.stdout.trim();
  }
  return { ms, stdout };
}

interface PackSize {
  size: number;
  unpackedSize: number;
  entryCount: number;
}

function packSize(root: string): PackSize {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [p] = JSON.parse(out) as PackSize[];
  return { size: p!.size, unpackedSize: p!.unpackedSize, entryCount: p!.entryCount };
}

export default async function packageBench(args: string[]): Promise<void> {
  const root = resolve(option(args, 'root', HERE_ROOT));
  const runs = Number(option(args, 'runs', '9'));
  const project = mkdtempSync(join(tmpdir(), 'evometa-bench-package-'));
  try {
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'evometa'), 'dir');
    const probe = `import { createRequire } from 'node:module';
      await import('evometa');
      console.log(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@tensorflow')).length);`;
    timeNode(project, probe, 1); // warm the file cache
    const bare = timeNode(project, '', runs);
    const imported = timeNode(project, probe, runs);
    const pack = packSize(root);
    const result = {
      root,
      runs,
      nodeStartMs: Math.round(median(bare.ms)),
      importEvometaMs: Math.round(median(imported.ms)),
      importRangeMs: [Math.round(Math.min(...imported.ms)), Math.round(Math.max(...imported.ms))],
      tensorflowModulesLoaded: Number(imported.stdout),
      tarballBytes: pack.size,
      unpackedBytes: pack.unpackedSize,
      files: pack.entryCount,
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
    };
    console.log(`evometa at ${root}`);
    console.log(`  node -e "await import('evometa')": median ${result.importEvometaMs} ms over ${runs} runs (range ${result.importRangeMs.join('–')} ms; bare node ${result.nodeStartMs} ms)`);
    console.log(`  TensorFlow.js modules loaded by the import: ${result.tensorflowModulesLoaded}`);
    console.log(`  npm pack: ${(pack.size / 1024).toFixed(0)} KiB tarball, ${(pack.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${pack.entryCount} files`);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
