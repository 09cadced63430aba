/**
 * `evometa train-ht --out DIR [options]`: trains a HyperTransformer (or the ProtoNet baseline) on few-shot episodes,
 * saves it as a tfjs weights artifact with its training record, and scores it on held-out episodes
 * (`evometa replay DIR` scores it again; replay_ht.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { writeJsonAtomic } from '../core/json_file.js';
import { progressBarFor } from './progress_bar.js';
import type { Command, ParsedArgs } from './command.js';
import { BACKEND, JSON_SWITCH, NO_PROGRESS, optionValues, OUT, SEED, sharedAs, withHelp } from './options.js';
import { resolveHtConfig } from '../models/ht/ht_config.js';
import { FEW_SHOT_KINDS, type FewShotKind, type FewShotModel } from '../models/ht/few_shot_model.js';
import { resolveFewShotData, FEW_SHOT_DATASETS, type FewShotData } from '../data/few_shot_data.js';
import { loadHtGenome } from '../../genomes/ht_hparams_genome.js';

type TrainKey = 'model' | 'config' | 'genome' | 'steps' | 'seed' | 'evalEpisodes' | 'evalSource' | 'dataset' | 'omniglotRoot' | 'backend';

/** Where few-shot training reads its classes and which backend runs it: the same flags on train-ht and train-cht. */
export const FEW_SHOT_RUN_OPTIONS: readonly OptionSpec<'dataset' | 'omniglotRoot' | 'backend'>[] = [
  { flag: 'dataset', key: 'dataset', kind: 'enum', choices: FEW_SHOT_DATASETS, value: 'NAME', help: 'mnist-fashion (20 pooled classes, default) or omniglot' },
  { flag: 'omniglot-root', key: 'omniglotRoot', kind: 'string', value: 'DIR', help: 'folder with images_background/ and images_evaluation/ (dataset omniglot)' },
  sharedAs(BACKEND, 'backend', 'TensorFlow.js backend (default auto)'),
];

export const TRAIN_HT_OPTIONS: readonly OptionSpec<TrainKey>[] = [
  { flag: 'model', key: 'model', kind: 'enum', choices: FEW_SHOT_KINDS, value: 'NAME', help: 'hypertransformer or protonet (default hypertransformer)' },
  { flag: 'config', key: 'config', kind: 'json', help: 'HyperTransformer settings as JSON, e.g. \'{"channels":4,"shots":5}\' (see src/models/ht/ht_config.ts)' },
  { flag: 'genome', key: 'genome', kind: 'string', value: 'FILE', help: 'an ht-hparams genome file or a search run\'s best.json; its fields override --config' },
  { flag: 'steps', key: 'steps', kind: 'int', min: 1, max: 1e8, help: 'training steps (default 500)' },
  sharedAs(SEED, 'seed', 'seed of the initial weights and the training episodes (default 0)'),
  { flag: 'eval-episodes', key: 'evalEpisodes', kind: 'int', min: 1, max: 1e6, help: 'held-out episodes scored after training (default 500)' },
  { flag: 'eval-source', key: 'evalSource', kind: 'enum', choices: ['test', 'validation'], value: 'test|validation', help: 'held-out classes\' test or train-split images (default test)' },
  ...FEW_SHOT_RUN_OPTIONS,
];

export const trainHtCommand: Command = {
  name: 'train-ht',
  summary: 'train a HyperTransformer or ProtoNet on few-shot episodes and score it on held-out ones',
  usage: '--out DIR [options]',
  description: 'Trains a HyperTransformer (or the ProtoNet baseline with the same CNN) on few-shot episodes, saves it to DIR (model.json, weights.bin, history.json) and scores it on held-out episodes; evometa replay DIR scores it again.',
  positionals: [],
  groups: [
    { title: 'training options', options: TRAIN_HT_OPTIONS },
    { title: 'output', options: [withHelp(OUT, 'the model folder to write (required; an existing model is never overwritten)'), withHelp(JSON_SWITCH, 'print the training record and held-out score as one JSON document'), NO_PROGRESS] },
  ],
  run: trainHt,
};

