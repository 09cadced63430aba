/** The README's "In-context learning as gradient descent" commands, run as written with a shorter budget. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, readJson, tempDir } from '../helpers/run_files.js';
import { initBackend } from '../../src/runtime/backend.js';
import { TASKS } from '../../tasks/index.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const TITLE = '## In-context learning as gradient descent\n';

/** The task's fitness at x, scored in this process (wasm-free: the cpu backend, as the commands run). */
async function fitnessAt(task: string, taskConfig: Record<string, unknown>, x: number[]): Promise<number> {
  await initBackend('cpu');
  const spec = TASKS[task]!;
  const r = await spec.evaluate(x, spec.resolveConfig(taskConfig), { seed: 0, wants: 'fitness', genomeKind: 'vector', genomeConfig: {} });
  return r.fitness;
}

function searchCommands(): string[] {
  const start = README.indexOf(TITLE);
  if (start < 0) throw new Error('README has no section on in-context learning');
  const section = README.slice(start, README.indexOf('\n## ', start + 1));
  const sh = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return sh.replace(/\\\n\s*/g, '').split('\n').filter((l) => l.startsWith('npx evometa search ')).map((l) => l.replace(/\s+#.*$/, ''));
}

test('the metagrad and CMA-ES commands of the section run (budget cut to a few generations) and improve on their start', async (t) => {
  const commands = searchCommands();
  t.is(commands.length, 2);
  const dir = tempDir();
  for (const [i, command] of commands.entries()) {
    const out = join(dir, `run${i}`);
    const short = command.replace(/--max-generations \d+/, `--max-generations ${i === 0 ? 30 : 6}`).replace(/^npx evometa/, `"${process.execPath}" "${CLI}"`);
    const summary = JSON.parse(execFileSync('bash', ['-c', `${short} --seed 3 --backend cpu --out "${out}" --json`], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!);
    const gens = readFileSync(join(out, 'generations.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // metagrad's first generation evaluates its start; CMA-ES's samples around it, so its start (x0 = 0: η = 1, on
    // the fixed batch of dataSeed) is scored here.
    const config = readJson(join(out, 'manifest.json')).config;
    const startFitness = i === 0 ? gens[0].bestFitness : await fitnessAt(config.task, config.taskConfig, [config.x0]);
    t.true(gens[gens.length - 1].bestSoFar < startFitness, `${command}: ${startFitness} → ${gens[gens.length - 1].bestSoFar}`);
    t.is(summary.generations, i === 0 ? 30 : 6);
    t.is(readJson(join(out, 'manifest.json')).config.task, i === 0 ? 'icl-linear-regression' : 'icl-gd');
  }
});
