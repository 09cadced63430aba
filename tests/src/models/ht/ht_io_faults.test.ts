import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../../src/runtime/backend.js';
import { resolveHtConfig } from '../../../../src/models/ht/ht_config.js';
import { initFewShotModel } from '../../../../src/models/ht/few_shot_model.js';
import { loadFewShotModel, saveFewShotModel } from '../../../../src/models/ht/ht_io.js';
import { tempDir } from '../../../helpers/run_files.js';

test.before(async () => {
  await initBackend('cpu');
});

/** A saved protonet and a function that rewrites its model.json. */
async function savedModel(): Promise<{ dir: string; edit: (f: (json: any) => void) => void }> {
  const c = resolveHtConfig({ ways: 2, shots: 1, queries: 3, channels: 4, localFeatures: 4, sharedFeatures: 4, embeddingDim: 8, transformerLayers: 1, generatedConvLayers: 1 });
  const dir = join(tempDir(), 'model');
  await saveFewShotModel(tf, dir, initFewShotModel(tf, 'protonet', c, 7));
  const original = readFileSync(join(dir, 'model.json'), 'utf8');
  return {
    dir,
    edit(f) {
      const json = JSON.parse(original);
      f(json);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    },
  };
}

test('an HT model.json may not name weight files outside its folder, devices, or files of another size than its shapes declare', async (t) => {
  const { dir, edit } = await savedModel();
  t.notThrows(() => loadFewShotModel(tf, dir));
  edit((j) => (j.weightsManifest[0].paths = ['../../../../etc/hostname']));
  t.throws(() => loadFewShotModel(tf, dir), { message: /weight file '\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname' is outside the model folder/ });
  edit((j) => (j.weightsManifest[0].paths = ['/etc/hostname']));
  t.throws(() => loadFewShotModel(tf, dir), { message: /weight file '\/etc\/hostname' is outside the model folder/ });
  symlinkSync('/dev/zero', join(dir, 'zero.bin'));
  edit((j) => (j.weightsManifest[0].paths = ['zero.bin']));
  t.throws(() => loadFewShotModel(tf, dir), { message: /weight file 'zero\.bin' links outside the model folder/ });
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(1 << 20));
  edit((j) => (j.weightsManifest[0].paths = ['big.bin']));
  t.throws(() => loadFewShotModel(tf, dir), { message: /the weight files hold 1048576 bytes but the weights' shapes and dtypes declare \d+; the files do not belong to this model\.json/ });
  edit((j) => (j.weightsManifest[0].weights[0].shape = [1e6, 1e6]));
  t.throws(() => loadFewShotModel(tf, dir), { message: /declare 4000000\d{6} bytes, more than the 2147483647 a model may hold/ });
  edit((j) => (j.weightsManifest[0].weights[0].dtype = 'string'));
  t.throws(() => loadFewShotModel(tf, dir), { message: /has dtype "string"; supported: float32/ });
  edit((j) => (j.weightsManifest = { paths: 'x' }));
  t.throws(() => loadFewShotModel(tf, dir), { message: /weightsManifest must be a list of \{paths, weights\} groups/ });
  writeFileSync(join(dir, 'model.json'), 'null');
  t.throws(() => loadFewShotModel(tf, dir), { message: /must hold a JSON object/ });
});
