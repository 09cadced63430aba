import test from 'ava';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Rng } from '../../src/core/rng.js';
import { readGenomeFile, writeGenomeFile } from '../../src/core/genome_file.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import { lsaFlatWeights, lsaWeightsGenome } from '../../genomes/lsa_weights.js';
import { gdConstructionWeights } from '../../src/models/lsa/gd_construction.js';
import { tempDir } from '../helpers/run_files.js';

test('defaults: one pq layer over N_x = 10 (242 numbers); a looped K = 3 model holds one layer, a stacked one three', (t) => {
  const c = lsaWeightsGenome.resolveConfig({ dim: 10 });
  t.deepEqual(c, { nx: 10, layers: 1, looped: false, form: 'pq', attendToQuery: false, initScale: 0.01 });
  t.is(lsaWeightsGenome.dim(c), 242);
  t.is(lsaWeightsGenome.dim(lsaWeightsGenome.resolveConfig({ nx: 3, layers: 3, looped: true })), 32);
  t.is(lsaWeightsGenome.dim(lsaWeightsGenome.resolveConfig({ nx: 3, layers: 3, form: 'kqvp' })), 3 * 64);
  t.is(lsaWeightsGenome.bounds(c), undefined);
});

test('vector → genome → vector is the identity, and the genome holds D×D matrices row by row', (t) => {
  const c = lsaWeightsGenome.resolveConfig({ nx: 2, layers: 2 });
  const x = Array.from({ length: lsaWeightsGenome.dim(c) }, (_, i) => i / 7);
  const g = lsaWeightsGenome.decode(x, c);
  t.deepEqual(g.spec, { nx: 2, layers: 2, looped: false, form: 'pq', attendToQuery: false });
  t.is(g.layers.length, 2);
  t.deepEqual(g.layers[0]!['P'], [[0, 1 / 7, 2 / 7], [3 / 7, 4 / 7, 5 / 7], [6 / 7, 7 / 7, 8 / 7]]);
  t.deepEqual(g.layers[1]!['Q']![2], [33 / 7, 34 / 7, 35 / 7]);
  t.deepEqual(lsaWeightsGenome.encode(g, c), x);
  t.deepEqual(lsaFlatWeights(g), x);
});

test('vector ↔ genome ↔ genome file: the GD construction round-trips through a file, in both forms', (t) => {
  for (const form of ['pq', 'kqvp'] as const) {
    const c = lsaWeightsGenome.resolveConfig({ nx: 3, layers: 2, looped: true, form });
    const x = gdConstructionWeights(c, 1.5, 10);
    const g = lsaWeightsGenome.decode(x, c);
    const path = join(tempDir(), 'gd.lsa.json');
    writeGenomeFile(path, lsaWeightsGenome, g, c, { notes: 'one GD step, η = 1.5' });
    const read = readGenomeFile(path, { kinds: GENOME_KINDS, want: 'lsa-weights' });
    t.deepEqual(read.config, c);
    t.deepEqual(read.genome, g);
    t.deepEqual(lsaWeightsGenome.encode(read.genome as typeof g, read.config as typeof c), x);
    const r = lsaWeightsGenome.random(c, new Rng(1));
    t.deepEqual(lsaWeightsGenome.decode(lsaWeightsGenome.encode(r, c), c), r);
  }
});

test('a random genome has entries of standard deviation initScale', (t) => {
  const c = lsaWeightsGenome.resolveConfig({ nx: 10, layers: 2, initScale: 0.5 });
  const x = lsaWeightsGenome.encode(lsaWeightsGenome.random(c, new Rng(3)), c);
  const sd = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
  t.true(Math.abs(sd / 0.5 - 1) < 0.08, `${sd}`);
});

test('bad settings, vectors and files are named with the field and the fix', (t) => {
  t.throws(() => lsaWeightsGenome.resolveConfig({ nx: 0 }), { message: "lsa-weights config 'nx' must be an integer from 1 to 256 (got 0)" });
  t.throws(() => lsaWeightsGenome.resolveConfig({ form: 'qk' }), { message: 'lsa-weights config \'form\' must be one of pq, kqvp (got "qk")' });
  t.throws(() => lsaWeightsGenome.resolveConfig({ loop: true }), { message: 'unknown lsa-weights config key loop; valid keys: nx, layers, looped, form, attendToQuery, initScale' });
  const c = lsaWeightsGenome.resolveConfig({ nx: 1 });
  t.throws(() => lsaWeightsGenome.decode([1, 2], c), { message: 'lsa-weights: the vector has 2 numbers, the model needs 8' });
  const other = lsaWeightsGenome.decode(new Array(8).fill(0), lsaWeightsGenome.resolveConfig({ nx: 1, layers: 2, looped: true }));
  t.throws(() => lsaWeightsGenome.encode(other, c), { message: /the genome's model .* is not the one the settings describe/ });
  const bad = (payload: unknown) => () => lsaWeightsGenome.fromFile(payload, c, 'g.json: genome');
  t.throws(bad({ layers: [] }), { message: 'g.json: genome: layers has 0 entries but the file\'s config needs 1 (1 layers); make them agree' });
  t.throws(bad({ layers: [{ P: [[1, 2], [3, 4]] }] }), { message: "g.json: genome: layers[0] must hold exactly the matrices P, Q of form 'pq' (got P)" });
  t.throws(bad({ layers: [{ P: [[1, 2], [3, 4]], Q: [[1, 2], [3]] }] }), { message: 'g.json: genome: layers[0].Q must be 2 rows of 2 finite numbers (D = nx + 1 = 2)' });
  const path = join(tempDir(), 'x.json');
  writeFileSync(path, JSON.stringify({ format: 'evometa-genome', version: 2, kind: 'lsa-weights', config: { nx: 1 }, genome: { weights: [] } }));
  t.throws(() => readGenomeFile(path, { kinds: GENOME_KINDS }), { message: /must be an object \{layers: \[\{P, Q\}, …\]\}/ });
});
