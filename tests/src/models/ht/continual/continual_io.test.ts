import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../../../src/runtime/backend.js';
import { resolveHtConfig } from '../../../../../src/models/ht/ht_config.js';
import { resolveContinualSettings } from '../../../../../src/models/ht/continual/cht_config.js';
import { initContinualModel } from '../../../../../src/models/ht/continual/continual_model.js';
import { isContinualModelDir, loadContinualModel, saveContinualModel } from '../../../../../src/models/ht/continual/continual_io.js';
import { isFewShotModelDir, loadFewShotModel } from '../../../../../src/models/ht/ht_io.js';
import { disposeTree, flattenTree } from '../../../../../src/models/nn/tensor_tree.js';
import { tempDir } from '../../../../helpers/run_files.js';

test.before(async () => {
  await initBackend('wasm');
});

const config = resolveHtConfig({ ways: 2, channels: 4, generatedConvLayers: 1, transformerLayers: 1, embeddingDim: 8 });

test('a saved continual model loads back tensor for tensor; neither loader takes the other\'s folder; bad files name the field', async (t) => {
  for (const kind of ['cht', 'protonet'] as const) {
    const m = initContinualModel(tf, kind, config, resolveContinualSettings({ embedding: 6, scenario: 'task-incremental' }), 9);
    const dir = join(tempDir(), kind);
    await saveContinualModel(tf, dir, m, { note: 'x' });
    t.true(isContinualModelDir(dir));
    t.false(isFewShotModelDir(dir));
    const { model, metadata } = loadContinualModel(tf, dir);
    t.is(model.kind, kind);
    t.deepEqual(model.settings, { embedding: 6, scenario: 'task-incremental', tasks: 4 });
    t.deepEqual(metadata, { note: 'x' });
    const a = flattenTree(tf, m.params);
    const b = flattenTree(tf, model.params);
    t.deepEqual(a.map(([n]) => n), b.map(([n]) => n));
    for (let i = 0; i < a.length; i++) t.deepEqual(Array.from(a[i]![1].dataSync()), Array.from(b[i]![1].dataSync()), a[i]![0]);
    t.throws(() => loadFewShotModel(tf, dir), { message: /format is "evometa-continual-model", expected 'evometa-few-shot-model'/ });
    const path = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...json, kind: 'maml' }));
    t.throws(() => loadContinualModel(tf, dir), { message: /kind must be one of cht, ht, protonet \(got "maml"\)/ });
    writeFileSync(path, JSON.stringify({ ...json, settings: { ...json.settings, embedding: 7 } }));
    t.throws(() => loadContinualModel(tf, dir), { message: /has shape \[\d+(,\d+)*\], the config needs/ });
    writeFileSync(path, JSON.stringify({ ...json, settings: { embedding: 0 } }));
    t.throws(() => loadContinualModel(tf, dir), { message: /settings: 'embedding' must be an integer in \[1, 1024\] \(got 0\)/ });
    disposeTree(tf, m.params);
    disposeTree(tf, model.params);
  }
  t.throws(() => loadContinualModel(tf, join(tempDir(), 'none')), { message: /model\.json does not exist: give a folder written by 'evometa train-cht'/ });
});
