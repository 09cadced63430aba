import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILTIN_ORIGIN, builtinRegistry, loadRegistry, resolvePluginSpecifier } from '../../src/plugins.js';
import { TASKS } from '../../tasks/index.js';
import { tempDir } from '../helpers/run_files.js';
import { examplePlugin, fileUrl, SLOW_TASK_SOURCE, writeModule } from '../helpers/plugin_files.js';

const TASK = `{ name: 'NAME', description: 'd', genomeKinds: ['vector'], usesTensorflow: false, resolveConfig: (r) => r, evaluate: (x) => ({ fitness: x[0] }) }`;
const task = (name: string) => TASK.replace('NAME', name);

test('the built-in registry holds every built-in name, marked built-in, and no plug-ins', (t) => {
  const r = builtinRegistry();
  t.deepEqual(Object.keys(r.tasks), Object.keys(TASKS));
  t.is(r.tasks['sphere'], TASKS['sphere']);
  t.deepEqual(Object.keys(r.genomes), ['vector', 'blur', 'ordering', 'ht-hparams', 'lsa-weights']);
  t.deepEqual(Object.keys(r.strategies), ['cmaes', 'sep-cmaes', 'ipop-cmaes', 'bipop-cmaes', 'metagrad', 'es-grad', 'ga-ordering']);
  t.is(r.origins.strategies['cmaes'], BUILTIN_ORIGIN);
  t.deepEqual(r.plugins, []);
});

test('a path resolves against the cwd to a file URL; a file URL is kept; the same module twice loads once', async (t) => {
  const file = writeModule(SLOW_TASK_SOURCE);
  const cwd = join(file, '..', '..');
  const rel = `./${relative(cwd, file)}`;
  t.deepEqual(resolvePluginSpecifier(rel, cwd), { specifier: fileUrl(file), url: fileUrl(file) });
  t.deepEqual(resolvePluginSpecifier(fileUrl(file), '/'), { specifier: fileUrl(file), url: fileUrl(file) });
  const r = await loadRegistry([rel, fileUrl(file)], { cwd });
  t.deepEqual(r.plugins, [fileUrl(file)]);
  t.is(r.origins.tasks['slow-shifted-sphere'], fileUrl(file));
  t.is(r.origins.tasks['sphere'], BUILTIN_ORIGIN);
  const f = await r.tasks['slow-shifted-sphere']!.evaluate([1, 3], { delayMs: 0, center: 1 }, { seed: 7, wants: 'fitness', genomeKind: 'vector', genomeConfig: { dim: 2 } });
  t.true(Math.abs(f.fitness - 4) < 1e-3);
});

