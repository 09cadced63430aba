import test from 'ava';
import { join, resolve } from 'node:path';
import { configFilePaths } from '../../../src/engine/run_config.js';

test("a config file's relative paths are relative to its folder; words, absolute paths and package names stay", (t) => {
  const dir = join('runs', 'a');
  t.deepEqual(configFilePaths({ init: 'final.json', out: 'next', plugins: ['./task.mjs', '../up.mjs', 'some-package', '/abs/p.mjs'], sigma0: 2 }, dir), {
    init: join(dir, 'final.json'),
    out: join(dir, 'next'),
    plugins: [resolve(dir, 'task.mjs'), resolve('runs', 'up.mjs'), 'some-package', '/abs/p.mjs'],
    sigma0: 2,
  });
  for (const init of ['random', 'default', '/abs/g.json', null]) t.deepEqual(configFilePaths({ init }, dir), { init });
  t.deepEqual(configFilePaths({ init: 'g.json' }, '.'), { init: 'g.json' });
});
