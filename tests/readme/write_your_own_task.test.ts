/** The README's "Write your own task" section, run as written: its plug-in module and its search command. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, readJson, tempDir } from '../helpers/run_files.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = README.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`README has no section '${title}'`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The fenced code blocks of a README section, in order, with their language tag. */
function codeBlocks(text: string): { lang: string; code: string }[] {
  return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

test('the plug-in of "Write your own task" runs with the command shown, on 2 workers, to its optimum', (t) => {
  const blocks = codeBlocks(section('Write your own task'));
  const module = blocks.find((b) => b.lang === 'js' && b.code.includes('my_task.mjs'));
  const shell = blocks.find((b) => b.lang === 'sh');
  t.truthy(module, 'a js block holding my_task.mjs');
  t.truthy(shell, 'a sh block with the search command');
  const dir = tempDir();
  writeFileSync(join(dir, 'my_task.mjs'), module!.code);
  // The first command of the sh block, joined across its line continuation.
  const command = shell!.code.replace(/\\\n\s*/g, '').split('\n')[0]!.replace(/\s+#.*$/, '');
  t.true(command.startsWith('npx evometa search '), command);
  const out = join(dir, 'run');
  // The shell reads the command's quoting, as it would for a reader pasting it.
  const json = execFileSync('bash', ['-c', `${command.replace(/^npx evometa/, `"${process.execPath}" "${CLI}"`)} --out "${out}" --json`], { cwd: dir, encoding: 'utf8' });
  const summary = JSON.parse(json.trim().split('\n').pop()!);
  t.true(summary.bestFitness < 1e-8, `best fitness ${summary.bestFitness}`);
  t.is(readJson(join(out, 'manifest.json')).config.workers, 2);
  t.deepEqual(readJson(join(out, 'manifest.json')).config.plugins, [`file://${join(dir, 'my_task.mjs')}`]);
  // list shows the plug-in's task, marked with its module.
  const list = execFileSync(process.execPath, [CLI, 'list', '--plugin', './my_task.mjs'], { cwd: dir, encoding: 'utf8' });
  t.regex(list, /lp-norm/);
});
