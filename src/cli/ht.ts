/**
 * `evometa train-ht --out DIR [options]`: trains a HyperTransformer (or the ProtoNet baseline) on
 * few-shot episodes and saves it as a tfjs weights artifact; `evometa replay HT_RUN --episodes 500`:
 * scores a saved model on held-out episodes. HT_RUN is a model folder, or an `ht-hparams` search run,
 * whose best genome is then trained once with the run's budget (saved to HT_RUN/best-model) and scored; an
 * `ht-hparams` genome file is trained once likewise (to FILE-model, or --out DIR) with the `ht-fewshot` settings
 * of its meta (as `evometa export` writes them), or the task's defaults.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../runtime/backend_names.js';
import { readJsonFile, writeJsonAtomic } from '../core/json_file.js';
import { ProgressBar } from './progress_bar.js';
import type { ParsedArgs } from './args.js';
import { resolveHtConfig } from '../models/ht/ht_config.js';
import { FEW_SHOT_KINDS, type FewShotKind, type FewShotModel } from '../models/ht/few_shot_model.js';
import { resolveFewShotData, FEW_SHOT_DATASETS, type FewShotData } from '../data/few_shot_data.js';
import { isFewShotModelDir } from '../models/ht/ht_io.js';
import { loadHtGenome, type HtHparamsGenome } from '../../genomes/ht_hparams_genome.js';
import type { GenomeFileContents } from '../core/genome_file.js';

type TrainKey = 'model' | 'config' | 'genome' | 'steps' | 'seed' | 'evalEpisodes' | 'evalSource' | 'dataset' | 'omniglotRoot' | 'backend';

export const TRAIN_HT_OPTIONS: readonly OptionSpec<TrainKey>[] = [
  { flag: 'model', key: 'model', kind: 'enum', choices: FEW_SHOT_KINDS, help: 'hypertransformer or protonet (default hypertransformer)' },
  { flag: 'config', key: 'config', kind: 'string', help: 'HyperTransformer settings as JSON, e.g. \'{"channels":4,"shots":5}\' (see src/models/ht/ht_config.ts)' },
  { flag: 'genome', key: 'genome', kind: 'string', help: 'an ht-hparams genome file or a search run\'s best.json; its fields override --config' },
  { flag: 'steps', key: 'steps', kind: 'int', min: 1, max: 1e8, help: 'training steps (default 500)' },
  { flag: 'seed', key: 'seed', kind: 'int', min: 0, max: 4294967295, help: 'seed of the initial weights and the training episodes (default 0)' },
  { flag: 'eval-episodes', key: 'evalEpisodes', kind: 'int', min: 1, max: 1e6, help: 'held-out episodes scored after training (default 500)' },
  { flag: 'eval-source', key: 'evalSource', kind: 'enum', choices: ['test', 'validation'], help: 'held-out classes\' test or train-split images (default test)' },
  { flag: 'dataset', key: 'dataset', kind: 'enum', choices: FEW_SHOT_DATASETS, help: 'mnist-fashion (20 pooled classes, default) or omniglot' },
  { flag: 'omniglot-root', key: 'omniglotRoot', kind: 'string', help: 'folder with images_background/ and images_evaluation/ (dataset omniglot)' },
  { flag: 'backend', key: 'backend', kind: 'enum', choices: BACKEND_REQUESTS, help: 'TensorFlow.js backend (default auto)' },
];

type ReplayKey = 'episodes' | 'source' | 'evalSeed' | 'dataset' | 'omniglotRoot' | 'backend';

export const REPLAY_HT_OPTIONS: readonly OptionSpec<ReplayKey>[] = [
  { flag: 'episodes', key: 'episodes', kind: 'int', min: 1, max: 1e6, help: 'held-out episodes (default 500)' },
  { flag: 'source', key: 'source', kind: 'enum', choices: ['test', 'validation'], help: "held-out classes' test or train-split images (default test)" },
  { flag: 'eval-seed', key: 'evalSeed', kind: 'int', min: 0, max: 4294967295, help: 'seed of the held-out episode stream (default 0, as train-ht and the bench)' },
  { flag: 'dataset', key: 'dataset', kind: 'enum', choices: FEW_SHOT_DATASETS, help: "override the model's dataset" },
  { flag: 'omniglot-root', key: 'omniglotRoot', kind: 'string', help: 'Omniglot folder (dataset omniglot)' },
  { flag: 'backend', key: 'backend', kind: 'enum', choices: BACKEND_REQUESTS, help: 'TensorFlow.js backend (default auto)' },
];

function parseFlags<K extends string>(args: ParsedArgs, specs: readonly OptionSpec<K>[], extra: readonly string[], command: string): Partial<Record<K, unknown>> & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(args.flags)) {
    if (extra.includes(flag)) {
      out[flag] = value;
      continue;
    }
    const o = specs.find((x) => x.flag === flag);
    if (!o) throw new UsageError(`unknown ${command} option '--${flag}'; valid: ${[...specs.map((x) => x.flag), ...extra, 'json'].join(', ')}`);
    out[o.key] = parseOptionValue(o, value);
  }
  return out as Partial<Record<K, unknown>> & Record<string, unknown>;
}

function parseJsonFlag(text: string, flag: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--${flag} must be a JSON object (${(e as Error).message}), e.g. '{"channels":4}'`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`--${flag} must be a JSON object, e.g. '{"channels":4}' (got ${text})`);
  return v as Record<string, unknown>;
}

export const TRAIN_HT_USAGE = `usage: evometa train-ht --out DIR [options] [--json]\n${TRAIN_HT_OPTIONS.map((o) => `  --${o.flag.padEnd(15)} ${o.help}`).join('\n')}`;

interface TrainSettings {
  kind: FewShotKind;
  raw: Record<string, unknown>;
  data: FewShotData;
  steps: number;
  seed: number;
  evalEpisodes: number;
  evalSource: 'test' | 'validation';
}

/** Trains, saves the artifact with its training record, scores it; the one path train-ht and search replays share. */
async function trainSaveScore(s: TrainSettings, out: string, backend: BackendRequest, quiet: boolean): Promise<{ model: FewShotModel; summary: Record<string, unknown> }> {
  const config = resolveHtConfig(s.raw, 'HyperTransformer config');
  const { initBackend, getTf } = await import('../runtime/backend.js');
  const info = await initBackend(backend);
  const tf = getTf();
  const { trainAndScore } = await import('../../tasks/ht/few_shot_run.js');
  const { saveFewShotModel } = await import('../models/ht/ht_io.js');
  const bar = quiet ? null : new ProgressBar();
  const r = trainAndScore(tf, {
    kind: s.kind, config, data: s.data, steps: s.steps, seed: s.seed, evalEpisodes: s.evalEpisodes, evalSource: s.evalSource, evalSeed: 0,
    onStep: (p) => bar?.update({ fraction: p.step / s.steps, label: `train ${p.step}/${s.steps} loss ${p.loss.toFixed(3)}` }),
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

export async function cmdTrainHt(args: ParsedArgs): Promise<void> {
  if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'\n${TRAIN_HT_USAGE}`);
  const f = parseFlags(args, TRAIN_HT_OPTIONS, ['out'], 'train-ht');
  const out = f['out'] as string | undefined;
  if (!out) throw new UsageError(`train-ht needs --out DIR (where the model is saved)\n${TRAIN_HT_USAGE}`);
  if (existsSync(join(out, 'model.json'))) throw new UsageError(`${out} already holds a model; choose a new --out folder (nothing was overwritten)`);
  const raw = { ...(f.config ? parseJsonFlag(f.config as string, 'config') : {}), ...(f.genome ? loadHtGenome(f.genome as string) : {}) };
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
  const { summary } = await trainSaveScore(s, out, (f.backend as BackendRequest | undefined) ?? 'auto', json);
  if (json) process.stdout.write(JSON.stringify({ ...summary, out }) + '\n');
  else {
    const h = summary['heldOut'] as { accuracy: number; ci95: number; episodes: number; source: string };
    process.stdout.write(`${s.kind} trained ${s.steps} steps → ${out}\n  held-out ${h.source} accuracy ${(100 * h.accuracy).toFixed(2)} % ± ${(100 * h.ci95).toFixed(2)} (95 %, ${h.episodes} episodes)\n  replay: npx evometa replay ${out} --episodes 500\n`);
  }
}

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
  const f = parseFlags(args, REPLAY_HT_OPTIONS, [], 'replay (HyperTransformer)');
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
  const f = parseFlags(args, REPLAY_HT_OPTIONS, ['out'], 'replay (HyperTransformer)');
  const { task, taskConfig, seed } = read.meta;
  const run = {
    taskConfig: task === 'ht-fewshot' && typeof taskConfig === 'object' && taskConfig !== null ? taskConfig : {},
    seed: typeof seed === 'number' ? seed : 0,
  };
  const modelDir = (f['out'] as string | undefined) ?? `${path.replace(/\.json$/i, '')}-model`;
  await trainOnce(read.genome as HtHparamsGenome, run, modelDir, path, f, args);
  await scoreModel(modelDir, f, args);
}

/** Trains the genome with the task's budget into `modelDir`, unless a model is there already (trained before). */
async function trainOnce(genome: HtHparamsGenome, run: { taskConfig: Record<string, unknown>; seed: number }, modelDir: string, what: string, f: Record<string, unknown>, args: ParsedArgs): Promise<void> {
  if (isFewShotModelDir(modelDir)) return;
  const json = args.switches.has('json');
  const { htFewShotTask, candidateConfig, taskData } = await import('../../tasks/ht/ht_tasks.js');
  const c = htFewShotTask.resolveConfig(run.taskConfig);
  if (!json) process.stderr.write(`training ${what} for ${c.trainSteps} steps (the task's budget) → ${modelDir}\n`);
  const s: TrainSettings = { kind: c.model, raw: { ...candidateConfig(genome, c) }, data: taskData(c), steps: c.trainSteps, seed: run.seed, evalEpisodes: 1, evalSource: 'test' };
  await trainSaveScore(s, modelDir, (f['backend'] as BackendRequest | undefined) ?? 'auto', json);
}

/** Scores the saved model in `modelDir` on held-out episodes and prints the result. */
async function scoreModel(modelDir: string, f: Record<string, unknown>, args: ParsedArgs): Promise<void> {
  const backend = (f['backend'] as BackendRequest | undefined) ?? 'auto';
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
  const bar = json ? null : new ProgressBar();
  const score = scoreFewShot(tf, model, data, source, episodes, evalSeed, (n) => bar?.update({ fraction: n / episodes, label: `episode ${n}/${episodes}` }));
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
