/**
 * Which network and inner loop `evometa replay` trains a learned rule in: the setting the rule was meta-trained in
 * (a genome file's `meta.trainedOn`, or for a run record such as best.json the run's manifest beside it), each value
 * overridden by a flag the user gave, the replay's own defaults where neither says. The replay reports which it used.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { GenomeFileMeta } from '../../core/genome_file.js';
import { readJsonFile } from '../../core/json_file.js';
import { registryForRun } from '../../plugins.js';
import { runConfigOf, runTrainedOn, type TrainedOn } from '../../store/run_point.js';
import { BLUR_OUTPUT_ENCODINGS, type BlurOutputEncoding, type BlurTrainingSetting } from '../../../tasks/blur/blur_training_setting.js';
import { isObject } from '../../core/config_checks.js';

/** A blur genome's `meta.trainedOn`, checked. */
export type BlurTrainedOn = TrainedOn & BlurTrainingSetting;

/** The replay options a training setting decides (flag names of `evometa replay` in camel case). */
export interface ReplaySetting {
  task: string;
  hidden: number[];
  outputs: BlurOutputEncoding;
  steps: number;
  batchSize: number;
  downsample: number;
}

export type ReplaySettingKey = keyof ReplaySetting;
export const REPLAY_SETTING_KEYS: readonly ReplaySettingKey[] = ['task', 'hidden', 'outputs', 'steps', 'batchSize', 'downsample'];

/** Where a training setting was found: a genome file's meta, or the manifest of the run a record belongs to. */
export interface FoundTrainedOn {
  trainedOn: BlurTrainedOn;
  /** e.g. "genomes/boolean-cmaes.blur.json meta.trainedOn" or "results/x/manifest.json". */
  from: string;
}

/** The setting used, where each value came from, for the stderr line and replay.json. */
export interface ResolvedReplaySetting extends ReplaySetting {
  origin: Record<ReplaySettingKey, 'flag' | 'trainedOn' | 'default'>;
  /** Where the training setting came from, or null where none was found (the replay's defaults apply). */
  trainedOnFrom: string | null;
  trainedOn: BlurTrainedOn | null;
}


function positiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/** `raw` as a blur training setting; errors name `where` and the field. */
export function checkTrainedOn(raw: unknown, where: string): BlurTrainedOn {
  const bad = (field: string, what: string, got: unknown): never => {
    throw new UsageError(`${where}: trainedOn.${field} must be ${what} (got ${JSON.stringify(got) ?? 'nothing'})`);
  };
  if (!isObject(raw)) return bad('', 'an object', raw);
  const t = raw;
  if (typeof t['task'] !== 'string') bad('task', 'the name of the task it was trained under', t['task']);
  if (!isObject(t['taskConfig'])) bad('taskConfig', "an object, the task's settings", t['taskConfig']);
  const layers = t['layers'];
  if (!Array.isArray(layers) || layers.length < 2 || !layers.every(positiveInt)) bad('layers', 'the layer sizes [inputs, hidden…, outputs], positive integers', layers);
  if (!(BLUR_OUTPUT_ENCODINGS as readonly unknown[]).includes(t['outputs'])) bad('outputs', BLUR_OUTPUT_ENCODINGS.map((e) => `"${e}"`).join(' or '), t['outputs']);
  for (const f of ['steps', 'unrollSteps', 'batchSize']) if (!positiveInt(t[f])) bad(f, 'a positive integer', t[f]);
  if (typeof t['replayTask'] !== 'string') bad('replayTask', 'the name of a replay task', t['replayTask']);
  if (t['downsample'] !== undefined && !positiveInt(t['downsample'])) bad('downsample', 'a positive integer', t['downsample']);
  return raw as unknown as BlurTrainedOn;
}

/** The genome kind a run folder's manifest names; undefined where `dir` holds no manifest. */
export function manifestGenomeKind(dir: string): string | undefined {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return undefined;
  const kind = (readJsonFile(path, 'run manifest') as { config?: { genome?: unknown } }).config?.genome;
  return typeof kind === 'string' ? kind : undefined;
}

