/**
 * `evometa train-cht --out DIR [options]`: meta-trains a Continual HyperTransformer (or the HT without memory, or
 * ProtoNet with the same CNN) on sequences of few-shot tasks, keeps the checkpoint that scores best on
 * meta-validation classes, scores it once on the test classes and saves it (`evometa replay DIR` scores it again).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { progressBarFor } from './progress_bar.js';
import type { Command, ParsedArgs } from './command.js';
import { JSON_SWITCH, NO_PROGRESS, optionValues, OUT, SEED, sharedAs, withHelp } from './options.js';
import { resolveHtConfig } from '../models/ht/ht_config.js';
import { CONTINUAL_KINDS, resolveContinualSettings, SCENARIOS, type ContinualKind } from '../models/ht/continual/cht_config.js';
import { resolveFewShotData } from '../data/few_shot_data.js';
import { FEW_SHOT_RUN_OPTIONS } from './train_ht.js';
import { loadHtGenome } from '../../genomes/ht_hparams_genome.js';
import type { ContinualTestRecord, ContinualTrainSettings } from '../workflows/cht_train.js';

type TrainKey =
  | 'model' | 'config' | 'genome' | 'embedding' | 'scenario' | 'tasks' | 'steps' | 'seed' | 'validateEvery' | 'validationSequences'
  | 'evalSequences' | 'evalTasks' | 'dataset' | 'omniglotRoot' | 'backend';

export const TRAIN_CHT_OPTIONS: readonly OptionSpec<TrainKey>[] = [
  { flag: 'model', key: 'model', kind: 'enum', choices: CONTINUAL_KINDS, value: 'NAME', help: 'cht (Continual HyperTransformer), ht (regenerates per task, no memory) or protonet (default cht)' },
  { flag: 'config', key: 'config', kind: 'json', help: 'HyperTransformer settings as JSON, e.g. \'{"ways":2,"shots":5}\' (see src/models/ht/ht_config.ts)' },
  { flag: 'genome', key: 'genome', kind: 'string', value: 'FILE', help: "an ht-hparams genome file or a search run's best.json; its fields override --config" },
  { flag: 'embedding', key: 'embedding', kind: 'int', min: 1, max: 1024, help: 'width of the embedding the CNN outputs (default 16)' },
  { flag: 'scenario', key: 'scenario', kind: 'enum', choices: SCENARIOS, value: 'NAME', help: 'candidate set of the training loss (default class-incremental)' },
  { flag: 'tasks', key: 'tasks', kind: 'int', min: 1, max: 64, help: 'tasks one training sequence unrolls (default 4)' },
  { flag: 'steps', key: 'steps', kind: 'int', min: 1, max: 1e8, help: 'training steps (default 300)' },
  sharedAs(SEED, 'seed', 'seed of the initial weights and the training sequences (default 0)'),
  { flag: 'validate-every', key: 'validateEvery', kind: 'int', min: 1, max: 1e8, help: 'meta-validation every N steps; the best checkpoint is kept (default 50)' },
  { flag: 'validation-sequences', key: 'validationSequences', kind: 'int', min: 0, max: 1e6, help: 'meta-validation sequences per check; 0 keeps the last step (default 30)' },
  { flag: 'eval-sequences', key: 'evalSequences', kind: 'int', min: 1, max: 1e6, help: 'test sequences scored once after training (default 100)' },
  { flag: 'eval-tasks', key: 'evalTasks', kind: 'int', min: 1, max: 64, help: 'tasks per test sequence (default 8)' },
  ...FEW_SHOT_RUN_OPTIONS,
];

export const trainChtCommand: Command = {
  name: 'train-cht',
  summary: 'meta-train a Continual HyperTransformer (or the HT without memory, or ProtoNet) on sequences of few-shot tasks',
  usage: '--out DIR [options]',
  description:
    'Meta-trains a continual learner by unrolling sequences of few-shot tasks, keeps the checkpoint with the best meta-validation ' +
    'accuracy, scores it once on test sequences (accuracy on all tasks seen after each task, both scenarios) and saves it to DIR ' +
    '(model.json, weights.bin, history.json); evometa replay DIR scores it again.',
  positionals: [],
  groups: [
    { title: 'training options', options: TRAIN_CHT_OPTIONS },
    { title: 'output', options: [withHelp(OUT, 'the model folder to write (required; an existing model is never overwritten)'), withHelp(JSON_SWITCH, 'print the training record and test score as one JSON document'), NO_PROGRESS] },
  ],
  run: trainCht,
};

/** Settings from the flags; every value checked before anything trains. */
export function continualTrainSettings(f: Partial<Record<TrainKey, unknown>>): ContinualTrainSettings {
  const raw = { ...((f.config as Record<string, unknown> | undefined) ?? {}), ...(f.genome ? loadHtGenome(f.genome as string) : {}) };
  const continual: Record<string, unknown> = {};
  for (const k of ['embedding', 'scenario', 'tasks'] as const) if (f[k] !== undefined) continual[k] = f[k];
  return {
    kind: (f.model as ContinualKind | undefined) ?? 'cht',
    config: resolveHtConfig(raw, '--config / --genome'),
    settings: resolveContinualSettings(continual, '--embedding / --scenario / --tasks'),
    data: resolveFewShotData({ dataset: f.dataset, omniglotRoot: f.omniglotRoot }, '--dataset / --omniglot-root:'),
    steps: (f.steps as number | undefined) ?? 300,
    seed: (f.seed as number | undefined) ?? 0,
    validateEvery: (f.validateEvery as number | undefined) ?? 50,
    validationSequences: (f.validationSequences as number | undefined) ?? 30,
    evalSequences: (f.evalSequences as number | undefined) ?? 100,
    evalTasks: (f.evalTasks as number | undefined) ?? 8,
  };
}

