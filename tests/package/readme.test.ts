/**
 * Every ```js snippet of the README's "Library" section runs as written, in a project that has evometa installed
 * (a temporary folder whose node_modules/evometa is this package), and prints the numbers it claims.
 * A snippet whose first line is `// NAME.mjs` is saved under that name (a module another snippet imports).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, tempDir } from '../helpers/run_files.js';
import { PACKAGE_ROOT } from './package_paths.js';

interface Snippet {
  file: string;
  code: string;
}

function librarySnippets(): Snippet[] {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Library\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m, i) => ({ file: /^\/\/ (\S+\.mjs)\n/.exec(m[1]!)?.[1] ?? `snippet-${i}.mjs`, code: m[1]! }));
}

/** A user's project: the snippets saved, and evometa installed (linked) in its node_modules. */
function project(snippets: Snippet[]): string {
  const dir = tempDir('evometa-readme-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(PACKAGE_ROOT, join(dir, 'node_modules', 'evometa'), 'dir');
  for (const s of snippets) writeFileSync(join(dir, s.file), s.code);
  return dir;
}

function run(dir: string, file: string): string {
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

const snippets = librarySnippets();
const dir = project(snippets);

test('the Library section has its four snippets: ask/tell and minimize, a plug-in task and its run, the learned rule', (t) => {
  t.deepEqual(snippets.map((s) => s.file), ['snippet-0.mjs', 'my_task.mjs', 'run_my_task.mjs', 'snippet-3.mjs']);
  t.true(snippets.every((s) => !/from '\.\.?\//.test(s.code) || s.code.includes("'./my_task.mjs'")), 'snippets import evometa by name only');
});

test('ask/tell with plain numbers runs to CMA-ES\'s own stop with a drawn seed; minimize reaches its target', (t) => {
  const [askTell, min] = run(dir, 'snippet-0.mjs').split('\n');
  const a = /^ask\/tell: (\d+) evaluations, best (\S+), seed (\d+)$/.exec(askTell!);
  t.truthy(a, askTell);
  t.true(Number(a![1]) > 100 && Number(a![2]) < 1e-9, askTell);
  t.true(Number(a![3]) < 2 ** 32);
  const m = /^minimize: (\d+) evaluations, best (\S+), stop \{"target":1e-10\}$/.exec(min!);
  t.truthy(m, min);
  t.true(Number(m![2]) <= 1e-10 && Number(m![1]) % 8 === 0, `${min} (λ = 8 for n = 5)`);
});

test('the plug-in task runs on 2 worker threads to its target, in a run folder', (t) => {
  const out = run(dir, 'run_my_task.mjs');
  const m = /^workers: (\d+) evaluations, best (\S+), run folder (\S+)$/.exec(out);
  t.truthy(m, out);
  t.true(Number(m![2]) <= 1e-8, out);
  t.true(existsSync(join(m![3]!, 'best.json')));
  t.is(readJson(join(m![3]!, 'manifest.json')).config.workers, 2);
  t.deepEqual(readJson(join(m![3]!, 'summary.json')).stopReason, { target: 1e-8 });
});

test('the shipped learned rule trains an and-classifier from chance to over 90 % in 5 steps', (t) => {
  const out = run(dir, 'snippet-3.mjs');
  const m = /^learned rule: accuracy (\S+) before, (\S+) after 5 steps$/.exec(out.split('\n').pop()!);
  t.truthy(m, out);
  t.true(Math.abs(Number(m![1]) - 0.5) < 0.2, out);
  t.true(Number(m![2]) >= 0.9, out);
});