/** The training setting of the blur run in `dir`, from its manifest (and the plug-ins the run was made with). */
async function runFolderTrainedOn(dir: string): Promise<FoundTrainedOn | null> {
  if (manifestGenomeKind(dir) !== 'blur') return null;
  const trainedOn = runTrainedOn(runConfigOf(dir), await registryForRun(dir));
  const from = join(dir, 'manifest.json');
  return trainedOn ? { trainedOn: checkTrainedOn(trainedOn, from), from } : null;
}

/**
 * The setting a blur genome was trained in: `meta.trainedOn` of its file; for a run folder, or a file in one that
 * records none (best.json, a final.json written before the field existed), the run's manifest. Null where neither says.
 */
export async function findTrainedOn(path: string, meta: GenomeFileMeta | null): Promise<FoundTrainedOn | null> {
  if (meta?.['trainedOn'] !== undefined) return { trainedOn: checkTrainedOn(meta['trainedOn'], `${path} meta`), from: `${path} meta.trainedOn` };
  if (existsSync(path) && statSync(path).isDirectory()) return runFolderTrainedOn(path);
  return runFolderTrainedOn(dirname(path));
}

/** The replay options a training setting fills in. */
export function trainedOnDefaults(t: BlurTrainedOn): Partial<ReplaySetting> {
  return {
    task: t.replayTask,
    hidden: t.layers.slice(1, -1),
    outputs: t.outputs,
    steps: t.steps,
    batchSize: t.batchSize,
    ...(t.downsample !== undefined ? { downsample: t.downsample } : {}),
  };
}

/**
 * Each replay option from the flag where one was given, else from the training setting, else the default. A signed
 * output taken from the training setting becomes one-hot on a task with more than two classes (`classesOf` says
 * how many a task has), since one ±1 output cannot tell them apart; a flag asking for it is refused by the replay.
 */
export function resolveReplaySetting(
  defaults: ReplaySetting,
  found: FoundTrainedOn | null,
  flags: Partial<ReplaySetting>,
  classesOf: (task: string) => number,
): ResolvedReplaySetting {
  const fromFile = found ? trainedOnDefaults(found.trainedOn) : {};
  const out = {} as ReplaySetting;
  const origin = {} as ResolvedReplaySetting['origin'];
  for (const k of REPLAY_SETTING_KEYS) {
    const [value, from] = flags[k] !== undefined ? [flags[k], 'flag' as const] : fromFile[k] !== undefined ? [fromFile[k], 'trainedOn' as const] : [defaults[k], 'default' as const];
    (out as unknown as Record<string, unknown>)[k] = value;
    origin[k] = from;
  }
  if (out.outputs === 'signed' && origin.outputs !== 'flag' && classesOf(out.task) !== 2) {
    out.outputs = 'one-hot';
    origin.outputs = 'default';
  }
  return { ...out, origin, trainedOnFrom: found?.from ?? null, trainedOn: found?.trainedOn ?? null };
}

/** One line saying which setting the replay uses and where each part came from. */
export function describeReplaySetting(s: ResolvedReplaySetting, sizes: readonly number[]): string {
  const flags = REPLAY_SETTING_KEYS.filter((k) => s.origin[k] === 'flag').map((k) => `--${k === 'batchSize' ? 'batch-size' : k}`);
  const t = s.trainedOn;
  const where = t
    ? `the meta-training setting of ${s.trainedOnFrom} (${t.task}: ${t.layers.join('-')}, ${t.outputs} outputs, ${t.steps} steps, batch ${t.batchSize})`
    : 'the replay defaults (the genome records no meta.trainedOn)';
  const changed = s.trainedOn && s.outputs !== t?.outputs && s.origin.outputs !== 'flag' ? `; ${s.task} has more than two classes, so one-hot outputs` : '';
  return `replay setting: ${s.task}, sizes ${sizes.join('-')} (${s.outputs} outputs), ${s.steps} steps, batch ${s.batchSize}; from ${where}${flags.length ? `, overridden by ${flags.join(', ')}` : ''}${changed}`;
}
