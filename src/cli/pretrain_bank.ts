/** `evometa pretrain-bank --out DIR [options]`: multi-task pretraining of a module bank (src/workflows/pretrain_bank.ts). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { progressBarFor } from './progress_bar.js';
import type { Command, ParsedArgs } from './command.js';
import { BACKEND, JSON_SWITCH, NO_PROGRESS, OUT, SEED, sharedAs, withHelp } from './options.js';
import type { BankTrainingOptions } from '../models/modular/module_bank.js';
import type { ModularResNetConfig } from '../models/modular/modular_config.js';

type TrainingKey = Exclude<keyof BankTrainingOptions, 'network' | 'domains' | 'temperature'>;
type NetworkKey = 'channels' | 'blocks' | 'templates' | 'expansion' | 'features' | 'tensorSize' | 'activation' | 'allowSkip';
type Key = TrainingKey | NetworkKey | 'domains' | 'temperature' | 'backend';

export const PRETRAIN_OPTIONS: readonly OptionSpec<Key>[] = [
  { flag: 'domains', key: 'domains', kind: 'string', value: 'LIST', help: 'source domains, comma-separated (default plain,inverted,rotate90,noise)' },
  { flag: 'steps', key: 'steps', kind: 'int', min: 1, max: 1e7, help: 'Adam steps in all (default 1500)' },
  { flag: 'hard-steps', key: 'hardSteps', kind: 'int', min: 0, max: 1e7, help: 'last steps with the orderings frozen at their argmax (default steps/5)' },
  { flag: 'batch-size', key: 'batchSize', kind: 'int', min: 1, max: 65536, help: 'images per domain per step (default 32)' },
  { flag: 'learning-rate', key: 'learningRate', kind: 'number', above: 0, max: 100, help: 'Adam learning rate (default 0.005)' },
  { flag: 'temperature', key: 'temperature', kind: 'vector', value: 'START,END', help: 'mixture temperature start,end, annealed geometrically (default 1,0.1)' },
  { flag: 'train-samples', key: 'trainSamples', kind: 'int', min: 2, max: 60000, help: 'MNIST training images per domain, validation included (default 10000)' },
  { flag: 'validation', key: 'validation', kind: 'int', min: 1, max: 59999, help: 'of those, held out for the final accuracies (default 1000)' },
  { flag: 'test-samples', key: 'testSamples', kind: 'int', min: 1, max: 10000, help: 'test images per domain for the final accuracies (default 2000)' },
  { flag: 'stats-samples', key: 'statsSamples', kind: 'int', min: 2, max: 60000, help: 'images whose moments become the saved batch-norm statistics (default 512)' },
  sharedAs(SEED, 'seed', 'seed of the init and the batches (default 0)'),
  { flag: 'channels', key: 'channels', kind: 'int', min: 1, max: 4096, help: 'block width C (default 16)' },
  { flag: 'blocks', key: 'blocks', kind: 'int', min: 1, max: 1024, help: 'block positions L (default 8)' },
  { flag: 'templates', key: 'templates', kind: 'int', min: 1, max: 1024, help: 'modules N (default 4)' },
  { flag: 'expansion', key: 'expansion', kind: 'int', min: 1, max: 64, help: 'inverted-residual expansion (default 4)' },
  { flag: 'features', key: 'features', kind: 'int', min: 1, max: 65536, help: "the head's input features (default 64)" },
  { flag: 'tensor-size', key: 'tensorSize', kind: 'int', min: 1, max: 28, help: 'side of the block tensors, dividing 28 (default 7)' },
  { flag: 'activation', key: 'activation', kind: 'enum', choices: ['swish', 'relu'], value: 'swish|relu', help: 'block activation (default swish)' },
  { flag: 'allow-skip', key: 'allowSkip', kind: 'enum', choices: ['true', 'false'], value: 'true|false', help: 'an identity choice per position (default false)' },
  sharedAs(BACKEND, 'backend', 'TensorFlow.js backend (default wasm)'),
];

const NETWORK_KEYS: readonly string[] = ['channels', 'blocks', 'templates', 'expansion', 'features', 'tensorSize', 'activation', 'allowSkip'];

export const pretrainBankCommand: Command = {
  name: 'pretrain-bank',
  summary: 'pretrain a module bank to order (multi-task, over MNIST domains)',
  usage: '--out DIR [options]',
  description:
    'Pretrains a bank of modules and one ordering per source domain (Zhmoginov, Bashkirova, Sandler 2021) and saves it to ' +
    'DIR; the printed command then searches an ordering of the bank for a target domain.',
  positionals: [],
  groups: [
    { title: 'pretraining options', options: PRETRAIN_OPTIONS },
    { title: 'output', options: [withHelp(OUT, 'the bank folder to write (default results/bank-<time>); an existing bank is never overwritten'), withHelp(JSON_SWITCH, 'print the bank, its config and per-domain accuracies as one JSON document'), NO_PROGRESS] },
  ],
  run: cmdPretrainBank,
};

/** Flags → pretraining options, network sizes and backend; errors name the flag. */
export function parsePretrainArgs(args: ParsedArgs): { out: string; options: Partial<BankTrainingOptions>; backend: BackendRequest } {
  const options: Partial<BankTrainingOptions> = {};
  const network: Partial<Record<NetworkKey, unknown>> = {};
  let backend: BackendRequest = 'wasm';
  const out = args.flags['out'];
  for (const o of PRETRAIN_OPTIONS) {
    const value = args.flags[o.flag];
    if (value === undefined) continue;
    const v = parseOptionValue(o, value);
    if (o.key === 'backend') backend = v as BackendRequest;
    else if (o.key === 'domains') options.domains = String(v).split(',').map((s) => s.trim()).filter((s) => s !== '');
    else if (o.key === 'temperature') {
      const t = Array.isArray(v) ? v : [v, v];
      if (t.length !== 2) throw new UsageError(`--temperature takes start,end (got ${value})`);
      options.temperature = t as [number, number];
    } else if (o.key === 'allowSkip') network.allowSkip = v === 'true';
    else if (NETWORK_KEYS.includes(o.key)) network[o.key as NetworkKey] = v;
    else (options as Record<string, unknown>)[o.key] = v;
  }
  if (Object.keys(network).length) options.network = network as Partial<ModularResNetConfig>;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return { out: out ?? join('results', `bank-${stamp}`), options, backend };
}

