/**
 * `evometa replay FILE|DIR [options]`: reads the genome file's `kind` (or a run folder's manifest) and hands it to
 * that kind's replay: a blur rule trains networks beside SGD and Adam (here), an ordering is refitted on a module
 * bank (replay_ordering.ts), HyperTransformer hyperparameters are trained and scored on held-out episodes (ht.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { readGenomeFile, type GenomeFileContents } from '../core/genome_file.js';
import type { Registry } from '../core/plugin.js';
import { builtinRegistry, registryForRun } from '../plugins.js';
import { isFewShotModelDir } from '../models/ht/ht_io.js';
import { parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { runPoint } from '../store/run_point.js';
import type { BlurGenome } from '../../genomes/blur_genome.js';
import { REPLAY_TASKS } from '../workflows/replay/replay_data.js';
import { findTrainedOn, manifestGenomeKind, type FoundTrainedOn } from '../workflows/replay/replay_setting.js';
import { BLUR_OUTPUT_ENCODINGS, type BlurOutputEncoding } from '../../tasks/blur/blur_training_setting.js';
import { progressBarFor } from './progress_bar.js';
import type { Command, OptionGroup, ParsedArgs } from './command.js';
import { BACKEND, JSON_SWITCH, NO_PROGRESS, onlyFlags, OUT, SEED, sharedAs, withHelp } from './options.js';
import { ORDERING_REPLAY_GROUP } from './replay_ordering.js';
import { REPLAY_HT_GROUP } from './replay_ht.js';
import { REPLAY_CHT_GROUP } from './replay_cht.js';
import { isContinualModelDir } from '../models/ht/continual/continual_io.js';

interface ReplayConfig {
  task: string;
  steps: number;
  compare: string;
  seeds: number;
  seed: number;
  hidden: number | number[];
  outputs: BlurOutputEncoding;
  batchSize: number;
  downsample: number;
  classes: number | number[] | null;
  trainSamples: number;
  validation: number;
  testSamples: number;
  evalAt: number | number[] | null;
  backend: BackendRequest;
}

export const REPLAY_OPTIONS: readonly OptionSpec<keyof ReplayConfig>[] = [
  { flag: 'task', key: 'task', kind: 'enum', choices: REPLAY_TASKS, value: 'NAME', help: "data to train on (default: the genome's meta-training setting, else fashion-mnist)" },
  { flag: 'steps', key: 'steps', kind: 'int', min: 1, max: 1e7, help: "inner steps per network (default: the genome's meta-training setting, else 1000)" },
  { flag: 'compare', key: 'compare', kind: 'string', help: "baselines, comma-separated: sgd, adam, or 'none' (default sgd,adam)" },
  { flag: 'seeds', key: 'seeds', kind: 'int', min: 1, max: 1000, help: 'networks per method (default 5)' },
  sharedAs(SEED, 'seed', 'base seed (default 0)'),
  { flag: 'hidden', key: 'hidden', kind: 'vector', help: "hidden layer sizes, comma-separated (default: the genome's meta-training setting, else 64)" },
  { flag: 'outputs', key: 'outputs', kind: 'enum', choices: BLUR_OUTPUT_ENCODINGS, value: 'ENC', help: "signed (one ±1 output, two-class tasks) or one-hot (default: the genome's meta-training setting, else one-hot)" },
  { flag: 'batch-size', key: 'batchSize', kind: 'int', min: 1, max: 65536, help: "batch per step (default: the genome's meta-training setting, else 32)" },
  { flag: 'downsample', key: 'downsample', kind: 'int', min: 1, max: 28, help: 'image downsampling factor (default 2: 28→14)' },
  { flag: 'classes', key: 'classes', kind: 'vector', help: 'keep only these classes (default all)' },
  { flag: 'train-samples', key: 'trainSamples', kind: 'int', min: 10, max: 60000, help: 'training examples (default 10000)' },
  { flag: 'validation', key: 'validation', kind: 'int', min: 10, max: 20000, help: 'validation examples for learning-rate choice (default 2000)' },
  { flag: 'test-samples', key: 'testSamples', kind: 'int', min: 10, max: 10000, help: 'test examples (default 2000)' },
  { flag: 'eval-at', key: 'evalAt', kind: 'vector', help: 'steps at which to measure (default 0,10,20,50,100,200,500,1000…)' },
  sharedAs(BACKEND, 'backend', 'TensorFlow.js backend (default auto)'),
];

/** The flags a blur rule's replay takes. */
const BLUR_REPLAY_GROUP: OptionGroup = {
  title: 'a learned rule (blur genome file, or a blur search run folder: its final point)',
  purpose: 'replaying a learned rule',
  options: [
    ...REPLAY_OPTIONS,
    withHelp(OUT, 'results folder for replay.json and replay.svg (default results/replay-<time>-<task>)'),
    { flag: 'export', key: 'export', kind: 'string', value: 'DIR', help: 'also save the first network trained by the rule as a tfjs LayersModel in DIR' },
    JSON_SWITCH,
    NO_PROGRESS,
  ],
};

