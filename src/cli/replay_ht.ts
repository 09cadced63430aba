/**
 * The HyperTransformer side of `evometa replay`: scores a saved few-shot model (train-ht's folder) on held-out
 * episodes. An `ht-hparams` search run has its best genome trained once with the run's budget (to RUN/best-model)
 * and scored; an `ht-hparams` genome file is trained once likewise (to FILE-model, or --out DIR) under the
 * `ht-fewshot` settings of its meta (as `evometa export` writes them), or the task's defaults.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { readJsonFile } from '../core/json_file.js';
import { progressBarFor } from './progress_bar.js';
import type { OptionGroup, ParsedArgs } from './command.js';
import { BACKEND, JSON_SWITCH, NO_PROGRESS, optionValues, OUT, sharedAs, withHelp } from './options.js';
import { resolveFewShotData, FEW_SHOT_DATASETS, type FewShotData } from '../data/few_shot_data.js';
import { isFewShotModelDir } from '../models/ht/ht_io.js';
import { loadHtGenome, type HtHparamsGenome } from '../../genomes/ht_hparams_genome.js';
import type { GenomeFileContents } from '../core/genome_file.js';
import { trainSaveScore, type TrainSettings } from './train_ht.js';

type ReplayKey = 'episodes' | 'source' | 'evalSeed' | 'dataset' | 'omniglotRoot' | 'backend';

export const REPLAY_HT_OPTIONS: readonly OptionSpec<ReplayKey>[] = [
  { flag: 'episodes', key: 'episodes', kind: 'int', min: 1, max: 1e6, help: 'held-out episodes (default 500)' },
  { flag: 'source', key: 'source', kind: 'enum', choices: ['test', 'validation'], value: 'test|validation', help: "held-out classes' test or train-split images (default test)" },
  { flag: 'eval-seed', key: 'evalSeed', kind: 'int', min: 0, max: 4294967295, help: 'seed of the held-out episode stream (default 0, as train-ht and the bench)' },
  { flag: 'dataset', key: 'dataset', kind: 'enum', choices: FEW_SHOT_DATASETS, value: 'NAME', help: "override the model's dataset" },
  { flag: 'omniglot-root', key: 'omniglotRoot', kind: 'string', value: 'DIR', help: 'Omniglot folder (dataset omniglot)' },
  sharedAs(BACKEND, 'backend', 'TensorFlow.js backend (default auto)'),
];

/** The flags a HyperTransformer replay takes. */
export const REPLAY_HT_GROUP: OptionGroup = {
  title: 'a few-shot model folder (train-ht), an ht-hparams run folder or genome file',
  purpose: 'replaying a HyperTransformer',
  options: [...REPLAY_HT_OPTIONS, withHelp(OUT, 'for a genome file: the model folder it is trained to (default FILE-model)'), JSON_SWITCH, NO_PROGRESS],
};

function htRunConfig(dir: string): { taskConfig: Record<string, unknown>; seed: number } | null {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return null;
  try {
    const m = readJsonFile(manifest, 'run manifest') as { config?: { genome?: string; task?: string; taskConfig?: Record<string, unknown>; seed?: number } };
    return m.config?.genome === 'ht-hparams' && m.config.task === 'ht-fewshot' ? { taskConfig: m.config.taskConfig ?? {}, seed: m.config.seed ?? 0 } : null;
  } catch {
    return null;
  }
}

/** Replays a few-shot model folder, or an ht-hparams search run (its best genome, trained once to DIR/best-model). */
export async function cmdReplayHt(args: ParsedArgs, dir: string): Promise<void> {
  if (args.flags['out'] !== undefined) throw new UsageError(`--out applies to replaying an ht-hparams genome file; ${dir} is a folder (its model is scored where it is)`);
  const f = optionValues(args, REPLAY_HT_OPTIONS);
  let modelDir = dir;
  if (!isFewShotModelDir(dir)) {
    const run = htRunConfig(dir);
    if (!run) throw new UsageError(`${dir} is an ht-hparams search but not of task 'ht-fewshot'; replay trains only ht-fewshot candidates`);
    modelDir = join(dir, 'best-model');
    await trainOnce(loadHtGenome(join(dir, 'best.json')), run, modelDir, `the best genome of ${dir}`, f, args);
  }
  await scoreModel(modelDir, f, args);
}

