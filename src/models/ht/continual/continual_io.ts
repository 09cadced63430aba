/**
 * A trained continual learner on disk, in the few-shot model's layout (model.json with the kind, the HtConfig, the
 * continual settings and free metadata; weights.bin with the parameter tree by dotted path), under its own format so
 * that neither loader mistakes the other's folder for its own.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../../core/errors.js';
import { disposeTree } from '../../nn/tensor_tree.js';
import { resolveHtConfig } from '../ht_config.js';
import { isModelDirOf, readModelJson, readTensorTree, saveTensorTreeModel } from '../ht_io.js';
import { CONTINUAL_KINDS, isContinualKind, resolveContinualSettings } from './cht_config.js';
import { initContinualModel, type ContinualModel } from './continual_model.js';

type Tf = typeof tfjs;

export const CONTINUAL_FORMAT = 'evometa-continual-model';

export async function saveContinualModel(tf: Tf, dir: string, m: ContinualModel, metadata: Record<string, unknown> = {}): Promise<void> {
  await saveTensorTreeModel(tf, dir, { format: CONTINUAL_FORMAT, version: 1, kind: m.kind, config: { ...m.config }, settings: { ...m.settings }, metadata }, m.params);
}

export function isContinualModelDir(dir: string): boolean {
  return isModelDirOf(dir, CONTINUAL_FORMAT);
}

/** Reads a saved learner; errors name the file and what is wrong with it. */
export function loadContinualModel(tf: Tf, dir: string): { model: ContinualModel; metadata: Record<string, unknown> } {
  const { path, json } = readModelJson(dir, CONTINUAL_FORMAT, "'evometa train-cht'");
  const kind = json['kind'];
  if (!isContinualKind(kind)) throw new UsageError(`${path}: kind must be one of ${CONTINUAL_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
  const asObject = (v: unknown, field: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${path}: '${field}' must be an object`);
    return v as Record<string, unknown>;
  };
  const config = resolveHtConfig(asObject(json['config'], 'config'), `${path} config`);
  const settings = resolveContinualSettings(asObject(json['settings'], 'settings'), `${path} settings`);
  const template = initContinualModel(tf, kind, config, settings, 0);
  try {
    const params = readTensorTree(tf, dir, path, json['weightsManifest'], template.params, `a ${kind} with this config`);
    return { model: { kind, config, settings, params }, metadata: asObject(json['metadata'] ?? {}, 'metadata') };
  } finally {
    disposeTree(tf, template.params);
  }
}