const DEFAULTS: ReplayConfig = {
  task: 'fashion-mnist',
  steps: 1000,
  compare: 'sgd,adam',
  seeds: 5,
  seed: 0,
  hidden: 64,
  outputs: 'one-hot',
  batchSize: 32,
  downsample: 2,
  classes: null,
  trainSamples: 10000,
  validation: 2000,
  testSamples: 2000,
  evalAt: null,
  backend: 'auto',
};

const list = (v: number | number[] | null): number[] | null => (v === null ? null : Array.isArray(v) ? v : [v]);

function integers(v: number[], flag: string, min: number): number[] {
  if (v.some((e) => !Number.isInteger(e) || e < min)) throw new UsageError(`--${flag} must list integers >= ${min} (got ${v.join(',')})`);
  return v;
}

const REPLAY_GROUPS: readonly OptionGroup[] = [BLUR_REPLAY_GROUP, ORDERING_REPLAY_GROUP, REPLAY_HT_GROUP, REPLAY_CHT_GROUP];

/** How one genome kind replays: a genome file of the kind, and a run folder of a search over the kind where it can. */
export interface KindReplay {
  /** The options it takes. */
  options: OptionGroup;
  file(args: ParsedArgs, path: string, read: GenomeFileContents): Promise<void>;
  runFolder?(args: ParsedArgs, dir: string): Promise<void>;
}

/** The replay of each genome kind that has one. */
export const REPLAY_BY_KIND: Readonly<Record<string, KindReplay>> = {
  blur: {
    options: BLUR_REPLAY_GROUP,
    file: async (args, path, read) => replayBlur(args, path, read.genome as BlurGenome, await findTrainedOn(path, read.meta)),
    runFolder: async (args, dir) => replayBlur(args, dir, await runFolderGenome(dir), await findTrainedOn(dir, null)),
  },
  ordering: {
    options: ORDERING_REPLAY_GROUP,
    file: async (args, path, read) => (await import('./replay_ordering.js')).cmdReplayOrdering(args, path, read),
  },
  'ht-hparams': {
    options: REPLAY_HT_GROUP,
    file: async (args, path, read) => (await import('./replay_ht.js')).replayHtGenomeFile(args, path, read),
    runFolder: async (args, dir) => (await import('./replay_ht.js')).cmdReplayHt(args, dir),
  },
};

const TAKES = 'replay takes a genome file (blur, ordering or ht-hparams), a run folder of a blur or ht-hparams search, a few-shot model folder (train-ht) or a continual model folder (train-cht)';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a genome: a learned rule against SGD and Adam, an ordering refitted, a HyperTransformer scored',
  usage: 'GENOME.json|RUN_DIR|MODEL_DIR [options]',
  description:
    "Reads the genome file's kind (or the run folder's manifest) and replays it: a blur learned rule trains networks " +
    'beside tuned SGD and Adam; an ordering genome is refitted on its module bank; HyperTransformer hyperparameters (or a ' +
    'train-ht model folder) are trained once and scored on held-out episodes. Each takes the options of its group below.',
  positionals: [{ name: 'GENOME.json|RUN_DIR|MODEL_DIR', required: true }],
  groups: REPLAY_GROUPS,
  run: cmdReplay,
};