export async function cmdPretrainBank(args: ParsedArgs): Promise<void> {
  const { out, options, backend: requested } = parsePretrainArgs(args);
  const { resolveBankTrainingOptions, pretrainModuleBank } = await import('../workflows/pretrain_bank.js');
  const { saveModuleBank, BANK_MANIFEST_FILE } = await import('../models/modular/module_bank.js');
  const resolved = resolveBankTrainingOptions(options);
  if (existsSync(join(out, BANK_MANIFEST_FILE))) throw new UsageError(`${out} already holds a module bank; choose another --out or delete it`);
  const { initBackend, getTf } = await import('../runtime/backend.js');
  const info = await initBackend(requested);
  const json = args.switches.has('json');
  const bar = progressBarFor(args);
  process.once('SIGINT', () => {
    process.stderr.write(`\nevometa: pretraining interrupted; nothing was saved to ${out}\n`);
    process.exit(130);
  });
  const r = await pretrainModuleBank(getTf(), resolved, bar ? (p) => bar.update({ fraction: (p.step + 1) / p.steps, label: `step ${p.step + 1}/${p.steps} · ${p.phase} · τ ${p.temperature.toFixed(3)} · loss ${p.loss.toFixed(3)}`, count: p.step + 1, unit: 'steps' }) : undefined);
  bar?.done();
  const m = await saveModuleBank(getTf(), out, r.bank);
  const domains = m.domains.map((d) => ({ name: d.name, ordering: d.ordering, validationAccuracy: d.validationAccuracy, testAccuracy: d.testAccuracy }));
  if (json) {
    process.stdout.write(JSON.stringify({ bank: out, config: m.config, domains, finalLoss: m.training.finalLoss, wallSeconds: m.training.wallSeconds, backend: info.backend }) + '\n');
    return;
  }
  const w = Math.max(6, ...domains.map((d) => d.name.length));
  process.stdout.write(
    [
      `module bank ${out} (${m.config.templates} modules, ${m.config.blocks} positions, ${m.config.channels} channels; ${resolved.steps} steps in ${m.training.wallSeconds} s on ${info.backend})`,
      `  ${'domain'.padEnd(w)}  ordering${' '.repeat(Math.max(0, 2 * m.config.blocks - 8))}  validation  test`,
      ...domains.map((d) => `  ${d.name.padEnd(w)}  ${d.ordering.join(' ').padEnd(Math.max(8, 2 * m.config.blocks - 1))}  ${d.validationAccuracy.toFixed(4).padStart(10)}  ${d.testAccuracy.toFixed(4)}`),
      `  search an ordering: evometa search --task ordering-transfer --genome ordering --strategy ga-ordering --task-config '{"bank": "${out}", "domain": "fashion-mnist"}' --genome-config '{"length": ${m.config.blocks}, "modules": ${m.config.templates}${m.config.allowSkip ? ', "allowSkip": true' : ''}}' --init random --max-evals 200`,
      '',
    ].join('\n'),
  );
}
