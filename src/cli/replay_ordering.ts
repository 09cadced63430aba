/**
 * `evometa replay ORDERING.json --bank DIR --task fashion-mnist [--json]`: rebuilds the network of a module ordering
 * (an ordering genome file, or a run's best.json holding one), fits its head with the `ordering-transfer` budget
 * and reports validation and test accuracy: the same fit as the search's fitness, so with the same settings and
 * seed the numbers are the ones the search recorded. The task settings the genome was trained under are the
 * defaults (bank, domain, budget): the genome file's meta (as `evometa export` writes it), or for a best.json inside a
 * run folder the run's task config; flags override them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { readJsonFile } from '../core/json_file.js';
import type { OptionGroup, ParsedArgs } from './command.js';
import { BACKEND, JSON_SWITCH, NO_PROGRESS, SEED, sharedAs } from './options.js';
import type { GenomeFileContents } from '../core/genome_file.js';
import type { OrderingGenome } from '../../genomes/ordering_genome.js';

type Key = 'bank' | 'domain' | 'headSteps' | 'batchSize' | 'learningRate' | 'fitBatchNorm' | 'trainSamples' | 'validation' | 'testSamples' | 'statsSamples' | 'seed' | 'seeds' | 'imageOffset' | 'backend';

export const ORDERING_REPLAY_OPTIONS: readonly OptionSpec<Key>[] = [
  { flag: 'bank', key: 'bank', kind: 'string', value: 'DIR', help: 'directory of the pretrained module bank' },
  { flag: 'task', key: 'domain', kind: 'string', help: 'target domain: fashion-mnist or an MNIST variant such as rotate45, inverted-noise (default fashion-mnist)' },
  { flag: 'head-steps', key: 'headSteps', kind: 'int', min: 1, max: 1e6, help: 'Adam steps of the head fit (default 100)' },
  { flag: 'batch-size', key: 'batchSize', kind: 'int', min: 1, max: 65536, help: 'batch of the head fit (default 32)' },
  { flag: 'learning-rate', key: 'learningRate', kind: 'number', above: 0, max: 100, help: 'Adam learning rate of the head fit (default 0.01)' },
  { flag: 'fit-batch-norm', key: 'fitBatchNorm', kind: 'enum', choices: ['true', 'false'], value: 'true|false', help: 'fit batch-norm γ/β with the head (default false)' },
  { flag: 'train-samples', key: 'trainSamples', kind: 'int', min: 1, max: 60000, help: 'target training images (default 2000)' },
  { flag: 'validation', key: 'validation', kind: 'int', min: 1, max: 60000, help: 'target validation images (default 1000)' },
  { flag: 'test-samples', key: 'testSamples', kind: 'int', min: 1, max: 10000, help: 'held-out test images (default 2000)' },
  { flag: 'stats-samples', key: 'statsSamples', kind: 'int', min: 2, max: 60000, help: 'images whose moments set the batch-norm statistics (default 256)' },
  sharedAs(SEED, 'seed', 'seed of the head fit (default 0, as the search)'),
  { flag: 'seeds', key: 'seeds', kind: 'int', min: 1, max: 1000, help: 'head fits with seeds seed, seed+1, …; mean and spread reported (default 1)' },
  { flag: 'image-offset', key: 'imageOffset', kind: 'int', min: 0, max: 60000, help: "first MNIST training image of the target (default: the bank's trainSamples)" },
  sharedAs(BACKEND, 'backend', 'TensorFlow.js backend (default wasm)'),
];

/** The flags an ordering replay takes. */
export const ORDERING_REPLAY_GROUP: OptionGroup = {
  title: "an ordering genome file (or a run's best.json holding one)",
  purpose: 'replaying an ordering genome',
  options: [...ORDERING_REPLAY_OPTIONS, JSON_SWITCH, NO_PROGRESS],
};

/** The ordering-transfer settings the genome was trained under: its file's meta, or the run's a best.json belongs to. */
function trainedUnder(genomePath: string, read: GenomeFileContents): Record<string, unknown> {
  const { task, taskConfig } = read.meta;
  if (task === 'ordering-transfer' && typeof taskConfig === 'object' && taskConfig !== null) return { ...taskConfig };
  const manifest = join(dirname(genomePath), 'manifest.json');
  if (!existsSync(manifest)) return {};
  try {
    const m = readJsonFile(manifest, 'run manifest') as { config?: { task?: string; taskConfig?: Record<string, unknown> } };
    return m.config?.task === 'ordering-transfer' && m.config.taskConfig ? { ...m.config.taskConfig } : {};
  } catch {
    return {};
  }
}

function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std };
}

/** Replays the ordering genome `read`, read from `genomePath`. */
export async function cmdReplayOrdering(args: ParsedArgs, genomePath: string, read: GenomeFileContents): Promise<void> {
  const raw: Record<string, unknown> = trainedUnder(genomePath, read);
  let seeds = 1;
  let backend: BackendRequest = 'wasm';
  for (const o of ORDERING_REPLAY_OPTIONS) {
    if (args.flags[o.flag] === undefined) continue;
    const v = parseOptionValue(o, args.flags[o.flag]);
    if (o.key === 'seeds') seeds = v as number;
    else if (o.key === 'backend') backend = v as BackendRequest;
    else if (o.key === 'fitBatchNorm') raw['fitBatchNorm'] = v === 'true';
    else raw[o.key] = v;
  }
  if (raw['bank'] === undefined) throw new UsageError(`replaying an ordering needs --bank DIR (the module bank it orders)`);
  const genome = read.genome as OrderingGenome;
  const { resolveOrderingTransferConfig, scoreOrdering } = await import('../../tasks/ordering/ordering_tasks.js');
  const c = resolveOrderingTransferConfig(raw);
  const base = c.seed === 'evaluation' ? 0 : c.seed;
  const { initBackend } = await import('../runtime/backend.js');
  const info = await initBackend(backend);
  const runs: { seed: number; validationAccuracy: number; testAccuracy: number }[] = [];
  for (let k = 0; k < seeds; k++) {
    const r = await scoreOrdering(genome, c, base + k);
    runs.push({ seed: base + k, validationAccuracy: r.validationAccuracy, testAccuracy: r.testAccuracy });
  }
  const val = meanStd(runs.map((r) => r.validationAccuracy));
  const test = meanStd(runs.map((r) => r.testAccuracy));
  const out = {
    task: c.domain,
    ordering: genome.order,
    bank: c.bank,
    validationAccuracy: val.mean,
    testAccuracy: test.mean,
    ...(seeds > 1 ? { validationAccuracyStd: val.std, testAccuracyStd: test.std, runs } : {}),
    fit: c.fitBatchNorm ? 'head+batchnorm' : 'head',
    headSteps: c.headSteps,
    seed: base,
    seeds,
    backend: info.backend,
  };
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  const pm = (m: { mean: number; std: number }) => `${m.mean.toFixed(4)}${seeds > 1 ? ` ± ${m.std.toFixed(4)}` : ''}`;
  process.stdout.write(
    [
      `ordering [${genome.order.join(', ')}] of bank ${c.bank} on ${c.domain}: ${out.fit} fitted for ${c.headSteps} steps, ${seeds} seed${seeds > 1 ? 's' : ''} from ${base} (${info.backend})`,
      `  validation accuracy  ${pm(val)}`,
      `  test accuracy        ${pm(test)}`,
      '',
    ].join('\n'),
  );
}
