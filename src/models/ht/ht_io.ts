/**
 * A trained few-shot model on disk as a tfjs weights artifact: `model.json` (the tfjs weights-manifest
 * layout, plus the model kind, its HtConfig and free metadata) and `weights.bin`. Tensor names are the
 * parameter tree's dotted paths, so loading rebuilds the tree from the config and fills it by name,
 * checking every shape.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { flattenTree, mapTree, disposeTree } from '../nn/tensor_tree.js';
import { readWeightFiles, toArrayBuffer } from '../nn/layers_model_io.js';
import { resolveHtConfig } from './ht_config.js';
import { FEW_SHOT_KINDS, initFewShotModel, type FewShotKind, type FewShotModel } from './few_shot_model.js';

type Tf = typeof tfjs;

export const FEW_SHOT_FORMAT = 'evometa-few-shot-model';
const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

interface ModelJson {
  format: string;
  version: number;
  kind: FewShotKind;
  config: Record<string, unknown>;
  metadata: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[];
}

export async function saveFewShotModel(tf: Tf, dir: string, m: FewShotModel, metadata: Record<string, unknown> = {}): Promise<void> {
  await saveTensorTreeModel(tf, dir, { format: FEW_SHOT_FORMAT, version: 1, kind: m.kind, config: { ...m.config }, metadata }, m.params);
}

/** Writes `params` (a tensor tree) to weights.bin and `header` plus the weights manifest to model.json, the latter atomically. */
export async function saveTensorTreeModel(tf: Tf, dir: string, header: Record<string, unknown>, params: unknown): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const named: tfjs.NamedTensorMap = {};
  for (const [name, t] of flattenTree(tf, params)) named[name] = t;
  const { data, specs } = await tf.io.encodeWeights(named);
  writeFileSync(join(dir, WEIGHTS_FILE), Buffer.from(toArrayBuffer(data as ArrayBuffer | ArrayBuffer[])));
  const json = { ...header, weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: specs }] };
  const tmp = join(dir, `${MODEL_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(json, null, 1));
  renameSync(tmp, join(dir, MODEL_FILE));
}

/** Whether `dir` holds a model.json of the given format. */
export function isModelDirOf(dir: string, format: string): boolean {
  if (!existsSync(join(dir, MODEL_FILE))) return false;
  try {
    return (JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as { format?: string }).format === format;
  } catch {
    return false;
  }
}

/** DIR/model.json as an object of the given format; `writtenBy` names the command a missing file should come from. */
export function readModelJson(dir: string, format: string, writtenBy: string): { path: string; json: Record<string, unknown> } {
  const path = join(dir, MODEL_FILE);
  if (!existsSync(path)) throw new UsageError(`${path} does not exist: give a folder written by ${writtenBy}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${path}: must hold a JSON object (a saved model)`);
  const j = json as Record<string, unknown>;
  if (j['format'] !== format) throw new UsageError(`${path}: format is ${JSON.stringify(j['format'])}, expected '${format}'`);
  return { path, json: j };
}

/** The saved weights in the shape of `template` (a tree initialised from the saved config), every name and shape checked. */
export function readTensorTree<T>(tf: Tf, dir: string, path: string, manifest: unknown, template: T, what: string): T {
  const { specs, data } = readWeightFiles(dir, manifest, path);
  const tensors = tf.io.decodeWeights(data, specs);
  return mapTree(tf, template, (t, name) => {
    const w = tensors[name];
    if (!w) throw new UsageError(`${join(dir, WEIGHTS_FILE)} lacks weight '${name}' that ${what} has`);
    if (w.shape.join(',') !== t.shape.join(',')) throw new UsageError(`${join(dir, WEIGHTS_FILE)}: weight '${name}' has shape [${w.shape}], the config needs [${t.shape}]`);
    return w;
  });
}

export function isFewShotModelDir(dir: string): boolean {
  return isModelDirOf(dir, FEW_SHOT_FORMAT);
}

/** Reads a saved model; errors name the file and what is wrong with it. */
export function loadFewShotModel(tf: Tf, dir: string): { model: FewShotModel; metadata: Record<string, unknown> } {
  const { path, json: raw } = readModelJson(dir, FEW_SHOT_FORMAT, "'evometa train-ht' (or a search run's model folder)");
  const json = raw as unknown as ModelJson;
  if (!FEW_SHOT_KINDS.includes(json.kind)) throw new UsageError(`${path}: kind must be one of ${FEW_SHOT_KINDS.join(', ')} (got ${JSON.stringify(json.kind)})`);
  const config = resolveHtConfig(json.config, `${path} config`);
  const template = initFewShotModel(tf, json.kind, config, 0);
  try {
    const params = readTensorTree(tf, dir, path, json.weightsManifest, template.params, `a ${json.kind} with this config`);
    return { model: { kind: json.kind, config, params }, metadata: json.metadata ?? {} };
  } finally {
    disposeTree(tf, template.params);
  }
}
