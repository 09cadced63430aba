/**
 * Saving and loading tfjs LayersModels as the standard `model.json` + `weights.bin` pair on disk, for
 * Node without @tensorflow/tfjs-node (whose `file://` handler reads and writes the same layout).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
      const specs = model.weightsManifest.flatMap((g) => g.weights);
      const buffers = model.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
      const all = Buffer.concat(buffers);
      const artifacts: tfjs.io.ModelArtifacts = {
        modelTopology: model.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
      if (model.format) artifacts.format = model.format;
      if (model.generatedBy) artifacts.generatedBy = model.generatedBy;
      if (model.userDefinedMetadata) artifacts.userDefinedMetadata = model.userDefinedMetadata;
      return artifacts;
    },
  };
}