export interface TrainSettings {
  kind: FewShotKind;
  raw: Record<string, unknown>;
  data: FewShotData;
  steps: number;
  seed: number;
  evalEpisodes: number;
  evalSource: 'test' | 'validation';
}

/** Trains, saves the artifact with its training record, scores it; the one path train-ht and search replays share. */
export async function trainSaveScore(s: TrainSettings, out: string, backend: BackendRequest, args: ParsedArgs): Promise<{ model: FewShotModel; summary: Record<string, unknown> }> {
  const config = resolveHtConfig(s.raw, 'HyperTransformer config');
  const { initBackend, getTf } = await import('../runtime/backend.js');
  const info = await initBackend(backend);
  const tf = getTf();
  const { trainAndScore } = await import('../../tasks/ht/few_shot_run.js');
  const { saveFewShotModel } = await import('../models/ht/ht_io.js');
  const bar = progressBarFor(args);
  const r = await trainAndScore(tf, {
    kind: s.kind, config, data: s.data, steps: s.steps, seed: s.seed, evalEpisodes: s.evalEpisodes, evalSource: s.evalSource, evalSeed: 0,
    onStep: (p) => bar?.update({ fraction: p.step / s.steps, label: `train ${p.step}/${s.steps} · loss ${p.loss.toFixed(3)}`, count: p.step, unit: 'steps' }),
    onEval: (n) => bar?.update({ fraction: n / s.evalEpisodes, label: `held-out episode ${n}/${s.evalEpisodes}` }),
  });
  bar?.done();
  const summary = {
    model: s.kind, config, data: s.data, steps: s.steps, seed: s.seed, trainSeconds: r.trainSeconds,
    heldOut: { source: s.evalSource, episodes: r.score.episodes, evalSeed: 0, accuracy: r.score.accuracy, ci95: r.score.ci95, loss: r.score.loss },
    backend: info.backend, date: new Date().toISOString(),
  };
  await saveFewShotModel(tf, out, r.model, summary);
  writeJsonAtomic(join(out, 'history.json'), r.history);
  return { model: r.model, summary };
}

async function trainHt(args: ParsedArgs): Promise<void> {
  const f = optionValues(args, TRAIN_HT_OPTIONS);
  const out = args.flags['out'];
  if (!out) throw new UsageError('train-ht needs --out DIR (where the model is saved); see evometa train-ht --help');
  if (existsSync(join(out, 'model.json'))) throw new UsageError(`${out} already holds a model; choose a new --out folder (nothing was overwritten)`);
  const raw = { ...((f.config as Record<string, unknown> | undefined) ?? {}), ...(f.genome ? loadHtGenome(f.genome as string) : {}) };
  resolveHtConfig(raw, '--config / --genome');
  const s: TrainSettings = {
    kind: (f.model as FewShotKind | undefined) ?? 'hypertransformer',
    raw,
    data: resolveFewShotData({ dataset: f.dataset, omniglotRoot: f.omniglotRoot }, '--dataset / --omniglot-root:'),
    steps: (f.steps as number | undefined) ?? 500,
    seed: (f.seed as number | undefined) ?? 0,
    evalEpisodes: (f.evalEpisodes as number | undefined) ?? 500,
    evalSource: (f.evalSource as 'test' | 'validation' | undefined) ?? 'test',
  };
  const json = args.switches.has('json');
  const { summary } = await trainSaveScore(s, out, (f.backend as BackendRequest | undefined) ?? 'auto', args);
  if (json) process.stdout.write(JSON.stringify({ ...summary, out }) + '\n');
  else {
    const h = summary['heldOut'] as { accuracy: number; ci95: number; episodes: number; source: string };
    process.stdout.write(`${s.kind} trained ${s.steps} steps → ${out}\n  held-out ${h.source} accuracy ${(100 * h.accuracy).toFixed(2)} % ± ${(100 * h.ci95).toFixed(2)} (95 %, ${h.episodes} episodes)\n  replay: npx evometa replay ${out} --episodes 500\n`);
  }
}
