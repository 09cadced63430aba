/** `evometa pretrain-bank`: flags → options, a tiny bank end to end with --json, and refusals that name the fix. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandArgs } from '../../../src/cli/args.js';
import { parsePretrainArgs, pretrainBankCommand } from '../../../src/cli/pretrain_bank.js';
import { CLI, readJson, tempDir } from '../../helpers/run_files.js';
import { oneJsonDocument } from './cli_run.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--steps', '8', '--hard-steps', '2', '--domains', 'plain,rotate90', '--train-samples', '200', '--validation', '40', '--test-samples', '50',
  '--stats-samples', '32', '--batch-size', '8', '--channels', '4', '--expansion', '2', '--blocks', '3', '--templates', '2', '--features', '8', '--seed', '4'];

test('flags become pretraining options and network sizes', (t) => {
  const parse = (args: string[]) => parsePretrainArgs(parseCommandArgs(pretrainBankCommand, args));
  const p = parse(['--out', 'x', ...TINY, '--temperature', '2,0.05', '--allow-skip', 'true', '--learning-rate', '0.01']);
  t.is(p.out, 'x');
  t.is(p.backend, 'wasm');
  t.like(p.options, { steps: 8, hardSteps: 2, domains: ['plain', 'rotate90'], trainSamples: 200, seed: 4, temperature: [2, 0.05], learningRate: 0.01 });
  t.deepEqual(p.options.network, { channels: 4, expansion: 2, blocks: 3, templates: 2, features: 8, allowSkip: true });
  t.regex(parse([]).out, /^results\/bank-\d{8}-\d{6}$/);
  t.throws(() => parse(['--epochs', '3']), { message: 'unknown option --epochs for pretrain-bank; evometa pretrain-bank --help lists its options' });
  t.throws(() => parse(['--step', '3']), { message: 'unknown option --step for pretrain-bank; did you mean --steps?' });
  t.throws(() => parse(['--steps', '0']), { message: /--steps must be an integer >= 1/ });
});

test('pretrain-bank --json trains and saves a tiny bank, then refuses to overwrite it', (t) => {
  const out = join(tempDir(), 'bank');
  const r = cli(['pretrain-bank', '--out', out, ...TINY, '--json']);
  const s = oneJsonDocument(t, r);
  t.is(s.bank, out);
  t.deepEqual(s.domains.map((d: { name: string }) => d.name), ['plain', 'rotate90']);
  t.is(s.domains[0].ordering.length, 3);
  t.like(s.config, { channels: 4, blocks: 3, templates: 2 });
  t.true(existsSync(join(out, 'weights.bin')));
  const m = readJson(join(out, 'bank.json'));
  t.like(m.training, { steps: 8, hardSteps: 2, seed: 4, trainSamples: 200 });
  const again = cli(['pretrain-bank', '--out', out, ...TINY]);
  t.is(again.code, 2);
  t.regex(again.stderr, /already holds a module bank; choose another --out or delete it/);
  const bad = cli(['pretrain-bank', '--out', join(out, 'x'), '--domains', 'plain,fashion-mnist']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /'fashion-mnist' is a target domain/);
});
