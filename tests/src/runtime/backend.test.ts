/**
 * Backend selection on this machine: the native packages are absent (optional, their libtensorflow
 * download needs internet), so auto must land on wasm. Serial: the active backend is process-global.
 */
import test from 'ava';
import { createRequire } from 'node:module';
import type * as tfTypes from '@tensorflow/tfjs';
import { BACKEND_NAMES, getTf, initBackend } from '../../../src/runtime/backend.js';

const tf = getTf();

/** Fails exactly as a present package whose compiled addon is missing fails: Node's own error. */
async function brokenNativeAddon(): Promise<unknown> {
  return createRequire(import.meta.url)('/nonexistent/lib/napi-v8/tfjs_binding.node');
}

/** Runs a tiny conv on the active backend so "works" means computes, not merely selected. */
function convSum(): number {
  return tf.tidy(() => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tf.ones([2, 2, 1, 1]) as tfTypes.Tensor4D;
    return tf.conv2d(x, w, 1, 'valid').sum().dataSync()[0]!;
  });
}

test.serial('BACKEND_NAMES lists the five in fallback order', (t) => {
  t.deepEqual([...BACKEND_NAMES], ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
});

test.serial('explicit cpu works and reports itself', async (t) => {
  const info = await initBackend('cpu');
  t.is(info.requested, 'cpu');
  t.is(info.backend, 'cpu');
  t.deepEqual(info.attempts, [{ backend: 'cpu', ok: true }]);
  t.is(info.tfjsVersion, tf.version.tfjs);
  t.is(tf.getBackend(), 'cpu');
  t.is(convSum(), 12 + 16 + 24 + 28); // 2x2 window sums over 1..9
});

test.serial('explicit wasm works, reports itself and trains through conv2d', async (t) => {
  const info = await initBackend('wasm');
  t.is(info.backend, 'wasm');
  t.deepEqual(info.attempts, [{ backend: 'wasm', ok: true }]);
  t.is(tf.getBackend(), 'wasm');
  t.is(convSum(), 80);
  // the filter gradient needs the kernel initBackend registers for wasm
  const g = tf.tidy(() => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tf.ones([2, 2, 1, 1]);
    return tf.grad((f) => tf.conv2d(x, f as tfTypes.Tensor4D, 1, 'valid').sum())(w).arraySync() as number[][][][];
  });
  t.deepEqual(g.flat(3), [1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
});

test.serial('auto falls back to wasm here and records why each native backend failed', async (t) => {
  const info = await initBackend('auto');
  t.is(info.requested, 'auto');
  t.is(info.backend, 'wasm');
  t.deepEqual(info.attempts.map((a) => [a.backend, a.ok]), [['tensorflow-gpu', false], ['tensorflow', false], ['webgpu', false], ['wasm', true]]);
  t.is(info.attempts[0]!.error, '@tensorflow/tfjs-node-gpu is not installed');
  t.is(info.attempts[1]!.error, '@tensorflow/tfjs-node is not installed');
  // This CPU machine has no GPU: no Vulkan loader or no Vulkan driver, said in one line, before Dawn is loaded.
  t.regex(info.attempts[2]!.error!, /^no WebGPU adapter: (the Vulkan loader libvulkan\.so\.1 is not installed|no Vulkan driver is installed)/);
  t.is(info.adapter, undefined);
  t.is(tf.getBackend(), 'wasm');
});

test.serial('same request returns the cached info; another request switches', async (t) => {
  const a = await initBackend('auto');
  t.is(await initBackend('auto'), a);
  const cpu = await initBackend('cpu');
  t.is(cpu.backend, 'cpu');
  t.is(tf.getBackend(), 'cpu');
  const b = await initBackend('auto');
  t.is(b.backend, 'wasm');
  t.is(tf.getBackend(), 'wasm');
  // concurrent calls are serialised: the last one wins and each gets its own answer
  const [x, y] = await Promise.all([initBackend('cpu'), initBackend('wasm')]);
  t.is(x.backend, 'cpu');
  t.is(y.backend, 'wasm');
  t.is(tf.getBackend(), 'wasm');
});

test.serial('a present package with a broken native addon falls back to the next backend', async (t) => {
  await initBackend('cpu');
  const info = await initBackend('auto', { loaders: { 'tensorflow-gpu': brokenNativeAddon, tensorflow: brokenNativeAddon } });
  t.is(info.backend, 'wasm');
  t.deepEqual(info.attempts.map((a) => a.ok), [false, false, false, true]);
  t.regex(info.attempts[0]!.error!, /^@tensorflow\/tfjs-node-gpu failed to load: Cannot find module '.*tfjs_binding\.node'/);
  t.regex(info.attempts[1]!.error!, /^@tensorflow\/tfjs-node failed to load: Cannot find module '.*tfjs_binding\.node'/);
  t.is(tf.getBackend(), 'wasm');
});

test.serial('failing loaders all the way down end on cpu', async (t) => {
  const fail = async () => { throw new Error('simulated'); };
  const info = await initBackend('auto', { loaders: { 'tensorflow-gpu': fail, tensorflow: fail, webgpu: fail, wasm: fail } });
  t.is(info.backend, 'cpu');
  t.deepEqual(info.attempts.map((a) => a.error ?? 'ok'), [
    '@tensorflow/tfjs-node-gpu failed to load: simulated',
    '@tensorflow/tfjs-node failed to load: simulated',
    '@tensorflow/tfjs-backend-webgpu failed to load: simulated',
    '@tensorflow/tfjs-backend-wasm failed to load: simulated',
    'ok',
  ]);
  t.is(tf.getBackend(), 'cpu');
  t.is(convSum(), 80);
});

test.serial('a package that loads but registers no backend is skipped', async (t) => {
  const info = await initBackend('auto', { loaders: { 'tensorflow-gpu': async () => undefined, tensorflow: brokenNativeAddon } });
  t.is(info.backend, 'wasm');
  t.regex(info.attempts[0]!.error!, /registered no 'tensorflow' backend/);
});

test.serial('setBackend resolving false (backend init fails) counts as a failure, not a success', async (t) => {
  await initBackend('wasm');
  // registers a 'tensorflow' backend whose initialisation throws: tfjs then resolves setBackend to false
  const fakeNative = async () => {
    tf.registerBackend('tensorflow', async () => { throw new Error('libtensorflow.so: cannot open shared object file'); }, 3);
  };
  const warn = console.warn;
  console.warn = () => {}; // tfjs logs the failed initialisation itself
  try {
    const info = await initBackend('auto', { loaders: { 'tensorflow-gpu': brokenNativeAddon, tensorflow: fakeNative } });
    t.is(info.backend, 'wasm');
    t.is(info.attempts[1]!.error, "tf.setBackend('tensorflow') returned false: the backend failed to initialise");
    t.is(tf.getBackend(), 'wasm');
    await t.throwsAsync(initBackend('tensorflow', { loaders: { tensorflow: fakeNative } }), {
      message: /^TensorFlow\.js backend 'tensorflow' is unavailable: tf\.setBackend\('tensorflow'\) returned false/,
    });
    t.is(tf.getBackend(), 'wasm', 'a failed explicit request leaves the previous backend active');
    t.is(convSum(), 80);
  } finally {
    console.warn = warn;
    tf.removeBackend('tensorflow');
  }
  t.is(tf.getBackend(), 'wasm');
});

test.serial('explicit tensorflow request throws naming the backend, the reason and the fix', async (t) => {
  const err = await t.throwsAsync(initBackend('tensorflow'));
  t.is(err?.message, "TensorFlow.js backend 'tensorflow' is unavailable: @tensorflow/tfjs-node is not installed. "
    + 'Fix: install @tensorflow/tfjs-node on a machine with internet (its install downloads libtensorflow; '
    + 'rerun `npm rebuild @tensorflow/tfjs-node` after a failed one), or use --backend wasm.');
  const gpu = await t.throwsAsync(initBackend('tensorflow-gpu'));
  t.regex(gpu?.message ?? '', /'tensorflow-gpu' is unavailable: @tensorflow\/tfjs-node-gpu is not installed\. Fix: install @tensorflow\/tfjs-node-gpu .*--backend wasm\.$/);
  const broken = await t.throwsAsync(initBackend('tensorflow', { loaders: { tensorflow: brokenNativeAddon } }));
  t.regex(broken?.message ?? '', /failed to load: Cannot find module .*tfjs_binding\.node.*Fix: install @tensorflow\/tfjs-node/);
});

test.serial('an unknown request is rejected', async (t) => {
  await t.throwsAsync(initBackend('webgl' as never), { message: /unknown backend 'webgl'; expected auto, tensorflow-gpu, tensorflow, webgpu, wasm, cpu/ });
});

test.serial('an explicit webgpu request without a GPU is one line with the reason and the fix; the backend stays', async (t) => {
  await initBackend('wasm');
  // No Vulkan driver, whatever this machine has installed (a developer's may have a software one).
  const before = process.env['VK_DRIVER_FILES'];
  process.env['VK_DRIVER_FILES'] = '/nonexistent/evometa-no-icd.json';
  const err = await t.throwsAsync(initBackend('webgpu'));
  if (before === undefined) delete process.env['VK_DRIVER_FILES'];
  else process.env['VK_DRIVER_FILES'] = before;
  t.regex(err!.message, /^TensorFlow\.js backend 'webgpu' is unavailable: no WebGPU adapter: .*\. Fix: run on a machine with a GPU and its Vulkan driver .*or use --backend wasm\.$/);
  t.false(err!.message.includes('\n'));
  t.is(tf.getBackend(), 'wasm');
});
