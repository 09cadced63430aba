/**
 * Saving and loading tfjs LayersModels as the standard `model.json` + `weights.bin` pair on disk, for
 * Node without @tensorflow/tfjs-node (whose `file://` handler reads and writes the same layout).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { isObject } from '../../core/config_checks.js';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

export function toArrayBuffer(data: ArrayBuffer | ArrayBuffer[] | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** Bytes per stored element: the quantized dtype where a weight is quantized, else its own. */
const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };
/** The most weight data a model.json may declare (2 GiB − 1): one ArrayBuffer holds it all. */
export const MAX_WEIGHT_BYTES = 2 ** 31 - 1;


/** Bytes one manifest entry declares, from its shape and (quantized) dtype; a malformed entry is a UsageError. */
function declaredBytes(w: unknown, where: string): number {
  if (!isObject(w) || typeof w['name'] !== 'string') throw new UsageError(`${where}: a weightsManifest entry has no name`);
  const name = w['name'];
  const shape = w['shape'];
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0))
    throw new UsageError(`${where}: weight '${name}' has no shape of non-negative integers`);
  const q = w['quantization'];
  const dtype = isObject(q) ? q['dtype'] : w['dtype'];
  const bytes = typeof dtype === 'string' ? STORED_BYTES[dtype] : undefined;
  if (bytes === undefined) throw new UsageError(`${where}: weight '${name}' has dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(STORED_BYTES).join(', ')}`);
  return (shape as number[]).reduce((a, d) => a * d, 1) * bytes;
}

/** `p` resolved inside `dir`, refused if it leaves the folder (.., an absolute path, a symbolic link out) or is not a regular file. */
function weightFileIn(dir: string, p: unknown, where: string): string {
  if (typeof p !== 'string' || p === '') throw new UsageError(`${where}: weightsManifest paths must be file names in the model folder (got ${JSON.stringify(p)})`);
  const root = resolve(dir);
  const full = resolve(root, p);
  const leaves = (from: string, to: string) => {
    const rel = relative(from, to);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel);
  };
  if (leaves(root, full)) throw new UsageError(`${where}: weight file '${p}' is outside the model folder ${dir}; a model.json may only name files inside its folder`);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new UsageError(`${where}: weight file '${p}' does not exist in ${dir}`);
  }
  if (leaves(realpathSync(root), real)) throw new UsageError(`${where}: weight file '${p}' links outside the model folder ${dir}; a model.json may only name files inside its folder`);
  if (!statSync(real).isFile()) throw new UsageError(`${where}: weight file '${p}' is not a regular file`);
  return real;
}

/**
 * The weight specs and data a model.json's `weightsManifest` names, read from `dir` with the checks an untrusted
 * file needs: every path stays inside the folder and is a regular file, and the files' total size (by stat, before
 * anything is read) equals the bytes the entries' shapes and dtypes declare, at most MAX_WEIGHT_BYTES. `where`
 * names the model.json in messages.
 */
export function readWeightFiles(dir: string, manifest: unknown, where: string): { specs: tfjs.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  if (!Array.isArray(manifest) || manifest.some((g) => !isObject(g) || !Array.isArray(g['paths']) || !Array.isArray(g['weights'])))
    throw new UsageError(`${where}: weightsManifest must be a list of {paths, weights} groups`);
  const groups = manifest as { paths: unknown[]; weights: unknown[] }[];
  const specs = groups.flatMap((g) => g.weights);
  const declared = specs.reduce<number>((a, w) => a + declaredBytes(w, where), 0);
  if (declared > MAX_WEIGHT_BYTES) throw new UsageError(`${where}: the weights declare ${declared} bytes, more than the ${MAX_WEIGHT_BYTES} a model may hold`);
  const files = groups.flatMap((g) => g.paths.map((p) => weightFileIn(dir, p, where)));
  const size = files.reduce((a, f) => a + statSync(f).size, 0);
  if (size !== declared) throw new UsageError(`${where}: the weight files hold ${size} bytes but the weights' shapes and dtypes declare ${declared}; the files do not belong to this model.json`);
  const all = Buffer.concat(files.map((f) => readFileSync(f)));
  return { specs: specs as tfjs.io.WeightsManifestEntry[], data: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

/** An IOHandler for `model.save(...)` that writes DIR/model.json and DIR/weights.bin. */
export function fileSaveHandler(tf: typeof tfjs, dir: string): tfjs.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    mkdirSync(dir, { recursive: true });
    const weights = toArrayBuffer(artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined);
    writeFileSync(join(dir, WEIGHTS_FILE), Buffer.from(weights));
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    };
    const tmp = join(dir, `${MODEL_FILE}.tmp`);
    writeFileSync(tmp, JSON.stringify(modelJson));
    renameSync(tmp, join(dir, MODEL_FILE));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
  });
}

/** An IOHandler for `tf.loadLayersModel(...)` that reads what fileSaveHandler (or tfjs-node) wrote. */
export function fileLoadHandler(dir: string): tfjs.io.IOHandler {
  return {
    load: async () => {
      const model = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as {
        modelTopology: object;
        format?: string;
        generatedBy?: string;
        convertedBy?: string | null;
        weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[];
        userDefinedMetadata?: { [key: string]: {} };
      };
      const { specs, data } = readWeightFiles(dir, model.weightsManifest, join(dir, MODEL_FILE));
      const artifacts: tfjs.io.ModelArtifacts = { modelTopology: model.modelTopology, weightSpecs: specs, weightData: data };
      if (model.format) artifacts.format = model.format;
      if (model.generatedBy) artifacts.generatedBy = model.generatedBy;
      if (model.userDefinedMetadata) artifacts.userDefinedMetadata = model.userDefinedMetadata;
      return artifacts;
    },
  };
}