export async function cmdReplay(args: ParsedArgs): Promise<void> {
  const path = args.positional[0]!;
  if (!existsSync(path)) throw new UsageError(`not found: ${path}; ${TAKES}`);
  // A file beside its run's manifest is read with the plug-ins that run was made with.
  const beside = runKind(dirname(path)) !== undefined ? dirname(path) : undefined;
  const registry: Registry = beside ? await registryForRun(beside) : builtinRegistry();
  if (statSync(path).isDirectory()) {
    if (isContinualModelDir(path)) {
      onlyFlags(args, REPLAY_CHT_GROUP, `${path} is a continual model folder`, REPLAY_GROUPS);
      return (await import('./replay_cht.js')).cmdReplayCht(args, path);
    }
    if (isFewShotModelDir(path)) {
      onlyFlags(args, REPLAY_HT_GROUP, `${path} is a few-shot model folder`, REPLAY_GROUPS);
      return (await import('./replay_ht.js')).cmdReplayHt(args, path);
    }
    const kind = runKind(path);
    if (kind === undefined) throw new UsageError(`${path} is a folder but not a run folder (no manifest.json); ${TAKES}`);
    const replay = REPLAY_BY_KIND[kind]?.runFolder;
    const folders = Object.keys(REPLAY_BY_KIND).filter((k) => REPLAY_BY_KIND[k]!.runFolder);
    if (!replay) throw new UsageError(`${path} is a run of genome kind '${kind}'; a run folder replays only searches of kind ${folders.join(', ')} (replay a genome file of the run instead, e.g. its best.json)`);
    onlyFlags(args, REPLAY_BY_KIND[kind]!.options, `${path} is a run of genome kind '${kind}'`, REPLAY_GROUPS);
    return replay(args, path);
  }
  // best.json stores the bare genome: its kind is the run's, in the manifest beside it.
  const read = readGenomeFile(path, { kinds: registry.genomes, bareKind: runKind(dirname(path)) });
  const kind = read.kind.name;
  const replay = REPLAY_BY_KIND[kind];
  if (!replay) throw new UsageError(`${path} holds a genome of kind '${kind}', which has no replay; replay takes genomes of kind ${Object.keys(REPLAY_BY_KIND).join(', ')}`);
  onlyFlags(args, replay.options, `${path} holds a genome of kind '${kind}'`, REPLAY_GROUPS);
  return replay.file(args, path, read);
}

/** The genome kind of the run folder `dir` (its manifest's), or undefined where `dir` is not a readable run folder. */
function runKind(dir: string): string | undefined {
  try {
    return manifestGenomeKind(dir);
  } catch {
    return undefined;
  }
}

/**
 * A blur search's run folder replays its final point (the CMA-ES mean, metagrad's x, as `evometa export`
 * writes it): with a noisy fitness that is the rule the search converged to, not best.json's lucky draw.
 */
async function runFolderGenome(dir: string): Promise<BlurGenome> {
  if (!existsSync(join(dir, 'checkpoint.json'))) throw new UsageError(`${dir} has no checkpoint.json yet (no generation finished); replay its best.json or wait for a generation`);
  return runPoint(dir, 'mean', await registryForRun(dir)).genome as BlurGenome;
}

/**
 * Trains networks with the rule beside the baselines; `source` (the genome file or run folder) is recorded with the
 * results. The rule's meta-training setting (`found`) decides the network and inner loop unless a flag overrides.
 */