/** Replays an ht-hparams genome file: trains it once (to FILE-model or --out DIR) under the ht-fewshot settings of its meta, then scores it. */
export async function replayHtGenomeFile(args: ParsedArgs, path: string, read: GenomeFileContents): Promise<void> {
  const f = optionValues(args, REPLAY_HT_OPTIONS);
  const { task, taskConfig, seed } = read.meta;
  const run = {
    taskConfig: task === 'ht-fewshot' && typeof taskConfig === 'object' && taskConfig !== null ? (taskConfig as Record<string, unknown>) : {},
    seed: typeof seed === 'number' ? seed : 0,
  };
  const modelDir = args.flags['out'] ?? `${path.replace(/\.json$/i, '')}-model`;
  await trainOnce(read.genome as HtHparamsGenome, run, modelDir, path, f, args);
  await scoreModel(modelDir, f, args);
}

/** Trains the genome with the task's budget into `modelDir`, unless a model is there already (trained before). */
async function trainOnce(genome: HtHparamsGenome, run: { taskConfig: Record<string, unknown>; seed: number }, modelDir: string, what: string, f: Partial<Record<ReplayKey, unknown>>, args: ParsedArgs): Promise<void> {
  if (isFewShotModelDir(modelDir)) return;
  const { htFewShotTask, candidateConfig, taskData } = await import('../../tasks/ht/ht_tasks.js');
  const c = htFewShotTask.resolveConfig(run.taskConfig);
  if (!args.switches.has('json')) process.stderr.write(`training ${what} for ${c.trainSteps} steps (the task's budget) → ${modelDir}\n`);
  const s: TrainSettings = { kind: c.model, raw: { ...candidateConfig(genome, c) }, data: taskData(c), steps: c.trainSteps, seed: run.seed, evalEpisodes: 1, evalSource: 'test' };
  await trainSaveScore(s, modelDir, (f.backend as BackendRequest | undefined) ?? 'auto', args);
}

/** Scores the saved model in `modelDir` on held-out episodes and prints the result. */
async function scoreModel(modelDir: string, f: Partial<Record<ReplayKey, unknown>>, args: ParsedArgs): Promise<void> {
  const backend = (f.backend as BackendRequest | undefined) ?? 'auto';
  const json = args.switches.has('json');
  const { initBackend, getTf } = await import('../runtime/backend.js');
  const info = await initBackend(backend);
  const tf = getTf();
  const { loadFewShotModel } = await import('../models/ht/ht_io.js');
  const { scoreFewShot } = await import('../../tasks/ht/few_shot_run.js');
  const { model, metadata } = loadFewShotModel(tf, modelDir);
  const savedData = (metadata['data'] as FewShotData | undefined) ?? { dataset: 'mnist-fashion' };
  const data = resolveFewShotData({ ...savedData, ...(f.dataset ? { dataset: f.dataset } : {}), ...(f.omniglotRoot ? { omniglotRoot: f.omniglotRoot } : {}) }, 'replay data:');
  const episodes = (f.episodes as number | undefined) ?? 500;
  const source = (f.source as 'test' | 'validation' | undefined) ?? 'test';
  const evalSeed = (f.evalSeed as number | undefined) ?? 0;
  const bar = progressBarFor(args);
  const score = await scoreFewShot(tf, model, data, source, episodes, evalSeed, (n) => bar?.update({ fraction: n / episodes, label: `episode ${n}/${episodes}`, count: n, unit: 'episodes' }));
  bar?.done();
  const c = model.config;
  const out = { model: model.kind, dir: modelDir, ways: c.ways, shots: c.shots, channels: c.channels, generatedConvLayers: c.generatedConvLayers, source, episodes, evalSeed, accuracy: score.accuracy, ci95: score.ci95, std: score.std, loss: score.loss, backend: info.backend, config: c };
  if (json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  process.stdout.write(
    `${model.kind} (${c.ways}-way ${c.shots}-shot, ${c.channels} channels, ${c.generatedConvLayers} conv layers generated) from ${modelDir}\n` +
      `  held-out ${source} accuracy ${(100 * score.accuracy).toFixed(2)} % ± ${(100 * score.ci95).toFixed(2)} (95 % interval, ${episodes} episodes, eval seed ${evalSeed}, ${info.backend})\n`,
  );
}
