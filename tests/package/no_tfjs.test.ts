/**
 * Importing 'evometa' in a fresh Node process loads no TensorFlow.js: no module under @tensorflow is resolved
 * (an ESM resolve hook records every URL) or in the CommonJS cache; 'evometa/tf' does load it (so the check can
 * fail), and `getTf` from 'evometa' hands out that instance once a backend is initialised.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/run_files.js';
import { CONSUMER_FIXTURES, PACKAGE_ROOT } from './package_paths.js';

interface ChildReport {
  cjsTensorflow: string[];
  [k: string]: unknown;
}

/** Runs `body` (an ES module body, `m` = the imported entry) in a fresh process from the package root. */
function inFreshProcess(entry: string, body: string): { urls: string[]; report: ChildReport } {
  const log = join(tempDir(), 'resolved.txt');
  const script = `
    import { createRequire } from 'node:module';
    const m = await import(${JSON.stringify(entry)});
    const report = {};
    ${body}
    report.cjsTensorflow = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@tensorflow'));
    console.log(JSON.stringify(report));`;
  const r = spawnSync(process.execPath, ['--import', join(CONSUMER_FIXTURES, 'record_resolved.mjs'), '--input-type=module', '-e', script], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    env: { ...process.env, EVOMETA_RESOLVED_LOG: log },
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return { urls: readFileSync(log, 'utf8').trim().split('\n'), report: JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport };
}

test("import 'evometa' resolves no module of TensorFlow.js, and getTf says how to load it", (t) => {
  const { urls, report } = inFreshProcess('evometa', `
    report.loaded = m.isTfLoaded();
    try { m.getTf(); } catch (e) { report.getTf = e.message; }
    report.minimize = typeof m.minimize;`);
  t.true(urls.some((u) => u.endsWith('/dist/src/index.js')), 'the hook saw the package entry');
  t.true(urls.length > 100, `${urls.length} modules resolved`);
  t.deepEqual(urls.filter((u) => u.includes('@tensorflow')), []);
  t.deepEqual(report.cjsTensorflow, []);
  t.false(report['loaded'] as boolean);
  t.is(report['minimize'], 'function');
  t.is(
    report['getTf'],
    "TensorFlow.js is not loaded in this thread: `import 'evometa'` does not load it. Await initBackend('auto') first, import from 'evometa/tf', or (in a task) set usesTensorflow: true so the worker initialises the backend before evaluate",
  );
});

test("import 'evometa/tf' loads TensorFlow.js (the same check sees it)", (t) => {
  const { urls, report } = inFreshProcess('evometa/tf', 'report.getTf = typeof m.getTf().tensor;');
  t.true(urls.some((u) => u.includes('/node_modules/@tensorflow/tfjs/')), urls.filter((u) => u.includes('tensorflow')).join('\n'));
  t.true(report.cjsTensorflow.length > 0);
  t.is(report['getTf'], 'function');
});

test("after initBackend, getTf from 'evometa' is the instance of 'evometa/tf', on the backend asked for", (t) => {
  const { report } = inFreshProcess('evometa', `
    const info = await m.initBackend('cpu');
    const tf = await import('evometa/tf');
    report.backend = info.backend;
    report.same = m.getTf() === tf.getTf();
    report.active = m.getTf().getBackend();
    report.sum = m.getTf().tidy(() => m.getTf().sum(m.getTf().tensor1d([1, 2, 3.5])).dataSync()[0]);`);
  t.is(report['backend'], 'cpu');
  t.true(report['same'] as boolean);
  t.is(report['active'], 'cpu');
  t.is(report['sum'], 6.5);
});

test('the exports map serves package.json and the shipped genomes, and closes dist to deep imports', (t) => {
  const { report } = inFreshProcess('evometa', `
    report.pkg = (await import('evometa/package.json', { with: { type: 'json' } })).default.name;
    report.genome = import.meta.resolve('evometa/genomes/boolean-cmaes.blur.json');
    try { import.meta.resolve('evometa/dist/src/index.js'); } catch (e) { report.deep = e.code; }`);
  t.is(report['pkg'], 'evometa');
  t.is(report['genome'], `file://${join(PACKAGE_ROOT, 'genomes', 'boolean-cmaes.blur.json')}`);
  t.is(report['deep'], 'ERR_PACKAGE_PATH_NOT_EXPORTED');
});