async function replayBlur(args: ParsedArgs, source: string, genome: BlurGenome, found: FoundTrainedOn | null): Promise<void> {
  const { initBackend } = await import('../runtime/backend.js');
  const { loadReplayData, replayClasses } = await import('../workflows/replay/replay_data.js');
  const { defaultEvalAt, outputSize, replayRule, replayTable, writeReplay } = await import('../workflows/replay/replay_blur.js');
  const { describeReplaySetting, resolveReplaySetting } = await import('../workflows/replay/replay_setting.js');
  const out = args.flags['out'];
  const exportDir = args.flags['export'] ?? null;
  const given: Partial<ReplayConfig> = {};
  for (const o of REPLAY_OPTIONS) if (args.flags[o.flag] !== undefined) (given as Record<string, unknown>)[o.key] = parseOptionValue(o, args.flags[o.flag]);
  const classes = list(given.classes ?? null);
  if (classes) integers(classes, 'classes', 0);
  const { hidden: givenHidden, ...givenRest } = given;
  const setting = resolveReplaySetting(
    { ...DEFAULTS, hidden: list(DEFAULTS.hidden)! },
    found,
    { ...givenRest, ...(givenHidden !== undefined ? { hidden: integers(list(givenHidden)!, 'hidden', 1) } : {}) },
    (task) => replayClasses(task, classes),
  );
  const { origin: _origin, trainedOnFrom: _from, trainedOn: _trainedOn, ...used } = setting;
  const c: ReplayConfig = { ...DEFAULTS, ...given, ...used };
  const compare = c.compare === 'none' ? [] : c.compare.split(',').map((s) => s.trim());
  for (const m of compare) if (m !== 'sgd' && m !== 'adam') throw new UsageError(`--compare takes sgd, adam or none (got '${m}')`);
  const hidden = setting.hidden;
  const evalAt = c.evalAt === null ? defaultEvalAt(c.steps) : integers(list(c.evalAt)!, 'eval-at', 0).filter((s) => s <= c.steps);

  const data = loadReplayData({ task: c.task, downsample: c.downsample, classes, trainSamples: c.trainSamples, validation: c.validation, testSamples: c.testSamples });
  checkReplayMemory([data.inputs, ...hidden, outputSize(c.outputs, data)], genome.k, Math.max(c.batchSize, c.testSamples));
  const backend = await initBackend(c.backend);
  const settingLine = describeReplaySetting(setting, [data.inputs, ...hidden, outputSize(c.outputs, data)]);
  process.stderr.write(`evometa: ${settingLine}\n`);
  const dir = out ?? join('results', `replay-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${c.task}`);
  const bar = progressBarFor(args);
  const json = args.switches.has('json');
  const result = await replayRule(genome, data, {
    hidden,
    outputs: c.outputs,
    steps: c.steps,
    batchSize: c.batchSize,
    seeds: c.seeds,
    seed: c.seed,
    compare: compare as ('sgd' | 'adam')[],
    evalAt,
    exportDir,
    onProgress: (done, total, label) => bar?.update({ fraction: done / total, label }),
  });
  bar?.done();
  const files = writeReplay(dir, result, {
    genome: source, backend: backend.backend, config: { ...c, hidden, evalAt, classes },
    setting: { line: settingLine, origin: setting.origin, trainedOnFrom: setting.trainedOnFrom, trainedOn: setting.trainedOn }, createdAt: new Date().toISOString(),
  });
  if (json) {
    const methods = Object.fromEntries(result.methods.map((m) => [m.method, { mean: m.mean, std: m.std, ...(m.learningRate !== undefined ? { learningRate: m.learningRate } : {}) }]));
    process.stdout.write(JSON.stringify({ task: result.task, sizes: result.sizes, evalAt: result.evalAt, methods, setting: { line: settingLine, origin: setting.origin }, runDir: dir, svg: files.svg, ...(exportDir ? { exported: exportDir } : {}) }) + '\n');
  } else {
    process.stdout.write(`${replayTable(result)}\n\nbackend ${backend.backend}; results ${files.json}; plot ${files.svg}${exportDir ? `; model ${exportDir}/model.json` : ''}\n`);
  }
}

/**
 * Refuses, before any tensor exists, a network the machine cannot hold: a BLUR network keeps k states per synapse and,
 * for each example of a batch (the test set's when it is scored), per neuron; a step holds about eight float32 copies
 * of them (states, updates, temporaries), as measured on wasm, whose heap ends at 2 GiB whatever the machine has.
 */
export function checkReplayMemory(sizes: readonly number[], k: number, batchSize: number): void {
  let synapses = 0;
  let neurons = 0;
  for (let l = 0; l + 1 < sizes.length; l++) synapses += sizes[l]! * sizes[l + 1]!;
  for (const s of sizes) neurons += s;
  const bytes = 4 * 8 * k * (synapses + batchSize * neurons);
  const limit = Math.min(totalmem() / 4, 2 ** 31);
  if (bytes > limit)
    throw new UsageError(`a ${sizes.join('-')} network with k = ${k} needs about ${(bytes / 2 ** 30).toFixed(1)} GiB to train, more than the ${(limit / 2 ** 30).toFixed(1)} GiB a replay may use here; give smaller --hidden or --batch-size`);
}
