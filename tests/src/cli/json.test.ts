/** --json: every command with a result prints exactly one JSON document on stdout, and nothing else there. */
import test from 'ava';
import { join } from 'node:path';
import { tempDir } from '../../helpers/run_files.js';
import { makeOrderingGenome, saveOrderingGenome } from '../../../genomes/ordering_genome.js';
import { cli, oneJsonDocument } from './cli_run.js';

test('search, resume, report, export and list print one JSON document each', (t) => {
  const root = tempDir();
  const run = join(root, 'r');
  const search = oneJsonDocument(t, cli(['search', '--task', 'sphere', '--dim', '3', '--x0', '1', '--max-generations', '4', '--seed', '2', '--workers', '0', '--out', run, '--json']));
  t.deepEqual(Object.keys(search), ['evaluations', 'bestFitness', 'generations', 'stopReason', 'runDir']);
  const resumed = oneJsonDocument(t, cli(['resume', run, '--max-generations', '6', '--json']));
  t.like(resumed, { generations: 6, evaluations: 42, runDir: run });
  const report = oneJsonDocument(t, cli(['report', run, '--json']));
  t.like(report, {
    run: 'r', dir: run, generations: 6, evaluations: 42, failures: 0, finished: true, stopReason: { maxGenerations: 6 },
    config: { genome: 'vector', task: 'sphere', strategy: 'cmaes', dim: 3, seed: 2 }, limits: { maxGenerations: 6 }, plot: join(run, 'report.svg'),
  });
  t.is(report.bestFitness, resumed.bestFitness);
  t.is(report.best.fitness, resumed.bestFitness);
  t.deepEqual(oneJsonDocument(t, cli(['export', run, '--which', 'best', '--out', join(root, 'b.json'), '--json'])), { genome: join(root, 'b.json'), warm: null });
  const list = oneJsonDocument(t, cli(['list', '--json']));
  t.true('sphere' in list.tasks && 'cmaes' in list.strategies && 'vector' in list.genomes);
});

test('replay of a learned rule prints one JSON document', (t) => {
  const dir = tempDir();
  const r = oneJsonDocument(t, cli(['replay', 'genomes/backprop.blur.json', '--task', 'xor', '--steps', '3', '--seeds', '1', '--compare', 'none', '--hidden', '4',
    '--train-samples', '100', '--validation', '20', '--test-samples', '50', '--backend', 'cpu', '--out', join(dir, 'r'), '--json']));
  t.deepEqual(r.evalAt, [0, 1, 2, 3], 'below 10 steps every step is measured');
  t.deepEqual(Object.keys(r.methods), ['blur']);
  t.regex(r.setting.line, /sizes 2-4-1/, 'the setting replay used, with the flag-given hidden size');
});

test('replay of an ordering prints one JSON document', (t) => {
  const file = join(tempDir(), 'o.json');
  saveOrderingGenome(file, makeOrderingGenome([3, 1, 2, 0, 3, 0, 1, 0], 4));
  const r = oneJsonDocument(t, cli(['replay', file, '--bank', 'results/bank-400', '--head-steps', '2', '--train-samples', '64', '--validation', '32', '--test-samples', '64', '--stats-samples', '16', '--json']));
  t.like(r, { ordering: [3, 1, 2, 0, 3, 0, 1, 0], bank: 'results/bank-400', headSteps: 2, seeds: 1, fit: 'head' });
  t.true(r.testAccuracy >= 0 && r.testAccuracy <= 1);
});
