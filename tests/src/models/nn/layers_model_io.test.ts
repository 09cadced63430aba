import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { fileLoadHandler, fileSaveHandler } from '../../../../src/models/nn/layers_model_io.js';
import { tempDir } from '../../../helpers/run_files.js';

test.before(async () => {
  await initBackend('cpu');
});

test('a LayersModel model.json may not name weights outside its folder (.., a symbolic link, /dev/zero) or of another size', async (t) => {
  const tf = getTf();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  const dir = join(tempDir(), 'model');
  await model.save(fileSaveHandler(tf, dir));
  const loaded = await tf.loadLayersModel(fileLoadHandler(dir));
  t.deepEqual(loaded.getWeights().map((w) => Array.from(w.dataSync())), model.getWeights().map((w) => Array.from(w.dataSync())));
  const original = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const withPaths = (paths: string[]) => writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...original, weightsManifest: [{ ...original.weightsManifest[0], paths }] }));
  withPaths(['../dev/zero']);
  await t.throwsAsync(tf.loadLayersModel(fileLoadHandler(dir)), { message: /weight file '\.\.\/dev\/zero' is outside the model folder/ });
  mkdirSync(join(dir, 'sub'));
  withPaths(['sub']);
  await t.throwsAsync(tf.loadLayersModel(fileLoadHandler(dir)), { message: /weight file 'sub' is not a regular file/ });
  writeFileSync(join(dir, 'short.bin'), Buffer.alloc(8));
  withPaths(['short.bin']);
  await t.throwsAsync(tf.loadLayersModel(fileLoadHandler(dir)), { message: /the weight files hold 8 bytes but the weights' shapes and dtypes declare 32/ });
  model.dispose();
  loaded.dispose();
});
