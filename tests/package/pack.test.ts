/**
 * What `npm pack` puts in the tarball: the built library with its declarations, README, LICENSE, the shipped
 * genomes and the examples; no tests, benches, CI files, TypeScript sources or source maps.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package_paths.js';

interface PackedFile {
  path: string;
  size: number;
}

function packList(): { files: string[]; size: number; unpackedSize: number } {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [p] = JSON.parse(out) as { files: PackedFile[]; size: number; unpackedSize: number }[];
  return { files: p!.files.map((f) => f.path).sort(), size: p!.size, unpackedSize: p!.unpackedSize };
}

test('the tarball holds the entries, their declarations, the bin, README, LICENSE, genomes and examples', (t) => {
  const { files } = packList();
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
    bin: Record<string, string>;
  };
  const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))).filter((p) => !p.includes('*'));
  for (const p of [...targets, ...Object.values(pkg.bin)]) t.true(files.includes(p.replace(/^\.\//, '')), `${p} is packed`);
  for (const p of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/tf.js', 'dist/src/tf.d.ts', 'dist/src/plugin_worker.js', 'README.md', 'LICENSE', 'package.json', 'results/README.md'])
    t.true(files.includes(p), `${p} is packed`);
  const genomes = readdirSync(join(PACKAGE_ROOT, 'genomes')).filter((f) => f.endsWith('.json'));
  t.true(genomes.length >= 5);
  for (const g of genomes) t.true(files.includes(`genomes/${g}`), `genomes/${g} is packed`);
  const examples = readdirSync(join(PACKAGE_ROOT, 'examples', 'plugins'));
  for (const e of examples) t.true(files.includes(`examples/plugins/${e}`), `examples/plugins/${e} is packed`);
  t.true(readFileSync(join(PACKAGE_ROOT, 'LICENSE'), 'utf8').includes('Apache License\n                           Version 2.0, January 2004'));
});

test('the tarball holds no tests, benches, CI files, TypeScript sources, source maps or bench assets', (t) => {
  const { files, unpackedSize } = packList();
  const unwanted = files.filter(
    (f) => /^(dist\/)?(tests|bench)\//.test(f) || f.startsWith('.') || /\.map$/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.startsWith('results/bank-'),
  );
  t.deepEqual(unwanted, []);
  t.true(files.every((f) => /^(dist\/(src|genomes|tasks|strategies)\/|genomes\/[^/]+\.json$|examples\/|results\/README\.md$|README\.md$|LICENSE$|package\.json$)/.test(f)), files.join('\n'));
  t.true(unpackedSize < 2_000_000, `${unpackedSize} bytes unpacked`);
});
