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
  mkdirSync(dir, { recursive: true });
  const named: tfjs.NamedTensorMap = {};
  for (const [name, t] of flattenTree(tf, m.params)) named[name] = t;
  const { data, specs } = await tf.io.encodeWeights(named);
  writeFileSync(join(dir, WEIGHTS_FILE), Buffer.from(toArrayBuffer(data as ArrayBuffer | ArrayBuffer[])));
  const json: ModelJson = { format: FEW_SHOT_FORMAT, version: 1, kind: m.kind, config: { ...m.config }, metadata, weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: specs }] };
  const tmp = join(dir, `${MODEL_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(json, null, 1));
  renameSync(tmp, join(dir, MODEL_FILE));
}

export function isFewShotModelDir(dir: string): boolean {
  if (!existsSync(join(dir, MODEL_FILE))) return false;
  try {
    return (JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as { format?: string }).format === FEW_SHOT_FORMAT;
  } catch {
    return false;
  }
}

/** Reads a saved model; errors name the file and what is wrong with it. */
export function loadFewShotModel(tf: Tf, dir: string): { model: FewShotModel; metadata: Record<string, unknown> } {
  const path = join(dir, MODEL_FILE);
  if (!existsSync(path)) throw new UsageError(`${path} does not exist: give a folder written by 'evometa train-ht' (or a search run's model folder)`);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as ModelJson;
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${path}: must hold a JSON object (a saved few-shot model)`);
  if (json.format !== FEW_SHOT_FORMAT) throw new UsageError(`${path}: format is ${JSON.stringify(json.format)}, expected '${FEW_SHOT_FORMAT}'`);
  if (!FEW_SHOT_KINDS.includes(json.kind)) throw new UsageError(`${path}: kind must be one of ${FEW_SHOT_KINDS.join(', ')} (got ${JSON.stringify(json.kind)})`);
  const config = resolveHtConfig(json.config, `${path} config`);
  const { specs, data } = readWeightFiles(dir, json.weightsManifest, path);
  const tensors = tf.io.decodeWeights(data, specs);
  const template = initFewShotModel(tf, json.kind, config, 0);
  try {
    const params = mapTree(tf, template.params, (t, name) => {
      const w = tensors[name];
      if (!w) throw new UsageError(`${join(dir, WEIGHTS_FILE)} lacks weight '${name}' that a ${json.kind} with this config has`);
      if (w.shape.join(',') !== t.shape.join(',')) throw new UsageError(`${join(dir, WEIGHTS_FILE)}: weight '${name}' has shape [${w.shape}], the config needs [${t.shape}]`);
      return w;
    });
    return { model: { kind: json.kind, config, params }, metadata: json.metadata ?? {} };
  } finally {
    disposeTree(tf, template.params);
  }
}