/** "T=1 95.0 · T=2 90.1 · …": accuracy on all tasks seen after each task. */
export function formatCurve(seenSoFar: readonly number[]): string {
  return seenSoFar.map((v, t) => `T=${t + 1} ${(100 * v).toFixed(1)}`).join(' · ');
}

/** The test record as lines, one per scenario. */
export function formatTestRecord(test: ContinualTestRecord): string {
  return Object.entries(test.scenarios)
    .map(([scenario, s]) => `  ${scenario}: ${formatCurve(s.seenSoFar)} %; backward transfer ${(100 * s.backwardTransfer).toFixed(1)} ± ${(100 * s.backwardTransferCi95).toFixed(1)} points\n`)
    .join('');
}

async function trainCht(args: ParsedArgs): Promise<void> {
  const f = optionValues(args, TRAIN_CHT_OPTIONS);
  const out = args.flags['out'];
  if (!out) throw new UsageError('train-cht needs --out DIR (where the model is saved); see evometa train-cht --help');
  if (existsSync(join(out, 'model.json'))) throw new UsageError(`${out} already holds a model; choose a new --out folder (nothing was overwritten)`);
  const s = continualTrainSettings(f);
  const { initBackend, getTf } = await import('../runtime/backend.js');
  const info = await initBackend((f.backend as BackendRequest | undefined) ?? 'auto');
  const { trainSaveContinual } = await import('../workflows/cht_train.js');
  const bar = progressBarFor(args);
  const summary = await trainSaveContinual(getTf(), s, out, info.backend, {
    onStep: (p) => bar?.update({ fraction: p.step / s.steps, label: `train ${p.step}/${s.steps} · loss ${p.loss.toFixed(3)}`, count: p.step, unit: 'steps' }),
    onTest: (scenario, n) => bar?.update({ fraction: n / s.evalSequences, label: `test ${scenario} sequence ${n}/${s.evalSequences}` }),
  });
  bar?.done();
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify({ ...summary, out }) + '\n');
    return;
  }
  const test = summary['test'] as ContinualTestRecord;
  process.stdout.write(
    `${s.kind} trained ${s.steps} steps (checkpoint of step ${String(summary['chosenStep'])}, chosen on meta-validation) → ${out}\n` +
      `  test accuracy on all tasks seen after each task (${test.sequences} sequences):\n${formatTestRecord(test)}` +
      `  replay: npx evometa replay ${out}\n`,
  );
}
