/**
 * The continual-learner side of `evometa replay`: scores a saved Continual HyperTransformer (or HT, or ProtoNet)
 * folder, as `evometa train-cht` or the `cht` bench wrote it, again on the test classes in both scenarios and prints
 * its curve beside the one recorded at training time.
 */
import type { OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { progressBarFor } from './progress_bar.js';
import type { OptionGroup, ParsedArgs } from './command.js';
import { BACKEND, JSON_SWITCH, NO_PROGRESS, optionValues, sharedAs } from './options.js';
import { formatTestRecord } from './train_cht.js';
import type { ContinualTestRecord } from '../workflows/cht_train.js';
import { readModelJson } from '../models/ht/ht_io.js';
import { CONTINUAL_FORMAT } from '../models/ht/continual/continual_io.js';

type ReplayKey = 'sequences' | 'tasks' | 'evalSeed' | 'backend';

export const REPLAY_CHT_OPTIONS: readonly OptionSpec<ReplayKey>[] = [
  { flag: 'sequences', key: 'sequences', kind: 'int', min: 1, max: 1e6, help: 'test sequences (default: as many as the model was scored on)' },
  { flag: 'tasks', key: 'tasks', kind: 'int', min: 1, max: 64, help: 'tasks per test sequence (default: as the model was scored)' },
  { flag: 'eval-seed', key: 'evalSeed', kind: 'int', min: 0, max: 4294967295, help: 'seed of the test sequences (default 0, as train-cht and the bench)' },
  sharedAs(BACKEND, 'backend', 'TensorFlow.js backend (default auto)'),
];

/** The flags a continual replay takes. */
export const REPLAY_CHT_GROUP: OptionGroup = {
  title: 'a continual model folder (train-cht)',
  purpose: 'replaying a continual learner',
  options: [...REPLAY_CHT_OPTIONS, JSON_SWITCH, NO_PROGRESS],
};

export async function cmdReplayCht(args: ParsedArgs, dir: string): Promise<void> {
  const f = optionValues(args, REPLAY_CHT_OPTIONS);
  const { initBackend, getTf } = await import('../runtime/backend.js');
  const info = await initBackend((f.backend as BackendRequest | undefined) ?? 'auto');
  const { replayContinual } = await import('../workflows/cht_train.js');
  const metadata = readModelJson(dir, CONTINUAL_FORMAT, "'evometa train-cht'").json['metadata'] as { test?: ContinualTestRecord } | undefined;
  const saved = metadata?.test ?? null;
  const sequences = (f.sequences as number | undefined) ?? saved?.sequences ?? 100;
  const tasks = (f.tasks as number | undefined) ?? saved?.tasks ?? 8;
  const evalSeed = (f.evalSeed as number | undefined) ?? 0;
  const bar = progressBarFor(args);
  const r = replayContinual(getTf(), dir, {
    sequences, tasks, evalSeed,
    onTest: (scenario, n) => bar?.update({ fraction: n / sequences, label: `${scenario} sequence ${n}/${sequences}`, count: n, unit: 'sequences' }),
  });
  bar?.done();
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify({ dir, kind: r.model.kind, config: r.model.config, settings: r.model.settings, replay: r.replay, saved, backend: info.backend }) + '\n');
    return;
  }
  const c = r.model.config;
  process.stdout.write(
    `${r.model.kind} (${c.ways}-way ${c.shots}-shot tasks, ${c.channels} channels, embedding ${r.model.settings.embedding}, trained ${r.model.settings.scenario}) from ${dir}\n` +
      `  test accuracy on all tasks seen after each task (${sequences} sequences, eval seed ${evalSeed}, ${info.backend}):\n${formatTestRecord(r.replay)}` +
      (saved ? `  recorded at training time (${saved.sequences} sequences):\n${formatTestRecord(saved)}` : ''),
  );
}
