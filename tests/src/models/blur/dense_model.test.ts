import test from 'ava';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { denseModel } from '../../../../src/models/blur/dense_model.js';
import { fileLoadHandler, fileSaveHandler } from '../../../../src/models/nn/layers_model_io.js';
import { tempDir } from '../../../helpers/run_files.js';

test.before(async () => {
  await initBackend('cpu');
});

test('state-0 weights saved as a LayersModel load with tf.loadLayersModel and compute relu(tanh(xW+b)) then tanh', async (t) => {
  const tf = getTf();
  const l1 = { kernel: Float32Array.from([0.5, -1, 0.25, 2, -0.5, 1]), bias: Float32Array.from([0.1, -0.2]), inputs: 3, outputs: 2 };
  const l2 = { kernel: Float32Array.from([1, -1, 0.5, 2]), bias: Float32Array.from([0, 0.3]), inputs: 2, outputs: 2 };
  const model = denseModel(tf, [l1, l2], 'relu_tanh', 'tanh');
  const dir = join(tempDir(), 'export');
  await model.save(fileSaveHandler(tf, dir));
  t.true(existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'weights.bin')));
  const loaded = await tf.loadLayersModel(fileLoadHandler(dir));
  const x = [0.3, -0.7, 1.1];
  const got = Array.from((loaded.predict(tf.tensor2d([x])) as import('@tensorflow/tfjs').Tensor).dataSync());
  // By hand, in float64.
  const h = [0, 1].map((j) => Math.max(0, Math.tanh(x.reduce((a, v, i) => a + v * l1.kernel[i * 2 + j]!, l1.bias[j]!))));
  const y = [0, 1].map((j) => Math.tanh(h.reduce((a, v, i) => a + v * l2.kernel[i * 2 + j]!, l2.bias[j]!)));
  got.forEach((v, j) => t.true(Math.abs(v - y[j]!) < 1e-6, `${v} vs ${y[j]}`));
  model.dispose();
  loaded.dispose();
});
