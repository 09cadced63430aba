/**
 * The module bank artifact: a bank saves and loads back with identical tensors and forward outputs (hard and soft
 * orderings, running statistics included) without leaking tensors, source domains are found by name, and a missing
 * or damaged artifact fails with a message that says what and how to fix it. The bank is built from its
 * initialisation (tests/helpers/tiny_bank.ts), so the format is tested without drawing any data set.
 */
import test from 'ava';
import { cpSync, existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTf, initBackend } from '../../../../src/runtime/backend.js';
import { UsageError } from '../../../../src/core/errors.js';
import {
  BANK_FORMAT, disposeModuleBank, loadModuleBank, readBankManifest, saveModuleBank, sourceDomain, type LoadedModuleBank,
} from '../../../../src/models/modular/module_bank.js';
import { modularForward } from '../../../../src/models/modular/modular_resnet.js';
import { flattenTree } from '../../../../src/models/nn/tensor_tree.js';
import { tempDir } from '../../../helpers/run_files.js';
import { randomImages, untrainedBank } from '../../../helpers/tiny_bank.js';

const tf = getTf();

let made: LoadedModuleBank;
let dir: string;

test.before(async () => {
  await initBackend('wasm');
  made = untrainedBank(tf, ['plain', 'inverted']);
  dir = join(tempDir(), 'bank');
  await saveModuleBank(tf, dir, made);
});

test.serial('saving writes bank.json and weights.bin; the manifest names every tensor with its size and SHA-256', (t) => {
  t.true(existsSync(join(dir, 'bank.json')) && existsSync(join(dir, 'weights.bin')));
  const m = readBankManifest(dir);
  t.is(m.format, BANK_FORMAT);
  t.deepEqual(m.sourceDomains, ['plain', 'inverted']);
  t.deepEqual(m.domains.map((d) => d.ordering), [[0, 1, 2], [1, 2, 0]]);
  const names = m.weightsManifest[0]!.weights.map((w) => w.name);
  const bankNames = flattenTree(tf, made.bank).map(([n]) => `bank.${n}`);
  t.deepEqual(names.slice(0, bankNames.length), bankNames);
  for (const d of ['plain', 'inverted'])
    for (const leaf of ['logits', 'head.kernel', 'head.bias', 'stats.input.mean', 'stats.blocks.2.bn3.variance']) t.true(names.includes(`domains.${d}.${leaf}`), `domains.${d}.${leaf}`);
  const tensors = flattenTree(tf, [made.bank, made.domains.map((d) => [d.logits, d.head, d.stats])]).map(([, x]) => x);
  t.is(names.length, tensors.length);
  t.is(m.weightsBytes, readFileSync(join(dir, 'weights.bin')).byteLength);
  t.is(m.weightsBytes, 4 * tensors.reduce((n, x) => n + x.size, 0));
});

test.serial('source domains by name: the first by default, a clear error for a name the bank lacks', (t) => {
  t.is(sourceDomain(made).name, 'plain');
  t.is(sourceDomain(made, 'inverted').name, 'inverted');
  t.throws(() => sourceDomain(made, 'rotate90'), { instanceOf: UsageError, message: /no source domain 'rotate90'; it has plain, inverted/ });
});

test.serial('save → load gives the same tensors and the same forward outputs for every source domain', (t) => {
  const loaded = loadModuleBank(tf, dir);
  t.deepEqual(loaded.config, made.config);
  t.deepEqual(loaded.domains.map((d) => d.ordering), made.domains.map((d) => d.ordering));
  const x = tf.tensor4d(randomImages(8, 11), [8, 28, 28, 1]);
  for (const [k, d] of loaded.domains.entries()) {
    const o = made.domains[k]!;
    tf.tidy(() => {
      const a = modularForward(tf, loaded.config, loaded.bank, { modules: d.ordering }, d.head, x, { training: false, stats: d.stats });
      const b = modularForward(tf, made.config, made.bank, { modules: o.ordering }, o.head, x, { training: false, stats: o.stats });
      t.deepEqual(a.logits.dataSync(), b.logits.dataSync(), d.name);
      const sa = modularForward(tf, loaded.config, loaded.bank, { logits: d.logits }, d.head, x, { training: true });
      const sb = modularForward(tf, made.config, made.bank, { logits: o.logits }, o.head, x, { training: true });
      t.deepEqual(sa.logits.dataSync(), sb.logits.dataSync(), `${d.name} soft`);
    });
  }
  // the statistics came back too: inference under the other domain's statistics gives other logits
  tf.tidy(() => {
    const [p, q] = loaded.domains;
    const a = modularForward(tf, loaded.config, loaded.bank, { modules: p!.ordering }, p!.head, x, { training: false, stats: p!.stats });
    const b = modularForward(tf, loaded.config, loaded.bank, { modules: p!.ordering }, p!.head, x, { training: false, stats: q!.stats });
    t.notDeepEqual(a.logits.dataSync(), b.logits.dataSync());
  });
  x.dispose();
  const before = tf.memory().numTensors;
  disposeModuleBank(tf, loadModuleBank(tf, dir));
  t.is(tf.memory().numTensors, before);
  disposeModuleBank(tf, loaded);
});

test.serial('a missing or damaged bank fails with a message that says what and how to fix it', (t) => {
  const copy = (name: string): string => {
    const d = join(tempDir(), name);
    cpSync(dir, d, { recursive: true });
    return d;
  };
  const err = (d: string, re: RegExp) => {
    const e = t.throws(() => loadModuleBank(tf, d), { instanceOf: UsageError });
    t.regex(e!.message, re);
  };
  err(join(dir, 'nope'), /module bank not found: .*nope \(pretrain one with evometa pretrain-bank/);
  err(join(dir, 'weights.bin'), /must be a directory/);
  err(tempDir(), /is not a module bank \(no bank\.json\)/);
  const a = copy('a');
  writeFileSync(join(a, 'bank.json'), '{"format": ');
  err(a, /damaged: bank\.json is not valid JSON/);
  const b = copy('b');
  writeFileSync(join(b, 'bank.json'), JSON.stringify({ ...readBankManifest(dir), format: 'something-else' }));
  err(b, /format must be "evometa-module-bank"/);
  const c = copy('c');
  unlinkSync(join(c, 'weights.bin'));
  err(c, /damaged: weights\.bin is missing; pretrain it again/);
  const d = copy('d');
  const w = readFileSync(join(d, 'weights.bin'));
  writeFileSync(join(d, 'weights.bin'), w.subarray(0, w.length - 4));
  err(d, /weights\.bin has \d+ bytes, the manifest says \d+/);
  const e = copy('e');
  w[10] = w[10]! ^ 0xff;
  writeFileSync(join(e, 'weights.bin'), w);
  err(e, /does not match the manifest's SHA-256/);
  const f = copy('f');
  const m = readBankManifest(dir);
  writeFileSync(join(f, 'bank.json'), JSON.stringify({ ...m, config: { ...m.config, channels: 5 } }));
  err(f, /tensor bank\.inputKernel has shape \[4, 4, 1, 4\], the config needs \[4, 4, 1, 5\]/);
  rmSync(a, { recursive: true, force: true });
});

test.after.always(() => {
  if (made) disposeModuleBank(tf, made);
});