test('a package name resolves from the cwd (exports, import condition) and is recorded as the name', async (t) => {
  const cwd = tempDir();
  const pkg = join(cwd, 'node_modules', '@lab', 'tasks');
  mkdirSync(join(pkg, 'esm'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@lab/tasks', type: 'module', exports: { '.': { import: './esm/index.js', require: './missing.cjs' } } }));
  writeFileSync(join(pkg, 'esm', 'index.js'), `export const plugin = { tasks: [${task('lab-task')}] };`);
  const r = await loadRegistry(['@lab/tasks'], { cwd });
  t.deepEqual(r.plugins, ['@lab/tasks']);
  t.deepEqual(r.moduleUrls, [fileUrl(join(pkg, 'esm', 'index.js'))]);
  t.is(r.origins.tasks['lab-task'], '@lab/tasks');
  // A sub-folder of the project resolves the same package (node_modules upwards).
  mkdirSync(join(cwd, 'sub'));
  t.is(resolvePluginSpecifier('@lab/tasks', join(cwd, 'sub')).url, fileUrl(join(pkg, 'esm', 'index.js')));
});

test('plug-ins add genome kinds and strategies; the examples load', async (t) => {
  const r = await loadRegistry([examplePlugin('bitstring.mjs'), examplePlugin('one_plus_one_es.mjs'), examplePlugin('custom_fitness.mjs'), examplePlugin('tfjs_task.mjs')]);
  t.truthy(r.genomes['bitstring']);
  t.truthy(r.strategies['one-plus-one-es']);
  t.deepEqual(['onemax', 'styblinski-tang', 'logistic-lr'].map((n) => r.tasks[n]!.name), ['onemax', 'styblinski-tang', 'logistic-lr']);
  t.is(r.plugins.length, 4);
  t.is(r.origins.genomes['bitstring'], fileUrl(examplePlugin('bitstring.mjs')));
});

/** The error message of loading `specifiers`; it must be one line. */
async function loadError(t: import('ava').ExecutionContext, specifiers: string[]): Promise<string> {
  const e = await t.throwsAsync(loadRegistry(specifiers));
  t.is(e!.name, 'UsageError');
  t.false(e!.message.includes('\n'), e!.message);
  return e!.message;
}

test('a name that clashes with a built-in or another plug-in is refused, naming the module', async (t) => {
  const clash = writeModule(`export default { tasks: [${task('sphere')}] };`);
  t.is(await loadError(t, [clash]), `plug-in ${clash} (${fileUrl(clash)}): task 'sphere' clashes with the built-in task of that name; rename it in that module`);
  const a = writeModule(`export default { tasks: [${task('mine')}] };`);
  const b = writeModule(`export default { tasks: [${task('mine')}] };`);
  t.regex(await loadError(t, [a, b]), new RegExp(`^plug-in ${b} .*: task 'mine' is also defined by plug-in ${fileUrl(a)}; rename it in one of the two modules or load only one$`));
  const twice = writeModule(`export default { tasks: [${task('dup')}, ${task('dup')}] };`);
  t.regex(await loadError(t, [twice]), /defines task 'dup' twice; give each a distinct name$/);
  const strategy = writeModule(`export default { strategies: [{ name: 'cmaes', description: 'd', init() {}, ask() {}, tell() {}, stop() {} }] };`);
  t.regex(await loadError(t, [strategy]), /strategy 'cmaes' clashes with the built-in strategy of that name/);
});

test('a module that fails to load is refused with its error', async (t) => {
  const missing = join(tempDir(), 'nope.mjs');
  t.is(await loadError(t, [missing]), `plug-in ${missing} failed to load: no such file ${missing}; give the module's path (relative paths resolve against the current folder) or an installed package name`);
  const syntax = writeModule('export default { tasks: [ };');
  t.regex(await loadError(t, [syntax]), new RegExp(`^plug-in ${syntax} .* failed to load \\(SyntaxError: Unexpected token .*\\); fix the module`));
  const throws = writeModule("throw new Error('no GPU here');");
  t.regex(await loadError(t, [throws]), /failed to load \(no GPU here\); fix the module/);
  t.regex(await loadError(t, ['no-such-evometa-plugin']), /^plug-in no-such-evometa-plugin failed to load: no file or installed package of that name from .*; give a path such as \.\/no-such-evometa-plugin or install the package/);
});

test('a module exporting the wrong shape is refused, naming what is missing', async (t) => {
  const none = writeModule('export const tasks = [];');
  t.regex(await loadError(t, [none]), /exports no plug-in \(its exports: tasks\); export default definePlugin\(\{ tasks, genomes, strategies \}\) or an object named 'plugin'$/);
  const fn = writeModule('export default function () {}');
  t.regex(await loadError(t, [fn]), /exports no plug-in: its default export \(or an export named 'plugin'\) must be an object/);
  const extra = writeModule('export default { tasks: [], models: [] };');
  t.regex(await loadError(t, [extra]), /exports unknown key models; a plug-in holds only tasks, genomes and strategies$/);
  const notArray = writeModule(`export default { tasks: ${task('x')} };`);
  t.regex(await loadError(t, [notArray]), /'tasks' must be an array of task objects \(got object\)$/);
  const noEvaluate = writeModule("export default { tasks: [{ name: 'half', description: 'd', genomeKinds: ['vector'], usesTensorflow: false, resolveConfig: (r) => r }] };");
  t.regex(await loadError(t, [noEvaluate]), /: tasks\[0\] \('half'\) needs 'evaluate' as a function; a task needs name, description, genomeKinds, usesTensorflow, resolveConfig, evaluate$/);
  const badKind = writeModule("export default { genomes: [{ name: 'g', description: 'd', resolveConfig() {}, dim() {}, bounds() {}, decode() {}, encode() {}, random() {} }] };");
  t.regex(await loadError(t, [badKind]), /genomes\[0\] \('g'\) needs 'toFile' as a function; a genome kind needs name, description, resolveConfig, dim, bounds, decode, encode, random, toFile, fromFile$/);
  const noName = writeModule("export default { strategies: [{ description: 'd' }] };");
  t.regex(await loadError(t, [noName]), /strategies\[0\] needs 'name' as a non-empty string/);
});
