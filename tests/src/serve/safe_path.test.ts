import test from 'ava';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInside } from '../../../src/serve/safe_path.js';
import { tempDir } from '../../helpers/run_files.js';

function tree() {
  const outside = tempDir();
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  const root = tempDir();
  mkdirSync(join(root, 'run'));
  writeFileSync(join(root, 'run', 'best.json'), '{}');
  symlinkSync(outside, join(root, 'out-dir'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'run', 'out-file'));
  symlinkSync(join(root, 'run'), join(root, 'alias'));
  return { root: realpathSync(root), outside };
}

test('a path inside the folder resolves to its real path, through a symlink that stays inside too', (t) => {
  const { root } = tree();
  t.deepEqual(resolveInside(root, 'run/best.json'), { ok: true, path: join(root, 'run', 'best.json') });
  t.deepEqual(resolveInside(root, '/run//./best.json'), { ok: true, path: join(root, 'run', 'best.json') });
  t.deepEqual(resolveInside(root, 'alias/best.json'), { ok: true, path: join(root, 'run', 'best.json') });
  t.deepEqual(resolveInside(root, ''), { ok: true, path: root });
});

test('.. anywhere, a NUL byte and symlinks out of the folder are refused (403); a missing file is 404', (t) => {
  const { root } = tree();
  for (const p of ['..', '../x', 'run/../../etc/passwd', 'run/../run/best.json', 'run\\..\\..\\x']) t.like(resolveInside(root, p), { ok: false, status: 403 }, p);
  t.like(resolveInside(root, 'run/best.json\0.png'), { ok: false, status: 403, reason: 'a NUL byte is not allowed in a path' });
  t.like(resolveInside(root, 'out-dir/secret.txt'), { ok: false, status: 403, reason: 'out-dir/secret.txt leads out of the results folder' });
  t.like(resolveInside(root, 'run/out-file'), { ok: false, status: 403 });
  t.like(resolveInside(root, 'run/missing.json'), { ok: false, status: 404, reason: 'not found: run/missing.json' });
});
