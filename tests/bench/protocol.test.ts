import test from 'ava';
import { join } from 'node:path';
import { readJson, tempDir } from '../helpers/run_files.js';
import { seedInterval, writeProtocol } from '../../bench/protocol.js';
import { groupRows, type Row } from '../../bench/ht.js';

test('seedInterval: mean and Student-t 95 % half-width over seeds', (t) => {
  const r = seedInterval([0.6, 0.7, 0.8]);
  t.is(r.n, 3);
  t.true(Math.abs(r.mean - 0.7) < 1e-12);
  t.true(Math.abs(r.std - 0.1) < 1e-12);
  t.true(Math.abs(r.half - (4.303 * 0.1) / Math.sqrt(3)) < 1e-12, String(r.half));
  const five = seedInterval([1, 2, 3, 4, 5]);
  t.true(Math.abs(five.half - (2.776 * Math.sqrt(2.5)) / Math.sqrt(5)) < 1e-12);
  t.true(Number.isNaN(seedInterval([0.5]).half), 'one seed has no interval');
  t.throws(() => seedInterval([]), { message: /empty/ });
});

test('writeProtocol writes the splits, the selection rule and a date to protocol.json', (t) => {
  const dir = join(tempDir(), 'run');
  const path = writeProtocol(dir, { bench: 'x', splits: { metaTraining: ['xor'], metaValidation: ['and'], test: ['x0'] }, selection: 'final point', seeds: [1, 2], command: 'npm run bench -- x' });
  t.is(path, join(dir, 'protocol.json'));
  const p = readJson(path);
  t.deepEqual(p.splits, { metaTraining: ['xor'], metaValidation: ['and'], test: ['x0'] });
  t.is(p.selection, 'final point');
  t.deepEqual(p.seeds, [1, 2]);
  t.false(Number.isNaN(Date.parse(p.date)));
});

test('bench ht groups rows by cell with seeds in order; rows without a seed count as seed 1', (t) => {
  const row = (model: string, channels: number, seed: number | undefined, accuracy: number): Row => ({
    label: `${model}-${channels}-${seed}`, model, channels, shots: 1, steps: 2000, episodes: 500, accuracy, ci95: 0.01, trainSeconds: 1, finalTrainLoss: 0, backend: 'wasm', date: '',
    ...(seed === undefined ? {} : { seed }),
  });
  const cells = groupRows([row('protonet', 8, 3, 0.3), row('ht-logits', 4, 2, 0.2), row('protonet', 8, undefined, 0.1), row('protonet', 8, 2, 0.2)]);
  t.deepEqual(cells.map((c) => c.map((r) => r.accuracy)), [[0.2], [0.1, 0.2, 0.3]]);
});
